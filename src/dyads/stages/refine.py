"""Refine event actors once dates and places are known (the last stage).

1. **Roles on the event's date.** The actor stage resolves a person's role on the publication
   date; an event dated otherwise ("Blinken visited Beijing in June 2023", read in 2026) re-resolves
   the people among its source and target on its own date.
2. **Countries of domestic groups.** A group named without a country (``demonstrators``,
   ``rebels``, ``militias``) takes, in order: the country of the event's location ("militias in
   Tripoli", "protesters in Monrovia"), else the country of its counterpart when that counterpart
   is a state organ (government, military, police, judiciary, intelligence, legislature) —
   "Egyptian police dispersed demonstrators" are Egyptian demonstrators. The actor's ``reason``
   says which rule applied. An actor with no sector (a bare name) never gets a guessed country.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..records import Actor, Document, Event, Mention

STATE_ORGANS = {"GOV", "MIL", "COP", "JUD", "SPY", "LEG"}


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


def _needs_country(actor: Actor) -> bool:
    return (
        actor.country is None
        and actor.kind == "group"
        and bool(actor.sectors)
        and not (actor.code or "").startswith(("IGO", "NGO"))
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
        if mention is None or not _needs_country(mention.actor):
            continue
        if event.location is not None and event.location.country:
            fixed = _with_country(
                mention, event.location.country, f"the event's place {event.location.name!r}"
            )
        elif other is not None and other.actor.country and STATE_ORGANS & set(other.actor.sectors):
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


def make_refine_stage(resources: Any, config: dict[str, Any]) -> Callable[[Document], Document]:
    roles_on_event_date = bool(config.get("roles_on_event_date", True))
    domestic_countries = bool(config.get("domestic_countries", True))

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
            if domestic_countries:
                event = _domestic(event)
            events.append(event)
        return replace(document, events=tuple(events))

    return refine
