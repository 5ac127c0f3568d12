"""Temporal expression patterns: where a date may be written, and the filters against false ones.

Every pattern holds an *anchor* (a month or weekday name, a year, a digit pair with ``/`` or
``-``, or a keyword such as ``week`` or ``yesterday``); :func:`find_candidates` tries the
patterns only where an expression around an anchor may start. The filters are the project's
rules against false dates: month and weekday names must be capitalised, a bare month or year
needs a date context ("in May", "since 2011"), and "Good Friday", "the Sunday Times", "the March
23 Movement" or "of 2000 soldiers" are no dates. Resolution lives in :mod:`dyads.temporal`;
docs/dates.md documents both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = MappingProxyType({
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
})  # fmt: skip
NUMBER_WORDS = MappingProxyType({
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
})  # fmt: skip

# -- building blocks ------------------------------------------------------------------------
_MF = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)\b"
_MA = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?"
_M = rf"(?:{_MF}|{_MA})"
_NOT_A_COUNT = r"(?!\s*(?:%|percent\b|per\s+cent\b|million\b|billion\b|thousand\b|hundred\b))"
_D = rf"(?:3[01]|[12][0-9]|0?[1-9])(?:st|nd|rd|th)?(?![\d])(?!,\d)(?![.:]\d){_NOT_A_COUNT}"
_Y = rf"(?:1[89]\d\d|20\d\d)(?![\w%])(?!,\d)(?![.:/-]\d){_NOT_A_COUNT}"
_W = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
_TO = r"(?:\s*[-–—]\s*|\s+(?i:and|to|until|till|through|thru)\s+)"
_PERIOD_MOD = (
    r"(?i:early|late|mid|the\s+end\s+of|the\s+beginning\s+of|the\s+start\s+of|the\s+middle\s+of"
    r"|end\s+of|beginning\s+of|start\s+of)"
)

PATTERNS: Mapping[str, re.Pattern[str]] = MappingProxyType(
    {
        "range_md": re.compile(
            rf"(?:(?i:between|from)\s+)?(?P<m1>{_M})\s+(?P<d1>{_D}){_TO}(?:(?P<m2>{_M})\s+)?"
            rf"(?P<d2>{_D})(?:,?\s+(?P<y>{_Y}))?"
        ),
        "range_dm": re.compile(
            rf"(?:(?i:between|from)\s+)?\b(?P<d1>{_D}){_TO}(?P<d2>{_D})\s+(?:(?i:of)\s+)?"
            rf"(?P<m1>{_M})(?:,?\s+(?P<y>{_Y}))?"
        ),
        "range_y": re.compile(
            rf"(?i:between|from)\s+(?P<y1>{_Y})\s+(?i:and|to|until|through)\s+(?P<y2>{_Y})"
        ),
        "iso": re.compile(
            r"\b(?P<y>1[89]\d\d|20\d\d)-(?P<mo>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])\b"
        ),
        "numeric": re.compile(
            r"(?<![\d/])(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>(?:19|20)\d\d)(?![\d/])"
        ),
        "cal_md": re.compile(
            rf"(?:(?P<w>{_W}),?\s+)?(?P<m>{_M})\s+(?P<d>{_D})(?:,?\s+(?P<y>{_Y}))?"
        ),
        "cal_dm": re.compile(
            rf"(?:(?P<w>{_W}),?\s+)?(?:(?P<the>(?i:the))\s+)?\b(?P<d>{_D})\s+(?:(?P<of>(?i:of))\s+)?"
            rf"(?P<m>{_M})(?:,?\s+(?P<y>{_Y}))?"
        ),
        "month_year": re.compile(
            rf"(?:(?P<mod>{_PERIOD_MOD})(?:-|\s+))?(?P<m>{_M}),?\s+(?:(?i:of)\s+)?(?P<y>{_Y})"
        ),
        "weekday": re.compile(
            rf"(?:(?P<mod>(?i:early|late))\s+(?:(?i:on)\s+)?)?"
            rf"(?:(?P<rel>(?i:last|this\s+past|this\s+coming|this|next|coming|past))\s+)?"
            rf"(?P<w>{_W})(?:\s+(?P<part>(?i:morning|afternoon|evening|night))\b)?"
        ),
        "relative": re.compile(
            r"\b(?P<rel>(?i:the\s+day\s+before\s+yesterday|yesterday|today|tonight|tomorrow"
            r"|last\s+night|(?:earlier|later)\s+today|this\s+(?:morning|afternoon|evening)))\b"
        ),
        "period": re.compile(
            r"\b(?i:(?:(?P<mod>early|late|mid|earlier|later)[- ](?:in\s+)?)?"
            r"(?:(?P<edge>the\s+(?:end|beginning|start|middle)\s+of)\s+)?"
            r"(?P<rel>this|last|next)\s+(?P<unit>week|month|year|weekend))\b"
        ),
        "weekend": re.compile(r"\b(?i:the\s+weekend)\b"),
        "ago": re.compile(
            r"\b(?i:(?:(?:about|some|nearly|almost|roughly|around|more\s+than|over|less\s+than|just"
            r"|only)\s+)?(?P<n>an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
            r"|\d{1,3})\s+(?P<unit>day|week|month|year)s?\s+ago)\b"
        ),
        "anaphoric": re.compile(
            r"\b(?i:the\s+(?P<a1>previous|next|following|same)\s+(?P<u1>day|week|month|year)"
            r"|the\s+(?P<u2>day|week|month|year)\s+(?P<a2>before|after)"
            r"|(?P<n>an?|one|two|three|four|five|six|seven|\d{1,2})\s+(?P<u3>day|week|month|year)s?"
            r"\s+(?P<a3>earlier|later|before|after))\b"
        ),
        "month": re.compile(
            rf"(?:(?P<mod>{_PERIOD_MOD})(?:-|\s+)(?:(?i:in)\s+)?)?"
            rf"(?:(?P<rel>(?i:last|this\s+past|this\s+coming|this|next))\s+)?(?P<m>{_MF})(?!\s*\d)"
        ),
        "year": re.compile(rf"(?:(?P<mod>{_PERIOD_MOD})(?:-|\s+))?\b(?P<y>{_Y})"),
    }
)

# Words before a bare month or year that make it a date ("in May", "since 2011").
DATE_CONTEXT = frozenset(
    "in since by during until till through throughout from before after of between early late "
    "mid around circa year spring summer autumn fall winter".split()
)
_LINKS = frozenset({"and", "or", "to", "through", "until", "till"})
# Lower-case words that may follow a year without making it a count ("in 2024 troops" is not).
_COUNT_CONTEXT = frozenset("of by around about circa over".split())
_AFTER_YEAR_OK = frozenset(
    "and or to when as after before but the a an with in on at for that which while was were is "
    "had has have he she they it we i amid until through during by his her their its this".split()
)
# Capitalised words that turn a weekday into a name ("Good Friday", "Sunday Times").
_WEEKDAY_NAME_BEFORE = frozenset(
    "Good Bloody Black Super Ash Easter Holy Palm Cyber Boxing Shrove Maundy Giving Clean Fat "
    "Great Whit Low Rose Passion".split()
)
_WEEKDAY_NAME_AFTER = frozenset(
    "Times Telegraph Express Mirror Post Herald Mail Observer Independent Tribune Star Sport "
    "Sun Night Live School Agreement Accord Massacre Uprising Crusade Club".split()
)
_SENTENCE_PUNCT = frozenset(".!?\"“”'‘’([:;—–-\n")
_WORD_BEFORE = re.compile(r"([A-Za-z]+)\.?[\s-]*$")
_WORD_AFTER = re.compile(r"^[\s,]*([A-Za-z]+)")
CALENDAR_KINDS = ("cal_md", "cal_dm", "month_year", "iso", "numeric", "range_md", "range_dm")
CALENDARISH = re.compile(rf"\d.*{_M}|{_M}.*\d|\d{{1,4}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stretch of text that looks like a temporal expression, not yet resolved."""

    start: int
    end: int
    kind: str
    text: str
    groups: dict[str, str | None] = field(default_factory=dict, compare=False)


# -- finding ---------------------------------------------------------------------------------
def _word_before(text: str, start: int) -> str:
    m = _WORD_BEFORE.search(text[max(0, start - 40) : start])
    return m.group(1) if m else ""


def _sentence_initial(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    return not before or before[-1] in _SENTENCE_PUNCT


def _has_context(text: str, start: int, kind: str) -> bool:
    """Is a bare month or year at ``start`` in a date context?"""
    word = _word_before(text, start).lower()
    if word in DATE_CONTEXT:
        return True
    if word == "to" and _word_before(text, start - 3).lower() == "back":
        return True  # "dates back to 1948"
    if word in _LINKS:  # "between March and May", "2019 to 2022"
        window = text[max(0, start - 30) : start]
        probe = PATTERNS["month"] if kind == "month" else PATTERNS["year"]
        return bool(probe.search(window))
    return False


def _year_is_count(text: str, end: int, start: int) -> bool:
    """ "of 2000 troops": a number in a year's clothes."""
    if _word_before(text, start).lower() not in _COUNT_CONTEXT:
        return False
    m = _WORD_AFTER.match(text[end : end + 30])
    if not m or text[end : end + 1] == ",":
        return False
    after = m.group(1)
    return after.islower() and after not in _AFTER_YEAR_OK


def _keep(text: str, m: re.Match[str], kind: str) -> bool:
    """The project's filters against false dates, by kind."""
    g = m.groupdict()
    start, end = m.span()
    if kind == "weekday":
        if g.get("rel") is None and g.get("mod") is None:
            before = _word_before(text, start)
            if before in _WEEKDAY_NAME_BEFORE:
                return False
        after = _WORD_AFTER.match(text[end : end + 30])
        if after and text[end : end + 1] == " " and after.group(1) in _WEEKDAY_NAME_AFTER:
            return False
        return True
    if kind == "relative":
        # "Russia Today", "USA Today": a capitalised word inside a sentence is a name.
        return not (text[start].isupper() and not _sentence_initial(text, start))
    if kind in ("period", "ago", "anaphoric", "weekend"):
        if text[start].isupper() and not _sentence_initial(text, start):
            return False
        if (
            kind == "anaphoric"
            and _WORD_AFTER.match(text[end : end + 10] or " ")
            and (text[end:].lstrip().lower().startswith("than "))
        ):
            return False  # "a month later than planned": a comparison, not a date
        if kind == "anaphoric" and (g.get("a2") or g.get("a3") in ("before", "after")):
            # "the day before the election": relative to an event we cannot date.
            nxt = _WORD_AFTER.match(text[end : end + 20])
            if nxt and text[end : end + 1] == " ":
                return False
        return True
    if kind == "month":
        if g.get("mod") or g.get("rel"):
            return True
        if not _has_context(text, start, "month"):
            return False
        nxt = _WORD_AFTER.match(text[end : end + 20])  # "in May Day rallies"
        return not (nxt and text[end : end + 1] == " " and nxt.group(1)[0].isupper())
    if kind == "year":
        if not g.get("mod") and not _has_context(text, start, "year"):
            return False
        return not _year_is_count(text, end, start)
    if kind == "range_md":
        nxt = _WORD_AFTER.match(text[end : end + 20])
        if nxt and nxt.group(1).lower() in MONTHS:  # "Dec. 5 and 5 December"
            return False
    if kind == "range_dm" and _word_before(text, start).lower().rstrip(".") in MONTHS:
        return False  # "Dec. 5 and 5 December": the first number belongs to "Dec."
    if kind in ("cal_md", "cal_dm") and _word_before(text, start).lower() == "the":
        nxt = _WORD_AFTER.match(text[end : end + 20])
        if nxt and text[end : end + 1] == " " and nxt.group(1)[0].isupper():
            if nxt.group(1).lower() not in MONTHS and nxt.group(1) not in WEEKDAYS:
                return False  # "the March 23 Movement": part of a name
    if kind == "cal_dm":
        if g.get("the") and not (g.get("of") or not g["d"].isdigit()):
            return False
        return True
    return True


_MF_NAMES = (
    "January February March April May June July August September October November December".split()
)
_MA_NAMES = "Jan Feb Mar Apr Jun Jul Aug Sept Sep Oct Nov Dec".split()
_KEYWORDS = MappingProxyType(
    {
        "relative": "yesterday today tonight tomorrow night morning afternoon evening".split(),
        "unit": "week weeks month months year years weekend weekends day days".split(),
    }
)
# Which patterns can contain an anchor word of each class.
_KINDS_FOR = MappingProxyType(
    {
        "month": ("range_md", "range_dm", "cal_md", "cal_dm", "month_year", "month"),
        "weekday": ("weekday", "cal_md", "cal_dm"),
        "year": ("year", "range_y", "iso"),
        "relative": ("relative",),
        "unit": ("period", "weekend", "ago", "anaphoric", "relative"),
        "numeric": ("numeric", "iso"),
    }
)


def _anchor_pattern() -> re.Pattern[str]:
    groups = {
        "month": [*_MF_NAMES, *_MA_NAMES],
        "weekday": list(WEEKDAYS),
        "relative": [w for k in _KEYWORDS["relative"] for w in (k, k.capitalize())],
        "unit": [w for k in _KEYWORDS["unit"] for w in (k, k.capitalize())],
    }
    parts = [
        f"(?P<{name}>{'|'.join(sorted(words, key=len, reverse=True))})"
        for name, words in groups.items()
    ]
    parts += [r"(?P<year>(?:1[89]|20)\d\d)", r"(?P<numeric>\d/\d|\d-\d)"]
    return re.compile("|".join(parts))


_ANCHORS = _anchor_pattern()
_WORD_STARTS = re.compile(r"[A-Za-z0-9]+")
_LOOKBACK = 40  # characters, and at most 4 words, before an anchor where an expression may start


def find_candidates(text: str) -> list[Candidate]:
    """Every stretch of ``text`` that passes the patterns and filters, overlaps included.

    Every pattern contains an *anchor* (a month or weekday name, a year, a digit pair with ``/``
    or ``-``, or a keyword such as ``week`` or ``yesterday``); the patterns are tried only where
    an expression around an anchor may start (the anchor and up to four words before it), which
    is ~20x cheaper than scanning the whole text with every pattern.
    """
    out: list[Candidate] = []
    if not text:
        return out
    seen: set[tuple[int, str]] = set()
    size = len(text)
    for anchor in _ANCHORS.finditer(text):
        a_start, a_end = anchor.span()
        if anchor.lastgroup != "numeric" and (
            (a_start > 0 and text[a_start - 1].isalnum())
            or (a_end < size and text[a_end].isalnum())
        ):
            continue  # inside a longer word ("holiday", "Decision")
        back = max(0, a_start - _LOOKBACK)
        starts = [w.start() for w in _WORD_STARTS.finditer(text, back, a_start)][-4:]
        starts.append(a_start)
        for kind in _KINDS_FOR[anchor.lastgroup or "numeric"]:
            pattern = PATTERNS[kind]
            for start in starts:
                if (start, kind) in seen:
                    continue
                seen.add((start, kind))
                m = pattern.match(text, start)
                if m and m.end() > m.start() and _keep(text, m, kind):
                    out.append(Candidate(m.start(), m.end(), kind, m.group(0), m.groupdict()))
    return out


def select_longest(items: Iterable[Any]) -> list[Any]:
    """Non-overlapping items (anything with ``start``/``end``), longest first, in text order."""
    chosen: list[Any] = []
    for item in sorted(items, key=lambda x: (-(x.end - x.start), x.start)):
        if all(item.end <= c.start or item.start >= c.end for c in chosen):
            chosen.append(item)
    return sorted(chosen, key=lambda x: x.start)
