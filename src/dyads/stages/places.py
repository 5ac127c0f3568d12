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
from types import MappingProxyType
from typing import Any

import numpy
from spacy.attrs import DEP, IS_TITLE, POS
from spacy.symbols import PROPN as PROPN_ID

from ..records import Document, Event, Place
from .dates import owning_triggers, trigger_index
from .place_owners import (
    MOTION_LEMMAS,
    PLACE_VERBS,
    circumstance_owners,
    destination_purposes,
    infinitive_owner,
    lemma,
    participant_place_owner,
    phrase_verb,
    simultaneous_owners,
)

log = logging.getLogger(__name__)

LOCATIVE_PREPS = frozenset(
    "in near at from across outside into throughout inside around within toward towards onto "
    "along via through off among amid nearby".split()
)
# "X of <place>" nouns that put X at the place: "the city of Irbil", "north of Kyiv",
# "residents of Gaza", "the siege of Mariupol", "control of Khartoum".
AREA_NOUNS = frozenset(
    "city town village province region capital outskirts suburbs suburb center centre north "
    "south east west northeast northwest southeast southwest part parts edge streets area "
    "district port heart governorate state oblast territory enclave camp neighborhood "
    "neighbourhood countryside coast border most much rest all residents people inhabitants "
    "citizens population civilians siege battle fall capture liberation occupation blockade "
    "encirclement evacuation bombardment shelling bombing recapture control outskirt sector quarter "
    "downtown".split()
)
REGION_WORDS = frozenset(
    "region oblast province governorate state district prefecture krai territory county "
    "area".split()
)
# Verbs whose object or passive subject is where the event happens ("shelled Kharkiv").
PLACE_LABELS = frozenset({"GPE", "LOC"})
# Entity labels that are no names: a place the model called a date is still a place ("Manbij").
NOT_NAMES = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"})
# Nouns a place name can modify and stay a place: "at the Rafah crossing", "in the Anbar desert"
# (but not "in the Xinhua report", "the Obama administration").
PLACE_NOUNS = frozenset(
    "crossing border camp airport port base area region province district city town village "
    "governorate state hospital prison checkpoint neighborhood neighbourhood suburb suburbs "
    "outskirts valley desert mountains mountain coast countryside strip enclave front frontline "
    "harbor harbour station bridge dam plant refinery mosque church market square highway road "
    "river island islands sea lake oblast county municipality capital heartland streets "
    "street".split()
)
PROPER_NOUN_DEPS = ("pobj", "compound", "dobj", "nsubjpass", "conj", "appos")
MISLABELS = frozenset({"PERSON", "ORG", "NORP", "FAC", "PRODUCT"})  # FAC: "White House", "Kremlin"
SPECIFICITY = MappingProxyType({"city": 3, "region": 2, "adm1": 2, "country": 1})
_LEADING = frozenset({"the", "The"})


@dataclass
class _Mention:
    start: int  # token range [start, end) in the doc
    end: int
    source: str  # ner | mislabelled | proper-noun
    head: Any = None  # the token whose dependency context decides the role
    compound: bool = False  # the name modifies a noun ("the Rafah crossing")
    possessor: bool = False  # the name owns a noun ("Beirut's suburbs")
    name: str = ""  # the name looked up ("Kherson region"; "Sumy" for "the Sumy region")
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
            elif ent.label_ in MISLABELS and sum(not t.is_punct for t in ent) <= 3:
                source = "mislabelled"
            else:
                continue
            found.append(_Mention(ent.start, ent.end, source))
            taken.update(range(ent.start, ent.end))
        # proper nouns the model did not tag (their roles are checked later); the token scan
        # runs over arrays, as creating ~700 Token objects per article would cost more
        strings = doc.vocab.strings
        arr = doc.to_array([POS, DEP, IS_TITLE])
        if not len(arr):
            return found
        deps = numpy.isin(arr[:, 1], [strings[d] for d in PROPER_NOUN_DEPS])
        for i in numpy.nonzero((arr[:, 0] == PROPN_ID) & deps & (arr[:, 2] == 1))[0]:
            token = doc[int(i)]
            if token.i in taken or (token.dep_ == "compound" and token.head.pos_ == "PROPN"):
                continue
            if token.ent_type_ and token.ent_type_ not in NOT_NAMES:
                continue  # a piece of a longer name ("the Stabilization Mission in Somalia")
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
        first = doc[m.start].text
        if first.lower() == "the" or not first[:1].isupper() or len(first) < 2:
            return False  # "the", "n't", "bush"
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
            # "the Kherson region" (a gazetteer name of its own), "Puntland region", "the
            # Sumy region" (named after its city: the city stands in for it)
            short, longer = doc[m.start : m.end].text, doc[m.start : m.end + 1].text
            top = self.gazetteer.best(short)
            if top is not None and top.feature == "country":
                pass  # "the U.S. state of Alaska"
            elif longer in self.gazetteer:
                m.name = longer
                m.end += 1
            elif short in self.gazetteer:
                m.name = short
                m.end += 1
        span = doc[m.start : m.end]
        root = span.root
        if root.dep_ == "compound" and root.head.i >= m.end:
            if root.head.pos_ == "PROPN":  # "Paris Agreement", "Washington Post"
                return False
            root = root.head  # "the Rafah crossing": the noun decides the role
            m.compound = True
        elif root.dep_ == "poss" and root.head.pos_ in ("NOUN", "PROPN"):
            root = root.head  # "in Beirut's southern suburbs": the possessed noun decides
            m.possessor = True
        m.head = root
        m.name = m.name or doc[m.start : m.end].text
        return True

    @staticmethod
    def _role(m: _Mention, actor_like: bool, capital: bool = False) -> str | None:
        """locative, place or None (an actor, or not where anything happens).

        ``actor_like``: a country or a national capital, names that stand for governments.
        """
        h = m.head
        while h.dep_ in ("conj", "appos") and h.head.i != h.i:  # "in Kharkiv and Sumy"
            h = h.head
        dep = h.dep_
        if m.compound and (actor_like or m.head.lemma_.lower() not in PLACE_NOUNS):
            return None  # "the US decision", "the Ukraine war", "the Xinhua report"
        if dep == "pobj":
            prep = h.head
            word = prep.lower_
            if word == "from" and prep.head.pos_ in ("NOUN", "PROPN", "PRON"):
                return None  # "ministers from Britain": where people come from
            if word in LOCATIVE_PREPS or (word in ("on", "over") and not actor_like):
                return "locative"  # "in Rafah"; "strikes on Kharkiv", "drones over Belgorod"
            if word == "to" and MOTION_LEMMAS & {lemma(prep.head), lemma(phrase_verb(prep))}:
                return "locative"  # "sent troops to Mali", "sent a team of experts to Sudan"
            if word in ("of", "for") and prep.head.lower_ in AREA_NOUNS:
                return "locative"  # "the city of Irbil", "the battle for Fallujah"
            if word == "of" and prep.head.lower_ in ("out", "outside", "north", "south"):
                return "locative"  # "pushed out of Sudzha"
            return None  # "according to Xinhua", "talks with Kyiv", "the governor of Kherson"
        if capital and dep in ("dobj", "nsubjpass") and lemma(h.head) in PLACE_VERBS:
            return "place"  # "missiles hit Kyiv", but not "allow Washington to"
        if actor_like or m.possessor or dep in ("poss", "nsubj"):
            return None  # "Israel struck", "Kyiv's forces", "Tehran is using"
        return "place"

    # -- the stage ---------------------------------------------------------------------------
    def __call__(self, document: Document) -> Document:
        doc = document.doc
        text = document.article.text
        gaz = self.gazetteer
        # names an event uses as its source or target are actors there, not places
        arguments = [m for e in document.events for m in (e.source, e.target) if m is not None]
        actor_tokens = {i for m in arguments for i in range(m.tokens[0], m.tokens[1])}
        actor_countries = {m.actor.country for m in document.mentions if m.actor.country}
        named: dict[str, str] = {}  # name -> the country it gives the article, if clear
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
            name = m.name
            key = (name, m.source != "ner")  # untagged names must match a main name
            if key not in cache:
                cache[key] = gaz.lookup(name, primary_only=key[1]) if name in gaz else []
            found = cache[key]
            if not found:
                continue
            m.candidates = found
            if m.source == "ner" and found[0].country:
                if found[0].feature == "country" or len({p.country for p in found}) == 1:
                    named[name] = found[0].country
            mentions.append(m)

        # "Somalia's Puntland region": the possessor names the country of the possessed place
        heads = {m.head.i: m for m in mentions if not m.possessor}
        for m in mentions:
            other = heads.get(m.head.i) if m.possessor else None
            top = (m.candidates or [None])[0]
            if other is not None and top is not None and top.feature in ("country", "adm1"):
                other.qualifier = m
                m.role = "qualifier"
        # "Tripoli, Libya", "Jeddah, Saudi Arabia": the second names the first's country
        for first, second in zip(mentions, mentions[1:], strict=False):
            if second.start != first.end + 1 or doc[first.end].text != ",":
                continue
            top = next(
                (p for p in second.candidates or () if p.feature in ("country", "adm1")), None
            )
            if top is None or (first.candidates or [top])[0].feature == "country":
                continue  # "South Africa, Kenya and Ghana" is a list
            if any(p.country == top.country for p in gaz.lookup(first.name)):
                first.qualifier = second
                second.role = "qualifier"

        places: list[tuple[Place, _Mention]] = []
        for m in mentions:
            if m.role == "qualifier":
                continue
            top = m.candidates[0]  # type: ignore[index]
            capital = gaz.is_capital(top)
            actor_like = top.feature == "country" or capital
            if _acronym(doc[m.start : m.end].text) and top.feature not in ("country", "adm1"):
                continue  # "U.N." is not the town of Un, India
            role = self._role(m, actor_like, capital)
            if role != "locative" and any(i in actor_tokens for i in range(m.start, m.end)):
                role = None  # the source or target of an event: an actor there
            if not self._strong(m, role, strict=m.source != "ner"):
                role = None
            if m.end - m.start == 1 and doc[m.start].lower_ in people:
                if role == "place" or m.possessor or m.compound:
                    role = None  # "Jimmy Lai ... in Lai's trial"
            if role is None:
                continue
            m.role = role
            name = m.name
            # the article's countries: its actors' and its other places' (not this name's own)
            context = actor_countries | {c for n, c in named.items() if n != name}
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
    def _strong(m: _Mention, role: str | None, strict: bool) -> bool:
        """A place outside a locative phrase must be the object (or passive subject) of a verb
        of movement, attack or control ("shelled Kharkiv", "Bakhmut fell", not "Obama
        administration"). Mislabelled or untagged names (``strict``) also take "on X" only
        after such a verb ("advanced on Aleppo", not "pressure on Hamas")."""
        h = m.head
        while h.dep_ in ("conj", "appos") and h.head.i != h.i:
            h = h.head
        if role == "locative":
            if not strict:
                return True
            if h.dep_ == "pobj" and h.head.lower_ in ("on", "over"):
                governor = h.head.head
                return lemma(governor) in MOTION_LEMMAS | PLACE_VERBS
            return True
        if role == "place" and h.dep_ in ("dobj", "nsubjpass"):
            return lemma(h.head) in PLACE_VERBS
        return False

    def _resolve(self, doc: Any, m: _Mention, context: set[str]) -> Place | None:
        name = m.name
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
            if not owners:
                owners, why = circumstance_owners(m.head, triggers)
            if not owners:
                owners, why = infinitive_owner(m.head, triggers)
            if not owners:
                owners, why = participant_place_owner(m.head, triggers)
            sent, sent_why = destination_purposes(m.head, triggers)
            reasons = dict.fromkeys(owners, why) | dict.fromkeys(sent, sent_why)
            timed: set[int] = set()
            if owners:  # "killed four policemen when they stormed a checkpoint in Quetta"
                same, same_why = simultaneous_owners(m.head, triggers)
                timed = set(same) - set(reasons)
                reasons = dict.fromkeys(same, same_why) | reasons
            for token, why in reasons.items():
                rank = (SPECIFICITY.get(place.feature, 0), -abs(m.head.i - token))
                located = replace(place, reason=f"{place.reason}; {why}")
                for number in triggers[token]:
                    if token in timed and document.events[number].cameo.quad_class not in (2, 4):
                        continue  # "condemned ..., while demonstrators were killed in X"
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
