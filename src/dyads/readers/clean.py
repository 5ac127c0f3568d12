"""Find the parts of an article that are not body text: photo credits and captions.

News pages pasted as text keep their picture furniture inline, e.g. (from the seed article)::

    ... began in Rafah. US Secretary of State Antony Blinken, December 5, 2024 (illustration).
    (credit: REUTERS/AMMAR AWAD, REUTERS/FLORION GOGA)

Such spans keep their offsets in ``Article.text`` but are blanked out before parsing, so they can
never yield an actor, an event, a date or a place. The rules (documented in docs/readers.md):

1. a credit marker: a parenthesised or line-initial ``credit:``, ``photo:``, ``photo credit``,
   ``image:``, ``(AP Photo/...)``, ``(Reuters/...)``-style credit, ``Getty Images``;
2. the caption in front of a credit marker: the sentence just before it, when that sentence is
   caption-like (ends with a tag such as ``(illustration)``, ``(file photo)``, ``(archive)``, or is
   a name followed by a date, e.g. ``..., December 5, 2024``), and
3. a line that is only a caption tag line (``FILE - ...`` lines of wire pictures, ``Photo: ...``).
"""

from __future__ import annotations

import re

from ..records import Span

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_CREDIT = re.compile(
    r"""
    \(\s*(?:photo\s*)?(?:credit|credits|photo|photograph|image|picture|courtesy)\s*:[^()\n]{0,300}\)
    | \(\s*(?:AP|AFP|Reuters|REUTERS|EPA|Getty\ Images|AP\ Photo|Xinhua)\s*(?:Photo)?\s*/[^()\n]{0,200}\)
    | (?m:^[ \t]*(?:photo\s*)?(?:credit|credits|photo|image)\s*:[^\n]{0,300}$)
    """,
    re.IGNORECASE | re.VERBOSE,
)
_CAPTION_TAG = re.compile(
    r"\((?:illustration|illustrative|file|file\s+photo|archive|archives|photo|pictured|"
    r"left|right|center|centre|screenshot|screengrab|video\s+screenshot)\)\s*\.?\s*$",
    re.IGNORECASE,
)
_NAME_DATE = re.compile(rf",\s*{_MONTH}\s+\d{{1,2}},\s*\d{{4}}\s*\.?\s*$")
_FILE_LINE = re.compile(r"(?m)^[ \t]*(?:FILE|FILE PHOTO)\s+[-–—]\s[^\n]{0,600}$")
# A sentence boundary we can find without a parser: end punctuation followed by space or a newline.
_BOUNDARY = re.compile(r"(?:[.!?][\"'”’)]?\s+|\n\s*)")


def _caption_before(text: str, credit_start: int) -> Span | None:
    """The caption-like sentence right before a credit marker, if there is one."""
    head = text[:credit_start].rstrip()
    if not head:
        return None
    window_start = max(0, len(head) - 400)
    window = head[window_start:]
    # the last boundary inside the window that is not the final character
    start = window_start
    for m in _BOUNDARY.finditer(window[:-1] if window.endswith(".") else window):
        start = window_start + m.end()
    sentence = head[start:]
    if not sentence.strip():
        return None
    if _CAPTION_TAG.search(sentence) or _NAME_DATE.search(sentence):
        return Span(start, len(head), head[start:])
    return None


def find_excluded(text: str) -> tuple[Span, ...]:
    """Spans of ``text`` that are credits or captions, sorted and non-overlapping."""
    spans: list[Span] = []
    for m in _CREDIT.finditer(text):
        spans.append(Span(m.start(), m.end(), m.group(0)))
        caption = _caption_before(text, m.start())
        if caption is not None:
            spans.append(caption)
    for m in _FILE_LINE.finditer(text):
        spans.append(Span(m.start(), m.end(), m.group(0)))
    if not spans:
        return ()
    spans.sort(key=lambda s: (s.start, -s.end))
    merged: list[Span] = []
    for s in spans:
        if merged and s.start <= merged[-1].end:
            last = merged[-1]
            if s.end > last.end:
                merged[-1] = Span(last.start, s.end, text[last.start : s.end])
            continue
        merged.append(s)
    return tuple(merged)


def blank_excluded(text: str, excluded: tuple[Span, ...]) -> str:
    """``text`` with excluded spans replaced by spaces (newline kept), so offsets do not move."""
    if not excluded:
        return text
    parts: list[str] = []
    pos = 0
    for span in excluded:
        parts.append(text[pos : span.start])
        blank = "".join("\n" if ch == "\n" else " " for ch in text[span.start : span.end])
        # Close the sentence before the blank so the parser does not glue neighbours together.
        if blank and span.end < len(text):
            blank = blank[:-1] + "\n"
        parts.append(blank)
        pos = span.end
    parts.append(text[pos:])
    return "".join(parts)
