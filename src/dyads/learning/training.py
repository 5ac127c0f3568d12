"""Train and check the CAMEO sub-code model on the project's own example sentences.

``training/cameo/*.tsv`` (``code<TAB>sentence``; ``-`` for a sentence with no codable event) is
run through the pipeline up to the modality stage, exactly as the ``subcodes`` stage sees events.
Each labelled sentence whose events include one under the label's root (CAMEO's modal
convention) gives one example when the label is among the codes the model may choose for that
event (:func:`~dyads.learning.subcodes.candidate_codes`): the event's features, the label and
those candidates. Sentences without such an event are counted per root: they show where the patterns
miss a root altogether, which no sub-code model can mend.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..ontology.modal import cameo_modal_code
from ..records import Article, Document, Event
from .features import event_features, lexical_codes
from .subcodes import Example, SubcodeModel, candidate_codes, choose, train

log = logging.getLogger(__name__)

TRAINING_STAGES = ["tokens", "segment", "actors", "quotes", "coding", "modality"]
TRAINING_DATE = dt.date(2020, 6, 1)


@dataclass(frozen=True)
class Row:
    code: str
    sentence: str
    origin: str


def read_rows(paths: Iterable[Path]) -> list[Row]:
    rows = []
    for path in sorted(paths):
        for n, line in enumerate(path.read_text("utf-8").splitlines()[1:], 2):
            if not line.strip():
                continue
            code, sep, sentence = line.partition("\t")
            if not sep:
                raise ValueError(f"{path}:{n}: expected code<TAB>sentence")
            rows.append(Row(code.strip(), sentence.strip(), f"{path.name}:{n}"))
    return rows


def fingerprint(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _main_event(events: Sequence[tuple[Event, str]]) -> tuple[Event, str] | None:
    if not events:
        return None
    return min(
        events, key=lambda em: (em[0].sentence_index, -em[0].confidence, em[0].trigger.start)
    )


@dataclass
class Collected:
    examples: list[Example] = field(default_factory=list)
    found: int = 0  # labelled sentences with an event under the label's root
    baseline_right: int = 0  # ... whose pattern code was the label
    no_root: Counter = field(default_factory=Counter)  # label root → sentences without it
    labelled: Counter = field(default_factory=Counter)
    negatives: int = 0
    negatives_with_events: int = 0


def collect(pipeline: Any, rows: Sequence[Row], by_root: dict[str, list[str]]) -> Collected:
    """Examples for the model from ``rows`` (the pipeline must stop after modality)."""
    out = Collected()
    lexicon = lexical_codes(pipeline.resources.patterns)
    texts = [r.sentence for r in rows]
    docs = pipeline.nlp.pipe(texts, batch_size=64)
    for row, doc in zip(rows, docs, strict=True):
        article = Article.from_text(row.sentence, TRAINING_DATE, id=row.origin)
        document = pipeline.run_stages(Document(article=article, doc=doc))
        events = [
            (e, m)
            for e in document.events
            if (m := cameo_modal_code(e.cameo.code, e.modality, e.modality_cue))
        ]
        if row.code == "-":
            out.negatives += 1
            out.negatives_with_events += bool(events)
            continue
        root = row.code[:2]
        out.labelled[root] += 1
        main = _main_event([em for em in events if em[1][:2] == root])
        if main is None:
            out.no_root[root] += 1
            continue
        event, modal = main
        out.found += 1
        out.baseline_right += modal == row.code
        candidates = candidate_codes(modal, by_root[root])
        if row.code not in candidates:
            continue  # the pattern chose a sibling or a narrower code: nothing to specialise
        feats = tuple(event_features(document.doc, event, modal, lexicon))
        out.examples.append(Example(feats, row.code, candidates))
    return out


MARGIN_BANDS = (0.0, 5.0, 10.0, 20.0, 40.0)


@dataclass
class CrossValidation:
    right: int = 0  # held-out examples whose code the model (with its margin) got right
    # margin band → [changes the model made, of them right, of them where the pattern was right]
    changes: dict[float, list[int]] = field(default_factory=dict)


def cross_validate(
    examples: Sequence[Example], folds: int = 5, epochs: int = 12, min_margin: float = 0.0
) -> CrossValidation:
    """Held-out figures over ``folds`` folds (by a hash of the features)."""
    out = CrossValidation(changes={band: [0, 0, 0] for band in MARGIN_BANDS})
    for k in range(folds):
        held = [
            x
            for x in examples
            if int(hashlib.md5(" ".join(x.features).encode()).hexdigest(), 16) % folds == k
        ]
        kept = [x for x in examples if x not in held]
        model = train(kept, epochs=epochs)
        for x in held:
            pattern_code = next(f[5:] for f in x.features if f.startswith("code="))
            new = choose(model, x.features, pattern_code, x.candidates)
            margin = 0.0
            if new != pattern_code:
                scores = model.scores(x.features, [pattern_code, new])
                margin = scores[new] - scores[pattern_code]
                band = max(b for b in MARGIN_BANDS if margin >= b)
                counts = out.changes[band]
                counts[0] += 1
                counts[1] += new == x.label
                counts[2] += pattern_code == x.label
                if margin < min_margin:
                    new = pattern_code
            out.right += new == x.label
    return out


def train_model(
    examples: Sequence[Example], meta: dict[str, object], epochs: int = 12
) -> SubcodeModel:
    model = train(examples, epochs=epochs)
    model.meta = dict(meta)
    return model
