"""Temporal expressions: find them in text and resolve them against the publication date.

Pure code, no spaCy: the dates stage (:mod:`dyads.stages.dates`) feeds it sentence text and spaCy
``DATE``/``TIME`` entities, decides the tense of each expression's clause and attaches the results
to events. The rules are documented in ``docs/dates.md``; in short:

- **value** is the day an expression points to, or the first day of the period it names (Monday
  of a week, the 1st of a month, 1 January of a year, the first day of a range);
  **granularity** is ``day``, ``week``, ``month`` or ``year`` (ranges: by their length).
- Weekdays point to the most recent such day before publication, or, in a future-tense clause,
  the next one after it; the publication's own weekday is the publication day (configurable).
- A month or a year standing alone is a date only in a date context ("in May", "since 2011",
  "early 2023"); month and weekday names must be capitalised; a 4-digit number is a year only
  there. Decades ("the 1990s"), durations ("for two weeks") and vague spans ("in recent days",
  "the past week") are not dates.
- Explicit calendar dates in the usual news forms ("Dec. 5", "December 5, 2024", "5 December
  2024", "2024-12-05") are parsed here; other calendar-looking strings found by spaCy are given
  to ``dateparser`` (English only, ``RELATIVE_BASE`` = publication date) with a cache.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .records import EventDate

log = logging.getLogger(__name__)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip

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

PATTERNS: dict[str, re.Pattern[str]] = {
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
    "numeric": re.compile(r"(?<![\d/])(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>(?:19|20)\d\d)(?![\d/])"),
    "cal_md": re.compile(rf"(?:(?P<w>{_W}),?\s+)?(?P<m>{_M})\s+(?P<d>{_D})(?:,?\s+(?P<y>{_Y}))?"),
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
_CALENDARISH = re.compile(rf"\d.*{_M}|{_M}.*\d|\d{{1,4}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stretch of text that looks like a temporal expression, not yet resolved."""

    start: int
    end: int
    kind: str
    text: str
    groups: dict[str, str | None] = field(default_factory=dict, compare=False)


# -- small date helpers ----------------------------------------------------------------------
def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _number(word: str) -> int | None:
    word = word.lower()
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(word)


def _month(word: str) -> int:
    return MONTHS[word.rstrip(".").lower()]


def _day(word: str) -> int:
    return int(re.match(r"\d+", word).group(0))  # type: ignore[union-attr]


def _granularity_of_span(first: dt.date, last: dt.date) -> str:
    days = (last - first).days
    if days <= 0:
        return "day"
    if days <= 7:
        return "week"
    if days <= 31:
        return "month"
    return "year"


def _spaced(text: str) -> str:
    return " ".join(text.split())


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
    if kind == "cal_dm":
        if g.get("the") and not (g.get("of") or not g["d"].isdigit()):
            return False
        return True
    return True


_MF_NAMES = (
    "January February March April May June July August September October November December".split()
)
_MA_NAMES = "Jan Feb Mar Apr Jun Jul Aug Sept Sep Oct Nov Dec".split()
_KEYWORDS = {
    "relative": "yesterday today tonight tomorrow night morning afternoon evening".split(),
    "unit": "week weeks month months year years weekend weekends day days".split(),
}
# Which patterns can contain an anchor word of each class.
_KINDS_FOR = {
    "month": ("range_md", "range_dm", "cal_md", "cal_dm", "month_year", "month"),
    "weekday": ("weekday", "cal_md", "cal_dm"),
    "year": ("year", "range_y", "iso"),
    "relative": ("relative",),
    "unit": ("period", "weekend", "ago", "anaphoric", "relative"),
    "numeric": ("numeric", "iso"),
}


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


# -- resolving -------------------------------------------------------------------------------
@dataclass
class TemporalResolver:
    """Resolves candidates against a publication date; holds the dateparser cache.

    ``same_weekday_is_publication_day``: "on Friday" in an article published on a Friday means
    that day (true in news wires: see docs/dates.md); set false to send it back a week.
    """

    use_dateparser: bool = True
    same_weekday_is_publication_day: bool = True
    cache_size: int = 4096
    _cache: dict[tuple[str, dt.date | None, bool], tuple[dt.date, str] | None] = field(
        default_factory=dict, repr=False
    )
    _parser: Any = field(default=None, repr=False)

    # ---- public ---------------------------------------------------------------------------
    def find(
        self,
        text: str,
        published: dt.date | None,
        *,
        offset: int = 0,
        future: bool = False,
        anchor: dt.date | None = None,
    ) -> list[EventDate]:
        """All expressions of ``text`` resolved, non-overlapping, offsets shifted by ``offset``."""
        resolved = []
        for cand in sorted(find_candidates(text), key=lambda c: c.start):
            found = self.resolve(cand, published, future=future, anchor=anchor)
            if found is not None:
                resolved.append(found)
                if found.granularity == "day" and cand.kind != "anaphoric":
                    anchor = found.value
        return [
            EventDate(d.value, d.granularity, d.text, d.start + offset, d.end + offset, d.reason)  # type: ignore[operator]
            for d in select_longest(resolved)
        ]

    def resolve(
        self,
        cand: Candidate,
        published: dt.date | None,
        *,
        future: bool = False,
        anchor: dt.date | None = None,
    ) -> EventDate | None:
        try:
            result = self._resolve(cand, published, future, anchor)
        except (ValueError, OverflowError, KeyError, AttributeError):  # never let a date crash
            log.debug("could not resolve %r", cand.text, exc_info=True)
            return None
        if result is None:
            return None
        value, granularity, reason = result
        return EventDate(value, granularity, cand.text, cand.start, cand.end, reason)

    def resolve_calendar_text(
        self, text: str, published: dt.date | None, *, future: bool = False
    ) -> tuple[dt.date, str] | None:
        """An explicit calendar date our patterns missed, through dateparser (cached)."""
        if not self.use_dateparser or not _CALENDARISH.search(text):
            return None
        key = (_spaced(text), published, future)
        if key in self._cache:
            return self._cache[key]
        if len(self._cache) >= self.cache_size:
            self._cache.clear()
        result = self._dateparser(key[0], published, future)
        self._cache[key] = result
        return result

    # ---- internals ------------------------------------------------------------------------
    def _dateparser(
        self, text: str, published: dt.date | None, future: bool
    ) -> tuple[dt.date, str] | None:
        from dateparser.date import DateDataParser  # local: ~0.3 s import, rarely needed

        base = dt.datetime.combine(published or dt.date.today(), dt.time(12))
        settings = {
            "PREFER_DATES_FROM": "future" if future else "past",
            "RELATIVE_BASE": base,
            "REQUIRE_PARTS": ["month"],
            "PARSERS": ["absolute-time"],
            "DATE_ORDER": "MDY",
        }
        parser = DateDataParser(languages=["en"], try_previous_locales=False, settings=settings)
        try:
            data = parser.get_date_data(text)
        except Exception:  # dateparser raises assorted errors on odd input
            return None
        if data.date_obj is None:
            return None
        value = data.date_obj.date()
        if data.period == "day":
            return value, "day"
        if data.period == "month":
            return value.replace(day=1), "month"
        return None

    def _weekday(
        self, name: str, rel: str | None, published: dt.date, future: bool
    ) -> tuple[dt.date, str]:
        target = WEEKDAYS.index(name)
        back = (published.weekday() - target) % 7  # days back to the most recent one (0 = today)
        ahead = (target - published.weekday()) % 7
        rel = _spaced(rel or "").lower()
        if rel in ("last", "this past", "past"):
            return published - dt.timedelta(days=back or 7), f"'{rel} {name}': the one before"
        if rel in ("next", "this coming", "coming"):
            return published + dt.timedelta(days=ahead or 7), f"'{rel} {name}': the one after"
        if back == 0 and (self.same_weekday_is_publication_day or rel == "this"):
            return published, f"{name} is the publication's weekday"
        if future:
            return published + dt.timedelta(days=ahead or 7), f"{name} after publication (future)"
        return published - dt.timedelta(days=back or 7), f"{name} before publication"

    def _resolve(
        self, cand: Candidate, pub: dt.date | None, future: bool, anchor: dt.date | None
    ) -> tuple[dt.date, str, str] | None:
        g, kind = cand.groups, cand.kind
        if kind in ("cal_md", "cal_dm", "iso", "numeric"):
            return self._calendar(g, kind, pub, future)
        if kind in ("range_md", "range_dm"):
            return self._range(g, pub, future)
        if kind == "range_y":
            first, last = int(g["y1"]), int(g["y2"])  # type: ignore[arg-type]
            if last < first:
                return None
            return dt.date(first, 1, 1), "year", f"years {first}–{last}: first year"
        if kind == "month_year":
            month, year = _month(g["m"]), int(g["y"])  # type: ignore[arg-type]
            return dt.date(year, month, 1), "month", "month and year"
        if kind == "year":
            mod = f" ({_spaced(g['mod'])})" if g.get("mod") else ""
            return dt.date(int(g["y"]), 1, 1), "year", f"year in a date context{mod}"  # type: ignore[arg-type]
        if pub is None:  # everything below is relative to the publication date
            return None
        if kind == "weekday":
            value, why = self._weekday(g["w"], g.get("rel"), pub, future)  # type: ignore[arg-type]
            return value, "day", why
        if kind == "relative":
            return self._relative(_spaced(g["rel"]).lower(), pub)  # type: ignore[arg-type]
        if kind == "period":
            return self._period(g, pub)
        if kind == "weekend":
            back = (pub.weekday() - 5) % 7
            saturday = pub - dt.timedelta(days=back)
            if future and pub.weekday() < 5:
                saturday = pub + dt.timedelta(days=5 - pub.weekday())
            return saturday, "week", "the weekend: its Saturday"
        if kind == "ago":
            return self._ago(g, pub)
        if kind == "anaphoric":
            return self._anaphoric(g, anchor or pub, anchor is not None)
        if kind == "month":
            return self._month_alone(g, pub, future)
        return None

    def _calendar(
        self, g: dict[str, str | None], kind: str, pub: dt.date | None, future: bool
    ) -> tuple[dt.date, str, str] | None:
        if kind == "iso":
            value = _date(int(g["y"]), int(g["mo"]), int(g["d"]))  # type: ignore[arg-type]
            return (value, "day", "ISO date") if value else None
        if kind == "numeric":
            a, b, y = int(g["a"]), int(g["b"]), int(g["y"])  # type: ignore[arg-type]
            value = _date(y, a, b) or _date(y, b, a)  # month/day/year first (US), else day/month
            return (value, "day", "numeric date (M/D/Y)") if value else None
        month, day = _month(g["m"]), _day(g["d"])  # type: ignore[arg-type]
        if g.get("y"):
            value = _date(int(g["y"]), month, day)  # type: ignore[arg-type]
            return (value, "day", "calendar date") if value else None
        if pub is None:
            return None
        value = self._infer_year(month, day, pub, future)
        if value is None:
            return None
        return (
            value,
            "day",
            f"calendar date, year from publication ({'future' if future else 'past'})",
        )

    @staticmethod
    def _infer_year(month: int, day: int, pub: dt.date, future: bool) -> dt.date | None:
        """The year of a month-day: the latest one up to two weeks after publication, or in a
        future-tense clause the first one from a week before publication."""
        options = [d for d in (_date(pub.year + k, month, day) for k in (-1, 0, 1)) if d]
        if future:
            later = [d for d in options if d >= pub - dt.timedelta(days=7)]
            return min(later) if later else None
        earlier = [d for d in options if d <= pub + dt.timedelta(days=14)]
        return max(earlier) if earlier else None

    def _range(
        self, g: dict[str, str | None], pub: dt.date | None, future: bool
    ) -> tuple[dt.date, str, str] | None:
        m1 = _month(g["m1"])  # type: ignore[arg-type]
        m2 = _month(g["m2"]) if g.get("m2") else m1
        d1, d2 = _day(g["d1"]), _day(g["d2"])  # type: ignore[arg-type]
        if g.get("y"):
            year = int(g["y"])  # type: ignore[arg-type]
            first = _date(year, m1, d1)
        elif pub is not None:
            first = self._infer_year(m1, d1, pub, future)
        else:
            return None
        if first is None:
            return None
        last = _date(first.year + (1 if m2 < m1 else 0), m2, d2)
        if last is None or last < first:
            return None
        return first, _granularity_of_span(first, last), f"range to {last.isoformat()}: first day"

    @staticmethod
    def _relative(word: str, pub: dt.date) -> tuple[dt.date, str, str]:
        one = dt.timedelta(days=1)
        table = {
            "yesterday": (pub - one, "yesterday"),
            "last night": (pub - one, "last night: the evening before publication"),
            "the day before yesterday": (pub - 2 * one, "the day before yesterday"),
            "tomorrow": (pub + one, "tomorrow"),
        }
        value, why = table.get(word, (pub, f"'{word}': the publication day"))
        return value, "day", why

    @staticmethod
    def _period(g: dict[str, str | None], pub: dt.date) -> tuple[dt.date, str, str]:
        rel, unit = g["rel"].lower(), g["unit"].lower()  # type: ignore[union-attr]
        step = {"this": 0, "last": -1, "next": 1}[rel]
        mod = _spaced(g.get("mod") or g.get("edge") or "").lower()
        why = f"{(mod + ' ') if mod else ''}{rel} {unit}"
        if unit == "week":
            return _week_start(pub) + dt.timedelta(weeks=step), "week", why + ": its Monday"
        if unit == "weekend":
            saturday = _week_start(pub) + dt.timedelta(days=5, weeks=step)
            if rel == "last" and pub.weekday() >= 5:
                saturday = _week_start(pub) + dt.timedelta(days=5)
            return saturday, "week", why + ": its Saturday"
        if unit == "month":
            return _add_months(pub.replace(day=1), step), "month", why
        return dt.date(pub.year + step, 1, 1), "year", why

    @staticmethod
    def _ago(g: dict[str, str | None], pub: dt.date) -> tuple[dt.date, str, str] | None:
        n = _number(g["n"])  # type: ignore[arg-type]
        unit = g["unit"].lower()  # type: ignore[union-attr]
        if n is None or n > 400:
            return None
        why = f"{n} {unit}(s) before publication"
        if unit == "day":
            return pub - dt.timedelta(days=n), "day", why
        if unit == "week":
            return pub - dt.timedelta(weeks=n), "week", why
        if unit == "month":
            return _add_months(pub.replace(day=1), -n), "month", why
        return dt.date(pub.year - n, 1, 1), "year", why

    @staticmethod
    def _anaphoric(
        g: dict[str, str | None], base: dt.date, has_anchor: bool
    ) -> tuple[dt.date, str, str] | None:
        word = (g.get("a1") or g.get("a2") or g.get("a3") or "").lower()
        unit = (g.get("u1") or g.get("u2") or g.get("u3") or "").lower()
        n = _number(g["n"]) if g.get("n") else 1
        if n is None:
            return None
        sign = {"previous": -1, "before": -1, "earlier": -1, "same": 0}.get(word, 1)
        source = "the date mentioned before" if has_anchor else "publication"
        why = f"'{word}' {unit}, relative to {source}"
        if unit == "day":
            return base + dt.timedelta(days=sign * n), "day", why
        if unit == "week":
            return _week_start(base) + dt.timedelta(weeks=sign * n), "week", why
        if unit == "month":
            return _add_months(base.replace(day=1), sign * n), "month", why
        return dt.date(base.year + sign * n, 1, 1), "year", why

    @staticmethod
    def _month_alone(
        g: dict[str, str | None], pub: dt.date, future: bool
    ) -> tuple[dt.date, str, str]:
        month = _month(g["m"])  # type: ignore[arg-type]
        rel = _spaced(g.get("rel") or "").lower()
        if rel in ("last", "this past"):
            year = pub.year if month < pub.month else pub.year - 1
        elif rel in ("next", "this coming"):
            year = pub.year if month > pub.month else pub.year + 1
        elif rel == "this":
            year = pub.year
        elif future:
            year = pub.year if month >= pub.month else pub.year + 1
        else:
            year = pub.year if month <= pub.month else pub.year - 1
        tense = rel or ("future" if future else "past")
        return dt.date(year, month, 1), "month", f"month without year ({tense})"


def find_expressions(
    text: str,
    published: dt.date | None,
    *,
    future: bool = False,
    anchor: dt.date | None = None,
    resolver: TemporalResolver | None = None,
) -> list[EventDate]:
    """Every temporal expression of ``text``, resolved; offsets are into ``text``."""
    return (resolver or TemporalResolver()).find(text, published, future=future, anchor=anchor)


def resolve_expression(
    text: str,
    published: dt.date | None,
    *,
    future: bool = False,
    anchor: dt.date | None = None,
    resolver: TemporalResolver | None = None,
) -> EventDate | None:
    """The first temporal expression of ``text`` resolved against ``published``, or ``None``.

    ``text`` may carry its preposition ("on Wednesday night", "in 2024"): bare months and years
    need one. Offsets in the result are into ``text``.
    """
    resolver = resolver or TemporalResolver()
    found = resolver.find(text, published, future=future, anchor=anchor)
    if found:
        return found[0]
    stripped = text.strip()
    hit = resolver.resolve_calendar_text(stripped, published, future=future)
    if hit is None:
        return None
    start = text.index(stripped)
    return EventDate(
        hit[0], hit[1], stripped, start, start + len(stripped), "calendar date (dateparser)"
    )
