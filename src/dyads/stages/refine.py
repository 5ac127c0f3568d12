"""Refine event actors once dates and places are known (the last stage).

1. **Roles on the event's date.** The actor stage resolves a person's role on the publication
   date; an event dated otherwise ("Blinken visited Beijing in June 2023", read in 2026) re-resolves
   the people among its source and target on its own date.
2. **Countries of domestic groups.** A group named without a country (``demonstrators``,
   ``rebels``, ``militias``) takes, in order: the country of the event's location ("militias in
   Tripoli", "protesters in Monrovia"), else the country of its counterpart when that counterpart
   is a state organ (government, military, police, judiciary, intelligence, legislature) —
   "Egyptian police dispersed demonstrators" are Egyptian demonstrators — or, for a protest, any
   counterpart with a country, and for a demand, complaint or rejection by a rebel, party,
   opposition or civil group, too ("the Umma party will boycott Algeria's elections"). A judge
   or police officer named without a country is treated the same way (they act at home), and so is
   a titled official nobody knows ("President X") in such an act with his country's rebels,
   opposition or civil groups. An
   ethnic group ("ethnic Albanians") takes the country of the event's place when that differs
   from its ethnicity's.
   The actor's ``reason`` says which rule applied. An actor with no sector (a bare name) never
   gets a guessed country.
3. **The place as target.** A material conflict (CAMEO 14-20), a threat (13), aid (07), a
   concession (08) or an investigation (09) that names no target but happens in a place of a
   known country takes that country as its target, as CAMEO and PLOVER coders do: "Iraqi Kurds
   demonstrated in Kirkuk" is IRQCVL → IRQ, "Hamas threatened to resume attacks in Israel" is
   → ISR, "Ethiopia lifted the state of emergency in Amhara" is → ETH. The target mention is
   the place's words and its rule ``place→target``; the event's confidence drops by 0.05.
   Before the place (for a protest) or after it (for the others), an event with no target takes
   the first party named in its own phrase: what a protest is for, the holder inside its object
   ("suspended part of a training program for Niger" → NER) — for a rejection or refusal, also
   whoever presses for it ("refused to resign despite pressure from the EU") —, rule
   ``purpose→target``
   (:func:`_purpose_target`). An attack with no named attacker is by an unidentified armed actor
   of its place's country (UAF, ``place→source``); an act whose subject is another coded act
   ("US drone attacks have killed ...") takes that act's source (``+subject-event``).
4. **The main clause first.** Once every confidence is final, an event whose trigger sits below
   another event's trigger in the parse (a participle, purpose, complement, relative or
   conjoined clause, or a nominal object: "rioted ..., setting fire to mattresses",
   "demonstrated ... calling for independence", "released the journalist, who had been
   detained") ranks just below that event, whatever its actors: the main clause's event is the
   sentence's. A plain statement (010, or a statement pattern the sub-code model specialised)
   governs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..records import Actor, Document, Event, Mention
from .arguments import about_span

STATE_ORGANS = {"GOV", "MIL", "COP", "JUD", "SPY", "LEG"}
MAX_CLIMB = 8  # parse levels searched for an event governing another
# a protest names whom it is against in what it is for ("to show their disapproval of the United
# States' policies", "calling for the removal of President X", "in defiance of the authorities")
PURPOSE_TARGET_ROOTS = {"14"}  # protests retarget even from their own people
# what happens in a place may be aimed at it when nothing else is named ("rejected a call for its
# peacekeepers to be deployed in East Timor"); statements, meetings and cooperation never are
NO_PLACE_PHRASE_ROOTS = {"01", "04", "05", "06"}
# circumstances name no party of the act: "despite Israel's wish", "since last month's invasion"
# ("after talks with the government" often does: kept)
CIRCUMSTANCE_WORDS = {
    "despite", "before", "since", "during", "amid", "amidst", "because", "until", "while", "as",
    "although", "though", "when",
}  # fmt: skip
# place and destination phrases name no party: "sending troops to Iraq", "rallied in Kirkuk" (a
# phrase of these prepositions is a place phrase when it names a place)
LOCATIVE_PREPS = {
    "in", "at", "near", "outside", "inside", "across", "around", "throughout", "within", "to",
    "into", "toward", "towards",
}  # fmt: skip
PLACE_ENTITIES = {"GPE", "LOC", "FAC"}
UNKNOWN_ATTACKER_ROOTS = {"18", "19", "20"}
# a protest by a group without a country, or a demand, complaint or rejection by a rebel group,
# party, opposition or civil group, is its counterpart's country's business ("the Umma party will
# boycott Algeria's elections", "the main Hutu rebel group insisted that Burundi's government
# grant ..."): any counterpart with a country gives it its own
DOMESTIC_ROOTS = {"10", "11", "12", "14"}
# ... for demands, complaints and rejections, only the groups of a country's own politics
# ("the ministers denounced Russia's bombing" are not Russian ministers)
DOMESTIC_SECTORS = {"REB", "OPP", "PTY", "RAD", "LAB", "CVL", "EDU", "ELI", "SEP", "AGR", "REL"}
# what a refusal "despite ..." refuses: "refused to resign despite pressure from the EU"
PRESSURE_NOUNS = {
    "pressure", "call", "demand", "appeal", "plea", "request", "protest", "criticism", "urging",
    "ultimatum", "warning",
}  # fmt: skip
PLACE_TARGET_ROOTS = {"07", "08", "09", "13", "14", "15", "16", "17", "18", "19", "20"}


def _role_on(mention: Mention | None, day: Any, dictionary: Any) -> Mention | None:
    if (
        mention is None
        or mention.actor.kind != "person"
        or not (mention.actor.entry or "").startswith("person:")
    ):
        return mention
    entry = dictionary.entries.get(mention.actor.entry)
    if entry is None:
        return mention
    actor = dictionary.person_actor(entry, day)
    if actor.code == mention.actor.code and actor.former == mention.actor.former:
        return mention
    return replace(mention, actor=replace(actor, reason=actor.reason + " (on the event date)"))


# Officials who act at home: a judge or police chief named without a country is of the country
# of the people they investigate, try or arrest ("Judge Rivera opened investigations against
# Chilean officials").
HOME_SECTORS = {"JUD", "COP"}
# a people's community where it lives: "the Serb minority", "the Turkish community" (like
# "ethnic Albanians"); "the Armenian population of Nagorno-Karabakh" stays Armenian
PEOPLE_GROUP_WORDS = {"minority", "minorities", "community", "communities"}


def _needs_country(actor: Actor) -> bool:
    return (
        actor.country is None
        and (actor.kind == "group" or actor.kind == "person" and HOME_SECTORS & set(actor.sectors))
        and bool(actor.sectors)
        and not (actor.code or "").startswith(("IGO", "NGO"))
    )


def _home_leader(mention: Mention, other: Mention | None, event: Event) -> bool:
    """A titled official the dictionaries do not know ("President Amadou Kebe") in a demand,
    complaint, rejection or protest with his own country's rebels, opposition or civil groups
    ("the rebels in Mali rejected an appeal from President X") leads that country."""
    actor = mention.actor
    return (
        actor.country is None
        and actor.kind == "person"
        and "GOV" in actor.sectors
        and not (actor.code or "").startswith(("IGO", "NGO"))
        and mention.rule == "title"
        and other is not None
        and bool(other.actor.country)
        and event.cameo.root in DOMESTIC_ROOTS
        and bool(DOMESTIC_SECTORS & set(other.actor.sectors))
    )


def _ethnic_elsewhere(mention: Mention, place: Any) -> bool:
    """ "ethnic Albanians demonstrated in Serbia", "the Serb minority in Kosovo": an ethnic group
    is coded by the country it lives in, as CAMEO and PLOVER coders do, when the event happens
    there."""
    words = set(mention.text.lower().split())
    return (
        bool({"ethnic", "ethnically"} & words or PEOPLE_GROUP_WORDS & words)
        and mention.actor.country is not None
        and place is not None
        and bool(place.country)
        and place.country != mention.actor.country
    )


def _with_country(mention: Mention, country: str, why: str) -> Mention:
    actor = mention.actor
    code = country + "".join(actor.sectors)
    return replace(
        mention,
        actor=replace(
            actor, country=country, code=code, reason=f"{actor.reason}; country from {why}"
        ),
    )


def _domestic(event: Event) -> Event:
    source, target = event.source, event.target
    for role in ("source", "target"):
        mention = source if role == "source" else target
        other = target if role == "source" else source
        if mention is not None and _ethnic_elsewhere(mention, event.location):
            fixed = _with_country(
                mention, event.location.country, f"the ethnic group's place {event.location.name!r}"
            )
            source, target = (fixed, target) if role == "source" else (source, fixed)
            continue
        if mention is None:
            continue
        if not _needs_country(mention.actor) and not _home_leader(mention, other, event):
            continue
        if event.location is not None and event.location.country:
            fixed = _with_country(
                mention, event.location.country, f"the event's place {event.location.name!r}"
            )
        elif (
            other is not None
            and other.actor.country
            and (
                STATE_ORGANS & set(other.actor.sectors)
                or event.cameo.root in DOMESTIC_ROOTS
                and (event.cameo.root == "14" or DOMESTIC_SECTORS & set(mention.actor.sectors))
            )
        ):
            fixed = _with_country(
                mention, other.actor.country, f"the state counterpart {other.text!r}"
            )
        else:
            continue
        if role == "source":
            source = fixed
        else:
            target = fixed
    if source is event.source and target is event.target:
        return event
    return replace(event, source=source, target=target)


def _source_from_subject_event(event: Event, doc: Any, events: list[Event]) -> Event:
    """An act whose subject is another coded act has that act's source: "recent US Predator attacks
    have killed eight al-Qaeda leaders" → the killing is by the US (rule ``+subject-event``)."""
    guessed = event.source is not None and event.source.rule == "place→source"
    if not (_unknown(event.source) or guessed) or event.trigger_token < 0:
        return event
    trig = doc[event.trigger_token]
    subjects = [c.i for c in trig.children if c.dep_ in ("nsubj", "csubj")]
    for other in events:
        if other is event or other.trigger_token not in subjects or _unknown(other.source):
            continue
        source = replace(other.source, rule=f"{other.source.rule}+subject-event")
        if event.target is not None and event.target.actor.code == source.actor.code:
            return event
        return replace(event, source=source)
    return event


def _place_source(event: Event, doc: Any, dictionary: Any) -> Event:
    """An attack nobody is named for ("a roadside bomb near Samarra killed a U.S. soldier") is by
    an unidentified armed actor of the country of its place, CAMEO's UAF sector: IRQUAF, rule
    ``place→source``. Air strikes are not (only states fly them), nor attacks named by a noun
    (their attacker may be on the verb the parse did not link)."""
    place = event.location
    if (
        not _unknown(event.source)
        or event.cameo.root not in UNKNOWN_ATTACKER_ROOTS
        or event.cameo.code.startswith("195")
        or place is None
        or not place.country
        or place.start is None
        or place.end is None
    ):
        return event
    if event.trigger_token < 0 or doc[event.trigger_token].pos_ not in ("VERB", "AUX"):
        return event  # "the BLA stepped up attacks": a noun's attacker may sit on its verb
    span = doc.char_span(place.start, place.end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return event
    actor = dictionary.country_actor(
        place.country,
        ("UAF",),
        reason=f"an unidentified attacker in {place.name!r} (no source named)",
    )
    source = Mention(
        start=place.start,
        end=place.end,
        text=place.text or place.name,
        sentence_index=event.sentence_index,
        head=span.root.i,
        tokens=(span[0].i, span[len(span) - 1].i + 1),
        actor=actor,
        rule="place→source",
    )
    if event.target is not None and event.target.actor.code == actor.code:
        return event
    return replace(event, source=source, confidence=max(0.05, event.confidence - 0.05))


def _purpose_target(event: Event, doc: Any, mentions: tuple[Mention, ...]) -> Event:
    """An event with no target is aimed at the first party named in its own phrase: what a protest
    is for ("blocked a road to show their disapproval of the United States' policies" → USA), the
    holder inside an object ("suspended part of a military aid program for Bosnia" → BIH, "dismissed
    an appeal from President X"). Place phrases count only when nothing else is named, and never
    for statements, meetings and cooperation (01, 04-06); circumstances ("despite X's wish"), the
    trigger's conjuncts and reasons given ("saying ...") never count. A protest whose target is its
    own people is retargeted too. The mention's rule records ``purpose→target``."""
    source, target = event.source, event.target
    own = target is not None and source is not None and target.actor.code == source.actor.code
    protest = event.cameo.root in PURPOSE_TARGET_ROOTS
    if event.trigger_token < 0 or not (_unknown(target) or own and protest):
        return event
    trig = doc[event.trigger_token]
    span = about_span(trig, subjects=True, reasons=False)
    refusal = event.cameo.root == "12" or event.modality == "negated"
    places: set[int] = set()
    circumstances: set[int] = set()
    for tok in span:
        if tok.dep_ == "prep" and tok.lower_ in LOCATIVE_PREPS:
            if any(t.ent_type_ in PLACE_ENTITIES for t in tok.subtree):  # not "in defiance of"
                places.update(t.i for t in tok.subtree)
        circumstance = tok.lower_ in CIRCUMSTANCE_WORDS and tok.dep_ in ("prep", "mark", "advcl")
        if circumstance and refusal and _pressure(tok):
            continue  # "refused to resign despite pressure from the EU": the demander
        if circumstance and not (tok.lower_ == "as" and tok.dep_ == "prep"):  # "as a crime" is
            circumstances.update(t.i for t in (tok.head if tok.dep_ == "mark" else tok).subtree)
    span = [t for t in span if t.i not in circumstances]
    by_token: dict[int, Mention] = {}
    for m in mentions:
        if m.sentence_index == event.sentence_index:
            for i in range(*m.tokens):
                by_token.setdefault(i, m)
    passes = (False,) if event.cameo.root in NO_PLACE_PHRASE_ROOTS else (False, True)
    co_sources = _conjoined(doc, source.head) if source is not None and source.head >= 0 else set()
    co_codes = {m.actor.code for m in mentions if m.head in co_sources and m.actor.code}
    co_countries = {m.actor.country for m in mentions if m.head in co_sources and m.actor.country}
    for with_places in passes:
        for tok in span:
            m = by_token.get(tok.i)
            if m is None or tok.i in places and not with_places or not _named_party(m.actor):
                continue
            if source is not None and (
                m is source
                or m.actor.code == source.actor.code
                or m.head in co_sources
                or m.actor.code in co_codes
                or _own_people(doc, m, co_countries)
            ):
                continue  # the source, or one acting with it ("Pakistan and China reject ...")
            if (
                source is not None
                and m.actor.country == source.actor.country
                and (
                    m.rule.startswith("pronoun")
                    or m.actor.kind == "country"
                    and STATE_ORGANS & set(source.actor.sectors)
                )
            ):  # "Russia's envoy dismissed accusations it is getting weapons": it is Russia; a
                continue  # state organ does not act on its own state ("doubling the U.S. tariff")
            found = replace(m, rule=f"{m.rule}; purpose→target")
            return replace(event, target=found, confidence=max(0.05, event.confidence - 0.05))
    return event


def _pressure(prep: Any) -> bool:
    """ "despite pressure/calls/demands (by X)": a demand the act refuses."""
    return prep.lower_ == "despite" and any(
        c.dep_ == "pobj" and c.lemma_.lower() in PRESSURE_NOUNS for c in prep.children
    )


def _own_people(doc: Any, mention: Mention, countries: set[str | None]) -> bool:
    """ "their border guards" when "their" are the sources: the sources' own people."""
    head = doc[mention.head] if mention.head >= 0 else None
    return (
        head is not None
        and mention.actor.country in countries
        and any(c.dep_ == "poss" and c.pos_ == "PRON" for c in head.children)
    )


def _conjoined(doc: Any, i: int) -> set[int]:
    """The tokens conjoined with token ``i`` ("Pakistan and China"), ``i`` included."""
    first = doc[i]
    while first.dep_ == "conj" and first.head.i != first.i:
        first = first.head
    out, stack = set(), [first]
    while stack:
        tok = stack.pop()
        out.add(tok.i)
        stack.extend(c for c in tok.children if c.dep_ == "conj")
    return out


def _unknown(mention: Mention | None) -> bool:
    """No target, or one nobody can code ("Esfahan Uranium Conversion Facilities": a name the
    dictionaries do not know)."""
    return mention is None or not (mention.actor.code or mention.actor.country)


def _named_party(actor: Actor) -> bool:
    """An actor a coder can name as a target: one with a country, or an international body."""
    return bool(actor.country) or (actor.code or "").startswith(("IGO", "NGO", "IMG"))


def _place_target(event: Event, doc: Any, dictionary: Any) -> Event:
    place = event.location
    if (
        not _unknown(event.target)
        or place is None
        or not place.country
        or place.start is None
        or place.end is None
        or event.cameo.root not in PLACE_TARGET_ROOTS
    ):
        return event
    span = doc.char_span(place.start, place.end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return event
    first, last = span[0], span[len(span) - 1]
    actor = dictionary.country_actor(
        place.country,
        (),
        reason=f"the country of the event's place {place.name!r} (no target named)",
        kind="country",
    )
    target = Mention(
        start=place.start,
        end=place.end,
        text=place.text or place.name,
        sentence_index=event.sentence_index,
        head=span.root.i,
        tokens=(first.i, last.i + 1),
        actor=actor,
        rule="place→target",
    )
    return replace(event, target=target, confidence=max(0.05, event.confidence - 0.05))


def _subordinate_clauses(events: list[Event], doc: Any) -> list[Event]:
    """The main clause's event is the sentence's: an event whose trigger sits below another
    event's trigger in the parse ("rioted ..., setting fire to mattresses", "demonstrated ...
    calling for independence", "released the journalist, who had been detained") ranks just
    below that event, whatever its actors. A plain statement (010, or a statement pattern the
    sub-code model specialised) governs nothing: what was said is the event."""
    by_token = {
        e.trigger_token: e
        for e in events
        if e.trigger_token >= 0 and e.cameo.code != "010" and not e.rule.startswith("statement-")
    }
    out = []
    for event in events:
        parent = _governing_event(doc, event, by_token)
        if parent is not None and event.confidence >= parent.confidence:
            event = replace(event, confidence=max(0.05, round(parent.confidence - 0.01, 4)))
        out.append(event)
    return out


def _governing_event(doc: Any, event: Event, by_token: dict[int, Event]) -> Event | None:
    if event.trigger_token < 0:
        return None
    tok = doc[event.trigger_token]
    for _ in range(MAX_CLIMB):
        if tok.head.i == tok.i:
            return None
        tok = tok.head
        parent = by_token.get(tok.i)
        if parent is not None and parent is not event:
            return parent
    return None


def make_refine_stage(resources: Any, config: dict[str, Any]) -> Callable[[Document], Document]:
    roles_on_event_date = bool(config.get("roles_on_event_date", True))
    domestic_countries = bool(config.get("domestic_countries", True))
    place_targets = bool(config.get("place_targets", True))

    def refine(document: Document) -> Document:
        published = document.article.date
        events: list[Event] = []
        for event in document.events:
            day = event.date.value if event.date is not None else None
            if (
                roles_on_event_date
                and day is not None
                and day != published
                and event.date.granularity != "publication"
            ):
                dictionary = resources.actors
                source, target = (
                    _role_on(event.source, day, dictionary),
                    _role_on(event.target, day, dictionary),
                )
                if source is not event.source or target is not event.target:
                    event = replace(event, source=source, target=target)
            place_first = event.cameo.root in PLACE_TARGET_ROOTS - PURPOSE_TARGET_ROOTS
            if place_targets and not place_first:  # a protest: what it is for, then its place
                event = _purpose_target(event, document.doc, document.mentions)
            if domestic_countries:
                event = _domestic(event)
            if place_targets:  # force, aid, concessions: the place, then the phrase
                event = _place_target(event, document.doc, resources.actors)
                if place_first:
                    event = _purpose_target(event, document.doc, document.mentions)
                event = _place_source(event, document.doc, resources.actors)
            events.append(event)
        events = [_source_from_subject_event(e, document.doc, events) for e in events]
        return replace(document, events=tuple(_subordinate_clauses(events, document.doc)))

    return refine
