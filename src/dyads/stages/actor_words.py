"""Word classes and token tests the actor stage decides with (``actor_words``): which
dependencies make up a noun phrase, which nouns are generic units, places, hardware or
partitives, and small predicates over one token."""

from __future__ import annotations

from typing import Any

from ..dictionaries.actors import Alias

NOUNS = {"NOUN", "PROPN"}
LEFT_DEPS = {
    "det",
    "amod",
    "compound",
    "poss",
    "nmod",
    "nummod",
    "quantmod",
    "case",
    "punct",
    "predet",
    "advmod",
    "cc",
    "conj",
}
ENTITY_KINDS = {
    "PERSON": "person",
    "ORG": "organization",
    "NORP": "group",
    "GPE": "country",
    "FAC": "organization",
}
LOCATIVE = {
    "in",
    "at",
    "near",
    "across",
    "throughout",
    "inside",
    "outside",
    "around",
    "within",
    "into",
    "from",
    "through",
    "toward",
    "towards",
    "via",
    "along",
    "beyond",
    "off",
}
PARTITIVE = {
    "one",
    "some",
    "many",
    "several",
    "most",
    "part",
    "members",
    "member",
    "all",
    "none",
    "each",
    "both",
    "two",
    "three",
    "dozens",
    "hundreds",
    "thousands",
    "any",
    "few",
    "rest",
    "majority",
    "minority",
    "half",
    "third",
    "quarter",
    "fifth",
    "tens",
    "number",
    "group",
    "unit",
    "units",
}
NON_STATE = {"REB", "OPP", "UAF", "CRM", "SEP", "RAD", "CVL", "IGO"}
MEMBER_GROUP_SECTORS = NON_STATE | {"PTY"}  # groups whose officials are the group
GENERIC_UNITS = {
    "unit",
    "units",
    "service",
    "services",
    "agency",
    "agencies",
    "official",
    "officials",
    "body",
    "branch",
    "department",
    "division",
    "wing",
    "arm",
    "office",
    "chief",
    "head",
    "member",
    "members",
    "candidate",
    "candidates",
    "supporter",
    "supporters",
    "leader",
    "leaders",
    "adviser",
    "advisers",
    "advisor",
    "advisors",
    "figure",
    "figures",
    "personnel",
}
ARGUMENT_DEPS = {
    "nsubj",
    "nsubjpass",
    "dobj",
    "pobj",
    "poss",
    "appos",
    "conj",
    "dative",
    "attr",
    "compound",
}
COMMON_WORD_SURNAMES = {
    "may", "rice", "power", "bush", "king", "young", "green", "brown", "rich", "hope", "long",
    "said", "white", "black", "gray", "grey", "rose", "lee", "little", "strong", "best", "bell",
    "hill", "wood", "stone", "cook", "baker", "carter", "hunter", "mason", "porter", "street",
    "price", "ward", "west", "north", "south", "east", "church", "castle", "ball", "bolton", "love",
    "mark", "will", "case", "major", "amin", "khan", "ali", "kim", "park", "moon", "sun", "chang",
}  # fmt: skip
FORMER = {"former", "ex", "erstwhile", "then", "late", "outgoing", "ousted", "deposed", "toppled"}
# Capitalised words of official titles that the gazetteer also knows as towns ("Federal" in
# Argentina, "Union" in the US): never a place modifier of a title.
TITLE_WORDS = {
    "federal", "national", "central", "interior", "union", "state", "general", "supreme", "royal",
    "grand", "popular", "united", "republican", "democratic", "foreign", "defence", "defense",
    "justice", "finance", "home", "deputy", "acting", "chief", "senior", "prime", "vice",
    "regional", "provincial", "security", "public", "labour", "labor", "trade", "energy",
}  # fmt: skip


CUT_DEPS = {"appos", "relcl", "acl", "punct", "cc", "conj", "advcl", "parataxis"}
PERSON_TITLES = {
    "ambassador", "minister", "president", "secretary", "envoy", "spokesman", "spokeswoman",
    "spokesperson", "general", "commander", "chief", "leader", "diplomat", "premier", "chancellor",
    "king", "queen", "emir", "prince", "sultan", "governor", "mayor", "senator", "lawmaker",
    "official", "negotiator", "adviser", "advisor", "director", "head", "chairman", "chair",
    "representative", "deputy", "speaker", "judge", "prosecutor", "colonel", "admiral", "officer",
}  # fmt: skip


def inner(tok: Any) -> list[Any]:
    """``tok``'s subtree without appositions, clauses and what follows a comma."""
    out = [tok]
    for c in tok.children:
        if c.dep_ not in CUT_DEPS:
            out.extend(inner(c))
    return out


def combine(
    sector: str | None, modifier: str | None, head: Any, carrier: Any = None
) -> tuple[str, ...]:
    """A sector modifier refines a generic unit noun ("intelligence officials" → SPY), not a
    specific multi-word agent noun ("intelligence unit" already says SPY)."""
    specific = carrier is not None and carrier.i != head.i
    generic = head.lower_ in GENERIC_UNITS or head.lemma_ in GENERIC_UNITS
    if head.lemma_.lower() in ("force", "forces") and modifier in NON_STATE:
        generic = True  # "rebel forces", "opposition forces"; but "government forces" are MIL
    if modifier and (sector is None or generic and not specific):
        return (modifier,)
    return tuple(x for x in (sector,) if x)


def best_alias(aliases: list[Alias]) -> Alias:
    order = {"person": 0, "organization": 1, "country": 2}
    return min(aliases, key=lambda a: (order.get(a.entry.kind, 3), a.form != "name"))


def is_locative(tok: Any) -> bool:
    """A place in a locative phrase ("in Rafah") is a location, not an actor; a capitalised
    agent noun or a person's name is not a place ("a demand from the US President", "an appeal
    from President X")."""
    if tok.dep_ != "pobj" or tok.head.lower_ not in LOCATIVE:
        return False
    if tok.ent_type_ in ("GPE", "LOC", "FAC"):
        return True
    if tok.ent_type_ == "PERSON" or any(  # "an appeal from President Amadou Kebe"
        c.dep_ == "compound" and c.lemma_.lower() in PERSON_TITLES for c in tok.lefts
    ):
        return False
    return tok.pos_ == "PROPN" and tok.lemma_.lower() not in PERSON_TITLES


def is_generic(head: Any) -> bool:
    return head.lower_ in GENERIC_UNITS or head.lemma_.lower() in GENERIC_UNITS


def equipment_agent(head: Any) -> bool:
    """Military hardware doing something ("Russian aircraft killed 46 civilians"): the subject
    or ``by``-agent of a verb, or conjoined with one."""
    if head.lemma_.lower() not in EQUIPMENT:
        return False
    tok = head.head if head.dep_ == "conj" else head
    if tok.dep_ == "nsubj":
        return True
    return tok.dep_ == "pobj" and tok.head.lower_ == "by" and tok.head.dep_ == "agent"


# ambiguous hardware nouns ("a passenger aircraft", "fuel tanks"): only agents with a country
EQUIPMENT = {"aircraft", "plane", "jet", "helicopter", "tank", "drone", "bulldozer"}


# places that stand for the people in them when a country is named ("shelled Iraqi towns")
# ("the Trump camp", "U.S. markets", "the U.S. House" are not places: a camp only with refugees)
INHABITED_PLACES = {"town", "village", "city", "home", "neighborhood", "neighbourhood", "hamlet"}
# nouns that resolve_head may turn into an actor without being agent nouns themselves
ALWAYS_CONSIDERED = GENERIC_UNITS | PARTITIVE | EQUIPMENT | INHABITED_PLACES | {"camp"}


def bare_people(head: Any) -> bool:
    """A plural demonym without a definite article or possessor ("Palestinians", "thousands of
    Afghans"), or a singular one with "a" ("a Mexican")."""
    dets = [c.lower_ for c in head.lefts if c.dep_ in ("det", "poss")]
    if head.tag_ in ("NNS", "NNPS"):
        return not any(d in ("the", "these", "those") or d not in QUANTIFIERS for d in dets)
    return dets in (["a"], ["an"])


QUANTIFIERS = {"a", "an", "some", "many", "most", "all", "several", "few", "no", "any", "both"}


def gazetteer_country(gazetteer: Any, tok: Any) -> tuple[str, str] | None:
    span = (
        tok.doc[tok.left_edge.i : tok.i + 1]
        if tok.left_edge.ent_type_ == tok.ent_type_
        else tok.doc[tok.i : tok.i + 1]
    )
    try:
        candidates = gazetteer.lookup(span.text, set())
    except Exception:  # a gazetteer problem must not lose the article's actors
        return None
    if not candidates:
        return None
    best = candidates[0]
    country = getattr(best, "country", None)
    return (country, getattr(best, "name", span.text)) if country else None
