"""Passes over one document's resolved mentions (``actor_mentions``): appositions share what
they know, contained phrases merge into the larger mention, repeated surnames and possessed
pronouns take their antecedent's actor, interviewers work for the outlet."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..dictionaries.normalize import name_key
from ..records import Actor, Mention, Span
from .actor_words import PERSON_TITLES


def merge_appositions(mentions: dict[int, Mention], doc: Any) -> dict[int, Mention]:
    """Appositions share what they know: a name gets its title's code when unknown, and a
    titled phrase gets the person's dictionary code; incompatible kinds are left alone."""
    for head_i, mention in list(mentions.items()):
        tok = doc[head_i]
        partners = [c for c in tok.children if c.dep_ == "appos"]
        if tok.dep_ == "appos":
            partners.append(tok.head)
        for partner in partners:
            other = mentions.get(partner.i)
            if other is None:
                continue
            better = better_actor(mention.actor, other.actor, tok.lemma_.lower() in PERSON_TITLES)
            if better is not None and better is not mention.actor:
                mentions[head_i] = replace(mention, actor=better, rule=mention.rule + "+apposition")
    return mentions


def drop_contained(mentions: dict[int, Mention], doc: Any) -> dict[int, Mention]:
    """A phrase inside a larger mention is part of it ("US" in "US Secretary of State X"),
    except possessors and pronouns, which are actors of their own."""
    spans = sorted(mentions.values(), key=lambda m: (m.tokens[0], -m.tokens[1]))
    keep: dict[int, Mention] = {}
    open_spans: list[Mention] = []  # earlier mentions that may still contain later ones
    for m in spans:
        open_spans = [o for o in open_spans if o.tokens[1] > m.tokens[0]]
        inside = any(
            o.head != m.head
            and m.tokens[1] <= o.tokens[1]
            and (o.tokens[1] - o.tokens[0]) > (m.tokens[1] - m.tokens[0])
            for o in open_spans
        )
        open_spans.append(m)
        if (
            inside
            and doc[m.head].dep_ != "poss"
            and not m.rule.startswith(("pronoun", "conjoined"))
        ):
            continue
        keep[m.head] = m
    return keep


def repeated_names(mentions: dict[int, Mention], doc: Any) -> dict[int, Mention]:
    """A bare surname repeats the person named in full earlier: "Zamora" after "journalist Jose
    Ruben Zamora" gets that mention's actor (rule ``name→earlier``)."""
    named: dict[str, Mention] = {}
    for head_i in sorted(mentions):
        m = mentions[head_i]
        tok = doc[head_i]
        if tok.ent_type_ not in ("PERSON", "ORG") or tok.pos_ != "PROPN":
            continue  # (the small model often tags a bare surname ORG)
        key = name_key(tok.text)
        first = head_i
        while first > m.tokens[0] and doc[first - 1].ent_type_ == "PERSON":
            first -= 1
        if first < head_i and tok.ent_type_ == "PERSON":
            if m.actor.code is not None:
                named[key] = m
        elif m.actor.code is None and m.rule == "ner-unknown" and key in named:
            earlier = named[key]
            mentions[head_i] = replace(
                m,
                actor=replace(
                    earlier.actor, reason=f"{earlier.actor.reason}; same person as {earlier.text!r}"
                ),
                rule="name→earlier",
                refers_to=Span(earlier.start, earlier.end, earlier.text),
            )
    return mentions


def possessed_by_pronouns(mentions: tuple[Mention, ...], doc: Any) -> tuple[Mention, ...]:
    """ "their forces", "its army": once the pronoun is resolved the group gets its country."""
    by_head = {m.head: m for m in mentions}
    out = []
    for m in mentions:
        actor = m.actor
        if actor.kind == "group" and actor.country is None and actor.sectors:
            poss = next((c for c in doc[m.head].children if c.dep_ == "poss"), None)
            owner = by_head.get(poss.i) if poss is not None else None
            if owner is not None and owner.rule.startswith("pronoun") and owner.actor.country:
                country = owner.actor.country
                antecedent = owner.refers_to.text if owner.refers_to else ""
                actor = replace(
                    actor,
                    country=country,
                    code=country + "".join(actor.sectors),
                    reason=f"{actor.reason}; country from {poss.text!r} → {antecedent!r}",
                )
                m = replace(m, actor=actor)
        out.append(m)
    return tuple(out)


def interviewers(mentions: dict[int, Mention], doc: Any) -> dict[int, Mention]:
    """ "told X in an interview with <outlet>": X works for the outlet (country + MED)."""
    outlets = [m for m in mentions.values() if "MED" in m.actor.sectors and m.actor.country]
    if not outlets:
        return mentions
    for head, m in list(mentions.items()):
        if m.actor.kind != "person" or m.actor.code is not None:
            continue
        tok = doc[head]
        verb = tok.head if tok.dep_ in ("dobj", "pobj", "dative") else None
        if verb is None:
            continue
        clause = {t.i for t in verb.subtree}
        for outlet in outlets:
            ohead = doc[outlet.head]
            if (
                outlet.head in clause
                and ohead.head.lower_ in ("with", "to", "for")
                and ohead.head.head.lemma_ in ("interview", "conversation", "podcast", "broadcast")
            ):
                actor = replace(
                    outlet.actor,
                    kind="person",
                    name=m.text,
                    entry=None,
                    reason=f"interviewer for {outlet.text!r}",
                )
                mentions[head] = replace(m, actor=actor, rule=m.rule + "+interviewer")
    return mentions


def better_actor(a: Actor, b: Actor, a_title: bool = True) -> Actor | None:
    """The more informative of two apposed actors if they can be the same actor, else None."""
    kinds = {a.kind, b.kind}
    if (
        a.kind == "person"
        and b.kind == "organization"
        and b.code
        and not (a.code or "").startswith(b.code[:3])
    ):
        # "Kenzo Oshima, the United Nations Emergency Relief Coordinator": he speaks for it
        return replace(b, kind="person", name=a.name, reason=b.reason + " (from apposition)")
    if kinds - {"person", "group"} and kinds != {"group"} and len(kinds) > 1:
        return None
    if a.kind == "person" and b.kind == "group" and b.code and a.code is None:
        return replace(b, kind="person", name=a.name, reason=b.reason + " (from apposition)")
    if a.kind == "group" and b.kind == "person" and b.code and a_title:
        return b
    if a.kind == b.kind == "group":
        if a.code is None and b.code:
            return b
        if a.country is None and b.country:
            sectors = a.sectors or b.sectors
            return replace(
                a,
                country=b.country,
                code=b.country + "".join(sectors),
                sectors=sectors,
                reason=a.reason + f"; country from apposition ({b.country})",
            )
    return None
