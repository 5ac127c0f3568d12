"""Project-written coding cases: sentences with the events a careful coder expects.

Case files (YAML lists, ``tests/data/coding/*.yaml``)::

    - text: "Germany imposed sanctions on Iran on Monday."
      date: 2025-02-27                       # optional publication date (default 2025-01-15)
      events:                                # events that must be coded (others may be too)
        - {code: "163", source: DEU, target: IRN, modality: asserted}
      absent: ["19"]                         # optional: code prefixes that must not appear
      none: true                             # optional: no event at all may be coded

``code`` matches by prefix (``"16"`` = any 16x event); ``source``/``target`` are countries (ISO3,
or IGO/NGO) or full actor codes; omitted fields are not checked. These are development and
regression cases written by the project, distinct from the held-out reference sets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..dictionaries.files import load_yaml
from ..records import Article, CodedArticle, Event, Mention
from .reference import actor_key


@dataclass
class CaseResult:
    file: str
    text: str
    ok: bool
    problems: list[str]
    got: list[str]


@dataclass
class CasesReport:
    results: list[CaseResult] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(r.ok for r in self.results)

    def by_file(self) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for r in self.results:
            ok, n = out.get(r.file, (0, 0))
            out[r.file] = (ok + r.ok, n + 1)
        return out


def _actor_matches(mention: Mention | None, expected: str | None) -> bool:
    if expected is None:
        return True
    if expected in ("-", "none", ""):
        return mention is None or mention.actor.code is None
    if mention is None:
        return False
    if len(expected) == 3:
        return actor_key(mention.actor) == expected
    return mention.actor.code == expected


def _event_matches(event: Event, want: dict[str, Any]) -> bool:
    code = str(want.get("code", ""))
    if code and not event.cameo.code.startswith(code):
        return False
    if "modality" in want and event.modality != want["modality"]:
        return False
    return _actor_matches(event.source, want.get("source")) and _actor_matches(
        event.target, want.get("target")
    )


def describe(event: Event) -> str:
    src = event.source.actor.code if event.source else "-"
    tgt = event.target.actor.code if event.target else "-"
    return f"{event.cameo.code} {src}->{tgt} {event.modality} '{event.trigger.text}'"


def load_cases(path: Path) -> list[dict[str, Any]]:
    data = load_yaml(path.read_text("utf-8")) or []
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a list of cases")
    for i, case in enumerate(data, start=1):
        if not isinstance(case, dict) or not isinstance(case.get("text"), str):
            raise ValueError(f"{path}#{i}: a case needs a text")
    return data


def run_cases(pipeline: Any, paths: list[Path]) -> CasesReport:
    report = CasesReport()
    items: list[tuple[str, dict[str, Any]]] = []
    for path in paths:
        items.extend((path.name, case) for case in load_cases(path))
    articles = []
    for i, (_, case) in enumerate(items):
        date = case.get("date") or "2025-01-15"
        date = date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date))
        articles.append(Article.from_text(case["text"], date, id=f"case-{i}"))
    for (name, case), coded in zip(items, pipeline.pipe(articles, batch_size=64), strict=True):
        events = list(coded.events) if isinstance(coded, CodedArticle) else []
        problems = []
        for want in case.get("events") or []:
            if not any(_event_matches(e, want) for e in events):
                problems.append("missing " + " ".join(f"{k}={v}" for k, v in want.items()))
        for prefix in case.get("absent") or []:
            bad = [e for e in events if e.cameo.code.startswith(str(prefix))]
            if bad:
                problems.append(f"unexpected {prefix}: {describe(bad[0])}")
        if case.get("none") and events:
            problems.append("expected no event")
        report.results.append(
            CaseResult(name, case["text"], not problems, problems, [describe(e) for e in events])
        )
    return report
