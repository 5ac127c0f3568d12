"""An event's evidence as the event view shows it: the sentence cut into highlighted segments
(source, trigger, target, attribution, date, place) and the modality, attribution and QuadClass
spelled out in words.

Offsets in the store are offsets into the article text, which the store does not keep; the
sentence is kept, and ``article.text[start:end] == text`` holds for every span, so the sentence's
own start is the one offset at which the spans of its events fall on their words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

ROLES = ("source", "trigger", "target", "attribution", "date", "location")

QUAD_CLASSES = {
    1: "Verbal cooperation",
    2: "Material cooperation",
    3: "Verbal conflict",
    4: "Material conflict",
}

MODALITIES = {
    "asserted": "Asserted: reported as having happened.",
    "negated": "Negated: reported as not having happened (not, never, failed or refused to).",
    "intended": "Intended: wanted, planned, offered or promised; it has not happened (yet).",
    "threatened": "Threatened: someone threatened or warned that it would happen.",
    "hypothetical": "Hypothetical: it could, might or would happen, or only under a condition.",
    "future": "Future: announced as going to happen (will, is set to).",
    "prevented": "Prevented: something stopped, blocked or banned it.",
    "denied": "Denied: someone denies that it happened.",
}


def _find_all(text: str, part: str) -> Iterable[int]:
    start = text.find(part)
    while start != -1:
        yield start
        start = text.find(part, start + 1)


def locate_sentence(sentence: str, spans: Iterable[tuple[int, int, str]]) -> int | None:
    """The article offset where ``sentence`` starts, from spans known by article offsets: the
    offset at which the most spans fall exactly on their words (``None`` if none does)."""
    spans = [(s, e, t) for s, e, t in spans if t and s is not None and e is not None]
    candidates = {s - i for s, _, t in spans for i in _find_all(sentence, t)}
    best, best_score = None, 0
    for offset in sorted(candidates):
        score = sum(
            1
            for s, e, t in spans
            if 0 <= s - offset
            and e - offset <= len(sentence)
            and sentence[s - offset : e - offset] == t
        )
        if score > best_score:
            best, best_score = offset, score
    return best if best_score else None


def event_spans(event: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The spans of a contract event, by role, with article offsets."""
    out = []

    def add(role: str, obj: Mapping[str, Any] | None) -> None:
        if obj and obj.get("start") is not None and obj.get("end") is not None and obj.get("text"):
            out.append(
                {"role": role, "start": obj["start"], "end": obj["end"], "text": obj["text"]}
            )

    add("source", event.get("source"))
    add("trigger", event.get("evidence"))
    add("target", event.get("target"))
    add("attribution", event.get("attribution"))
    add("date", event.get("date"))
    add("location", event.get("location"))
    return out


def highlight(event: Mapping[str, Any], others: Iterable[tuple[int, int, str]] = ()) -> dict:
    """The sentence of ``event`` with its spans: offsets in the sentence and segments to show.

    ``others`` are more spans of the same sentence (from other events) that help to place it.
    Spans outside the sentence (an antecedent, a date from an earlier sentence) are listed with
    ``in_sentence: false``."""
    sentence = event["sentence"]
    spans = event_spans(event)
    start = locate_sentence(
        sentence, [(s["start"], s["end"], s["text"]) for s in spans] + list(others)
    )
    placed = []
    for span in spans:
        inside = (
            start is not None
            and span["start"] >= start
            and span["end"] <= start + len(sentence)
            and sentence[span["start"] - start : span["end"] - start] == span["text"]
        )
        placed.append(
            {
                **span,
                "in_sentence": inside,
                "sentence_start": span["start"] - start if inside and start is not None else None,
                "sentence_end": span["end"] - start if inside and start is not None else None,
            }
        )
    return {
        "sentence_start": start,
        "sentence_end": None if start is None else start + len(sentence),
        "spans": placed,
        "segments": segments(sentence, placed),
    }


def segments(sentence: str, spans: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The sentence cut at every span boundary; each piece lists the roles that cover it."""
    inside = [s for s in spans if s.get("in_sentence")]
    cuts = {0, len(sentence)}
    for span in inside:
        cuts.update((span["sentence_start"], span["sentence_end"]))
    bounds = sorted(c for c in cuts if 0 <= c <= len(sentence))
    out = []
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        if lo == hi:
            continue
        roles = [
            s["role"]
            for s in sorted(inside, key=lambda s: ROLES.index(s["role"]))
            if s["sentence_start"] <= lo and hi <= s["sentence_end"]
        ]
        out.append({"text": sentence[lo:hi], "roles": roles})
    return out


def _who(obj: Mapping[str, Any] | None) -> str:
    if not obj:
        return "unknown"
    name = obj.get("name") or obj.get("text") or "unknown"
    code = obj.get("code")
    return f"{name} ({code})" if code and code != name else name


def explain(event: Mapping[str, Any]) -> dict[str, str]:
    """The event in words: what, who to whom, modality, attribution, when and where."""
    cameo = event["cameo"]
    modality = event["modality"]
    cue = event.get("modality_cue")
    modality_text = MODALITIES.get(modality, modality)
    if cue:
        modality_text += f' Deciding word: "{cue}".'
    if cameo.get("modal_code") and cameo["modal_code"] != cameo["code"]:
        modality_text += f" CAMEO's own rules would code it {cameo['modal_code']}."
    attribution = event.get("attribution")
    if attribution:
        how = f' ("{attribution["cue"]}")' if attribution.get("cue") else ""
        who = f'"{attribution["text"]}"'
        resolved = _who({**attribution, "text": None})
        if resolved != "unknown" and resolved != attribution["text"]:
            who += f" ({resolved})"
        attribution_text = f"According to {who}{how}: the article reports their claim."
    else:
        attribution_text = "The article's own voice: no quoted or reported source."
    date = event.get("date") or {}
    if date.get("value"):
        when = f"{date['value']} ({date.get('granularity')}"
        when += f', from "{date["text"]}"' if date.get("text") else ""
        when += f"; {date['reason']})" if date.get("reason") else ")"
    else:
        when = "undated"
    location = event.get("location")
    where = "no place given"
    if location:
        where = location["name"] + (f", {location['country']}" if location.get("country") else "")
    quad = QUAD_CLASSES.get(cameo.get("quad_class"), "")
    return {
        "summary": f"{_who(event.get('source'))} → {cameo['label']} ({cameo['code']}) → {_who(event.get('target'))}",
        "quad_class": f"{quad} (QuadClass {cameo.get('quad_class')}), Goldstein {cameo.get('goldstein')}",
        "modality": modality_text,
        "attribution": attribution_text,
        "date": when,
        "location": where,
    }
