"""Named argument tests that patterns use in ``when``/``unless`` (docs/patterns.md).

Each test looks at a trigger in its sentence and answers yes or no. They are how the dictionary
tells apart codes that share a verb: a verbal "attack" (a person or a statement as object, "and
said", quotes) is CAMEO 111, a military one 190; "halt aid" is 162x by the object's kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..records import Mention
from .arguments import child, direct_object, is_infinitive, is_passive

STATEMENT_NOUNS = {
    "remark", "comment", "statement", "decision", "policy", "plan", "proposal", "speech",
    "criticism", "claim", "report", "idea", "move", "stance", "position", "approach", "rhetoric",
    "law", "bill", "resolution", "ruling", "verdict", "handling", "response", "record", "words",
    "tweet", "post", "article", "editorial", "remarks", "comments", "view", "views", "stand",
    "election", "vote", "referendum", "reform", "budget", "strategy", "conduct", "behavior",
    "behaviour", "actions", "action", "announcement", "initiative", "measure", "order", "rule",
    "leadership", "government", "administration", "failure", "silence", "inaction",
}  # fmt: skip
# Institutions a politician "attacks" in words but an armed group in arms: verbal only when the
# attacker is not armed ("rebels fought the government" is fighting).
INSTITUTION_NOUNS = {"government", "administration", "leadership", "regime"}
ARMED_SECTORS = {"MIL", "REB", "COP", "SPY", "UAF", "CRM", "SEP"}
# Verbs whose that-clause in the bare subjunctive is a demand ("insisted that X withdraw").
MANDATIVE_SUBJUNCTIVE = {"insist", "demand", "stipulate", "require", "order", "urge", "ask"}
# Plural forms of statement nouns that name military things: "positions", "actions" stay verbal
# only in the singular ("attacked his position").
MILITARY_PLURALS = {"positions"}
SPEECH_VERBS = {
    "say",
    "tell",
    "call",
    "accuse",
    "write",
    "tweet",
    "claim",
    "shout",
    "yell",
    "insist",
    "argue",
    "warn",
    "ask",
    "declare",
    "label",
    "brand",
    "describe",
}
PERSON_PRONOUNS = {
    "me",
    "him",
    "her",
    "you",
    "i",
    "he",
    "she",
    "myself",
    "himself",
    "herself",
}  # one person
PLACE_NOUNS = {
    "city", "town", "village", "base", "camp", "position", "positions", "convoy", "building",
    "hospital", "school", "area", "region", "territory", "border", "port", "airport", "ship",
    "vessel", "plant", "facility", "compound", "headquarters", "embassy", "neighborhood",
    "neighbourhood", "district", "province", "capital", "outpost", "checkpoint", "site",
    "infrastructure", "target", "targets", "depot", "refinery", "bridge", "road", "stronghold",
    "house", "home", "mosque", "church", "market", "tanker", "aircraft", "plane", "drone",
}  # fmt: skip
WEAPON_NOUNS = {
    "weapon", "arm", "arms", "ammunition", "munition", "munitions", "missile", "rocket", "tank",
    "jet", "fighter", "equipment", "artillery", "drone", "shell", "bomb", "rifle", "gun",
    "helicopter", "warplane", "aircraft", "interceptor", "system", "systems", "hardware",
    "materiel", "shipment", "delivery", "supplies",
}  # fmt: skip
AID_NOUNS = {
    "aid",
    "assistance",
    "help",
    "support",
    "funding",
    "fund",
    "relief",
    "loan",
    "grant",
    "money",
    "financing",
    "donation",
    "package",
    "supplies",
    "food",
    "medicine",
    "fuel",
    "shelter",
}
SANCTION_NOUNS = {
    "sanction",
    "sanctions",
    "embargo",
    "boycott",
    "tariff",
    "tariffs",
    "restriction",
    "restrictions",
    "blockade",
    "ban",
}
PEOPLE_NOUNS = {
    "prisoner",
    "hostage",
    "detainee",
    "captive",
    "soldier",
    "people",
    "civilian",
    "journalist",
    "activist",
    "national",
    "citizen",
    "worker",
    "crew",
    "sailor",
    "body",
    "remains",
    "student",
    "protester",
    "refugee",
    "migrant",
}
EVENT_NOUNS = {
    "attack",
    "attacks",
    "offensive",
    "strike",
    "strikes",
    "war",
    "violence",
    "killing",
    "killings",
    "bombing",
    "shelling",
    "raid",
    "invasion",
    "assault",
    "massacre",
    "kidnapping",
    "abduction",
    "assassination",
    "crackdown",
    "incursion",
    "aggression",
    "occupation",
    "blockade",
    "siege",
    "executions",
    "execution",
}


@dataclass
class Context:
    """What a test may look at: the trigger, its object, the mentions and the quotes."""

    trigger: Any
    mention_of: Callable[[Any], Mention | None]
    in_quote: Callable[[Any], bool]
    targets: list[Mention | None]
    sources: list[Mention | None]

    @property
    def object(self) -> Any | None:
        if self.trigger.pos_ in ("NOUN", "PROPN"):
            of = child(self.trigger, "prep", words=("of",))
            return child(of, "pobj") if of is not None else None
        return direct_object(self.trigger)


def _lemma(tok: Any | None) -> str:
    return "" if tok is None else tok.lemma_.lower()


def _mods(tok: Any) -> set[str]:
    return {c.lemma_.lower() for c in tok.lefts if c.dep_ in ("amod", "compound", "nmod")}


ATTACK_NOUNS = {
    "attack", "bombing", "bomb", "explosion", "blast", "strike", "airstrike", "raid", "shelling",
    "ambush", "shooting", "gunfire", "missile", "rocket", "mortar", "grenade", "mine", "landmine",
    "drone", "barrage", "assault", "ied", "explosive", "shell", "fire", "crossfire",
}  # fmt: skip


def _subject_attack(trig: Any) -> bool:
    """ "A roadside bombing killed one soldier": an attack with no named attacker as subject."""
    subj = child(trig, "nsubj")
    return subj is not None and subj.lemma_.lower() in ATTACK_NOUNS


def _own_forces(sources: list[Mention | None], targets: list[Mention | None]) -> bool:
    """ "ordered troops to withdraw": the target is the source's own forces or police."""
    countries = {m.actor.country for m in sources if m is not None}
    return any(
        m is not None
        and {"MIL", "COP"} & set(m.actor.sectors)
        and (m.actor.country is None or m.actor.country in countries)
        for m in targets
    )


def _object_infinitive(trig: Any) -> bool:
    """ "wants Germany to pay", "ordered Menem to appear": an infinitive with its own subject."""
    for c in trig.children:
        if c.dep_ in ("xcomp", "ccomp") and is_infinitive(c):
            if child(c, "nsubj") is not None or child(trig, "dobj") is not None:
                return True
    return False


def object_person(ctx: Context) -> bool:
    obj = ctx.object
    if obj is None:
        return False
    if obj.lower_ in PERSON_PRONOUNS:
        return True
    mention = ctx.mention_of(obj)
    return mention is not None and mention.actor.kind == "person"


def object_statement(ctx: Context) -> bool:
    obj = ctx.object
    if obj is None or obj.lower_ in MILITARY_PLURALS:  # "shelled positions of the army"
        return False
    if _lemma(obj) in INSTITUTION_NOUNS and any(
        m is not None and ARMED_SECTORS & set(m.actor.sectors) for m in ctx.sources
    ):
        return False
    return _lemma(obj) in STATEMENT_NOUNS or obj.lower_ in STATEMENT_NOUNS


def object_place(ctx: Context) -> bool:
    obj = ctx.object
    return obj is not None and (
        obj.ent_type_ in ("GPE", "LOC", "FAC") or _lemma(obj) in PLACE_NOUNS
    )


def object_event(ctx: Context) -> bool:
    obj = ctx.object
    return obj is not None and _lemma(obj) in EVENT_NOUNS


def verbal_context(ctx: Context) -> bool:
    """A verbal reading: a person or statement as object, a speech verb joined to the trigger
    ("attacked me and said", "attacked him, calling ..."), "for/over" + a statement ("attacked X
    for his remarks"), an adverb like "verbally", or quoted words as the object's description."""
    trig = ctx.trigger
    if object_person(ctx) or object_statement(ctx):
        return True
    for c in trig.children:
        if c.dep_ == "conj" and c.lemma_ in SPEECH_VERBS:
            return True
        if (
            c.dep_ == "prep"
            and c.lower_ in ("for", "over")
            and any(_lemma(g) in STATEMENT_NOUNS or g.tag_ == "VBG" for g in c.children)
        ):
            return True
        if c.dep_ in ("advmod",) and c.lower_ in ("verbally", "publicly", "sharply", "openly"):
            return True
        if c.dep_ in ("advcl", "xcomp") and c.lemma_ in SPEECH_VERBS and c.tag_ == "VBG":
            return True  # "attacked the minister, calling him a liar"
    if trig.dep_ == "conj" and trig.head.lemma_ in SPEECH_VERBS:
        return True
    # "attacked X as 'reckless'": quoted words right after the trigger's object, in its clause
    obj = ctx.object
    after = obj.right_edge.i + 1 if obj is not None else trig.i + 1
    return (
        after < len(trig.doc)
        and trig.doc[after].text in ("as",)
        and after + 1 < len(trig.doc)
        and trig.doc[after + 1].text in ('"', "“", "'", "‘")
    )


def material_context(ctx: Context) -> bool:
    return not verbal_context(ctx)


def object_actor(ctx: Context) -> bool:
    obj = ctx.object
    mention = ctx.mention_of(obj) if obj is not None else None
    return mention is not None and mention.actor.code is not None


def _object_kind(ctx: Context, words: set[str], mods: set[str] | None = None) -> bool:
    obj = ctx.object
    if obj is None:
        return False
    if mods is not None:
        return bool(_mods(obj) & mods) or _lemma(obj) in mods
    return _lemma(obj) in words or obj.lower_ in words


STATE_SECTORS = {"GOV", "MIL", "COP", "JUD", "SPY", "LEG"}
CIVILIAN_SECTORS = {
    "CVL",
    "OPP",
    "LAB",
    "REF",
    "HRI",
    "EDU",
    "REL",
    "NGO",
    "MED",
    "AGR",
    "BUS",
    "HLH",
    "ENV",
    "PTY",
}


def _complement_obligation(trig: Any) -> bool:
    """ "said that Sudan must return the helicopter": the clause under the trigger is an
    obligation laid on its subject (a demand, CAMEO 10)."""
    for c in trig.children:
        if c.dep_ != "ccomp":
            continue
        obliged = any(
            a.dep_ == "aux" and a.lower_ in ("must", "should", "ought") for a in c.children
        ) or (  # the mandative subjunctive: "insisted that Lithuania correct its mistake"
            trig.lemma_ in MANDATIVE_SUBJUNCTIVE
            and (
                c.tag_ == "VB"  # "... be amended": the passive subjunctive
                or any(a.dep_ == "auxpass" and a.lower_ == "be" for a in c.children)
            )
            and not any(a.dep_ in ("aux", "auxpass") and a.lower_ != "be" for a in c.children)
        )
        if obliged:
            subj = next((s for s in c.children if s.dep_ in ("nsubj", "nsubjpass")), None)
            return subj is not None and subj.lower_ not in ("we", "i", "it", "there")
    return False


def _complement_no_thing(ctx: Context) -> bool:
    """The trigger's infinitive complement has no object, or an actor as object: "vowed to fight
    on", "vowed to crush the rebels" (not "promised to fight corruption")."""
    for comp in ctx.trigger.children:
        if comp.dep_ in ("xcomp", "ccomp") and comp.pos_ in ("VERB", "AUX"):
            obj = direct_object(comp)
            return obj is None or ctx.mention_of(obj) is not None
    return True


def _sides(
    mentions: list[Mention | None], sectors: set[str] | None = None, kind: str | None = None
) -> bool:
    for m in mentions:
        if m is None:
            continue
        if kind is not None and m.actor.kind == kind:
            return True
        if sectors is not None and set(m.actor.sectors) & sectors:
            return True
    return False


TESTS: dict[str, Callable[[Context], bool]] = {
    "verbal_context": verbal_context,
    "material_context": material_context,
    "object_person": object_person,
    "object_actor": object_actor,
    "object_statement": object_statement,
    "object_place": object_place,
    "object_event": object_event,
    "passive": lambda ctx: is_passive(ctx.trigger),
    "active": lambda ctx: not is_passive(ctx.trigger),
    "subject_actor": lambda ctx: any(m is not None and m.actor.code for m in ctx.sources),
    "target_actor": lambda ctx: any(m is not None and m.actor.code for m in ctx.targets),
    "has_target": lambda ctx: any(m is not None for m in ctx.targets),
    "no_target": lambda ctx: not any(m is not None for m in ctx.targets),
    "in_quote": lambda ctx: ctx.in_quote(ctx.trigger),
    "object_weapon": lambda ctx: _object_kind(ctx, WEAPON_NOUNS),
    "object_aid": lambda ctx: _object_kind(ctx, AID_NOUNS),
    "object_military": lambda ctx: _object_kind(
        ctx, set(), {"military", "defense", "defence", "weapon", "arm", "lethal"}
    ),
    "object_economic": lambda ctx: _object_kind(
        ctx, set(), {"economic", "financial", "development", "budget", "trade", "fiscal"}
    ),
    "object_humanitarian": lambda ctx: _object_kind(
        ctx, set(), {"humanitarian", "food", "medical", "relief", "emergency"}
    ),
    "object_sanction": lambda ctx: _object_kind(ctx, SANCTION_NOUNS),
    "object_people": lambda ctx: _object_kind(ctx, PEOPLE_NOUNS),
    "complement_must": lambda ctx: _complement_obligation(ctx.trigger),
    "object_infinitive": lambda ctx: _object_infinitive(ctx.trigger),
    "complement_no_thing": _complement_no_thing,
    "clause_complement": lambda ctx: any(  # "protested that the authorities were failing"
        c.dep_ == "ccomp" and any(g.dep_ in ("nsubj", "nsubjpass") for g in c.children)
        for c in ctx.trigger.children
    ),
    "subject_state": lambda ctx: _sides(ctx.sources, STATE_SECTORS),
    "subject_military": lambda ctx: _sides(ctx.sources, {"MIL"}),
    "target_own_forces": lambda ctx: _own_forces(ctx.sources, ctx.targets),
    "subject_attack": lambda ctx: _subject_attack(ctx.trigger),
    "target_media": lambda ctx: any(  # "told AFP": a news organisation, not a named journalist
        m is not None and "MED" in m.actor.sectors and m.actor.kind != "person" for m in ctx.targets
    ),
    "finite_complement": lambda ctx: any(
        c.dep_ == "ccomp"
        and any(g.dep_ in ("nsubj", "nsubjpass", "expl") for g in c.children)
        and not any(  # "agreed that their countries should cooperate" is an intent
            g.dep_ == "aux"
            and g.lower_ in ("to", "should", "will", "would", "must", "shall", "'ll")
            for g in c.children
        )
        for c in ctx.trigger.children
    ),
    "object_then_for": lambda ctx: (
        child(ctx.trigger, "dobj") is not None
        and child(ctx.trigger, "prep", words=("for",)) is not None
    ),
    "subject_peacekeeping": lambda ctx: any(
        m is not None
        and any(w in m.text.lower() for w in ("peacekeep", "peace-keep", "blue helmet"))
        for m in ctx.sources
    ),
    "subject_police": lambda ctx: _sides(ctx.sources, {"COP"}),
    "subject_civilian": lambda ctx: _sides(ctx.sources, CIVILIAN_SECTORS),
    "subject_rebel": lambda ctx: _sides(ctx.sources, {"REB", "UAF", "CRM"}),
    "subject_person": lambda ctx: _sides(ctx.sources, kind="person"),
    "target_person": lambda ctx: _sides(ctx.targets, kind="person"),
    "target_state": lambda ctx: _sides(ctx.targets, STATE_SECTORS),
    "target_civilian": lambda ctx: _sides(ctx.targets, CIVILIAN_SECTORS),
}
