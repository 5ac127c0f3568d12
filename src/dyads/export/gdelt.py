"""The GDELT 2.0 event table: 61 tab-separated columns, one row per event cluster.

Each cluster of the event store (one event however many articles report it) becomes one GDELT
row, with the cluster's counts in NumMentions/NumSources/NumArticles and the fields of its
representative event (the most confident report, docs/store.md). Only asserted clusters are
written unless ``all_modalities`` (GDELT has no modality: negated, threatened or hypothetical
events would read as events that happened). With ``all_modalities``, an event that CAMEO codes
differently because of its modality (a threatened attack is a 13x threat, a promised aid a 03x
intent, a refused meeting a 12x rejection) is written with that code (:func:`event_code`).

Country codes follow GDELT: actor fields (``Actor1CountryCode``) carry CAMEO country codes, which
are dyads' ISO 3166-1 alpha-3 codes; geographic fields (``ActionGeo_CountryCode``) carry FIPS 10-4
codes, converted with ``dyads/data/fips.tsv``. docs/store.md has the full column mapping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from typing import IO, Any

_ACTOR = ["Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
          "Religion2Code", "Type1Code", "Type2Code", "Type3Code"]  # fmt: skip
_GEO = ["Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID"]
GDELT_COLUMNS: list[str] = [
    "GlobalEventID", "Day", "MonthYear", "Year", "FractionDate",
    *[f"Actor1{c}" for c in _ACTOR],
    *[f"Actor2{c}" for c in _ACTOR],
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    *[f"Actor1Geo_{c}" for c in _GEO],
    *[f"Actor2Geo_{c}" for c in _GEO],
    *[f"ActionGeo_{c}" for c in _GEO],
    "DATEADDED", "SOURCEURL",
]  # fmt: skip
assert len(GDELT_COLUMNS) == 61

# CAMEO type (role) codes go to Type1-3Code, religion codes to Religion1-2Code; any other
# three-letter code in an actor's sectors (UNO, HMS, NAT, ...) is a known group.
CAMEO_TYPES = frozenset(
    "COP GOV INS JUD MIL OPP PTY REB SEP SPY UAF AGR BUS CRM CVL DEV EDU ELI ENV HLH HRI LAB LEG "
    "MED REF MOD RAD REL IGO IMG INT MNC NGM NGO SET UIS PKO".split()
)
CAMEO_RELIGIONS = frozenset(
    "ADR ALE ATH BAH BUD CHR CON CPT CTH DOX DRZ HIN HSD ITR JAN JEW JHW LDS MOS MRN NRM PAG PRO "
    "SFI SHI SHN SIK SUN TAO UDS ZRO".split()
)


@lru_cache(maxsize=1)
def load_fips() -> dict[str, tuple[str, str]]:
    """``{ISO3 or CAMEO code: (FIPS 10-4 code or "", name)}`` from ``data/fips.tsv``."""
    text = resources.files("dyads").joinpath("data/fips.tsv").read_text("utf-8")
    table: dict[str, tuple[str, str]] = {}
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    for line in lines[1:]:
        code, fips, name, *_ = line.split("\t") + [""]
        table[code] = (fips, name)
    return table


def fips_code(country: str | None, adm1: str | None = None) -> str:
    """The FIPS 10-4 country code for an ISO3/CAMEO code ("" if unknown); the Palestinian
    territories split as in FIPS: GZ for the Gaza Strip (admin1 GZ), WE for the West Bank."""
    if not country:
        return ""
    if country == "PSE" and adm1 and adm1.upper().split("-")[-1] == "GZ":
        return "GZ"
    return load_fips().get(country.upper(), ("", ""))[0]


def _actor(row: Mapping[str, Any], prefix: str) -> list[str]:
    code = row.get(f"{prefix}_code")
    if not code:
        return [""] * len(_ACTOR)
    sectors = [s for s in row.get(f"{prefix}_sector") or [] if s]
    types = [s for s in sectors if s in CAMEO_TYPES][:3]
    religions = [s for s in sectors if s in CAMEO_RELIGIONS][:2]
    groups = [s for s in sectors if s not in CAMEO_TYPES and s not in CAMEO_RELIGIONS]
    name = row.get(f"{prefix}_name") or row.get(f"{prefix}_text") or ""
    return [
        code,
        " ".join(str(name).upper().split()),
        row.get(f"{prefix}_country") or "",
        groups[0] if groups else "",
        "",  # dyads does not code ethnicity
        *(religions + ["", ""])[:2],
        *(types + ["", "", ""])[:3],
    ]


def _number(value: Any, digits: int = 4) -> str:
    if value is None:
        return ""
    return (
        f"{float(value):.{digits}f}".rstrip("0").rstrip(".")
        if isinstance(value, float)
        else str(value)
    )


def _action_geo(row: Mapping[str, Any]) -> list[str]:
    name = row.get("location_name")
    country = row.get("location_country")
    feature = row.get("location_feature") or "city"
    if not name or feature not in {"country", "adm1", "city"}:
        return ["0"] + [""] * (len(_GEO) - 1)
    adm1 = row.get("location_adm1") or ""
    fips = fips_code(country, adm1)
    country_name = load_fips().get(country or "", ("", ""))[1] if country else ""
    us = fips == "US"
    kind = {"country": 1, "adm1": 2 if us else 5, "city": 3 if us else 4}[feature]
    full = name if feature == "country" or not country_name else f"{name}, {country_name}"
    adm1_part = adm1.split("-")[-1] if adm1 else ""
    adm1_code = (
        f"{fips}{adm1_part}" if fips and adm1_part.isalnum() and len(adm1_part) <= 3 else fips
    )
    if feature == "country" or fips in {"GZ", "WE"}:  # FIPS has no ADM1 inside Gaza / West Bank
        adm1_code = fips
    feature_id = fips if feature == "country" else _number(row.get("location_geonameid"))
    return [
        str(kind), full, fips, adm1_code, "",
        _number(row.get("location_lat")), _number(row.get("location_lon")), feature_id,
    ]  # fmt: skip


@lru_cache(maxsize=1)
def _ontology() -> Any:
    from ..ontology import load_ontology

    return load_ontology()


def event_code(row: Mapping[str, Any]) -> tuple[str, str, int, float | None]:
    """``(code, root, quad_class, goldstein)`` as CAMEO codes the event: a non-asserted event
    with a CAMEO modal code (a threat 13x, an intent 03x, a refusal 12x) takes that code."""
    code, modal = row["cameo_code"], row.get("cameo_modal_code")
    if row.get("modality") != "asserted" and modal and modal != code:
        try:
            cameo = _ontology().code(modal)
        except Exception:  # an unknown code: keep the event's own
            pass
        else:
            return cameo.code, cameo.root, cameo.quad_class, cameo.goldstein
    return code, row["cameo_root"], row["quad_class"], row.get("goldstein")


def gdelt_row(row: Mapping[str, Any]) -> list[str]:
    """One cluster (a ``cluster_detail`` row of the store) → the 61 GDELT fields as strings."""
    day: dt.date = row["first_date"]
    code, root, quad_class, goldstein = event_code(row)
    added = row.get("first_added")
    fields = [
        str(row["cluster_id"]),
        day.strftime("%Y%m%d"),
        day.strftime("%Y%m"),
        str(day.year),
        f"{day.year + ((day.month - 1) * 30 + day.day) / 365:.4f}",  # GDELT's 30-day months
        *_actor(row, "source"),
        *_actor(row, "target"),
        "1" if row.get("is_root") else "0",
        code,
        code[:3],
        root,
        str(quad_class),
        _number(goldstein, 1),
        str(row["num_mentions"]),
        str(row["num_sources"]),
        str(row["num_articles"]),
        "",  # AvgTone: dyads does not measure tone
        "0", *[""] * (len(_GEO) - 1),  # Actor1Geo: dyads locates events, not actors
        "0", *[""] * (len(_GEO) - 1),  # Actor2Geo
        *_action_geo(row),
        added.strftime("%Y%m%d%H%M%S") if added else "",
        row.get("url") or "",
    ]  # fmt: skip
    return [f.replace("\t", " ").replace("\n", " ") for f in fields]


def write_gdelt(rows: Iterable[Mapping[str, Any]], out: IO[str], header: bool = False) -> int:
    """Write cluster rows as GDELT 2.0 event lines (no header, like GDELT's files, unless
    ``header``); returns the number of rows written."""
    count = 0
    if header:
        out.write("\t".join(GDELT_COLUMNS) + "\n")
    for row in rows:
        out.write("\t".join(gdelt_row(row)) + "\n")
        count += 1
    return count
