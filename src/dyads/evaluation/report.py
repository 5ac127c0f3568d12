"""``dyads eval``: run every accuracy measurement and render docs/quality.md."""

from __future__ import annotations

import datetime as dt
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from .coding_eval import CameoResult, GsrResult, evaluate_cameo, evaluate_gsr
from .reference import percent
from .seed_checks import run_checks

TARGETS = {
    "end_to_end_type_accuracy": 0.80,
    "type_accuracy_given_pair": 0.90,
    "root_accuracy": 0.80,
    "code_accuracy": 0.60,
    "actor_country_accuracy": 0.85,
    "actor_sector_accuracy": 0.75,
}


@dataclass
class Evaluation:
    command: str
    gsr: GsrResult | None = None
    cameo: CameoResult | None = None
    seed: list[tuple[str, bool]] | None = None
    extra_sections: list[str] = field(default_factory=list)
    seconds: float = 0.0
    model: str = ""


def run_evaluation(
    pipeline: Any,
    gsr: Path | None,
    cameo: Path | None,
    seed: Path | None,
    when_where: bool,
    command: str,
) -> Evaluation:
    started = time.perf_counter()
    result = Evaluation(command=command, model=pipeline.model_name)
    if gsr is not None:
        result.gsr = evaluate_gsr(pipeline, gsr)
    if cameo is not None:
        result.cameo = evaluate_cameo(pipeline, cameo)
    if seed is not None:
        from ..readers import read

        (article,) = list(read([seed]))
        result.seed = run_checks(pipeline(article))
    if when_where:
        try:
            from .when_where import when_where_section
        except ImportError:  # pragma: no cover - the dates/places evaluation is optional
            pass
        else:
            result.extra_sections.append(when_where_section(pipeline))
    result.seconds = time.perf_counter() - started
    return result


def _mark(value: float, target: float) -> str:
    return "✅" if value >= target else "❌"


def render(ev: Evaluation, misses: int = 25) -> str:
    lines = [
        "# Quality",
        "",
        f"Written by `{ev.command}` on {dt.date.today().isoformat()} (dyads {__version__}, spaCy model "
        f"{ev.model}, Python {platform.python_version()}); {ev.seconds:.0f} s. Reproduce with `make eval`.",
        "The reference sets are read from `../shared` and never copied into the project; they are for",
        "checking, not for fitting (no pattern was written from an evaluation sentence).",
        "",
    ]
    if ev.gsr is not None:
        f = ev.gsr.figures()
        lines += [
            "## Event coding: PLOVER gold standard records",
            "",
            f"{f['records']} records (PLOVER v0.5b1 types mapped to current names: DEMAND→REQUEST, DISAPPROVE→ACCUSE, FIGHT→ASSAULT, INVESTIGATE→ACCUSE).",
            "",
            "| measure | value | target |",
            "|---|---|---|",
            f"| end-to-end (source, target and type right) | {percent(f['end_to_end_type_accuracy'])} | ≥ 80% {_mark(f['end_to_end_type_accuracy'], 0.80)} |",
            f"| type right where the source/target pair was found | {percent(f['type_accuracy_given_pair'])} | ≥ 90% {_mark(f['type_accuracy_given_pair'], 0.90)} |",
            f"| source/target pair found | {percent(f['pair_found'])} | |",
            f"| gold type among the sentence's events | {percent(f['type_in_any_event'])} | |",
            "",
            "Per type (one predicted type per record):",
            "",
            "| type | gold | precision | recall | F1 |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {t} | {n} | {p:.2f} | {r:.2f} | {f1:.2f} |"
            for t, n, p, r, f1 in ev.gsr.scores.table()
        ]
        lines += ["", "Confusion (gold → predicted, counts):", ""]
        for gold, row in sorted(ev.gsr.scores.confusion().items()):
            lines.append(f"- {gold}: " + ", ".join(f"{p} {n}" for p, n in row.most_common()))
        lines += ["", f"First {misses} misses:", ""]
        for record, got in ev.gsr.misses[:misses]:
            src = "/".join(a.code or "?" for a in record.sources)
            tgt = "/".join(a.code or "?" for a in record.targets) or "-"
            lines.append(
                f"- `{record.id}` gold {record.type} {src}→{tgt}: got {got} — “{record.text[:140]}”"
            )
        lines += [
            "",
            "## Actors: PLOVER gold standard records",
            "",
            "| measure | value | target |",
            "|---|---|---|",
            f"| gold actors found as a coded mention | {percent(f['actor_found'])} | |",
            f"| country right | {percent(f['actor_country_accuracy'])} | ≥ 85% {_mark(f['actor_country_accuracy'], 0.85)} |",
            f"| sector right (where gold has one) | {percent(f['actor_sector_accuracy'])} | ≥ 75% {_mark(f['actor_sector_accuracy'], 0.75)} |",
            "",
            f"First {misses} actor misses (record, gold text, gold country, dyads code):",
            "",
        ]
        lines += [
            f"- `{rid}` “{text}” {gold} → {got}"
            for rid, text, gold, got in ev.gsr.actor_misses[:misses]
        ]
        lines.append("")
    if ev.cameo is not None:
        f = ev.cameo.figures()
        lines += [
            "## Event coding: CAMEO codebook examples",
            "",
            f"{f['examples']} example sentences, one per code; the primary event is compared (CAMEO's own code for intents, threats and refusals).",
            "",
            "| measure | value | target |",
            "|---|---|---|",
            f"| root code right | {percent(f['root_accuracy'])} | ≥ 80% {_mark(f['root_accuracy'], 0.80)} |",
            f"| full code right | {percent(f['code_accuracy'])} | ≥ 60% {_mark(f['code_accuracy'], 0.60)} |",
            f"| root among any of the sentence's events | {percent(f['root_in_any_event'])} | |",
            f"| no event coded | {percent(f['no_event'])} | |",
            "",
            "| root | examples | root right |",
            "|---|---|---|",
        ]
        for root in sorted(ev.cameo.by_root):
            n = ev.cameo.by_root[root]
            lines.append(f"| {root} | {n} | {percent(ev.cameo.by_root_right[root] / n)} |")
        lines += ["", f"First {misses} misses:", ""]
        lines += [
            f"- {ex.code} {ex.name}: got {got} — “{ex.text[:140]}”"
            for ex, got in ev.cameo.misses[:misses]
        ]
        lines.append("")
    if ev.seed is not None:
        passed = sum(ok for _, ok in ev.seed)
        lines += [
            "## The seed article",
            "",
            f"{passed} of {len(ev.seed)} checks pass.",
            "",
            "| check | |",
            "|---|---|",
        ]
        lines += [f"| {name} | {'✅' if ok else '❌'} |" for name, ok in ev.seed]
        lines.append("")
    for section in ev.extra_sections:
        lines += [section.rstrip(), ""]
    return "\n".join(lines)


def summary(ev: Evaluation) -> list[str]:
    out = []
    if ev.gsr is not None:
        f = ev.gsr.figures()
        out.append(
            f"PLOVER GSR: end-to-end {percent(f['end_to_end_type_accuracy'])}, type|pair {percent(f['type_accuracy_given_pair'])}, "
            f"pair found {percent(f['pair_found'])}, actor country {percent(f['actor_country_accuracy'])}, sector {percent(f['actor_sector_accuracy'])}"
        )
    if ev.cameo is not None:
        f = ev.cameo.figures()
        out.append(
            f"CAMEO examples: root {percent(f['root_accuracy'])}, code {percent(f['code_accuracy'])}, no event {percent(f['no_event'])}"
        )
    if ev.seed is not None:
        out.append(f"seed article: {sum(ok for _, ok in ev.seed)}/{len(ev.seed)} checks pass")
    return out
