"""The dates stage: temporal expressions → ``Document.dates`` and each event's ``date``.

1. Candidates come from :mod:`dyads.temporal`'s patterns over the parsed text, filtered with the
   parse (a candidate inside a longer name such as "the March 23 Movement" or "the Sunday
   Times", or a year used as a count, is dropped); spaCy ``DATE`` entities the patterns missed
   that look like calendar dates go to dateparser.
2. Each expression is resolved against the publication date; an expression in a future-tense
   clause ("will meet on Monday", "talks scheduled for Tuesday") looks forward.
3. Each expression is attached to the event whose clause it modifies (:func:`owning_triggers`):
   from the expression's head, up the dependency tree through nouns to the first event trigger
   or verb. A reporting verb ("said", "told") that is not itself an event stops the walk, so the
   date of the telling never leaks to the events reported in its complement.
4. Events with no expression of their own get the publication date (granularity
   ``publication``).

Rules and limits: docs/dates.md.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from ..records import Document, Event, EventDate
from ..temporal import Candidate, TemporalResolver, find_candidates, select_longest

log = logging.getLogger(__name__)

# Verbs that report speech or thought: a date or place attached to one of them belongs to the
# act of reporting, never to what is reported.
REPORTING_LEMMAS = frozenset(
    "say tell explain add state note write report claim insist stress emphasize emphasise "
    "argue continue recall remark comment mention acknowledge reply respond tweet post declare "
    "announce describe suggest indicate conclude observe predict confirm believe think feel "
    "know hear learn reveal disclose admit allege assert affirm reiterate highlight quote cite "
    "testify inform".split()
)
# Governors that make the clause below them future ("expected to meet on Monday").
FUTURE_LEMMAS = frozenset(
    "expect plan schedule set due hope intend aim prepare agree promise vow pledge threaten "
    "seek try want upcoming propose arrange slate".split()
)


def _forms(lemmas: frozenset[str]) -> frozenset[str]:
    """Lemmas and their regular inflections: the small model's lemmatiser slips ("hopes" ->
    "hop"), so the stages check the word form too."""
    out = set(lemmas)
    for lemma in lemmas:
        stem = lemma[:-1] if lemma.endswith("e") else lemma
        out.update({lemma + "s", lemma + "es", stem + "ed", stem + "ing", lemma + "d"})
    return frozenset(out)


REPORTING_FORMS = _forms(REPORTING_LEMMAS) | {
    "said",
    "told",
    "wrote",
    "thought",
    "felt",
    "knew",
    "heard",
}
FUTURE_FORMS = _forms(FUTURE_LEMMAS)
FUTURE_AUX = frozenset({"will", "shall", "'ll", "wo", "ll"})
FUTURE_PARTICIPLES = frozenset({"scheduled", "set", "due", "slated", "expected"})
FUTURE_MODIFIERS = frozenset({"upcoming", "planned", "proposed", "scheduled", "forthcoming"})
# Children of a non-event verb searched for the event it carries ("launched an attack",
# "continued to shell", "the attack came on Tuesday").
CARRIER_DEPS = frozenset({"xcomp", "dobj", "nsubj", "nsubjpass", "attr", "oprd", "acomp"})
# verbs whose "in" phrase names the act they carry ("engaged in fighting", "joined in the raid")
ENGAGING_VERBS = frozenset({"engage", "participate", "involve", "join"})
# Entities a date can be part of without being a date ("the March 23 Movement").
NAME_LABELS = frozenset(
    {"ORG", "PERSON", "LAW", "WORK_OF_ART", "EVENT", "PRODUCT", "FAC", "NORP", "GPE", "LOC"}
)
COUNT_LABELS = frozenset({"MONEY", "PERCENT", "QUANTITY"})
MAX_STEPS = 12


# -- shared with the places stage -----------------------------------------------------------
def trigger_index(document: Document) -> dict[int, list[int]]:
    """Token index of each event's trigger → indices of the events it triggers."""
    doc = document.doc
    out: dict[int, list[int]] = {}
    for number, event in enumerate(document.events):
        token = event.trigger_token
        if not 0 <= token < len(doc):
            span = doc.char_span(event.trigger.start, event.trigger.end, alignment_mode="expand")
            token = span.root.i if span is not None and len(span) else -1
        if token >= 0:
            out.setdefault(token, []).append(number)
    return out


def is_reporting(token: Any) -> bool:
    return token.lemma_.lower() in REPORTING_LEMMAS or token.lower_ in REPORTING_FORMS


def _is_verb(token: Any) -> bool:
    return token.pos_ in ("VERB", "AUX")


def _carried_triggers(verb: Any, triggers: Mapping[int, Any], depth: int = 0) -> list[int]:
    found: list[int] = []
    if verb.lemma_ in ENGAGING_VERBS:  # "were engaged in heavy fighting in Darfur"
        for prep in verb.children:
            if prep.dep_ == "prep" and prep.lower_ == "in":
                found.extend(c.i for c in prep.children if c.dep_ == "pobj" and c.i in triggers)
    for child in verb.children:
        if child.dep_ not in CARRIER_DEPS:
            continue
        if child.i in triggers:
            found.append(child.i)
        elif child.dep_ == "xcomp" and depth < 3:
            found.extend(_carried_triggers(child, triggers, depth + 1))
    return found


def _conjoined_triggers(token: Any, triggers: Mapping[int, Any]) -> list[int]:
    out = []
    for conj in token.conjuncts:
        if conj.i in triggers and conj.i > token.i and _is_verb(conj):
            out.append(conj.i)
    return out


def owning_triggers(token: Any, triggers: Mapping[int, Any]) -> tuple[list[int], str]:
    """The event triggers whose clause ``token`` (the head of a date or place) modifies.

    Walks up from ``token`` through nouns and prepositions to the first trigger or verb:
    a trigger owns it; a reporting verb that is not a trigger owns it for nobody; another verb
    passes it to the triggers it carries (its object or subject noun, its ``xcomp`` chain: "the
    attack came on Tuesday", "decided on Monday to halt") or, for a relative clause, to the noun
    it modifies. A modifier in front of its verb ("On Tuesday, troops entered X and killed Y")
    covers the verbs coordinated with it.
    """
    t = token
    for _ in range(MAX_STEPS):
        if t.i in triggers and t.i != token.i:
            owners = [t.i]
            if token.i < t.i:
                owners += _conjoined_triggers(t, triggers)
            return owners, f"modifies '{t.text}'"
        if _is_verb(t) and t.i != token.i:
            if is_reporting(t):
                return [], f"modifies the reporting verb '{t.text}'"
            owners = _carried_triggers(t, triggers)
            if t.dep_ in ("relcl", "acl") and t.head.i in triggers:
                owners.append(t.head.i)
            if token.i < t.i:
                owners += _conjoined_triggers(t, triggers)
            return owners, f"modifies '{t.text}'"
        if t.head.i == t.i:
            return [], "attached to no event"
        t = t.head
    return [], "attached to no event"


# -- tense ----------------------------------------------------------------------------------
def clause_tense(token: Any) -> str | None:
    """The tense of the clause of ``token``: "future" ("will meet on Monday", "expected to ...",
    "talks scheduled for Tuesday", "the upcoming talks"), "past" (a past-tense or perfect
    verb), or None (present tense, or no verb)."""
    t = token
    for _ in range(MAX_STEPS):
        if t.lower_ in FUTURE_MODIFIERS or any(c.lower_ in FUTURE_MODIFIERS for c in t.children):
            return "future"
        if _is_verb(t):
            if any(c.dep_ == "aux" and c.lower_ in FUTURE_AUX for c in t.children):
                return "future"
            if t.lower_ in FUTURE_PARTICIPLES and t.tag_ == "VBN":
                return "future"  # "talks scheduled for Tuesday", "is expected on Monday"
            verb = t
            for _ in range(3):  # the verbs it is the complement of: "hopes to meet on ..."
                if verb.dep_ not in ("xcomp", "acl", "advcl") or verb.head.i == verb.i:
                    break
                verb = verb.head
                if verb.lemma_.lower() in FUTURE_LEMMAS or verb.lower_ in FUTURE_FORMS:
                    return "future"
                if any(c.dep_ == "aux" and c.lower_ in FUTURE_AUX for c in verb.children):
                    return "future"
            return "past" if verb.tag_ in ("VBD", "VBN") else None
        if t.head.i == t.i:
            return None
        t = t.head
    return None


def clause_is_future(token: Any) -> bool:
    return clause_tense(token) == "future"


# -- the stage --------------------------------------------------------------------------------
def entity_map(ents: Any) -> dict[int, Any]:
    """Token index → the spaCy entity (of ``ents``, i.e. ``doc.ents``) it is part of."""
    return {i: ent for ent in ents for i in range(ent.start, ent.end)}


def _part_of_name(span: Any, entities: Mapping[int, Any]) -> bool:
    """A candidate that is a piece of a longer name, or a number used as a count."""
    for i in range(span.start, span.end):
        ent = entities.get(i)
        if ent is None:
            continue
        if ent.label_ in COUNT_LABELS:
            return True
        if ent.label_ in NAME_LABELS and (ent.start < span.start or ent.end > span.end):
            return True
    root = span.root
    return len(span) == 1 and root.like_num and root.dep_ == "nummod"


class DateStage:
    def __init__(self, resolver: TemporalResolver):
        self.resolver = resolver

    def __call__(self, document: Document) -> Document:
        article, doc = document.article, document.doc
        published = article.date
        # The article text, not doc.text (which spaCy rebuilds token by token): excluded and
        # cut-off stretches are dropped below because no kept sentence or token covers them.
        text = article.text
        ents = doc.ents
        starts = [s.start for s in document.sentences]
        ends = [s.end for s in document.sentences]

        def sentence_of(start: int) -> int | None:
            if not starts:
                return 0
            i = bisect.bisect_right(starts, start) - 1
            return i if i >= 0 and start < ends[i] else None

        entities = entity_map(ents)
        found: list[tuple[EventDate, Any]] = []
        anchor = None
        for cand in sorted(find_candidates(text), key=lambda c: c.start):
            if article.text[cand.start : cand.end] != cand.text or sentence_of(cand.start) is None:
                continue
            span = doc.char_span(cand.start, cand.end, alignment_mode="expand")
            if span is None or not len(span) or cand.text not in span.text:
                continue  # beyond the parsed text, or blanked out as a caption
            if _part_of_name(span, entities):
                continue
            date = self.resolver.resolve(
                cand, published, tense=clause_tense(span.root), anchor=anchor
            )
            if date is None:
                continue
            found.append((date, span.root))
            if date.granularity == "day" and cand.kind != "anaphoric":
                anchor = date.value
        found.extend(self._entity_dates(document, ents, found, published, sentence_of))
        kept = select_longest([_Located(d, root) for d, root in found])
        dates = tuple(k.date for k in kept)

        events = document.events
        if events:
            events = self._attach(document, kept)
        return replace(document, dates=dates, events=events)

    def _entity_dates(
        self,
        document: Document,
        ents: Any,
        found: list[tuple[EventDate, Any]],
        published: Any,
        sentence_of: Callable[[int], int | None],
    ) -> list[tuple[EventDate, Any]]:
        """spaCy DATE entities the patterns missed that look like calendar dates (dateparser)."""
        if not self.resolver.use_dateparser:
            return []
        out = []
        taken = [(d.start, d.end) for d, _ in found]
        for ent in ents:
            if ent.label_ != "DATE" or sentence_of(ent.start_char) is None:
                continue
            if any(ent.start_char < e and s < ent.end_char for s, e in taken):
                continue
            hit = self.resolver.resolve_calendar_text(
                ent.text, published, tense=clause_tense(ent.root)
            )
            if hit is not None and document.article.text[ent.start_char : ent.end_char] == ent.text:
                date = EventDate(
                    hit[0],
                    hit[1],
                    ent.text,
                    ent.start_char,
                    ent.end_char,
                    "calendar date (dateparser)",
                )
                out.append((date, ent.root))
        return out

    def _attach(self, document: Document, kept: list[_Located]) -> tuple[Event, ...]:
        triggers = trigger_index(document)
        own: dict[int, EventDate] = {}
        for item in kept:
            owners, why = owning_triggers(item.root, triggers)
            for token in owners:
                for number in triggers[token]:
                    if number not in own:  # the first expression of a clause wins
                        own[number] = replace(item.date, reason=f"{item.date.reason}; {why}")
        article = document.article
        default = EventDate(article.date, "publication", reason="publication date")
        return tuple(
            replace(event, date=own.get(number, default))
            for number, event in enumerate(document.events)
        )


class _Located:
    """A resolved date with its head token (for :func:`select_longest` and attachment)."""

    __slots__ = ("date", "root", "start", "end")

    def __init__(self, date: EventDate, root: Any):
        self.date, self.root = date, root
        self.start, self.end = date.start or 0, date.end or 0


def make_date_stage(resources: Any, config: Mapping[str, Any]) -> Callable[[Document], Document]:
    resolver = TemporalResolver(
        use_dateparser=bool(config.get("use_dateparser", True)),
        same_weekday_is_publication_day=bool(config.get("same_weekday_is_publication_day", True)),
    )
    return DateStage(resolver)


__all__ = [
    "Candidate",
    "DateStage",
    "clause_is_future",
    "clause_tense",
    "entity_map",
    "is_reporting",
    "make_date_stage",
    "owning_triggers",
    "trigger_index",
]
