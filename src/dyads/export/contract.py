"""The output contract: records → plain JSON-ready dicts, and the flat CSV row.

Every field documented in docs/schema.md is always present (``None`` where unknown). The JSON
Schemas under ``dyads/data/schema/`` describe exactly these dicts; the tests validate every
output format against them.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from ..ontology.modal import cameo_modal_code
from ..records import (
    Actor,
    Article,
    Attribution,
    CodedArticle,
    Event,
    EventDate,
    Mention,
    Place,
    Quote,
    Span,
)

SCHEMA_VERSION = "1.0"


def span_dict(span: Span | None) -> dict[str, Any] | None:
    if span is None:
        return None
    return {"start": span.start, "end": span.end, "text": span.text}


def actor_fields(actor: Actor) -> dict[str, Any]:
    return {
        "code": actor.code,
        "country": actor.country,
        "sector": list(actor.sectors),
        "name": actor.name,
        "kind": actor.kind,
        "former": actor.former,
    }


def mention_dict(mention: Mention | None) -> dict[str, Any] | None:
    if mention is None:
        return None
    out: dict[str, Any] = {"text": mention.text, "start": mention.start, "end": mention.end}
    out.update(actor_fields(mention.actor))
    out["rule"] = mention.rule
    out["refers_to"] = span_dict(mention.refers_to)
    return out


def attribution_dict(attribution: Attribution | None) -> dict[str, Any] | None:
    if attribution is None:
        return None
    actor = attribution.actor
    return {
        "text": attribution.text,
        "start": attribution.start,
        "end": attribution.end,
        "code": actor.code,
        "country": actor.country,
        "name": actor.name,
        "cue": attribution.cue,
    }


def date_dict(date: EventDate | None, article: Article | None = None) -> dict[str, Any]:
    if date is None:  # no dates stage: the publication date stands in
        value = article.date.isoformat() if article is not None and article.date else None
        return {
            "value": value,
            "granularity": "publication",
            "text": None,
            "start": None,
            "end": None,
            "reason": "publication date",
        }
    return {
        "value": date.value.isoformat() if date.value else None,
        "granularity": date.granularity,
        "text": date.text,
        "start": date.start,
        "end": date.end,
        "reason": date.reason,
    }


def place_dict(place: Place | None) -> dict[str, Any] | None:
    if place is None:
        return None
    return {
        "name": place.name,
        "country": place.country,
        "adm1": place.adm1,
        "lat": place.lat,
        "lon": place.lon,
        "geonameid": place.geonameid,
        "feature": place.feature,
        "text": place.text,
        "start": place.start,
        "end": place.end,
        "reason": place.reason,
    }


def event_dict(event: Event, article: Article | None = None) -> dict[str, Any]:
    return {
        "id": event.id,
        "article_id": event.article_id,
        "sentence_index": event.sentence_index,
        "sentence": event.sentence,
        "evidence": span_dict(event.trigger),
        "source": mention_dict(event.source),
        "target": mention_dict(event.target),
        "cameo": {
            "code": event.cameo.code,
            "root": event.cameo.root,
            "label": event.cameo.label,
            "goldstein": event.cameo.goldstein,
            "quad_class": event.cameo.quad_class,
            "modal_code": cameo_modal_code(event.cameo.code, event.modality, event.modality_cue),
        },
        "plover": {
            "type": event.plover.type,
            "mode": event.plover.mode,
            "context": list(event.plover.context),
        },
        "modality": event.modality,
        "modality_cue": event.modality_cue or None,
        "attribution": attribution_dict(event.attribution),
        "date": date_dict(event.date, article),
        "location": place_dict(event.location),
        "confidence": round(float(event.confidence), 3),
        "rule": event.rule,
        "article_date": article.date.isoformat() if article is not None and article.date else None,
        "url": article.url if article is not None else None,
    }


def quote_dict(quote: Quote) -> dict[str, Any]:
    return {
        "start": quote.start,
        "end": quote.end,
        "text": quote.text,
        "sentence_index": quote.sentence_index,
        "kind": quote.kind,
        "speaker": mention_dict(quote.speaker),
        "verb": span_dict(quote.verb),
    }


def article_meta(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "url": article.url,
        "date": article.date.isoformat() if article.date else None,
        "date_source": article.date_source,
        "origin": article.origin,
        "length": len(article.text),
        "excluded": [span_dict(s) for s in article.excluded],
    }


def article_dict(coded: CodedArticle, include_text: bool = False) -> dict[str, Any]:
    meta = article_meta(coded.article)
    if include_text:
        meta["text"] = coded.article.text
    return {
        "schema_version": SCHEMA_VERSION,
        "article": meta,
        "events": [event_dict(e, coded.article) for e in coded.events],
        "quotes": [quote_dict(q) for q in coded.quotes],
        "places": [place_dict(p) for p in coded.places],
        "actors": [mention_dict(m) for m in coded.mentions],
        "notes": list(coded.notes),
    }


CSV_COLUMNS = [
    "event_id", "article_id", "article_date", "sentence_index",
    "date", "date_granularity", "date_text",
    "source_text", "source_code", "source_country", "source_sector", "source_name",
    "cameo_code", "cameo_root", "cameo_label", "goldstein", "quad_class",
    "plover_type", "plover_mode", "plover_context",
    "target_text", "target_code", "target_country", "target_sector", "target_name",
    "modality", "attribution_text", "attribution_code",
    "location_name", "location_country", "location_lat", "location_lon", "location_geonameid",
    "evidence_start", "evidence_end", "evidence_text", "confidence", "rule", "url", "sentence",
]  # fmt: skip


def csv_row(event: dict[str, Any]) -> dict[str, Any]:
    """Flatten one :func:`event_dict` into :data:`CSV_COLUMNS` (lists joined with ``;``)."""

    def actor(prefix: str, value: dict[str, Any] | None) -> dict[str, Any]:
        value = value or {}
        return {
            f"{prefix}_text": value.get("text"),
            f"{prefix}_code": value.get("code"),
            f"{prefix}_country": value.get("country"),
            f"{prefix}_sector": ";".join(value.get("sector") or []) or None,
            f"{prefix}_name": value.get("name"),
        }

    date = event.get("date") or {}
    loc = event.get("location") or {}
    attribution = event.get("attribution") or {}
    row = {
        "event_id": event["id"],
        "article_id": event["article_id"],
        "article_date": event.get("article_date"),
        "sentence_index": event["sentence_index"],
        "date": date.get("value"),
        "date_granularity": date.get("granularity"),
        "date_text": date.get("text"),
        "cameo_code": event["cameo"]["code"],
        "cameo_root": event["cameo"]["root"],
        "cameo_label": event["cameo"]["label"],
        "goldstein": event["cameo"]["goldstein"],
        "quad_class": event["cameo"]["quad_class"],
        "plover_type": event["plover"]["type"],
        "plover_mode": event["plover"]["mode"],
        "plover_context": ";".join(event["plover"]["context"]) or None,
        "modality": event["modality"],
        "attribution_text": attribution.get("text"),
        "attribution_code": attribution.get("code"),
        "location_name": loc.get("name"),
        "location_country": loc.get("country"),
        "location_lat": loc.get("lat"),
        "location_lon": loc.get("lon"),
        "location_geonameid": loc.get("geonameid"),
        "evidence_start": event["evidence"]["start"],
        "evidence_end": event["evidence"]["end"],
        "evidence_text": event["evidence"]["text"],
        "confidence": event["confidence"],
        "rule": event["rule"],
        "url": event.get("url"),
        "sentence": event["sentence"],
    }
    row.update(actor("source", event.get("source")))
    row.update(actor("target", event.get("target")))
    return {column: row.get(column) for column in CSV_COLUMNS}


def load_schema(name: str) -> dict[str, Any]:
    """The bundled JSON Schema for one kind of output object: ``event``, ``article``, ``quote``."""
    text = resources.files("dyads").joinpath("data/schema/dyads.schema.json").read_text("utf-8")
    schema = json.loads(text)
    if name not in schema["$defs"]:
        raise KeyError(f"no schema for {name!r}")
    return {**schema, "$ref": f"#/$defs/{name}"}
