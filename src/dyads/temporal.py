"""Temporal expressions: find them in text and resolve them against the publication date.

Pure code, no spaCy: the dates stage (:mod:`dyads.stages.dates`) feeds it the article text and
spaCy ``DATE`` entities, decides the tense of each expression's clause and attaches the results
to events. The patterns and filters that find candidates are in :mod:`dyads.temporal_patterns`.
The rules are documented in ``docs/dates.md``; in short:

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
from dataclasses import dataclass, field
from typing import Any

from .records import EventDate
from .temporal_patterns import (
    CALENDAR_KINDS,
    CALENDARISH,
    MONTHS,
    NUMBER_WORDS,
    PATTERNS,
    WEEKDAYS,
    Candidate,
    find_candidates,
    select_longest,
)

log = logging.getLogger(__name__)

__all__ = [
    "PATTERNS",
    "WEEKDAYS",
    "Candidate",
    "TemporalResolver",
    "find_candidates",
    "find_expressions",
    "resolve_expression",
    "select_longest",
]


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
    if days <= 1:  # "Feb. 13-14": two days
        return "day"
    if days <= 7:
        return "week"
    if days <= 31:
        return "month"
    return "year"


def _spaced(text: str) -> str:
    return " ".join(text.split())


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
        tense: str | None = None,
        anchor: dt.date | None = None,
    ) -> list[EventDate]:
        """All expressions of ``text`` resolved, non-overlapping, offsets shifted by ``offset``.

        ``tense`` ("past", "future" or None for unknown) is that of the clause; see
        :meth:`resolve`.
        """
        resolved = []
        for cand in sorted(find_candidates(text), key=lambda c: c.start):
            found = self.resolve(cand, published, tense=tense, anchor=anchor)
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
        tense: str | None = None,
        anchor: dt.date | None = None,
    ) -> EventDate | None:
        """Resolve one candidate. ``tense`` of its clause: "future" sends weekdays, months and
        year-less dates forward; "past" keeps a year-less date at or before publication; None
        (unknown) allows a year-less date up to two weeks after it. ``anchor``: the last day
        named before, for "the previous day"."""
        try:
            result = self._resolve(cand, published, tense, anchor)
        except (ValueError, OverflowError, KeyError, AttributeError):  # never let a date crash
            log.debug("could not resolve %r", cand.text, exc_info=True)
            return None
        if result is None:
            return None
        value, granularity, reason = result
        return EventDate(value, granularity, cand.text, cand.start, cand.end, reason)

    def resolve_calendar_text(
        self, text: str, published: dt.date | None, *, tense: str | None = None
    ) -> tuple[dt.date, str] | None:
        """An explicit calendar date our patterns missed, through dateparser (cached)."""
        if not self.use_dateparser or not CALENDARISH.search(text):
            return None
        if any(PATTERNS[k].search(text) for k in CALENDAR_KINDS):
            return None  # our own patterns know this shape, and their filters said no
        if published is None and not re.search(r"\b(?:1[89]|20)\d\d\b", text):
            return None  # nothing to take the year from
        future = tense == "future"
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

        base = dt.datetime.combine(published or dt.date(2000, 1, 1), dt.time(12))
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
        self, cand: Candidate, pub: dt.date | None, tense: str | None, anchor: dt.date | None
    ) -> tuple[dt.date, str, str] | None:
        g, kind = cand.groups, cand.kind
        future = tense == "future"
        if kind in ("cal_md", "cal_dm", "iso", "numeric"):
            return self._calendar(g, kind, pub, tense)
        if kind in ("range_md", "range_dm"):
            return self._range(g, pub, tense)
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
        self, g: dict[str, str | None], kind: str, pub: dt.date | None, tense: str | None
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
        value = self._infer_year(month, day, pub, tense)
        if value is None:
            return None
        return value, "day", f"calendar date, year from publication ({tense or 'tense unknown'})"

    @staticmethod
    def _infer_year(month: int, day: int, pub: dt.date, tense: str | None) -> dt.date | None:
        """The year of a month-day: in a future-tense clause the first one from a week before
        publication on; in a past-tense clause the last one up to publication; otherwise the
        last one up to two weeks after publication ("the deadline is March 1")."""
        options = [d for d in (_date(pub.year + k, month, day) for k in (-1, 0, 1)) if d]
        if tense == "future":
            later = [d for d in options if d >= pub - dt.timedelta(days=7)]
            return min(later) if later else None
        slack = dt.timedelta(days=0 if tense == "past" else 14)
        earlier = [d for d in options if d <= pub + slack]
        return max(earlier) if earlier else None

    def _range(
        self, g: dict[str, str | None], pub: dt.date | None, tense: str | None
    ) -> tuple[dt.date, str, str] | None:
        m1 = _month(g["m1"])  # type: ignore[arg-type]
        m2 = _month(g["m2"]) if g.get("m2") else m1
        d1, d2 = _day(g["d1"]), _day(g["d2"])  # type: ignore[arg-type]
        if g.get("y"):
            year = int(g["y"])  # type: ignore[arg-type]
            first = _date(year, m1, d1)
        elif pub is not None:
            first = self._infer_year(m1, d1, pub, tense)
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
    tense: str | None = None,
    anchor: dt.date | None = None,
    resolver: TemporalResolver | None = None,
) -> list[EventDate]:
    """Every temporal expression of ``text``, resolved; offsets are into ``text``."""
    return (resolver or TemporalResolver()).find(text, published, tense=tense, anchor=anchor)


def resolve_expression(
    text: str,
    published: dt.date | None,
    *,
    tense: str | None = None,
    anchor: dt.date | None = None,
    resolver: TemporalResolver | None = None,
) -> EventDate | None:
    """The first temporal expression of ``text`` resolved against ``published``, or ``None``.

    ``text`` may carry its preposition ("on Wednesday night", "in 2024"): bare months and years
    need one. Offsets in the result are into ``text``.
    """
    resolver = resolver or TemporalResolver()
    found = resolver.find(text, published, tense=tense, anchor=anchor)
    if found:
        return found[0]
    stripped = text.strip()
    hit = resolver.resolve_calendar_text(stripped, published, tense=tense)
    if hit is None:
        return None
    start = text.index(stripped)
    return EventDate(
        hit[0], hit[1], stripped, start, start + len(stripped), "calendar date (dateparser)"
    )
