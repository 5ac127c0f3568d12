"""HTML pages: main text through trafilatura, the date from the page's metadata."""

from __future__ import annotations

import datetime as dt
import logging

from ..records import Article, ArticleError
from .decode import InputError, decode_bytes, parse_date
from .text import make_article

log = logging.getLogger(__name__)

MAX_HTML_CHARS = 5_000_000


def read_html(
    data: bytes, origin: str, default_date: dt.date | None = None
) -> Article | ArticleError:
    try:
        html, _ = decode_bytes(data)
        if len(html) > MAX_HTML_CHARS:
            raise InputError(f"HTML is {len(html):,} characters; the limit is {MAX_HTML_CHARS:,}")
        import trafilatura

        try:
            doc = trafilatura.bare_extraction(
                html, with_metadata=True, include_comments=False, include_tables=False
            )
        except Exception as err:  # trafilatura raises many things on hostile markup
            raise InputError(f"HTML extraction failed ({type(err).__name__}: {err})") from None
        text = getattr(doc, "text", None) if doc is not None else None
        if not text or not text.strip():
            raise InputError("no article text found in the HTML")
        date, source = None, "none"
        meta_date = getattr(doc, "date", None)
        if meta_date:
            try:
                date, source = parse_date(meta_date, "HTML date"), "html-metadata"
            except InputError:
                log.warning("%s: page date %r is not usable", origin, meta_date)
        if date is None and default_date is not None:
            date, source = default_date, "--date"
        if date is None:
            log.warning(
                "%s: no date in the page metadata and no --date; events are undated", origin
            )
        return make_article(
            text,
            origin,
            date,
            source,
            title=getattr(doc, "title", None),
            url=getattr(doc, "url", None),
        )
    except InputError as err:
        return ArticleError(origin, str(err))
