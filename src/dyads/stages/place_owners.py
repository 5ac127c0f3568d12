"""Which events a place locates: the rules past the place's own clause (docs/places.md).

The place stage first asks :func:`dyads.stages.dates.owning_triggers` (the clause the place
modifies); these rules cover what that leaves: circumstantial clauses, infinitives, where the
participants are, a sending verb's destination and when/while clauses.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

MOTION_LEMMAS = frozenset(
    "go travel fly return move head come arrive deploy send flee drive march walk sail relocate "
    "evacuate transfer deport bring take escape retreat withdraw advance push trip visit "
    "journey spread extend expand close converge fly flock rush pour stream descend "
    "relocate".split()
)
PLACE_VERBS = frozenset(
    "enter reach capture seize shell bomb strike attack hit take retake liberate besiege storm "
    "raid invade visit leave flee surround encircle occupy control hold target pound bombard "
    "evacuate abandon cross tour recapture overrun annex defend besiege shoot intercept explode "
    "crash land fall".split()
)

_IRREGULAR = MappingProxyType({
    "took": "take", "taken": "take", "retook": "retake", "retaken": "retake", "fled": "flee",
    "left": "leave", "struck": "strike", "hit": "hit", "held": "hold", "shot": "shoot",
    "overran": "overrun", "flew": "fly", "flown": "fly", "went": "go", "gone": "go",
    "came": "come", "brought": "bring", "drove": "drive", "driven": "drive", "sent": "send",
    "fell": "fall", "fallen": "fall", "besieged": "besiege", "stormed": "storm",
})  # fmt: skip


SETTING_MARKS = frozenset("before after when while as until since once amid during".split())


def _clause_verb(token: Any) -> Any:
    """The verb of the clause ``token`` belongs to (or the sentence root, within 12 steps)."""
    verb = token
    for _ in range(12):
        if verb.pos_ in ("VERB", "AUX") or verb.head.i == verb.i:
            break
        verb = verb.head
    return verb


def circumstance_owners(token: Any, triggers: Mapping[int, list[int]]) -> tuple[list[int], str]:
    """A place in a circumstantial clause ("... right before the ground operations began in
    Rafah") locates the events of the clause it modifies, GDELT's ActionGeo style, when its own
    clause carries no event: the governing verb's trigger and the triggers in its object."""
    verb = _clause_verb(token)
    if verb.dep_ != "advcl" or not any(
        c.dep_ == "mark" and c.lower_ in SETTING_MARKS for c in verb.children
    ):
        return [], "attached to no event"
    governor = verb.head
    skip = {t.i for t in verb.subtree}
    owners = [t.i for t in governor.subtree if t.i in triggers and t.i not in skip]
    return owners, f"in a clause setting '{governor.text}'"


SENDING_LEMMAS = frozenset("send dispatch despatch deploy fly move transfer".split())


def phrase_verb(prep: Any) -> Any:
    """The word a prepositional phrase belongs to, through the object it hangs off: "sent a team
    of experts to Sudan" → sent."""
    word = prep.head
    for _ in range(4):
        if word.pos_ in ("VERB", "AUX") or word.dep_ not in ("dobj", "pobj", "prep"):
            break
        word = word.head
    return word


def destination_purposes(token: Any, triggers: Mapping[int, list[int]]) -> tuple[list[int], str]:
    """The destination of a sending verb locates what the sent are to do there: "sent 21
    experts to Bosnia to investigate" → the investigation is in Bosnia."""
    prep = token.head
    if token.dep_ != "pobj" or prep.lower_ not in ("to", "into") or prep.dep_ != "prep":
        return [], ""
    verb = phrase_verb(prep)
    if lemma(verb) not in SENDING_LEMMAS:
        return [], ""
    owners = [
        c.i
        for c in verb.children
        if c.dep_ in ("advcl", "xcomp")
        and c.i in triggers
        and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)
    ]
    return owners, f"the destination of '{verb.text}'"


SIMULTANEOUS_MARKS = frozenset("when while".split())


def simultaneous_owners(token: Any, triggers: Mapping[int, list[int]]) -> tuple[list[int], str]:
    """A place in a when/while clause that is an event of its own also locates the material acts
    of the clause it modifies (they happened there and then): "two gunmen killed four policemen
    when they stormed a checkpoint in Quetta" puts the killing in Quetta too; a statement made
    while something happened elsewhere is not there. Its own clause's events keep the place
    first (they are nearer)."""
    verb = _clause_verb(token)
    if verb.dep_ != "advcl" or not any(
        c.dep_ in ("mark", "advmod") and c.lower_ in SIMULTANEOUS_MARKS for c in verb.children
    ):
        return [], ""
    governor = verb.head
    # the governing verb and the acts it carries, not those of its other clauses
    owners = [governor.i] if governor.i in triggers else []
    owners += [
        c.i
        for c in governor.children
        if c.i in triggers and c.dep_ in ("dobj", "nsubj", "nsubjpass", "xcomp", "conj")
    ]
    return owners, f"in a clause at the time of '{governor.text}'"


PARTICIPANT_VERBS = frozenset(
    "operate base station live deploy fight hide stay hold remain".split()
)


def participant_place_owner(token: Any, triggers: Mapping[int, list[int]]) -> tuple[list[int], str]:
    """Where a participant is ("militiamen operating in Chad have been disarmed",
    "troops stationed in Mali withdrew"): a place in a participle or relative clause of the
    subject or object of an event's verb locates that event."""
    verb = _clause_verb(token)
    if verb.dep_ not in ("acl", "relcl") or lemma(verb) not in PARTICIPANT_VERBS:
        return [], "attached to no event"
    noun = verb.head
    while noun.dep_ == "pobj" and noun.head.lower_ == "of" and noun.head.head.i != noun.i:
        noun = noun.head.head  # "one third of the guerrillas operating in X"
    if noun.dep_ in ("nsubj", "nsubjpass", "dobj") and noun.head.i in triggers:
        return [noun.head.i], f"where '{noun.text}' are"
    return [], "attached to no event"


def infinitive_owner(token: Any, triggers: Mapping[int, list[int]]) -> tuple[list[int], str]:
    """A place in an infinitive that is no event of its own locates the trigger that governs it:
    "Hamas threatened to resume attacks in Israel", "pledged to keep troops in Mali"."""
    verb = _clause_verb(token)
    if verb.dep_ == "xcomp" and verb.i not in triggers and verb.head.i in triggers:
        return [verb.head.i], f"in the infinitive of '{verb.head.text}'"
    return [], "attached to no event"


def lemma(token: Any) -> str:
    """The lemma, or for a regular inflection the stem: the small model's lemmatiser slips."""
    lemma = token.lemma_.lower()
    if lemma in MOTION_LEMMAS or lemma in PLACE_VERBS:
        return lemma
    word = token.lower_
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    for suffix, repl in (("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"), ("s", ""), ("es", "")):
        if word.endswith(suffix):
            stem = word[: -len(suffix)] + repl
            if stem in MOTION_LEMMAS or stem in PLACE_VERBS:
                return stem
    return lemma
