"""Turn raw bytes and loose date strings into clean text and dates, with clear failures."""

from __future__ import annotations

import datetime as dt
import re


class InputError(ValueError):
    """A problem with one input record; the message is shown to the user as is."""


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_bytes(data: bytes) -> tuple[str, str | None]:
    """Decode file contents. Returns ``(text, note)``; note is set when a fallback was used.

    UTF-8 (with or without BOM) is expected; text that is not valid UTF-8 is read as Windows-1252
    (a superset of latin-1 for printable text) with a note. Data with NUL bytes or mostly control
    characters is refused as binary.
    """
    if b"\x00" in data[:8192]:
        raise InputError("binary data (NUL bytes), not text")
    note = None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        note = f"not valid UTF-8 (byte {err.start}); read as Windows-1252/latin-1"
    return normalise_text(text), note


def normalise_text(text: str) -> str:
    """CRLF/CR → LF, drop control characters other than tab/newline, strip a stray BOM."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    sample = text[:4096]
    if sample and len(_CONTROL.findall(sample)) > len(sample) * 0.1:
        raise InputError("binary data (control characters), not text")
    return _CONTROL.sub(" ", text)


# Unpaired UTF-16 surrogates: JSON may spell them ("\\ud83d" without its pair), Python keeps them
# in a str, and no UTF-8 output (stdout, CSV, DuckDB, Arrow) can write them.
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_string(value: str) -> str:
    """``value`` with unpaired surrogates replaced by U+FFFD (same length, so offsets hold)."""
    return _SURROGATE.sub("\ufffd", value)


_DATE_PREFIX = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_date(value: object, field: str = "date") -> dt.date:
    """An ISO date or timestamp (``2025-03-14``, ``2025-03-14 20:30:26Z``, ``2025-03-14T20:30``)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{field} is empty or not a string: {value!r}")
    m = _DATE_PREFIX.match(value)
    if not m:
        raise InputError(f"{field} {value!r} is not an ISO date (YYYY-MM-DD)")
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError as err:
        raise InputError(f"{field} {value.strip()!r} is not a real date ({err})") from None
