"""Argument structure over a spaCy dependency parse: who is the logical subject and object.

Handles active and passive voice (``by`` agents), control and raising (``wanted to impose`` →
the subject of *wanted*; ``asked X to withdraw`` and ``prevented him from bringing`` → the object
of the controller), conjoined verbs (``attacked me and said``), gerunds under ``by``
(``supported Israel by sending``), participial and relative clauses, infinitives attached to nouns
(``the US decision to halt`` → the noun's possessor), conjoined arguments and partitives.
"""

from __future__ import annotations

from typing import Any

OBJECT_CONTROL = {
    "ask", "urge", "order", "force", "compel", "persuade", "tell", "call", "invite", "allow",
    "permit", "encourage", "pressure", "press", "push", "instruct", "direct", "require", "prevent",
    "stop", "bar", "ban", "block", "forbid", "prohibit", "help", "enable", "authorize", "authorise",
    "appeal", "warn", "advise", "request", "lead", "get", "want", "need", "expect", "convince",
    "prompt", "cause", "drive", "spur", "inspire", "provoke", "oblige",
}  # fmt: skip
# Participles that, without a by-agent, state their subject's own stance rather than a passive:
# "X is opposed to", "X is committed to", "X is prepared to" ("the dispute was resolved" is a
# true passive, so "resolve" and "determine" are not here)
STATIVE_PASSIVES = {"oppose", "commit", "dedicate", "devote", "prepare", "engage"}
RELATIVE = {"who", "which", "that", "whom", "whose"}
SUBJECT_DEPS = ("nsubj", "csubj")
MAX_DEPTH = 8
# a text an actor issues speaks for it: "the party issued a statement demanding ...", "the Council
# passed a resolution calling on ..." (the participle's subject is the issuer)
UTTERANCE_NOUNS = {
    "statement", "declaration", "communique", "communiqué", "report", "resolution", "letter",
    "message", "note", "memo", "memorandum", "leaflet", "petition", "motion", "decree",
    "ultimatum", "warning", "editorial", "press release", "notice", "order",
    "circular", "appeal", "complaint", "manifesto", "fatwa", "proclamation",
}  # fmt: skip


def child(tok: Any, *deps: str, words: tuple[str, ...] | None = None) -> Any | None:
    for c in tok.children:
        if c.dep_ in deps and (words is None or c.lower_ in words):
            return c
    return None


def children(tok: Any, *deps: str) -> list[Any]:
    return [c for c in tok.children if c.dep_ in deps]


def is_passive(verb: Any) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass", "csubjpass") for c in verb.children) or (
        verb.tag_ == "VBN" and verb.dep_ in ("acl", "amod") and child(verb, "agent") is not None
    )


def agent(verb: Any) -> Any | None:
    by = child(verb, "agent") or child(verb, "prep", words=("by",))
    return child(by, "pobj") if by is not None else None


def direct_object(verb: Any) -> Any | None:
    """The logical object: ``dobj`` (active), ``nsubjpass`` (passive), the noun a participle modifies."""
    if is_passive(verb):
        obj = child(verb, "nsubjpass")
        if obj is not None and verb.lemma_ in STATIVE_PASSIVES and agent(verb) is None:
            return None  # "Turkey is opposed to ...": Turkey is the subject (logical_subject)
        if obj is None and verb.dep_ in ("acl", "amod") and verb.head.pos_ in ("NOUN", "PROPN"):
            return verb.head
        return antecedent(obj) if obj is not None else None
    obj = child(verb, "dobj", "obj")
    if obj is None:
        att = child(verb, "attr")
        if att is not None and verb.lemma_ != "be":
            obj = att
    if obj is None:
        # "found the journalist guilty": the parser hangs the object under the adjective
        for c in verb.children:
            if c.dep_ in ("ccomp", "oprd", "xcomp") and c.pos_ == "ADJ":
                obj = child(c, "nsubj")
                if obj is not None:
                    break
    return antecedent(obj) if obj is not None else None


def antecedent(tok: Any) -> Any:
    """A relative pronoun's noun (``the army, which shelled`` → army)."""
    if tok.lower_ in RELATIVE and tok.tag_ in ("WDT", "WP", "WP$", "IN", "DT"):
        clause = tok.head
        if clause.dep_ == "relcl":
            return clause.head
    return tok


def logical_subject(verb: Any, depth: int = 0) -> Any | None:
    """The token that does the action of ``verb`` (see the module docstring)."""
    if depth > MAX_DEPTH:
        return None
    if is_passive(verb):
        by = agent(verb)
        if by is not None:
            return by
        held = child(verb, "nsubjpass")
        if held is not None and verb.lemma_ in STATIVE_PASSIVES:
            return antecedent(held)  # "Turkey is opposed to Swedish mediation": Turkey opposes
        return None if held is not None else _inherited_subject(verb, depth)
    subj = child(verb, *SUBJECT_DEPS)
    if subj is not None:
        if subj.lower_ in ("there", "it") and subj.dep_ == "nsubj" and subj.tag_ == "EX":
            return None
        if subj.tag_ == "VBG":  # "The Red Cross operating in Iraq said": a participle misread
            inner = child(subj, "nsubj")  # as the subject; its own subject is the actor
            if inner is not None and inner.i < subj.i:
                return antecedent(inner)
        return antecedent(subj)
    expl = child(verb, "expl")
    if expl is not None:
        return None
    return _inherited_subject(verb, depth)


def _inherited_subject(verb: Any, depth: int) -> Any | None:
    dep, head = verb.dep_, verb.head
    if head.i == verb.i:
        return None
    if dep == "xcomp" or (dep == "advcl" and is_infinitive(verb) and head.pos_ in ("VERB", "AUX")):
        raised = child(head, "nsubjpass")
        if dep == "xcomp" and raised is not None:
            return antecedent(raised)  # "X is set/expected/forced to V": X does V
        if head.lemma_ in OBJECT_CONTROL:
            obj = child(head, "dobj", "obj")
            if obj is None:  # "called on Israel to release", "appealed to Iran to free"
                on = child(head, "prep", words=("on", "upon", "to"))
                obj = child(on, "pobj") if on is not None else None
            if obj is not None:
                return antecedent(obj)
        return logical_subject(head, depth + 1)
    if dep in ("pcomp", "pobj") and head.dep_ == "prep" and (dep == "pcomp" or verb.tag_ == "VBG"):
        gov = head.head
        if head.lower_ in ("from", "of", "for"):
            # "prevented X from V-ing", "accused X of V-ing", "criticized X for V-ing"
            obj = child(gov, "dobj", "obj")
            if obj is not None:
                return antecedent(obj)
        if gov.pos_ in ("VERB", "AUX"):
            return logical_subject(gov, depth + 1)
        if gov.pos_ == "ADJ":  # "X were guilty of violating", "units capable of attacking"
            if gov.dep_ in ("acomp", "attr", "oprd") and gov.head.pos_ in ("VERB", "AUX"):
                return logical_subject(gov.head, depth + 1)
            if gov.dep_ == "amod" and gov.head.pos_ in ("NOUN", "PROPN"):
                return antecedent(gov.head)
            return None
        return _noun_agent(gov)
    if dep == "conj" and head.pos_ in ("VERB", "AUX"):
        held = child(head, "nsubjpass")
        if held is not None and not is_passive(verb) and verb.tag_ != "VBN":
            # "the prime minister has been indicted by the court and will resign": he resigns
            return antecedent(held)
        return logical_subject(head, depth + 1)
    if dep in ("acomp", "attr", "oprd") and head.pos_ in ("VERB", "AUX"):
        return logical_subject(head, depth + 1)  # "France is ready to contribute": France
    if dep in ("advcl", "xcomp") and verb.tag_ in ("VBG", "VBN", "VB"):
        return logical_subject(head, depth + 1) if head.pos_ in ("VERB", "AUX") else None
    if dep == "relcl":
        return head
    if dep == "acl" and head.pos_ in ("NOUN", "PROPN"):
        if verb.tag_ == "VBN":
            return agent(verb)
        doer = _noun_agent(head)
        if doer is head and head.lemma_.lower() in UTTERANCE_NOUNS:
            issuer = governor(head)  # "issued a statement demanding": the issuer demands
            if issuer is not None and not is_passive(issuer):
                return logical_subject(issuer, depth + 1)
        return doer
    if dep == "ccomp" and is_infinitive(verb):
        obj = child(head, "dobj", "obj") if head.lemma_ in OBJECT_CONTROL else None
        if obj is not None:  # "refused to allow UN planes to land": the planes land
            return antecedent(obj)
        return logical_subject(head, depth + 1)
    return None


def _noun_agent(noun: Any) -> Any | None:
    """The agent of an event noun: its possessor, its actor modifier, its ``by`` phrase, else the
    noun itself (``efforts by X to``, ``the US decision to halt`` → US)."""
    poss = child(noun, "poss")
    if poss is not None:
        return poss
    by = child(noun, "prep", words=("by",))
    if by is not None and child(by, "pobj") is not None:
        return child(by, "pobj")
    for c in noun.lefts:
        if c.dep_ in ("compound", "amod", "nmod") and (
            c.ent_type_ in ("GPE", "NORP", "ORG", "PERSON")
        ):
            return c
    return noun


ASPECTUAL_VERBS = {"resume", "continue", "start", "begin", "keep", "renew"}


def through_aspect(verb: Any) -> Any:
    """The verb an aspectual verb carries: "to resume shelling" → shelling (else the verb)."""
    if verb is not None and verb.lemma_ in ASPECTUAL_VERBS:
        inner = next((c for c in verb.children if c.dep_ == "xcomp" and c.pos_ == "VERB"), None)
        if inner is not None:
            return inner
    return verb


def is_infinitive(verb: Any) -> bool:
    """Has ``verb`` the infinitive marker ("to retaliate")?"""
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def conjuncts(tok: Any) -> list[Any]:
    """``tok`` and the nouns conjoined with it (``Bosnia and Slovenia``)."""
    out = [tok]
    stack = [tok]
    while stack:
        current = stack.pop()
        for c in current.children:
            if c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN", "PRON") and c not in out:
                out.append(c)
                stack.append(c)
            elif (
                c.dep_ == "appos"
                and c.pos_ == "PROPN"
                and c.ent_type_ in ("GPE", "ORG", "NORP")
                and c not in out
            ):
                pass
    return out


def prep_objects(tok: Any, words: tuple[str, ...] | set[str]) -> list[Any]:
    """Objects of prepositions in ``words`` attached to ``tok`` (``sanctions on Iran``)."""
    out = []
    for c in tok.children:
        if c.dep_ in ("prep", "dative", "agent") and c.lower_ in words:
            obj = child(c, "pobj", "pcomp")
            if obj is not None:
                out.append(obj)
        elif c.dep_ in ("prep", "prt", "advmod") and c.lower_ in ("out", "away", "back", "ahead"):
            for inner in c.children:  # "pulled out of the deal", "moved away from X"
                if inner.dep_ == "prep" and inner.lower_ in words:
                    obj = child(inner, "pobj")
                    if obj is not None:
                        out.append(obj)
        elif c.dep_ == "dative" and c.pos_ in ("PROPN", "NOUN", "PRON") and "to" in words:
            out.append(c)
    return out


def purpose_object(tok: Any) -> Any | None:
    """The object of an infinitival purpose clause: ``exert weight to bring Hamas`` → Hamas."""
    for c in tok.children:
        if c.dep_ in ("advcl", "xcomp", "acl") and is_infinitive(c):
            obj = child(c, "dobj", "obj")
            if obj is not None:
                return obj
    return None


def governor(noun: Any) -> Any | None:
    """The verb a nominal trigger is the object of (``launched an attack`` → launched), also as a
    later conjunct of that object (``launched air raids and rocket fire`` → launched)."""
    while noun.dep_ == "conj" and noun.head.pos_ in ("NOUN", "PROPN") and noun.head.i < noun.i:
        noun = noun.head
    if noun.dep_ in ("dobj", "obj", "nsubjpass", "attr") and noun.head.pos_ in ("VERB", "AUX"):
        return noun.head
    if noun.dep_ == "pobj" and noun.head.dep_ == "prep" and noun.head.head.pos_ in ("VERB", "AUX"):
        return noun.head.head
    return None


def clause_governor(verb: Any) -> Any | None:
    """The verb a subordinate verb serves: ``supported Israel by sending`` → supported."""
    head = verb.head
    if verb.dep_ == "pcomp" and head.dep_ == "prep" and head.head.pos_ in ("VERB", "AUX"):
        return head.head
    if (
        verb.dep_ in ("advcl", "conj", "xcomp")
        and head.pos_ in ("VERB", "AUX")
        and head.i != verb.i
    ):
        return head
    return None


NOT_ABOUT_DEPS = {"appos", "nsubj", "nsubjpass"}
REASON_VERBS = {"say", "cite", "add", "note", "argue", "claim", "explain", "insist", "accuse"}


def about_span(trig: Any, *, subjects: bool = False, reasons: bool = True) -> list[Any]:
    """The tokens after the trigger in its own subtree (for a noun trigger, in its verb's): what the
    act is about and whom it names. Left out: appositions and subjects (kept with ``subjects``:
    "demanded that Israel ease", "denounced as a crime Serbia's crackdown"), other acts (conjoined
    verbs, the trigger's own conjuncts: "bowed to pressure and withdrew", "aggression and ties"),
    relative clauses of place or time ("..., where they face prison") and, without ``reasons``,
    the reason given ("rejected the resolution, saying it stems from ...")."""
    top = trig
    if trig.pos_ in ("NOUN", "PROPN"):
        while top.dep_ in ("dobj", "pobj", "prep") and top.head is not top and top.pos_ != "VERB":
            top = top.head
    skip: set[int] = set()
    for tok in top.subtree:
        if tok.i <= trig.i or tok.i in skip:
            continue
        kept = subjects and tok.dep_ in ("nsubj", "nsubjpass", "appos")
        if (
            tok.dep_ in NOT_ABOUT_DEPS
            and not kept
            or tok.dep_ == "relcl"
            and any(c.tag_ == "WRB" for c in tok.children)
            or tok.dep_ == "conj"
            and (tok.pos_ == "VERB" or tok.head.i == trig.i)
            or not reasons
            and tok.dep_ == "advcl"
            and tok.lemma_ in REASON_VERBS
        ):
            skip.update(t.i for t in tok.subtree)
    return [t for t in top.subtree if t.i > trig.i and t.i not in skip]
