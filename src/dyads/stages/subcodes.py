"""Choose each event's CAMEO sub-code with the learned sub-code model (after modality).

For every event the stage takes the code CAMEO itself would give it (:mod:`dyads.ontology.modal`:
an intended cooperative act is an expression of intent, a threatened attack a threat), asks
:class:`dyads.learning.subcodes.SubcodeModel` which of that code and the codes below it fits the
words around the trigger, and, when the model prefers another code by at least ``min_margin``, recodes the
event: asserted events take the new code; intended, threatened and refused events take the base
code whose CAMEO modal code is the new one ("agreed to hold joint exercises" stays an intended
062). The root never changes, and a code only becomes more specific. The event's ``rule`` records ``+model:<old code>``.

Before the model, an event whose verb governs another coded event as its clausal complement takes
the code CAMEO gives that act under the verb's root (:func:`dyads.ontology.modal.governed_code`)
when it is more specific: CAMEO codes "agreed to resign" as one expression of intent to change
leadership (0341), not a bare 030, "urged Belgium to extradite the suspects" as 0213 and
"threatened to cut off aid" as 1311. The complement event stays as it is; the rule records
``+complement:<old code>``.

A general use of force (190, 180, 193) named with its weapon takes the weapon's code from
``data/ontology/instruments.tsv``: "killed three policemen in a car bomb explosion" is 1832, "suicide
bombers killed" 1831, "shelled ... with artillery" 194. The weapon is looked for in the trigger's
"in/with/by/during/through/using" phrase and in its subject; a plain "bomb" or "bombing" by a state
military stays as it is (CAMEO's 183 is non-military bombing), and an unconventional attack (180)
takes no weapon of military combat (19x): "gunmen carried out a shooting attack" stays 180.
The rule records ``+instrument:<old code>``.

A killing (180, 190) of someone named by a leader's title ("killed the deputy chief", "shot dead
the governor") is an assassination, 186 (rule ``+victim:<old code>``).

After the model, an event in a family whose last digit CAMEO gives by what the act is about takes
that digit from the first telling word after the trigger in the trigger's own phrase or clause
(``data/ontology/subcode_words.tsv``; relative clauses of place and time, appositions and subjects
do not count; a noun trigger also reads the rest of its verb's clause):

- purpose: a protest (141-145) or a political appeal, intent, concession, demand or rejection (024,
  034, 083, 104, 123) — "staged rallies ..., saying he must resign" 1411, "a strike over the
  employment bill" 1432, "to demand democratic reforms" 1444; a bare "reform" does not specialise
  the political codes, whose name is "political reform" already ("accepted demands that it
  initiate political reforms" stays 083);
- aid: an appeal, intent, demand, rejection, cut or gift of aid (023, 033, 103, 122, 162, 070) —
  "suspended part of a military aid program" 1622, "reduced food supplies to the camp" 1623;
  weapons given up are no aid ("an appeal to hand over their weapons");
- accusation: what an accusation (112) or investigation (090) is of — "accused of misusing public
  funds" 1121, "of violating human rights" 1122, "investigated allegations of torture" 092.

A code the model chose is replaced, and undone when no word says what the act is about (the
model's guess at a purpose the sentence does not state): back to the family's general code, or,
for aid when no word speaks of aid at all, to the code before the model. One a pattern chose is
kept. Rule
``+about:<old code>``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..learning.features import event_features, lexical_codes
from ..learning.subcodes import SubcodeModel, candidate_codes, choose
from ..ontology import SUBCODE_KINDS, load_instruments, load_subcode_words
from ..ontology.modal import INTENT, REFUSAL, THREAT, cameo_modal_code, governed_code
from ..records import Document, Event
from .arguments import about_span, direct_object

# a clause an intent, appeal, demand, threat or refusal verb governs: "agreed to resign",
# "urged Belgium to extradite", "demanded that Hamas renounce"
COMPLEMENT_DEPS = {"xcomp", "ccomp", "acl"}
# general uses of force a weapon makes specific, and where the weapon is named
GENERAL_FORCE = {"180", "190", "193"}
INSTRUMENT_PREPS = {"in", "with", "by", "during", "through", "using", "from"}
# families of codes whose last digit says what the act is about, by dimension of subcode_words.tsv
# (a family "07" covers 070 → 071, 072, 073)
SUBCODE_FAMILIES = {
    "purpose": {"024", "034", "083", "104", "123", "141", "142", "143", "144", "145"},
    "aid": {"023", "033", "103", "122", "162", "07"},
    "accusation": {"112", "09"},
}
# a general appeal, intent, concession, demand or rejection whose content is a political change
# belongs to that family: "conceded to demands to overhaul the judiciary" 080 → 0834
PURPOSE_PROMOTION = {"020": "024", "030": "034", "080": "083", "100": "104", "120": "123"}
GENERAL_REFORM = {"reform"}  # the political families' own name: says nothing more
PROTESTS = {"141", "142", "143", "144", "145"}
# words that say an act is about aid without saying which
AID_WORDS = {
    "aid", "assistance", "help", "supply", "supplies", "relief", "donation", "package",
    "delivery", "shipment", "support", "funding", "fund", "loan", "credit", "weapon", "arms",
}  # fmt: skip
# weapons someone gives up are no aid: "an appeal to hand over their weapons", "to surrender arms"
DISARM_VERBS = {
    "lay", "surrender", "hand", "put", "take", "bear", "carry", "pick", "drop", "turn",
    "decommission", "relinquish", "abandon", "destroy", "collect", "seize",
}  # fmt: skip
# a killing of one of these is an assassination (186): a targeted attack on a prominent person
KILL_LEMMAS = {"kill", "murder", "assassinate", "shoot", "gun", "slay"}
LEADER_NOUNS = {
    "leader", "chief", "commander", "minister", "president", "governor", "mayor", "general",
    "premier", "king", "emir", "prince", "senator", "lawmaker", "legislator", "mp", "judge",
    "prosecutor", "ambassador", "envoy", "head", "chairman", "spokesman", "cleric", "imam",
}  # fmt: skip


def _inverse(table: dict[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for base, modal in table.items():
        out.setdefault(modal, []).append(base)
    return {modal: sorted(bases, key=lambda b: (-len(b), b)) for modal, bases in out.items()}


def code_before_model(rule: str) -> str | None:
    """The code the sub-code model replaced, read from an event's rule (``…+model:<old>…``; later
    steps append their own ``+step:<old>``), or None when the model changed nothing."""
    if "+model:" not in rule:
        return None
    return rule.split("+model:", 1)[1].split("+", 1)[0]


class SubcodeChooser:
    def __init__(
        self,
        ontology: Any,
        patterns: Any,
        model: SubcodeModel,
        min_margin: float = 0.0,
        instruments: dict[str, str] | None = None,
        words: dict[str, dict[str, str]] | None = None,
    ):
        self.ontology = ontology
        self.instruments = instruments or {}
        self.words = words or {}
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

    def recode(self, event: Event, modal: str, new: str, why: str) -> Event:
        """The event with the base code whose CAMEO modal code is ``new``."""
        base = self.base_code(event, modal, new)
        if base is None or base == event.cameo.code:
            return event
        return self.with_code(event, base, why)

    def with_code(self, event: Event, code: str, why: str) -> Event:
        """The event coded ``code``; its rule records why and the code it had."""
        return replace(
            event,
            cameo=self.ontology.code(code),
            plover=self.ontology.plover_for(code),
            rule=f"{event.rule}+{why}:{event.cameo.code}",
        )

    def from_complement(self, doc: Any, event: Event, events: tuple[Event, ...]) -> Event:
        """The code of the event in the trigger's clausal complement, when it specialises."""
        modal = cameo_modal_code(event.cameo.code, event.modality, event.modality_cue)
        if not modal or len(modal) != 3 or event.trigger_token < 0:
            return event
        candidates = candidate_codes(modal, self.by_root.get(modal[:2], ()))
        for other in events:
            if other is event or other.trigger_token < 0:
                continue
            token = doc[other.trigger_token]
            if token.head.i != event.trigger_token or token.dep_ not in COMPLEMENT_DEPS:
                continue
            new = governed_code(modal[:2], other.cameo.code)
            if new and new != modal and new in candidates:
                return self.recode(event, modal, new, "complement")
        return event

    def from_instrument(self, doc: Any, event: Event) -> Event:
        """The code of the weapon a general use of force names (see the module docstring)."""
        if event.cameo.code not in GENERAL_FORCE or event.trigger_token < 0 or not self.instruments:
            return event
        trig = doc[event.trigger_token]
        heads = [
            g
            for c in trig.children
            if c.dep_ in ("prep", "agent") and c.lower_ in INSTRUMENT_PREPS
            for g in c.children
            if g.dep_ == "pobj"
        ]
        heads += [c for c in trig.children if c.dep_ == "nsubj"]
        best = None
        for head in heads:
            words = [  # "a car bomb explosion": the modifiers before the head, nested too
                t.lower_
                for t in doc[head.left_edge.i : head.i]
                if t.dep_ in ("compound", "amod", "nmod")
            ]
            words.append(head.lower_)
            for n in (3, 2, 1):
                for i in range(len(words) - n + 1):
                    code = self.instruments.get(" ".join(words[i : i + n]))
                    if code and (best is None or len(code) > len(best)):
                        best = code
        military = event.source is not None and "MIL" in event.source.actor.sectors
        if (
            best is None
            or best == event.cameo.code
            or (best == "183" and military)
            or (event.cameo.code == "180" and best[:2] != "18")  # a shooting attack stays terror
        ):
            return event
        return self.with_code(event, best, "instrument")

    def from_victim(self, doc: Any, event: Event) -> Event:
        """A killing of a leader or official (a person named by a title) is an assassination."""
        if event.cameo.code not in ("180", "190") or event.trigger_token < 0:
            return event
        trig = doc[event.trigger_token]
        victim = direct_object(trig) if trig.lemma_ in KILL_LEMMAS else None
        if victim is None or not _titled(victim):
            return event
        return self.with_code(event, "186", "victim")

    @staticmethod
    def family_of(code: str) -> tuple[str, str] | None:
        """(dimension, family prefix) of a code whose last digit says what it is about."""
        for dimension, families in SUBCODE_FAMILIES.items():
            for prefix in (code[:3], code[:2]):
                # "112" covers 112 and 1121-1125; "07" covers 070-079
                if prefix in families and len(code) in ((3, 4) if len(prefix) == 3 else (3,)):
                    return dimension, prefix
        return None

    def from_words(self, doc: Any, event: Event) -> Event:
        """The sub-code the words after the trigger select in its family (module docstring)."""
        code = event.cameo.code
        promoted = PURPOSE_PROMOTION.get(code)
        found = ("purpose", promoted) if promoted else self.family_of(code)
        if found is None or event.trigger_token < 0 or not self.words:
            return event
        dimension, prefix = found
        base = code if promoted else prefix if len(prefix) == 3 else prefix + "0"
        guessed = "+model:" in event.rule and code[-1] in SUBCODE_KINDS[dimension].values()
        if code != base and not guessed:
            return event  # a pattern's own sub-code, or one no word of this dimension names
        table = self.words[dimension]
        words = [t for t in about_span(doc[event.trigger_token]) if not t.is_punct]
        if dimension == "aid":
            words = [t for t in words if not (t.dep_ == "dobj" and t.head.lemma_ in DISARM_VERBS)]
        for i, tok in enumerate(words):
            lemma = tok.lemma_.lower()
            nxt = words[i + 1] if i + 1 < len(words) else None
            digit = (
                (nxt is not None and table.get(f"{lemma} {nxt.lemma_.lower()}"))
                or (nxt is not None and table.get(f"{tok.lower_} {nxt.lower_}"))
                or table.get(lemma)
                or table.get(tok.lower_)
            )
            if digit and lemma in GENERAL_REFORM and prefix not in PROTESTS:
                if promoted:  # "accepted demands that it initiate reforms": 083 itself
                    return self.with_code(event, promoted, "about")
                continue
            if not digit:
                continue
            new = prefix + digit
            if new == code or new not in self.ontology.cameo:
                return event
            return self.with_code(event, new, "about")
        if guessed and code != base:  # the model guessed what the act is about; no word says so
            if dimension == "aid" and not any(t.lemma_.lower() in AID_WORDS for t in words):
                # nor that it is about aid at all: the code before the model ("dismissed an
                # appeal to hand over their weapons" is 120, not 122)
                base = code_before_model(event.rule) or base
            return self.with_code(event, base, "about")
        return event

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
        return self.recode(event, modal, new, "model")


def _titled(head: Any) -> bool:
    """ "the deputy chief", "Governor X", "a police commander": a person named by a title."""
    words = [head, *(t for t in head.lefts if t.dep_ in ("compound", "amod", "nmod"))]
    return any(t.lemma_.lower() in LEADER_NOUNS for t in words)


def make_subcode_stage(resources: Any, config: dict[str, Any]) -> Callable[[Document], Document]:
    path = config.get("model_file") or None
    chooser = SubcodeChooser(
        resources.ontology,
        resources.patterns,
        SubcodeModel.load(path),
        min_margin=float(config.get("min_margin", 20.0)),
        instruments=load_instruments(resources.ontology),
        words=load_subcode_words(),
    )

    def subcodes(document: Document) -> Document:
        if not document.events:
            return document
        doc = document.doc
        found = document.events
        events = tuple(
            chooser.from_words(
                doc, chooser.choose(doc, chooser.from_instrument(doc, chooser.from_victim(doc, c)))
            )
            for c in (chooser.from_complement(doc, e, found) for e in found)
        )
        return replace(document, events=events)

    return subcodes
