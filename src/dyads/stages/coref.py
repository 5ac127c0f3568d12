"""Coreference inside one article: pronouns and definite descriptions → earlier mentions.

Rules (docs/actors.md), in the order they are tried:

- ``I/me/my/we/us/our`` inside a quote → the quote's speaker; outside quotes they stay unresolved
  (the article's own voice).
- ``he/him/his/she/her`` → the most salient earlier person: one in the same sentence before the
  pronoun that is not its co-argument (a possessive or reflexive may be: "Turkey strengthened its
  forces"), else the subject of a recent sentence, else the most recent
  person; inside a quote the quote's speaker is skipped (a speaker says "I", not "he").
- ``they/them/their`` → the most recent group, country or organisation (subjects first).
- a reflexive (``itself``, ``themselves``) → its own verb's subject.
- ``its`` / subject ``it`` → the most recent organisation, country or singular group ("the party")
  within two sentences.
- ``the country`` → the most recent country; ``the group``/``the organization``/``the movement``
  → the most recent organisation; ``the minister``/``the president``/... → the most recent person
  with a government role.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..records import Actor, Document, Mention, Span

FIRST_PERSON = {"i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "ourselves"}
FIRST_PLURAL = {"we", "us", "our", "ours", "ourselves"}
HE_SHE = {"he", "him", "his", "himself", "she", "her", "hers", "herself"}
THEY = {"they", "them", "their", "theirs", "themselves"}
IT = {"it", "its", "itself"}
PRONOUNS = FIRST_PERSON | HE_SHE | THEY | IT
DEFINITE = {
    "country": ("country",),
    "nation": ("country",),
    "kingdom": ("country",),
    "republic": ("country",),
    "group": ("organization",),
    "organization": ("organization",),
    "organisation": ("organization",),
    "movement": ("organization",),
    "alliance": ("organization",),
    "bloc": ("organization",),
    "militia": ("organization",),
    "minister": ("person",),
    "president": ("person",),
    "premier": ("person",),
    "leader": ("person",),
    "envoy": ("person",),
    "diplomat": ("person",),
    "ambassador": ("person",),
}
SUBJECT_DEPS = {"nsubj", "nsubjpass"}


def _antecedent_ok(candidate: Mention, kinds: tuple[str, ...], doc: Any = None) -> bool:
    """Is ``candidate`` the right kind of antecedent (``group`` = any plural-like actor)?"""
    actor = candidate.actor
    if candidate.rule.startswith(("pronoun", "definite")):
        return False
    if actor.kind == "country" and actor.country is None:
        return False
    if "group" in kinds:
        return actor.kind in {"group", "country", "organization"}
    if "singular group" in kinds and actor.kind == "group":
        return doc is not None and doc[candidate.head].tag_ in ("NN", "NNP")  # "the party": it
    return actor.kind in kinds


def _pick(
    history: list[Mention],
    pronoun: Mention,
    doc: Any,
    kinds: tuple[str, ...],
    skip: set[int],
    max_back: int,
) -> Mention | None:
    """Most salient earlier mention of the right kind (see the module docstring)."""
    ptok = doc[pronoun.head]
    clause = _clause(ptok)
    # "him" is never its clause's own subject, but "its"/"his" and "itself" usually are:
    # "Turkey strengthened its forces", "the army defended itself"
    bound = ptok.dep_ == "poss" or ptok.lower_.endswith(("self", "selves"))
    same = [
        m
        for m in history
        if m.sentence_index == pronoun.sentence_index
        and m.head < pronoun.head
        and m.head not in skip
        and _antecedent_ok(m, kinds, doc)
        and (bound or _clause(doc[m.head]).i != clause.i)
    ]
    if same and ptok.lower_.endswith(("self", "selves")):
        # a reflexive binds its own clause's subject: "three militants killed five soldiers as
        # well as themselves" (the militants), "the army defended itself"
        verb = ptok
        while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
            verb = verb.head
        subjects = [
            m for m in same if doc[m.head].head.i == verb.i and doc[m.head].dep_ in SUBJECT_DEPS
        ]
        if subjects:
            return subjects[-1]
    if same:
        return same[-1]
    earlier = [
        m
        for m in history
        if pronoun.sentence_index - max_back <= m.sentence_index < pronoun.sentence_index
        and m.head not in skip
        and _antecedent_ok(m, kinds, doc)
    ]
    if not earlier:
        return None
    last_sentence = max(m.sentence_index for m in earlier)
    recent = [m for m in earlier if m.sentence_index == last_sentence]
    subjects = [
        m for m in recent if doc[m.head].dep_ in SUBJECT_DEPS or doc[m.head].dep_ == "appos"
    ]
    if subjects:
        return subjects[0]
    subjects = [m for m in earlier if doc[m.head].dep_ in SUBJECT_DEPS]
    return subjects[-1] if subjects else earlier[-1]


def _clause(tok: Any) -> Any:
    while (
        tok.dep_ not in ("ROOT", "ccomp", "advcl", "relcl", "xcomp", "conj", "acl", "parataxis")
        and tok.head.i != tok.i
    ):
        tok = tok.head
    return tok


def _refer(pronoun: Mention, antecedent: Mention, why: str) -> Mention:
    actor = antecedent.actor
    return replace(
        pronoun,
        actor=replace(actor, reason=f"{why} → {antecedent.text!r}; {actor.reason}"),
        rule=pronoun.rule.split("→")[0] + "→" + ("speaker" if "speaker" in why else "antecedent"),
        refers_to=Span(antecedent.start, antecedent.end, antecedent.text),
    )


def resolve_references(
    document: Document, mentions: dict[int, Mention], speakers: dict[int, Mention] | None = None
) -> tuple[Mention, ...]:
    """Resolve pronoun and definite-description mentions; ``speakers`` maps the token indices
    inside quotes to the quote's speaker mention."""
    doc = document.doc
    speakers = speakers or {}
    for tok in doc:
        word = tok.lower_
        if (
            word in DEFINITE
            and tok.i not in mentions
            and any(c.lower_ == "the" for c in tok.lefts)
            and tok.pos_ == "NOUN"
        ):
            if not any(c.dep_ in ("amod", "compound", "poss") for c in tok.lefts):
                index = _sentence_of(document, tok.idx)
                if index is not None:
                    start = next(c for c in tok.lefts if c.lower_ == "the").idx
                    mentions[tok.i] = Mention(
                        start,
                        tok.idx + len(tok.text),
                        document.article.text[start : tok.idx + len(tok.text)],
                        index,
                        tok.i,
                        (tok.i - 1, tok.i + 1),
                        Actor(code=None, reason="unresolved description"),
                        "definite",
                    )
        elif (
            tok.i in mentions
            and mentions[tok.i].rule in ("agent-noun",)
            and word in DEFINITE
            and mentions[tok.i].actor.country is None
        ):
            if any(c.lower_ == "the" for c in tok.lefts) and not any(
                c.dep_ in ("amod", "compound", "poss") for c in tok.lefts
            ):
                mentions[tok.i] = replace(mentions[tok.i], rule="definite")
    ordered = [mentions[i] for i in sorted(mentions)]
    history: list[Mention] = []
    out: list[Mention] = []
    for mention in ordered:
        word = doc[mention.head].lower_
        speaker = speakers.get(mention.head)
        resolved = mention
        if mention.rule.startswith("pronoun"):
            if word in FIRST_PERSON:
                if (
                    speaker is not None
                    and speaker.actor.code is not None
                    or speaker is not None
                    and speaker.actor.name
                ):
                    resolved = _refer(
                        mention, speaker, f"first person in a quote of {speaker.text!r}, speaker"
                    )
                    if word in FIRST_PLURAL and resolved.actor.kind == "person":
                        # "we" is the speaker's side (government, country, group), not the person
                        actor = replace(resolved.actor, kind="group", name=None, entry=None)
                        resolved = replace(resolved, actor=actor)
            else:
                kinds = (
                    ("person",)
                    if word in HE_SHE
                    else ("organization", "country", "singular group")
                    if word in IT
                    else ("group",)
                )
                skip = {speaker.head} if speaker is not None and word in HE_SHE else set()
                if speaker is not None and speaker.refers_to is not None:
                    skip |= {m.head for m in history if m.start == speaker.refers_to.start}
                max_back = 2 if word in IT else 4
                if word in IT and doc[mention.head].dep_ not in ("poss", "nsubj"):
                    antecedent = None
                else:
                    antecedent = _pick(history, mention, doc, kinds, skip, max_back)
                if antecedent is not None:
                    resolved = _refer(mention, antecedent, f"pronoun {mention.text!r}")
        elif mention.rule == "definite":
            kinds = DEFINITE[word]
            antecedent = _pick(history, mention, doc, kinds, set(), 6)
            if antecedent is not None:
                resolved = _refer(mention, antecedent, f"description {mention.text!r}")
        out.append(resolved)
        if not resolved.rule.startswith(("pronoun", "definite")):
            history.append(resolved)
    return tuple(out)


def _sentence_of(document: Document, offset: int) -> int | None:
    for sentence in document.sentences:
        if sentence.start <= offset < sentence.end:
            return sentence.index
    return None
