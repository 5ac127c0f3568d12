"""The CAMEO sub-code model: within the root the patterns chose, which code fits the context.

The pattern coder finds the trigger and the root reliably but often stops at a general code
("appealed" → 020) where the words around the trigger decide the sub-code ("appealed ... to
extradite" → 0213). This model is an averaged perceptron over :mod:`dyads.learning.features`:
one weight per (feature, code). It only *specialises*: the candidates are the pattern's code
(under CAMEO's modal convention) and the codes below it — every code of the root when the
pattern chose the root's general code (``020``, ``190``), else the pattern's 3-digit code and its
4-digit sub-codes (``112`` → ``1121``…``1125``). A pattern that already chose a 4-digit code is
left alone. It moves only to a code the clause has vocabulary for (:func:`has_evidence`) and,
in the stage, only by a clear margin (:func:`choose`). Figures and the variants that did worse:
docs/subcodes.md.

It is trained by ``scripts/train_subcodes.py`` on sentences the project wrote
(``training/cameo/``) and stored as JSON under ``src/dyads/data/models/``; loading and scoring
are plain Python.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

MODEL_FILE = "cameo_subcodes.json"


@dataclass
class SubcodeModel:
    weights: dict[str, dict[str, float]] = field(default_factory=dict)
    meta: dict[str, object] = field(default_factory=dict)

    def scores(self, features: Iterable[str], candidates: Sequence[str]) -> dict[str, float]:
        totals = dict.fromkeys(candidates, 0.0)
        for feat in features:
            row = self.weights.get(feat)
            if row:
                for code, weight in row.items():
                    if code in totals:
                        totals[code] += weight
        return totals

    def predict(self, features: Iterable[str], candidates: Sequence[str]) -> tuple[str, float]:
        """The best candidate and its margin over the runner-up (0 with one candidate)."""
        totals = self.scores(features, candidates)
        ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
        best = ranked[0]
        margin = best[1] - ranked[1][1] if len(ranked) > 1 else 0.0
        return best[0], margin

    def to_json(self) -> str:
        rounded = {
            f: {c: round(w, 3) for c, w in sorted(row.items()) if abs(w) >= 0.0005}
            for f, row in sorted(self.weights.items())
        }
        lines = [
            f"{json.dumps(f)}: {json.dumps(row, separators=(',', ':'))}"
            for f, row in rounded.items()
            if row
        ]
        meta = json.dumps(self.meta, sort_keys=True)
        return '{"meta": ' + meta + ',\n"weights": {\n' + ",\n".join(lines) + "\n}}\n"

    @classmethod
    def from_json(cls, text: str) -> SubcodeModel:
        data = json.loads(text)
        return cls(weights=data["weights"], meta=data.get("meta", {}))

    @classmethod
    def load(cls, path: str | Path | None = None) -> SubcodeModel:
        if path is None:
            text = (
                resources.files("dyads.data")
                .joinpath("models")
                .joinpath(MODEL_FILE)
                .read_text("utf-8")
            )
        else:
            text = Path(path).read_text("utf-8")
        return cls.from_json(text)


def candidate_codes(code: str, root_codes: Sequence[str]) -> tuple[str, ...]:
    """The codes the model may choose for an event the patterns coded ``code``."""
    if len(code) == 3 and code.endswith("0"):
        return tuple(root_codes)
    return tuple(c for c in root_codes if c.startswith(code))


def has_evidence(code: str, features: Iterable[str]) -> bool:
    """Whether a word of the clause supports ``code``: a lexical code (see
    :mod:`dyads.learning.features`) that is ``code``, one of its sub-codes, or its specific
    3-digit parent. The training sentences give every code the same weight, while news is full of
    plain statements, appeals and attacks; so the model may leave the pattern's code only for a
    code the clause has vocabulary for ("extradite" for 0213)."""
    for feat in features:
        if not feat.startswith("lex="):
            continue
        lexical = feat[4:]
        if lexical.startswith(code) or (
            len(lexical) == 3 and not lexical.endswith("0") and code.startswith(lexical)
        ):
            return True
    return False


def choose(
    model: SubcodeModel,
    features: Sequence[str],
    code: str,
    candidates: Sequence[str],
    min_margin: float = 0.0,
) -> str:
    """The code for an event the patterns coded ``code``: the model's best candidate when the
    clause has evidence for it (:func:`has_evidence`) and the model prefers it over ``code`` by
    at least ``min_margin``, else ``code``."""
    if len(candidates) < 2:
        return code
    best, _ = model.predict(features, candidates)
    if best == code or not has_evidence(best, features):
        return code
    if min_margin > 0:
        scores = model.scores(features, [code, best])
        if scores[best] - scores[code] < min_margin:
            return code
    return best


@dataclass(frozen=True)
class Example:
    features: tuple[str, ...]
    label: str
    candidates: tuple[str, ...]


def train(examples: Sequence[Example], epochs: int = 12, seed: int = 13) -> SubcodeModel:
    """Averaged multi-class perceptron (the average of the weights after every example)."""
    weights: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    stamps: dict[tuple[str, str], int] = {}
    step = 0
    model = SubcodeModel(weights=weights)  # type: ignore[arg-type]

    def update(feat: str, code: str, delta: float) -> None:
        key = (feat, code)
        totals[feat][code] += (step - stamps.get(key, 0)) * weights[feat][code]
        stamps[key] = step
        weights[feat][code] += delta

    order = list(examples)
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(order)
        for example in order:
            step += 1
            guess, _ = model.predict(example.features, example.candidates)
            if guess != example.label:
                for feat in example.features:
                    update(feat, example.label, 1.0)
                    update(feat, guess, -1.0)
    averaged: dict[str, dict[str, float]] = {}
    for feat, row in weights.items():
        out = {}
        for code, weight in row.items():
            total = totals[feat][code] + (step - stamps.get((feat, code), 0)) * weight
            out[code] = total / step
        averaged[feat] = out
    return SubcodeModel(weights=averaged)
