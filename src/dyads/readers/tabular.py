"""Record-per-row inputs: JSONL, CSV and Parquet with ``text`` and ``date``/``published``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from ..records import Article, ArticleError
from .decode import InputError, clean_string, decode_bytes, normalise_text, parse_date
from .text import make_article

log = logging.getLogger(__name__)

DATE_FIELDS = ("date", "published", "publication_date", "pub_date")
MAX_LINE_BYTES = 20_000_000


def article_from_record(
    record: Mapping[str, Any], origin: str, default_date: dt.date | None
) -> Article:
    """An article from a mapping with ``text`` and optional ``date``/``published``, ``id``, ..."""
    text = record.get("text")
    if not isinstance(text, str):
        raise InputError("no 'text' field" if text is None else "'text' is not a string")
    date, source = None, "none"
    for name in DATE_FIELDS:
        value = record.get(name)
        if value not in (None, ""):
            date, source = parse_date(value, name), name
            break
    if date is None and default_date is not None:
        date, source = default_date, "--date"
    if date is None:
        log.warning("%s: no date or published field and no --date; events are undated", origin)
    rid = record.get("id")
    title, url = record.get("title"), record.get("url")
    return make_article(
        normalise_text(clean_string(text)),  # as for text files: LF line ends, no control chars
        origin,
        date,
        source,
        id=None if rid is None else clean_string(str(rid)),
        title=clean_string(title) if isinstance(title, str) else None,
        url=clean_string(url) if isinstance(url, str) else None,
    )


def read_jsonl(
    handle: IO[bytes], name: str, default_date: dt.date | None = None
) -> Iterator[Article | ArticleError]:
    for lineno, raw in enumerate(handle, start=1):
        origin = f"{name}:{lineno}"
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE_BYTES:
            yield ArticleError(
                origin, f"line is {len(raw):,} bytes; the limit is {MAX_LINE_BYTES:,}"
            )
            continue
        try:
            line, note = decode_bytes(raw)
            if note:
                log.warning("%s: %s", origin, note)
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise InputError(f"malformed JSON ({err.msg} at column {err.colno})") from None
            except RecursionError:  # "[[[[..." deeper than the interpreter's stack
                raise InputError("malformed JSON (nested too deeply)") from None
            if not isinstance(record, dict):
                raise InputError(f"a JSON {type(record).__name__}, not an object")
            yield article_from_record(record, origin, default_date)
        except InputError as err:
            yield ArticleError(origin, str(err))


def read_csv(
    handle: IO[bytes], name: str, default_date: dt.date | None = None
) -> Iterator[Article | ArticleError]:
    try:
        text, note = decode_bytes(handle.read())
    except InputError as err:
        yield ArticleError(name, str(err))
        return
    if note:
        log.warning("%s: %s", name, note)
    csv.field_size_limit(MAX_LINE_BYTES)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        fields = reader.fieldnames or []
    except csv.Error as err:
        yield ArticleError(name, f"malformed CSV header ({err})")
        return
    if "text" not in fields:
        # names on one line, and not too many of them: the message is one line on stderr
        shown = [repr(f)[1:-1][:40] for f in fields[:12]] + ["..."] * (len(fields) > 12)
        yield ArticleError(
            name, f"CSV has no 'text' column (columns: {', '.join(shown) or 'none'})"
        )
        return
    while True:
        origin = f"{name}:{reader.line_num + 1}"
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            yield ArticleError(origin, f"malformed CSV row ({err})")
            return
        if None in row:  # more cells than header columns
            yield ArticleError(origin, "row has more cells than the header has columns")
            continue
        try:
            yield article_from_record(row, origin, default_date)
        except InputError as err:
            yield ArticleError(origin, str(err))


def read_parquet(
    path: Path, default_date: dt.date | None = None
) -> Iterator[Article | ArticleError]:
    """Articles from a Parquet table (columns as for JSONL), streamed in record batches."""
    import duckdb

    try:
        con = duckdb.connect()
        rel = con.sql("SELECT * FROM read_parquet(?)", params=[str(path)])
        reader = rel.to_arrow_reader(1000)
    except duckdb.Error as err:
        yield ArticleError(str(path), f"cannot read Parquet: {str(err).splitlines()[0]}")
        return
    row_number = 0
    for batch in reader:
        for row in batch.to_pylist():
            row_number += 1
            origin = f"{path}:row {row_number}"
            try:
                yield article_from_record(row, origin, default_date)
            except InputError as err:
                yield ArticleError(origin, str(err))
