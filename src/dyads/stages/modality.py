"""Modality and attribution of each event.

Modality: from the trigger up the dependency tree (through infinitives, gerunds under ``from``/
``by``, nouns' light verbs and conjuncts) the first cue found decides, so that modality propagates
down chains: in "we managed to prevent him from bringing down the axe" the axe is *prevented*, in
"Blinken wanted to impose sanctions" the sanctions are *intended*. The climb stops at a reporting
verb's complement (what someone said stays what they said) except for ``deny`` (→ denied) and
``threaten``/``warn`` (→ threatened). Cues (docs/modality.md):

- negated: ``not/n't/never`` on the trigger or a verb on the chain, ``no`` on a nominal trigger,
  ``fail to``, ``refuse to``, ``decline to`` (unless the refusal is itself the coded event);
- intended: ``want, plan, intend, seek, aim, decide, hope, propose, consider, try, attempt, vow,
  pledge, promise, prepare``; nouns ``plan, intention, bid, attempt, effort, decision``... to;
- threatened: ``threaten``, ``warn`` (that it would); the noun ``threat``;
- hypothetical: ``could, might, may, would, should`` on the trigger's verb, an ``if/unless`` clause,
  ``want/wish/need X to`` (a wish for another's act, as in an appeal), ``capable of`` (``unable
  to``/``incapable of``: negated);
- future: ``will, shall, 'll``, ``be to``, ``be set to``, ``be going to``, ``be expected to``;
- prevented: ``prevent, stop, block, bar, thwart, foil, avert, halt`` (+ from), ``be prevented``;
- denied: the event sits in the complement of ``deny``/``dismiss``/``reject`` (claims).

Attribution: the innermost quote around the trigger (direct quotes and complements of reporting
verbs, ``according to``) names the speaker; outside any quote the article speaks (None).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..records import Attribution, Document, Event, Quote
from .coding import LIGHT_VERBS
from .quotes import REPORTING

NEGATORS = {"not", "n't", "never", "no", "nt"}
NEGATING_VERBS = {"fail", "refuse", "decline", "neglect", "avoid", "cease"}
INTENT_VERBS = {
    "want", "plan", "intend", "seek", "aim", "decide", "hope", "propose", "consider", "try",
    "attempt", "vow", "pledge", "promise", "prepare", "mull", "weigh", "wish", "desire", "move",
    "push", "strive", "scramble", "look", "offer", "agree", "resolve", "opt", "choose", "threaten",
    "need", "mean", "contemplate", "explore", "volunteer",
}  # fmt: skip
INTENT_NOUNS = {
    "plan",
    "plans",
    "intention",
    "bid",
    "attempt",
    "effort",
    "proposal",
    "push",
    "goal",
    "aim",
    "intent",
    "offer",
    "pledge",
    "promise",
    "readiness",
    "willingness",
}
THREAT_WORDS = {"threaten", "threat", "warn", "ultimatum"}
CONDITIONAL_MODALS = {"could", "might", "may", "would"}  # "may halt X if Y": a threat
HYPOTHETICAL_MODALS = {"could", "might", "may", "would", "should", "can", "must", "ought"}
FUTURE_MODALS = {"will", "shall", "'ll", "wo"}
READY_WORDS = {"ready", "willing", "prepared", "eager", "determined", "keen", "poised"}
# a capability is no act: "drone units capable of attacking ships"; "unable to reach a deal" did not
ABILITY_WORDS = {"capable": "hypothetical", "unable": "negated", "incapable": "negated"}
FUTURE_FRAMES = {
    "set",
    "going",
    "expected",
    "due",
    "poised",
    "scheduled",
    "slated",
    "likely",
    "about",
}
PREVENT_VERBS = {
    "prevent",
    "stop",
    "block",
    "bar",
    "thwart",
    "foil",
    "avert",
    "halt",
    "prohibit",
    "forbid",
    "ban",
    "deter",
    "keep",
    "hinder",
    "obstruct",
    "veto",
    "preclude",
    "dissuade",
}
DENY_VERBS = {"deny", "dismiss", "refute", "reject", "dispute", "disavow"}
CHAIN_DEPS = {
    "xcomp",
    "pcomp",
    "acl",
    "advcl",
    "conj",
    "dobj",
    "pobj",
    "prep",
    "nsubjpass",
    "ccomp",
    "attr",
    "oprd",
}


REFUSING_AUX = {"will": "will", "wo": "will", "would": "would", "shall": "shall"}
WANT_VERBS = {"want", "wish", "need", "like", "prefer"}  # not "expect": a prediction
APPEAL_VERBS = {
    "urge", "call", "ask", "appeal", "request", "demand", "plead", "implore", "beg", "petition",
    "order", "instruct", "command", "direct", "press", "push", "encourage", "invite", "advise",
}  # fmt: skip
APPEAL_NOUNS = {"demand", "call", "appeal", "request", "plea", "order", "ultimatum", "petition"}


def _modal_cue(verb: Any) -> tuple[str, str] | None:
    """A cue carried by ``verb`` itself: its auxiliaries, negation, marker, frame."""
    for c in verb.children:
        if (
            c.dep_ == "neg"
            or (c.dep_ in ("advmod", "det") and c.lower_ in NEGATORS)
            or (  # "will no longer tolerate", "no more": the parser hangs "no" on the adverb
                c.dep_ == "advmod"
                and c.lower_ in ("longer", "more")
                and any(g.lower_ == "no" for g in c.children)
            )
        ):
            will = next(
                (a for a in verb.children if a.dep_ == "aux" and a.lower_ in REFUSING_AUX), None
            )
            if will is not None:  # "will not accept refugees": a declared refusal (CAMEO 12)
                return "negated", f"{REFUSING_AUX[will.lower_]} not"
            return "negated", c.text
    for c in verb.children:
        if c.dep_ == "aux" and c.lower_ in FUTURE_MODALS:
            return "future", c.text
        if c.dep_ == "aux" and c.lower_ in HYPOTHETICAL_MODALS:
            if c.lower_ == "would" and verb.dep_ == "ccomp" and verb.head.lemma_ in REPORTING:
                return "future", c.text  # "Canada said it would close its embassy"
            if c.lower_ in CONDITIONAL_MODALS and _conditional(verb):
                return "hypothetical", f"{c.text} if"  # "may halt mediation if ...": a threat
            return "hypothetical", c.text
    for c in verb.children:
        if c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether"):
            return "hypothetical", c.text
    if verb.dep_ == "advcl" and any(
        c.dep_ == "mark" and c.lower_ in ("if", "unless") for c in verb.children
    ):
        return "hypothetical", "if"
    return None


def _conditional(verb: Any) -> bool:
    """Does an if/unless clause hang on ``verb`` ("may halt its mediation if the fighting goes on")?"""
    return any(
        c.dep_ == "advcl"
        and any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in c.children)
        for c in verb.children
    )


def _governor_cue(node: Any, below: Any) -> tuple[str, str] | None:
    """A cue carried by a governor ``node`` of the chain, given the child ``below`` we came from."""
    lemma = node.lemma_.lower()
    if node.pos_ in ("VERB", "AUX"):
        if lemma in PREVENT_VERBS and (
            below.dep_ in ("pcomp", "prep", "xcomp", "dobj") or below.head.lower_ == "from"
        ):
            return "prevented", node.text
        if lemma in THREAT_WORDS and below.dep_ in ("xcomp", "ccomp", "dobj"):
            return "threatened", node.text
        if lemma in DENY_VERBS and below.dep_ in ("ccomp", "xcomp", "dobj", "pcomp"):
            return "denied", node.text
        if lemma in NEGATING_VERBS and below.dep_ in ("xcomp", "dobj"):
            return "negated", node.text
        if (
            lemma == "be"
            and below.dep_ == "xcomp"
            and any(c.lower_ in FUTURE_FRAMES for c in node.children)
        ):
            return "future", node.text
        if node.lower_ in READY_WORDS and below.dep_ == "xcomp":
            return "intended", node.text  # "is prepared to impose martial law"
        if node.lower_ in FUTURE_FRAMES and below.dep_ == "xcomp":
            return "future", node.text  # "is set/expected/due to"
        if (
            lemma in WANT_VERBS
            and below.dep_ in ("xcomp", "ccomp")
            and (
                any(c.dep_ == "nsubj" for c in below.children)
                or any(c.dep_ == "dobj" for c in node.children)
            )
        ):  # "Poland wants Germany to pay": a wish for another's act, as an appeal
            return "hypothetical", node.text
        if lemma in ("expect", "anticipate", "predict") and below.dep_ in ("xcomp", "ccomp"):
            return "future", node.text  # "expects North Korea to launch a missile": a forecast
        if lemma in INTENT_VERBS and below.dep_ in ("xcomp", "ccomp", "dobj"):
            return "intended", node.text
        if lemma in APPEAL_VERBS and (
            below.dep_ in ("xcomp", "ccomp", "advcl", "dobj")
            or below.dep_ == "prep"
            and below.lower_ == "for"  # "called for sanctions against X"
        ):
            return "hypothetical", node.text  # "called on Israel to release the prisoners"
    elif node.pos_ in ("NOUN", "PROPN"):
        if lemma in INTENT_NOUNS and below.dep_ in ("acl", "prep", "pcomp"):
            return "intended", node.text
        if lemma in APPEAL_NOUNS and below.dep_ in ("acl", "prep", "pcomp"):
            return "hypothetical", node.text  # "the demand for the release of the activists"
        if lemma in THREAT_WORDS and below.dep_ in ("acl", "prep", "pcomp"):
            return "threatened", node.text
    elif node.pos_ == "ADJ" and node.lower_ in READY_WORDS and below.dep_ == "xcomp":
        return "intended", node.text  # "is ready/willing/prepared to send troops"
    elif node.pos_ == "ADJ" and node.lower_ in FUTURE_FRAMES and below.dep_ == "xcomp":
        return "future", node.text
    elif node.pos_ == "ADJ" and node.lower_ in ABILITY_WORDS and below.dep_ in ("xcomp", "prep"):
        return ABILITY_WORDS[node.lower_], node.text
    return None


def modality_of(trigger: Any, coded_refusal: bool = False) -> tuple[str, str]:
    """(modality, cue) for the event whose trigger token is ``trigger``."""
    if trigger.pos_ in ("NOUN", "PROPN"):
        for c in trigger.children:
            if c.dep_ == "det" and c.lower_ == "no":
                return "negated", c.text
    node = trigger
    first = True
    for _ in range(12):
        if node.pos_ in ("VERB", "AUX") or first and node.pos_ not in ("NOUN", "PROPN"):
            cue = _modal_cue(node)
            if cue is not None:
                return cue
        first = False
        head = node.head
        if head.i == node.i:
            break
        # A reporting verb's complement keeps its own modality ("said it would" is handled above).
        if (
            node.dep_ == "ccomp"
            and head.lemma_ in REPORTING
            and head.lemma_ not in DENY_VERBS | THREAT_WORDS
        ):
            break
        if node.dep_ not in CHAIN_DEPS and not (
            node.pos_ in ("NOUN", "PROPN") and head.lemma_ in LIGHT_VERBS
        ):
            break
        cue = _governor_cue(head, node)
        if cue is not None:
            if cue[0] == "negated" and coded_refusal:
                return "asserted", ""
            return cue
        if (
            node.pos_ in ("NOUN", "PROPN")
            and head.pos_ in ("VERB", "AUX")
            and head.lemma_ not in LIGHT_VERBS
            and node.dep_ in ("dobj", "pobj")
        ):
            # "condemned the attack": the attack's own modality is not the condemning verb's
            if (
                head.lemma_
                not in PREVENT_VERBS | THREAT_WORDS | INTENT_VERBS | DENY_VERBS | NEGATING_VERBS
            ):
                break
        node = head
    return "asserted", ""


def attribution_of(event: Event, quotes: tuple[Quote, ...]) -> Attribution | None:
    """The speaker of the innermost quote holding the trigger (None: the article's own voice)."""
    pos = event.trigger.start
    holding = [q for q in quotes if q.start <= pos < q.end and q.speaker is not None]
    if not holding:
        return None
    quote = min(holding, key=lambda q: q.end - q.start)
    speaker = quote.speaker
    assert speaker is not None
    if event.source is not None and speaker.head == event.source.head and quote.kind == "indirect":
        return None  # "Herzog criticized X, saying ..." — the source is not its own attribution
    cue = quote.verb.text if quote.verb is not None else "quote"
    return Attribution(
        speaker.text,
        speaker.start,
        speaker.end,
        speaker.actor,
        cue if quote.kind == "indirect" else f"quote ({cue})",
    )


def make_modality_stage(resources: Any, config: dict[str, Any]) -> Callable[[Document], Document]:
    def modality(document: Document) -> Document:
        doc = document.doc
        events = []
        for event in document.events:
            trigger = doc[event.trigger_token]
            coded_refusal = event.cameo.root == "12" or event.cameo.code == "011"
            value, cue = modality_of(trigger, coded_refusal)
            events.append(
                replace(
                    event,
                    modality=value,
                    modality_cue=cue,
                    attribution=attribution_of(event, document.quotes),
                )
            )
        return replace(document, events=tuple(events))

    return modality
