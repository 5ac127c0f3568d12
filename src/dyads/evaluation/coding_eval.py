"""Event-type and actor accuracy against the PLOVER gold standard and the CAMEO examples.

PLOVER GSR (322 sentences, PLOVER v0.5b1 types renamed to current ones):

- *pair found*: some event has a source whose country is a gold source country and (when the
  record has a target) a target whose country is a gold target country (IGO/NGO count as
  countries, as in the gold records);
- *end-to-end*: some such event also has the gold type;
- *type given pair*: end-to-end among the records where the pair was found;
- per-type precision/recall/F1 and the confusion table use one predicted type per record: the
  type of the pair-matching event, else of the most confident event, else NONE;
- actors: every gold actor is looked up among dyads' mentions overlapping its text; country and
  sector (first three letters of the gold sector) are compared.

Event types are compared under CAMEO's modal convention (an intended cooperative act is AGREE, a
threatened conflictual one THREATEN; :mod:`dyads.ontology.modal`), as the gold records follow it.

CAMEO examples (one per code): the *primary* event of the sentence — the most confident one,
which favours triggers high in the dependency tree (see dyads.stages.coding) — is compared by
root and by full code
(CAMEO's own modal code when the event is not asserted).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..ontology.modal import cameo_modal_code
from ..records import Article, CodedArticle, Event
from .reference import (
    CameoExample,
    GoldRecord,
    TypeScores,
    actor_key,
    find_span,
    load_cameo_examples,
    load_gsr,
    overlaps,
    plover_of,
)


def _code_all(pipeline: Any, texts: list[tuple[str, str, str]]) -> list[CodedArticle]:
    """Code (id, text, date) triples in order; failures become empty results."""
    articles = [
        Article.from_text(text, dt.date.fromisoformat(date), id=aid) for aid, text, date in texts
    ]
    out = []
    for result in pipeline.pipe(articles, batch_size=64):
        out.append(
            result
            if isinstance(result, CodedArticle)
            else CodedArticle(article=Article(id="error", text="", date=None))
        )
    return out


@dataclass
class GsrResult:
    records: int = 0
    pair_found: int = 0
    end_to_end: int = 0
    type_any: int = 0
    scores: TypeScores = field(default_factory=TypeScores)
    actor_total: int = 0
    actor_found: int = 0
    country_right: int = 0
    sector_total: int = 0
    sector_right: int = 0
    misses: list[tuple[GoldRecord, str]] = field(default_factory=list)
    actor_misses: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)

    def figures(self) -> dict[str, float]:
        n = self.records or 1
        return {
            "records": self.records,
            "end_to_end_type_accuracy": self.end_to_end / n,
            "pair_found": self.pair_found / n,
            "type_accuracy_given_pair": self.end_to_end / self.pair_found
            if self.pair_found
            else 0.0,
            "type_in_any_event": self.type_any / n,
            "actor_country_accuracy": self.country_right / self.actor_total
            if self.actor_total
            else 0.0,
            "actor_sector_accuracy": self.sector_right / self.sector_total
            if self.sector_total
            else 0.0,
            "actor_found": self.actor_found / self.actor_total if self.actor_total else 0.0,
        }


def _matches(actor_country: str | None, gold: tuple[Any, ...]) -> bool:
    codes = {g.code for g in gold if g.code}
    return actor_country is not None and actor_country in codes


def evaluate_gsr(pipeline: Any, path: Path) -> GsrResult:
    records = load_gsr(path)
    ontology = pipeline.resources.ontology
    coded = _code_all(pipeline, [(r.id, r.text, r.date) for r in records])
    result = GsrResult()
    for record, article in zip(records, coded, strict=True):
        result.records += 1
        events = list(article.events)
        pair_events = [
            e
            for e in events
            if (
                not record.sources  # an unknown attacker: no source to match, as with targets
                or e.source is not None
                and _matches(actor_key(e.source.actor), record.sources)
            )
            and (
                not record.targets
                or e.target is not None
                and _matches(actor_key(e.target.actor), record.targets)
            )
        ]
        types = {plover_of(e, ontology) for e in events}
        if record.type in types:
            result.type_any += 1
        predicted = None
        if pair_events:
            result.pair_found += 1
            right = [e for e in pair_events if plover_of(e, ontology) == record.type]
            if right:
                result.end_to_end += 1
                predicted = record.type
            else:
                predicted = plover_of(max(pair_events, key=lambda e: e.confidence), ontology)
        elif events:
            predicted = plover_of(max(events, key=lambda e: e.confidence), ontology)
        result.scores.add(record.type, predicted)
        if predicted != record.type or not pair_events:
            got = "; ".join(_describe(e, ontology) for e in events) or "no event"
            result.misses.append((record, got))
        _score_actors(result, record, article)
    return result


def _score_actors(result: GsrResult, record: GoldRecord, article: CodedArticle) -> None:
    for gold in record.sources + record.targets:
        if not gold.code:
            continue
        span = find_span(record.text, gold.text)
        result.actor_total += 1
        if gold.sector:
            result.sector_total += 1
        if span is None:
            continue
        candidates = [
            m for m in article.mentions if overlaps((m.start, m.end), span) and m.actor.code
        ]
        if not candidates:
            result.actor_misses.append((record.id, gold.text, gold.code, None))
            continue
        result.actor_found += 1
        # the mention that starts where the gold text starts, else the one covering most of it
        best = max(
            candidates,
            key=lambda m: (m.start == span[0], min(m.end, span[1]) - max(m.start, span[0])),
        )
        if actor_key(best.actor) == gold.code:
            result.country_right += 1
        else:
            result.actor_misses.append((record.id, gold.text, gold.code, best.actor.code))
        if gold.sector and gold.sector in best.actor.sectors:
            result.sector_right += 1


def _describe(event: Event, ontology: Any) -> str:
    src = event.source.actor.code if event.source else "-"
    tgt = event.target.actor.code if event.target else "-"
    return f"{plover_of(event, ontology)}/{event.cameo.code}({event.modality}) {src}->{tgt} '{event.trigger.text}'"


@dataclass
class CameoResult:
    examples: int = 0
    root_right: int = 0
    code_right: int = 0
    root_any: int = 0
    no_event: int = 0
    by_root: Counter = field(default_factory=Counter)
    by_root_right: Counter = field(default_factory=Counter)
    misses: list[tuple[CameoExample, str]] = field(default_factory=list)

    def figures(self) -> dict[str, float]:
        n = self.examples or 1
        return {
            "examples": self.examples,
            "root_accuracy": self.root_right / n,
            "code_accuracy": self.code_right / n,
            "root_in_any_event": self.root_any / n,
            "no_event": self.no_event / n,
        }


def primary_event(events: list[Event]) -> Event | None:
    """The main event: earliest sentence, then highest confidence, then earliest trigger."""
    if not events:
        return None
    return min(events, key=lambda e: (e.sentence_index, -e.confidence, e.trigger.start))


def evaluate_cameo(pipeline: Any, path: Path) -> CameoResult:
    examples = load_cameo_examples(path)
    coded = _code_all(pipeline, [(f"cameo-{x.code}", x.text, "2000-01-01") for x in examples])
    result = CameoResult()
    for example, article in zip(examples, coded, strict=True):
        result.examples += 1
        root = example.code[:2]
        result.by_root[root] += 1
        events = [
            e for e in article.events if cameo_modal_code(e.cameo.code, e.modality, e.modality_cue)
        ]
        codes = [cameo_modal_code(e.cameo.code, e.modality, e.modality_cue) for e in events]
        if any(c and c[:2] == root for c in codes):
            result.root_any += 1
        main = primary_event(events)
        if main is None:
            result.no_event += 1
            result.misses.append((example, "no event"))
            continue
        code = (
            cameo_modal_code(main.cameo.code, main.modality, main.modality_cue) or main.cameo.code
        )
        if code[:2] == root:
            result.root_right += 1
            result.by_root_right[root] += 1
        if code == example.code:
            result.code_right += 1
        else:
            result.misses.append(
                (example, f"{code} {main.cameo.label} ({main.modality}) '{main.trigger.text}'")
            )
    return result
