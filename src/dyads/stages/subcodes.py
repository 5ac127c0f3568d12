"""Choose each event's CAMEO sub-code with the learned sub-code model (after modality).

For every event the stage takes the code CAMEO itself would give it (:mod:`dyads.ontology.modal`:
an intended cooperative act is an expression of intent, a threatened attack a threat), asks
:class:`dyads.learning.subcodes.SubcodeModel` which of that code and the codes below it fits the
words around the trigger, and, when the model prefers another code by at least ``min_margin``, recodes the
event: asserted events take the new code; intended, threatened and refused events take the base
code whose CAMEO modal code is the new one ("agreed to hold joint exercises" stays an intended
062). The root never changes, and a code only becomes more specific. The event's ``rule`` records ``+model:<old code>``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..learning.features import event_features, lexical_codes
from ..learning.subcodes import SubcodeModel, candidate_codes, choose
from ..ontology.modal import INTENT, REFUSAL, THREAT, cameo_modal_code
from ..records import Document, Event


def _inverse(table: dict[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for base, modal in table.items():
        out.setdefault(modal, []).append(base)
    return {modal: sorted(bases, key=lambda b: (-len(b), b)) for modal, bases in out.items()}


class SubcodeChooser:
    def __init__(self, ontology: Any, patterns: Any, model: SubcodeModel, min_margin: float = 0.0):
        self.ontology = ontology
        self.lexicon = lexical_codes(patterns)
        self.model = model
        self.min_margin = min_margin
        self.by_root = self.codes_by_root(ontology)
        self.inverse = {
            "intent": _inverse(INTENT),
            "threat": _inverse(THREAT),
            "refusal": _inverse(REFUSAL),
        }

    @staticmethod
    def codes_by_root(ontology: Any) -> dict[str, list[str]]:
        """The 3- and 4-digit codes under each root: the model's candidates."""
        by_root: dict[str, list[str]] = {}
        for code in ontology.cameo:
            if len(code) > 2:
                by_root.setdefault(code[:2], []).append(code)
        return by_root

    def base_code(self, event: Event, modal: str, new: str) -> str | None:
        """The event's own code whose CAMEO modal code is ``new`` (None: there is none)."""
        base = event.cameo.code
        if modal == base:
            return new
        table = (
            "threat"
            if event.modality == "threatened" or new.startswith("13")
            else "refusal"
            if new.startswith("12")
            else "intent"
        )
        bases = self.inverse[table].get(new, [])
        same_root = [b for b in bases if b[:2] == base[:2] and len(b) > 2]
        pick = (same_root or [b for b in bases if len(b) > 2] or [None])[0]
        if pick is None or cameo_modal_code(pick, event.modality, event.modality_cue) != new:
            return None
        return pick

    def choose(self, doc: Any, event: Event) -> Event:
        modal = cameo_modal_code(event.cameo.code, event.modality, event.modality_cue)
        if not modal:
            return event
        candidates = candidate_codes(modal, self.by_root.get(modal[:2], ()))
        if len(candidates) < 2:
            return event
        features = event_features(doc, event, modal, self.lexicon)
        new = choose(self.model, features, modal, candidates, self.min_margin)
        if new == modal:
            return event
        base = self.base_code(event, modal, new)
        if base is None or base == event.cameo.code:
            return event
        return replace(
            event,
            cameo=self.ontology.code(base),
            plover=self.ontology.plover_for(base),
            rule=f"{event.rule}+model:{event.cameo.code}",
        )


def make_subcode_stage(resources: Any, config: dict[str, Any]) -> Callable[[Document], Document]:
    path = config.get("model_file") or None
    chooser = SubcodeChooser(
        resources.ontology,
        resources.patterns,
        SubcodeModel.load(path),
        min_margin=float(config.get("min_margin", 20.0)),
    )

    def subcodes(document: Document) -> Document:
        if not document.events:
            return document
        events = tuple(chooser.choose(document.doc, e) for e in document.events)
        return replace(document, events=events)

    return subcodes
