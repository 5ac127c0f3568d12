"""Plain-text articles: the seed format (``date YYYY-MM-DD`` then the text) and bare text."""

from __future__ import annotations

import datetime as dt
import logging
import re

from ..records import Article, ArticleError
from .clean import find_excluded
from .decode import InputError, decode_bytes, parse_date

log = logging.getLogger(__name__)

# "date 2025-02-27" at the very start (after optional whitespace); the text follows on the same
# line or the next. A header-like start with a broken date is an error, not body text.
_HEADER = re.compile(r"\A\s*date[ \t]*:?[ \t]+(\S+)[ \t]*(?:\n|[ \t]|\Z)")
_HEADER_LIKE = re.compile(r"\A\s*date[ \t]*:?[ \t]+\S*\d")


def split_header(text: str) -> tuple[str | None, str]:
    """``(date string or None, body)`` for a seed-format text."""
    m = _HEADER.match(text)
    if m and _HEADER_LIKE.match(text):
        return m.group(1), text[m.end() :]
    return None, text


def make_article(
    text: str,
    origin: str,
    date: dt.date | None,
    date_source: str,
    id: str | None = None,  # noqa: A002
    title: str | None = None,
    url: str | None = None,
) -> Article:
    body = text.strip()
    if not body:
        raise InputError("empty article (no text)")
    if date is not None and date > dt.date.today() + dt.timedelta(days=1):  # a day for time zones
        log.warning("%s: publication date %s is in the future; kept as given", origin, date)
    # Offsets are into the stripped body: readers give the pipeline exactly what is coded.
    return Article(
        id=str(id) if id not in (None, "") else Article.content_id(body),
        text=body,
        date=date,
        title=title.strip() if isinstance(title, str) and title.strip() else None,
        url=url if isinstance(url, str) and url else None,
        origin=origin,
        date_source=date_source,
        excluded=find_excluded(body),
    )


def read_text(
    data: bytes, origin: str, default_date: dt.date | None = None
) -> Article | ArticleError:
    try:
        text, note = decode_bytes(data)
        if note:
            log.warning("%s: %s", origin, note)
        header, body = split_header(text)
        if not body.strip():  # before the date: an empty file is one error, not also a warning
            raise InputError("empty article (no text)")
        if header is not None:
            date = parse_date(header, "date header")
            source = "header"
        elif default_date is not None:
            date, source = default_date, "--date"
        else:
            date, source = None, "none"
            log.warning("%s: no 'date YYYY-MM-DD' header and no --date; events are undated", origin)
        return make_article(body, origin, date, source)
    except InputError as err:
        return ArticleError(origin, str(err))
