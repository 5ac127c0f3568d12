"""Hand-built coded articles for the event store tests (no spaCy model needed)."""

from __future__ import annotations

import datetime as dt

from dyads.records import (
    Actor,
    Article,
    Attribution,
    CameoCode,
    CodedArticle,
    Event,
    EventDate,
    Mention,
    Place,
    PloverCode,
    Quote,
    Span,
)

ROOTS = {
    "01": ("Make public statement", 0.0, 1),
    "04": ("Consult", 1.0, 1),
    "06": ("Engage in material cooperation", 6.0, 2),
    "11": ("Disapprove", -2.0, 3),
    "16": ("Reduce relations", -4.0, 3),
    "19": ("Fight", -10.0, 4),
}
ACTORS = {
    "USA": Actor("USA", "USA", (), "United States", "country"),
    "USAGOV": Actor("USAGOV", "USA", ("GOV",), "United States", "organization"),
    "ISR": Actor("ISR", "ISR", (), "Israel", "country"),
    "ISRMIL": Actor("ISRMIL", "ISR", ("MIL",), "Israel Defense Forces", "organization"),
    "PSE": Actor("PSE", "PSE", (), "Palestine", "country"),
    "PSEREBHMS": Actor("PSEREBHMS", "PSE", ("REB", "HMS"), "Hamas", "group"),
    "IRN": Actor("IRN", "IRN", (), "Iran", "country"),
    "DEU": Actor("DEU", "DEU", (), "Germany", "country"),
    "IGOUNO": Actor("IGOUNO", None, ("IGO", "UNO"), "United Nations", "organization"),
    "SYRMOSSUN": Actor("SYRMOSSUN", "SYR", ("MOS", "SUN"), "Syrian Sunnis", "group"),
}
PLACES = {
    "Gaza": Place("Gaza", "PSE", 31.50161, 34.46672, 281133, "PSE-GZ", "city"),
    "Tehran": Place("Tehran", "IRN", 35.69439, 51.42151, 112931, "26", "city"),
    "Iran": Place("Iran", "IRN", 32.0, 53.0, 130758, None, "country"),
    "Washington": Place("Washington", "USA", 38.89511, -77.03637, 4140963, "DC", "city"),
}


def mention(text: str, start: int, code: str | None) -> Mention:
    actor = ACTORS[code] if code else Actor(None, reason="unresolved")
    return Mention(start, start + len(text), text, 0, 0, (0, 1), actor, "dictionary")


def make_article(
    article_id: str,
    date: str | None = "2024-03-01",
    events: list[dict] | None = None,
    url: str | None = None,
    text: str | None = None,
    title: str | None = None,
) -> CodedArticle:
    """An article whose text is one sentence per event: ``<source> <verb> <target>.``

    Each event spec may give source, target, root, code, modality, date (ISO), place (a key of
    PLACES), confidence and sentence_index."""
    specs = events if events is not None else [{"source": "ISR", "target": "PSE", "root": "19"}]
    sentences, built = [], []
    offset = 0
    for index, spec in enumerate(specs):
        src, tgt = spec.get("source"), spec.get("target")
        src_text = (ACTORS[src].name if src else "Someone") or "Someone"
        tgt_text = (ACTORS[tgt].name if tgt else "somebody") or "somebody"
        verb = spec.get("verb", "attacked")
        sentence = f"{src_text} {verb} {tgt_text} (report {article_id}/{index})."
        start = offset
        sentences.append(sentence)
        offset += len(sentence) + 1
        root = spec.get("root", "19")
        label, goldstein, quad = ROOTS[root]
        code = spec.get("code", root + "0")
        source = mention(src_text, start, src) if spec.get("source", "x") is not None else None
        tgt_start = start + len(src_text) + len(verb) + 2
        target = mention(tgt_text, tgt_start, tgt) if spec.get("target", "x") is not None else None
        event_date = None
        if spec.get("date"):
            event_date = EventDate(
                dt.date.fromisoformat(spec["date"]), "day", "on Monday", reason="weekday"
            )
        attribution = None
        if spec.get("attribution"):
            attribution = Attribution(
                "officials said", start, start + 14, ACTORS[spec["attribution"]], "said"
            )
        built.append(
            Event(
                article_id=article_id,
                sentence_index=spec.get("sentence_index", index),
                sentence=sentence,
                trigger=Span(
                    start + len(src_text) + 1, start + len(src_text) + 1 + len(verb), verb
                ),
                cameo=CameoCode(code, root, label, goldstein, quad),
                plover=PloverCode(
                    "ASSAULT" if quad == 4 else "CONSULT", None, ("military",) if quad == 4 else ()
                ),
                source=source,
                target=target,
                modality=spec.get("modality", "asserted"),
                modality_cue=spec.get("modality_cue", ""),
                attribution=attribution,
                date=event_date,
                location=PLACES.get(spec.get("place", "")),
                confidence=spec.get("confidence", 0.8),
                rule="test-pattern",
            )
        )
    body = text if text is not None else " ".join(sentences) or f"Nothing happened ({article_id})."
    article = Article(
        id=article_id,
        text=body,
        date=dt.date.fromisoformat(date) if date else None,
        title=title or f"Article {article_id}",
        url=url if url is not None else f"https://news.example.org/{article_id}",
        origin=f"test:{article_id}",
        date_source="given" if date else "none",
    )
    mentions = tuple(m for e in built for m in (e.source, e.target) if m is not None)
    quotes = (
        Quote(
            0, 10, body[:10], 0, "indirect", mentions[0] if mentions else None, Span(0, 3, body[:3])
        ),
    )
    places = tuple(e.location for e in built if e.location is not None)
    return CodedArticle(
        article=article, events=tuple(built), quotes=quotes, places=places, mentions=mentions
    )
