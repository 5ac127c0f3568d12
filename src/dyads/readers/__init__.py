"""Readers: files, directories and stdin → :class:`~dyads.records.Article` records.

Every reader is a generator of ``Article | ArticleError``: a bad record becomes an
:class:`~dyads.records.ArticleError` naming the input and position, and reading goes on.

Supported inputs (chosen by extension, or by content for stdin):

- ``.txt``: the seed format (``date YYYY-MM-DD`` then the text) or plain text with ``date=``;
- ``.jsonl`` / ``.ndjson``: one JSON object per line with ``text`` and ``date`` or ``published``;
- ``.csv``: the same columns;
- ``.html`` / ``.htm``: main text extracted with trafilatura, date from the page metadata;
- ``.parquet``: a table with the same columns (read through DuckDB);
- ``-``: standard input (JSONL when it starts with ``{``, else text);
- directories: every supported file below them, in sorted order.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..records import Article, ArticleError
from .decode import InputError
from .html import read_html
from .tabular import read_csv, read_jsonl, read_parquet
from .text import read_text

log = logging.getLogger(__name__)

__all__ = ["InputError", "SUFFIXES", "iter_files", "read", "read_path", "read_stdin"]

SUFFIXES = {
    ".txt": "text",
    ".text": "text",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".html": "html",
    ".htm": "html",
    ".parquet": "parquet",
}
MAX_FILE_BYTES = 50_000_000


def iter_files(root: Path) -> Iterator[Path]:
    """Supported files below ``root`` in a stable (sorted) order."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.suffix.lower() in SUFFIXES and not name.startswith("."):
                yield path


def read_path(
    path: Path, date: dt.date | None = None, fmt: str | None = None
) -> Iterator[Article | ArticleError]:
    """Read one file (any supported format)."""
    kind = fmt or SUFFIXES.get(path.suffix.lower())
    if kind is None:
        yield ArticleError(str(path), f"unsupported file type {path.suffix!r} (use --input-format)")
        return
    try:
        size = path.stat().st_size
    except OSError as err:
        yield ArticleError(str(path), f"cannot read: {err.strerror or err}")
        return
    if kind == "parquet":
        yield from read_parquet(path, default_date=date)
        return
    if size > MAX_FILE_BYTES and kind in {"text", "html"}:
        yield ArticleError(str(path), f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
        return
    try:
        if kind in {"jsonl", "csv"}:
            with path.open("rb") as handle:
                reader = read_jsonl if kind == "jsonl" else read_csv
                yield from reader(handle, str(path), default_date=date)
            return
        data = path.read_bytes()
    except OSError as err:
        yield ArticleError(str(path), f"cannot read: {err.strerror or err}")
        return
    if kind == "html":
        yield read_html(data, str(path), default_date=date)
    else:
        yield read_text(data, str(path), default_date=date)


def read_stdin(date: dt.date | None = None, stream=None) -> Iterator[Article | ArticleError]:
    stream = stream if stream is not None else sys.stdin.buffer
    head = stream.peek(64)[:64] if hasattr(stream, "peek") else b""
    if head.lstrip().startswith(b"{"):
        yield from read_jsonl(stream, "<stdin>", default_date=date)
        return
    data = stream.read()
    if data.lstrip()[:1] == b"{":
        import io

        yield from read_jsonl(io.BytesIO(data), "<stdin>", default_date=date)
    else:
        yield read_text(data, "<stdin>", default_date=date)


def read(
    inputs: Iterable[str | Path], date: dt.date | None = None, fmt: str | None = None
) -> Iterator[Article | ArticleError]:
    """Read every input in order: files, directories (recursively) and ``-`` for stdin."""
    for item in inputs:
        if str(item) == "-":
            yield from read_stdin(date)
            continue
        path = Path(item)
        if path.is_dir():
            found = False
            for file in iter_files(path):
                found = True
                yield from read_path(file, date, fmt)
            if not found:
                yield ArticleError(str(path), "directory holds no supported files")
        elif path.exists():
            yield from read_path(path, date, fmt)
        else:
            yield ArticleError(str(path), "no such file or directory")
