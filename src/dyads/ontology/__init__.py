"""CAMEO and PLOVER: codes, labels, Goldstein values, QuadClass and the CAMEO→PLOVER mapping.

The data lives in ``dyads/data/ontology/`` (see its README for formats and credits). The loader
checks the files and raises :class:`OntologyError` naming the file and line of any problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from ..dictionaries.files import load_yaml
from ..records import CameoCode, PloverCode


class OntologyError(ValueError):
    pass


def quad_class_of(root: str) -> int:
    """CAMEO QuadClass from the two-digit root: 1 verbal coop, 2 material coop, 3/4 conflict."""
    n = int(root)
    if not 1 <= n <= 20:
        raise OntologyError(f"no CAMEO root {root!r}")
    return 1 if n <= 5 else 2 if n <= 8 else 3 if n <= 13 else 4


@dataclass(frozen=True)
class PloverType:
    name: str
    quad_class: int
    description: str
    modes: dict[str, str] = field(default_factory=dict)
    weight: float | None = None


@dataclass(frozen=True)
class Ontology:
    cameo: dict[str, CameoCode]
    plover_types: dict[str, PloverType]
    contexts: dict[str, str]
    cameo_to_plover: dict[str, PloverCode]

    def code(self, code: str) -> CameoCode:
        try:
            return self.cameo[code]
        except KeyError:
            raise OntologyError(f"unknown CAMEO code {code!r}") from None

    def plover_for(self, code: str) -> PloverCode:
        return self.cameo_to_plover.get(code) or PloverCode(type=None)

    def counts(self) -> dict[str, int]:
        return {
            "cameo_codes": len(self.cameo),
            "cameo_roots": sum(1 for c in self.cameo if len(c) == 2),
            "plover_types": len(self.plover_types),
            "plover_modes": sum(len(t.modes) for t in self.plover_types.values()),
            "plover_contexts": len(self.contexts),
            "cameo_plover_mappings": len(self.cameo_to_plover),
            "instrument_phrases": len(load_instruments(self)),
            "subcode_words": sum(len(w) for w in load_subcode_words().values()),
        }


# the kinds of each dimension of data/ontology/subcode_words.tsv → the digit CAMEO gives them
SUBCODE_KINDS = {
    "purpose": {"leadership": "1", "policy": "2", "rights": "3", "institutions": "4"},
    "aid": {"economic": "1", "military": "2", "humanitarian": "3"},
    "accusation": {
        "crime": "1",
        "rights": "2",
        "aggression": "3",
        "war_crimes": "4",
        "espionage": "5",
    },
}


def load_subcode_words() -> dict[str, dict[str, str]]:
    """Per dimension (purpose, aid, accusation), words → the last digit of the CAMEO sub-code they
    select within a family of codes (``data/ontology/subcode_words.tsv``)."""
    table: dict[str, dict[str, str]] = {d: {} for d in SUBCODE_KINDS}
    for lineno, row in _tsv_rows("subcode_words.tsv"):
        kinds = SUBCODE_KINDS.get(row["dimension"])
        if kinds is None:
            raise OntologyError(
                f"subcode_words.tsv:{lineno}: unknown dimension {row['dimension']!r}"
            )
        if row["kind"] not in kinds:
            raise OntologyError(
                f"subcode_words.tsv:{lineno}: unknown {row['dimension']} {row['kind']!r}"
            )
        table[row["dimension"]][row["words"].lower()] = kinds[row["kind"]]
    return table


def _data_text(name: str) -> str:
    return resources.files("dyads").joinpath(f"data/ontology/{name}").read_text("utf-8")


def _tsv_rows(name: str) -> list[tuple[int, dict[str, str]]]:
    lines = [
        (i, line)
        for i, line in enumerate(_data_text(name).splitlines(), start=1)
        if line.strip() and not line.startswith("#")
    ]
    header = lines[0][1].split("\t")
    rows = []
    for lineno, line in lines[1:]:
        cells = line.split("\t")
        if len(cells) > len(header):
            raise OntologyError(f"{name}:{lineno}: {len(cells)} cells, header has {len(header)}")
        cells += [""] * (len(header) - len(cells))
        rows.append((lineno, dict(zip(header, (c.strip() for c in cells), strict=True))))
    return rows


def _load_cameo() -> dict[str, CameoCode]:
    codes: dict[str, CameoCode] = {}
    for lineno, row in _tsv_rows("cameo.tsv"):
        code, label = row["code"], row["label"]
        where = f"cameo.tsv:{lineno}"
        if not code.isdigit() or len(code) not in (2, 3, 4):
            raise OntologyError(f"{where}: bad code {code!r}")
        if code in codes:
            raise OntologyError(f"{where}: duplicate code {code}")
        if not label:
            raise OntologyError(f"{where}: code {code} has no label")
        try:
            goldstein = float(row["goldstein"])
        except ValueError:
            raise OntologyError(f"{where}: code {code} has no Goldstein value") from None
        if not -10 <= goldstein <= 10:
            raise OntologyError(f"{where}: Goldstein {goldstein} out of [-10, 10]")
        root = code[:2]
        codes[code] = CameoCode(code, root, label, goldstein, quad_class_of(root))
    for code in codes:
        if len(code) > 2 and code[:-1] not in codes and code[:2] not in codes:
            raise OntologyError(f"cameo.tsv: {code} has no parent code")
    return codes


def _load_plover() -> tuple[dict[str, PloverType], dict[str, str]]:
    data: dict[str, Any] = load_yaml(_data_text("plover.yaml"))
    types: dict[str, PloverType] = {}
    for entry in data.get("types", []):
        name = entry.get("name")
        if not name or entry.get("quad_class") not in (1, 2, 3, 4):
            raise OntologyError(f"plover.yaml: type {name!r} needs a name and quad_class 1-4")
        modes = {m["name"]: m.get("description", "") for m in entry.get("modes") or []}
        types[name] = PloverType(
            name, entry["quad_class"], entry.get("description", ""), modes, entry.get("weight")
        )
    contexts = {c["name"]: c.get("description", "") for c in data.get("contexts", [])}
    return types, contexts


def load_ontology() -> Ontology:
    cameo = _load_cameo()
    types, contexts = _load_plover()
    mapping: dict[str, PloverCode] = {}
    for lineno, row in _tsv_rows("cameo_plover.tsv"):
        where = f"cameo_plover.tsv:{lineno}"
        code = row["cameo"]
        if code not in cameo:
            raise OntologyError(f"{where}: unknown CAMEO code {code!r}")
        if code in mapping:
            raise OntologyError(f"{where}: second mapping for {code}")
        ptype = row["plover_type"]
        if ptype in ("-", ""):
            mapping[code] = PloverCode(type=None)
            continue
        if ptype not in types:
            raise OntologyError(f"{where}: unknown PLOVER type {ptype!r}")
        mode = row["mode"] or None
        if mode and mode not in types[ptype].modes:
            raise OntologyError(f"{where}: {ptype} has no mode {mode!r}")
        context = tuple(c.strip() for c in row["context"].split("|") if c.strip())
        for c in context:
            if c not in contexts:
                raise OntologyError(f"{where}: unknown PLOVER context {c!r}")
        mapping[code] = PloverCode(ptype, mode, context)
    missing = sorted(set(cameo) - set(mapping))
    if missing:
        raise OntologyError(f"cameo_plover.tsv: no mapping for {', '.join(missing[:10])}")
    return Ontology(cameo, types, contexts, mapping)


def load_instruments(ontology: Ontology) -> dict[str, str]:
    """Weapon and attack phrases → the CAMEO code they make a use of force
    (``data/ontology/instruments.tsv``)."""
    table: dict[str, str] = {}
    for lineno, row in _tsv_rows("instruments.tsv"):
        code = row["code"]
        if code not in ontology.cameo:
            raise OntologyError(f"instruments.tsv:{lineno}: unknown CAMEO code {code!r}")
        table[row["words"].lower()] = code
    return table
