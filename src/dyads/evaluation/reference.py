"""Reading the reference sets (never bundled: they stay in ../shared) and scoring helpers."""

from __future__ import annotations

import csv
import json
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..ontology.modal import cameo_modal_code
from ..records import Actor, Event

# PLOVER v0.5b1 names used in the gold standard records → the current type names.
OLD_PLOVER = {
    "DEMAND": "REQUEST",
    "DISAPPROVE": "ACCUSE",
    "FIGHT": "ASSAULT",
    "INVESTIGATE": "ACCUSE",
}


def shared_dir() -> Path | None:
    """``$DYADS_SHARED``, else ``../shared`` beside the current directory or the repository."""
    candidates = [
        os.environ.get("DYADS_SHARED"),
        Path.cwd().parent / "shared",
        Path(__file__).resolve().parents[3].parent / "shared",
    ]
    for c in candidates:
        if c and Path(c).is_dir():
            return Path(c)
    return None


def default_path(*parts: str) -> Path | None:
    base = shared_dir()
    path = base.joinpath(*parts) if base else None
    return path if path is not None and path.exists() else None


@dataclass(frozen=True)
class GoldActor:
    text: str
    code: str | None
    sector: str | None


@dataclass(frozen=True)
class GoldRecord:
    id: str
    text: str
    type: str
    event_text: str
    sources: tuple[GoldActor, ...]
    targets: tuple[GoldActor, ...]
    date: str = "2000-01-01"


# Country codes of older CAMEO dictionaries that some gold records use, as ISO 3166-1 alpha-3
# (what dyads writes): the same countries, so they are compared as such.
LEGACY_COUNTRY_CODES = {"JAP": "JPN", "ITL": "ITA", "VTN": "VNM"}


def _actors(value: Any) -> tuple[GoldActor, ...]:
    if not isinstance(value, list):
        return ()
    out = []
    for a in value:
        if isinstance(a, dict) and a.get("actorText"):
            sector = a.get("sector")
            out.append(
                GoldActor(
                    a["actorText"].strip(),
                    LEGACY_COUNTRY_CODES.get(a.get("code"), a.get("code")),
                    sector[:3].upper()
                    if isinstance(sector, str) and sector[:3].isalpha()
                    else None,
                )
            )
    return tuple(out)


def load_gsr(path: Path) -> list[GoldRecord]:
    data = json.loads(path.read_text("utf-8"))
    records = []
    for r in data:
        if r.get("event") in (None, "DOCUMENT") or not r.get("text"):
            continue
        records.append(
            GoldRecord(
                r["id"],
                r["text"].replace("\\$", "$"),
                OLD_PLOVER.get(r["event"], r["event"]),
                r.get("eventText", ""),
                _actors(r.get("source")),
                _actors(r.get("target")),
                r.get("date") or "2000-01-01",
            )
        )
    return records


@dataclass(frozen=True)
class CameoExample:
    code: str
    name: str
    text: str


def load_cameo_examples(path: Path) -> list[CameoExample]:
    rows = csv.DictReader(path.open(encoding="latin-1"))
    out = []
    for row in rows:
        text = (row.get("example") or "").strip()
        if not text or text == "NA" or len(row["code"]) < 3:
            continue
        text = re.split(r"\s+Note:", text)[0].strip()
        text = (
            text.replace("Äô", "'")
            .replace("Äú", '"')
            .replace("Äù", '"')
            .replace("Ä¨", "")
            .replace("\x92", "'")
        )
        out.append(CameoExample(row["code"], row["name"], text))
    return out


def actor_key(actor: Actor) -> str | None:
    """What the gold standards call an actor's country: ISO3, IGO/NGO for organisations, IMG for
    transnational armed groups."""
    if actor.code and actor.code.startswith(("IGO", "IMG")):
        return actor.code[:3]
    if actor.country:
        return actor.country
    if "NGO" in actor.sectors or actor.code and actor.code.startswith("NGO"):
        return "NGO"
    return None


def plover_of(event: Event, ontology: Any) -> str | None:
    """PLOVER type of an event under CAMEO's modal convention (intent → AGREE, threat → THREATEN)."""
    modal = cameo_modal_code(event.cameo.code, event.modality, event.modality_cue)
    code = modal or event.cameo.code
    return ontology.plover_for(code).type


@dataclass
class TypeScores:
    """Per-type precision/recall/F1 and a confusion table over (gold, predicted) labels."""

    pairs: list[tuple[str, str]] = field(default_factory=list)

    def add(self, gold: str, predicted: str | None) -> None:
        self.pairs.append((gold, predicted or "NONE"))

    def table(self) -> list[tuple[str, int, float, float, float]]:
        gold_n, pred_n, hit = Counter(), Counter(), Counter()
        for g, p in self.pairs:
            gold_n[g] += 1
            pred_n[p] += 1
            if g == p:
                hit[g] += 1
        rows = []
        for label in sorted(set(gold_n) | {p for p in pred_n if p != "NONE"}):
            p = hit[label] / pred_n[label] if pred_n[label] else 0.0
            r = hit[label] / gold_n[label] if gold_n[label] else 0.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            rows.append((label, gold_n[label], p, r, f))
        return rows

    def confusion(self) -> dict[str, Counter]:
        out: dict[str, Counter] = defaultdict(Counter)
        for g, p in self.pairs:
            out[g][p] += 1
        return out


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def find_span(text: str, needle: str) -> tuple[int, int] | None:
    needle = needle.strip()
    if not needle:
        return None
    i = text.find(needle)
    if i < 0:
        i = text.lower().find(needle.lower())
    return (i, i + len(needle)) if i >= 0 else None


def percent(x: float) -> str:
    return f"{100 * x:.1f}%"


def iter_batches(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
