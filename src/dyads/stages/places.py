"""The places stage: place mentions → ``Document.places``, and each event's ``location``.

1. **Mentions**: spaCy ``GPE``/``LOC``/``FAC`` entities, plus proper nouns the model missed or
   mislabelled (the small model often calls "Rafah" or "Kherson" a person) when the gazetteer
   knows them and the parse puts them in a place position ("in X", "near X", "the X region",
   "shelled X"). "X region/oblast/province" is one mention; "Tripoli, Libya" is one mention
   whose second part narrows the first.
2. **Role**: a name in a locative phrase ("in", "near", "at", "from", "across", "outside",
   "into", "throughout", "inside", motion "to", "north of", "the city of") is a place. Outside one,
   a country name is an actor or a topic, never a place ("Israel said", "the US decision",
   "sanctions on Russia"); a city or region is a place unless it stands as an actor (the subject
   of a reporting verb, a possessor, or an actor mention of the actors stage: "Kyiv said").
3. **Resolution**: the gazetteer ranks the candidates of each name by feature type, the
   article's countries (those of its actors and of its other places) and population.
4. **Event location**: the place named in the event's clause (:func:`owning_triggers`, as for
   dates); the most specific one when there are several; else none.

Rules and limits: docs/places.md.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy
from spacy.attrs import DEP, ENT_IOB, IS_TITLE, POS
from spacy.symbols import PROPN as PROPN_ID

from ..records import Document, Event, Place
from .dates import owning_triggers, trigger_index

log = logging.getLogger(__name__)

LOCATIVE_PREPS = frozenset(
    "in near at from across outside into throughout inside around within toward towards onto "
    "along via through off among amid nearby".split()
)
MOTION_LEMMAS = frozenset(
    "go travel fly return move head come arrive deploy send flee drive march walk sail relocate "
    "evacuate transfer deport bring take escape retreat withdraw advance push trip visit "
    "journey".split()
)
AREA_NOUNS = frozenset(
    "city town village province region capital outskirts suburbs suburb center centre north "
    "south east west northeast northwest southeast southwest part parts edge streets area "
    "district port heart governorate state oblast territory enclave camp neighborhood "
    "neighbourhood countryside coast border".split()
)
REGION_WORDS = frozenset(
    "region oblast province governorate state district prefecture krai territory county "
    "area".split()
)
# Verbs whose object or passive subject is where the event happens ("shelled Kharkiv").
PLACE_VERBS = frozenset(
    "enter reach capture seize shell bomb strike attack hit take retake liberate besiege storm "
    "raid invade visit leave flee surround encircle occupy control hold target pound bombard "
    "evacuate abandon cross tour recapture overrun".split()
)
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
MISLABELS = frozenset({"PERSON", "ORG", "NORP"})
SPECIFICITY = {"city": 3, "region": 2, "adm1": 2, "country": 1}
_LEADING = frozenset({"the", "The"})


@dataclass
class _Mention:
    start: int  # token range [start, end) in the doc
    end: int
    source: str  # ner | mislabelled | proper-noun
    head: Any = None  # the token whose dependency context decides the role
    compound: bool = False  # the name modifies a noun ("the Rafah crossing")
    qualifier: _Mention | None = None
    role: str | None = None  # locative | place | None (an actor or not a place)
    candidates: list[Place] | None = None


class PlaceStage:
    def __init__(self, gazetteer: Any):
        self.gazetteer = gazetteer

    # -- mentions ----------------------------------------------------------------------------
    def _mentions(self, doc: Any, ents: Any) -> list[_Mention]:
        found: list[_Mention] = []
        taken: set[int] = set()
        for ent in ents:
            if ent.label_ in PLACE_LABELS:
                source = "ner"
            elif ent.label_ in MISLABELS and len(ent) <= 3:
                source = "mislabelled"
            else:
                continue
            found.append(_Mention(ent.start, ent.end, source))
            taken.update(range(ent.start, ent.end))
        # proper nouns the model did not tag (their roles are checked later); the token scan
        # runs over arrays, as creating ~700 Token objects per article would cost more
        strings = doc.vocab.strings
        arr = doc.to_array([POS, DEP, ENT_IOB, IS_TITLE])
        if not len(arr):
            return found
        deps = (arr[:, 1] == strings["pobj"]) | (arr[:, 1] == strings["compound"])
        untagged = (arr[:, 2] == 0) | (arr[:, 2] == 2)
        for i in numpy.nonzero((arr[:, 0] == PROPN_ID) & deps & untagged & (arr[:, 3] == 1))[0]:
            token = doc[int(i)]
            if token.i in taken or (token.dep_ == "compound" and token.head.pos_ == "PROPN"):
                continue
            start = token.i
            while (
                start > 0 and doc[start - 1].dep_ == "compound" and doc[start - 1].pos_ == "PROPN"
            ):
                start -= 1
            found.append(_Mention(start, token.i + 1, "proper-noun"))
            taken.update(range(start, token.i + 1))
        found.sort(key=lambda m: m.start)
        return found

    def _shape(self, doc: Any, m: _Mention) -> bool:
        """Trim "the" and "'s", join hyphenated names, take in a following "region", find the
        head. False when the mention is not a place name at all."""
        while m.end - m.start > 1 and doc[m.start].text in _LEADING:
            m.start += 1
        while m.end - m.start > 1 and doc[m.end - 1].tag_ == "POS":
            m.end -= 1
        if doc[m.start].lower_ == "the":
            return False
        start, end = m.start, m.end  # "Guinea-Bissau", but not "Russia-Ukraine" or "Dubai-based"
        while (
            start >= 2
            and doc[start - 1].text == "-"
            and not doc[start - 2].whitespace_
            and not doc[start - 1].whitespace_
        ):
            start -= 2
        while (
            end + 1 < len(doc)
            and doc[end].text == "-"
            and not doc[end - 1].whitespace_
            and not doc[end].whitespace_
        ):
            end += 2
        if (start, end) != (m.start, m.end):
            if doc[start:end].text not in self.gazetteer:
                return False
            m.start, m.end = start, end
        if m.end < len(doc) and doc[m.end].lower_ in REGION_WORDS:
            longer = doc[m.start : m.end + 1].text
            if longer in self.gazetteer:
                m.end += 1
        span = doc[m.start : m.end]
        root = span.root
        if root.dep_ == "compound" and root.head.i >= m.end:
            if root.head.pos_ == "PROPN":  # "Paris Agreement", "Washington Post"
                return False
            root = root.head  # "the Rafah crossing": the noun decides the role
            m.compound = True
        m.head = root
        return True

    @staticmethod
    def _role(m: _Mention, actor_like: bool) -> str | None:
        """locative, place or None (an actor, or not where anything happens).

        ``actor_like``: a country or a national capital, names that stand for governments.
        """
        h = m.head
        while h.dep_ in ("conj", "appos") and h.head.i != h.i:  # "in Kharkiv and Sumy"
            h = h.head
        dep = h.dep_
        if actor_like and m.compound:
            return None  # "the US decision", "the Ukraine war"
        if dep == "pobj":
            prep = h.head
            word = prep.lower_
            if word == "from" and prep.head.pos_ in ("NOUN", "PROPN", "PRON"):
                return None  # "ministers from Britain": where people come from
            if word in LOCATIVE_PREPS or (word == "on" and not actor_like):
                return "locative"
            if word == "to" and prep.head.lemma_.lower() in MOTION_LEMMAS:
                return "locative"
            if word == "of" and prep.head.lower_ in AREA_NOUNS:
                return "locative"
            return None if actor_like else "place"
        if actor_like or dep in ("poss", "nsubj"):
            return None  # "Israel struck", "Kyiv's forces", "Tehran is using"
        return "place"

    # -- the stage ---------------------------------------------------------------------------
    def __call__(self, document: Document) -> Document:
        doc = document.doc
        text = document.article.text
        gaz = self.gazetteer
        actor_tokens = {i for m in document.mentions for i in range(m.tokens[0], m.tokens[1])}
        context = {m.actor.country for m in document.mentions if m.actor.country}
        mentions = []
        cache: dict[tuple[str, bool], list[Place]] = {}
        # "Jimmy Lai ... Lai, a 77-year-old": a part of a person's full name is no place
        # unless it stands in a locative phrase
        ents = doc.ents
        people = {t.lower_ for e in ents if e.label_ == "PERSON" and len(e) > 1 for t in e}
        spans: set[tuple[int, int]] = set()
        for m in self._mentions(doc, ents):
            if not self._shape(doc, m) or (m.start, m.end) in spans:
                continue
            spans.add((m.start, m.end))
            name = doc[m.start : m.end].text
            key = (name, m.source != "ner")  # untagged names must match a main name
            if key not in cache:
                cache[key] = gaz.lookup(name, primary_only=key[1]) if name in gaz else []
            found = cache[key]
            if not found:
                continue
            m.candidates = found
            if m.source == "ner" and found[0].country:
                if found[0].feature == "country" or len({p.country for p in found}) == 1:
                    context.add(found[0].country)
            mentions.append(m)

        # "Tripoli, Libya", "Jeddah, Saudi Arabia": the second names the first's country
        for first, second in zip(mentions, mentions[1:], strict=False):
            if second.start != first.end + 1 or doc[first.end].text != ",":
                continue
            top = next(
                (p for p in second.candidates or () if p.feature in ("country", "adm1")), None
            )
            if top is None or (first.candidates or [top])[0].feature == "country":
                continue  # "South Africa, Kenya and Ghana" is a list
            if any(p.country == top.country for p in gaz.lookup(doc[first.start : first.end].text)):
                first.qualifier = second
                second.role = "qualifier"

        places: list[tuple[Place, _Mention]] = []
        for m in mentions:
            if m.role == "qualifier":
                continue
            top = m.candidates[0]  # type: ignore[index]
            actor_like = top.feature == "country" or gaz.is_capital(top)
            if _acronym(doc[m.start : m.end].text) and top.feature not in ("country", "adm1"):
                continue  # "U.N." is not the town of Un, India
            role = self._role(m, actor_like)
            if role != "locative" and any(i in actor_tokens for i in range(m.start, m.end)):
                role = None  # an actor mention of the actors stage, used as an actor
            if m.source != "ner" and not self._strong(m, role):
                role = None
            if role == "place" and m.end - m.start == 1 and doc[m.start].lower_ in people:
                role = None
            if role is None:
                continue
            m.role = role
            place = self._resolve(doc, m, context)
            if place is None:
                continue
            start, end = doc[m.start].idx, doc[m.end - 1].idx + len(doc[m.end - 1])
            place = replace(place, start=start, end=end, text=text[start:end])
            places.append((place, m))

        events = document.events
        if events:
            events = self._locate(document, places)
        return replace(document, places=tuple(p for p, _ in places), events=events)

    @staticmethod
    def _strong(m: _Mention, role: str | None) -> bool:
        """Mislabelled or untagged names need a clear place position."""
        if role == "locative":
            h = m.head
            while h.dep_ == "conj" and h.head.i != h.i:
                h = h.head
            return h.dep_ != "pobj" or h.head.lower_ != "on"  # "pressure on Hamas"
        head = m.head
        if role == "place" and head.dep_ in ("dobj", "nsubjpass"):
            return head.head.lemma_.lower() in PLACE_VERBS
        return False

    def _resolve(self, doc: Any, m: _Mention, context: set[str]) -> Place | None:
        name = doc[m.start : m.end].text
        if m.qualifier is not None:
            q = next(p for p in m.qualifier.candidates or () if p.feature in ("country", "adm1"))
            primary = m.source != "ner"
            found = self.gazetteer.lookup(name, context | {q.country}, primary_only=primary)
            narrowed = [
                p
                for p in found
                if p.country == q.country and (q.feature == "country" or p.adm1 == q.adm1)
            ]
            if narrowed:
                qual = doc[m.qualifier.start : m.qualifier.end].text
                best = narrowed[0]
                return replace(best, reason=f"{best.reason}; narrowed by '{qual}'")
        found = self.gazetteer.lookup(name, context, primary_only=m.source != "ner", limit=1)
        return found[0] if found else None

    def _locate(
        self, document: Document, places: list[tuple[Place, _Mention]]
    ) -> tuple[Event, ...]:
        triggers = trigger_index(document)
        best: dict[int, tuple[tuple[int, int], Place]] = {}
        for place, m in places:
            owners, why = owning_triggers(m.head, triggers)
            for token in owners:
                rank = (SPECIFICITY.get(place.feature, 0), -abs(m.head.i - token))
                located = replace(place, reason=f"{place.reason}; {why}")
                for number in triggers[token]:
                    if number not in best or rank > best[number][0]:
                        best[number] = (rank, located)
        return tuple(
            replace(event, location=best[n][1] if n in best else None)
            for n, event in enumerate(document.events)
        )


def _acronym(name: str) -> bool:
    letters = name.replace(".", "")
    return len(letters) <= 4 and letters.isupper()


def make_place_stage(resources: Any, config: Mapping[str, Any]) -> Callable[[Document], Document]:
    return PlaceStage(resources.gazetteer)
