"""Bad input: everything a scraper can produce, generated here in a temporary directory.

Every input goes through ``dyads code`` (in-process, click's CliRunner), through the library
(``dyads.readers.read`` + ``Pipeline.pipe``) and through ``dyads ingest``. Each bad article must
give one clear error line naming the input and the reason, or the documented fallback
(docs/reliability.md); the good articles of the same batch are still coded; nothing crashes; the
5 MB article and the 20,000-character sentences are coded in bounded time and memory.

``make_corpus`` is also used by ``benchmarks/reliability_report.py`` for docs/reliability.md.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
DATE = "2025-02-27"
GOOD = "Israel attacked Iran on Monday, and Russia condemned the strikes."
GOOD2 = "Germany imposed sanctions on Iran on Tuesday, officials said."
NEWS_WORDS = (
    "the minister said that Israel and the United States would meet officials from Iran and "
    "Russia to discuss sanctions against Hamas forces in Gaza while protesters gathered near the "
    "embassy in Cairo as troops attacked rebels and the army shelled villages"
).split()
MAX_SENTENCE_TOKENS = 250  # [nlp] max_sentence_tokens in src/dyads/data/default.toml
SPLIT_NOTE = rf"sentence\(s\) over {MAX_SENTENCE_TOKENS} tokens split"


@dataclass
class Case:
    """One input record and what dyads must do with it.

    ``expect``: ``error`` (one error naming ``origin`` and matching ``reason``), ``coded`` (a
    coded article; ``note`` must be among its notes, ``warning`` on the log, at least
    ``min_events`` events) or ``nothing`` (no article and no error: a file without records).
    """

    origin: str
    what: str
    expect: str
    reason: str = ""
    note: str = ""
    warning: str = ""
    min_events: int = 0
    max_events: int | None = None
    check: dict = field(default_factory=dict)  # extra checks on the article: text_has, text_lacks, date


def _repeat(unit: str, size: int) -> str:
    text = (unit * (size // len(unit) + 1))[:size]
    return text[: text.rfind(" ")] if " " in text else text


def unpunctuated_sentence(size: int = 20_000, seed: int = 9) -> str:
    """``size`` characters of news words with no punctuation at all."""
    rng = random.Random(seed)
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < size:
        words.append(rng.choice(NEWS_WORDS))
    return " ".join(words)[:size].rsplit(" ", 1)[0]


def nested_sentence(size: int = 20_000) -> str:
    """One sentence whose parse is a chain of ``of`` phrases thousands of tokens deep."""
    return "The minister " + _repeat("of the government of Israel ", size - 13)


def big_article(size: int = 5_000_000) -> str:
    unit = (
        "Israeli forces struck Hamas targets in Gaza on Tuesday, the army said, and Egypt "
        "condemned the strikes. "
    )
    return f"date {DATE}\n" + unit * (size // len(unit))


def make_corpus(root: Path, big: bool = False) -> list[Case]:
    """Write the bad-input corpus below ``root``; return one :class:`Case` per input record.

    ``big`` adds the 5 MB article (costly: ~20 s of parsing for the first 100,000 characters).
    """
    root.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []
    rng = random.Random(2025)

    def put(name: str, data: bytes | str) -> str:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return str(path)

    def case(name: str, data: bytes | str, what: str, expect: str, **kw) -> None:
        cases.append(Case(put(name, data), what, expect, **kw))

    header = f"date {DATE}\n"
    # -- text files ------------------------------------------------------------------------
    case("txt/empty.txt", b"", "empty file", "error", reason="empty article")
    case("txt/whitespace.txt", " \n\t \r\n  \n\u3000 ", "only whitespace", "error",
         reason="empty article")  # fmt: skip
    case("txt/header-only.txt", header, "a date header and nothing else", "error",
         reason="empty article")  # fmt: skip
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(4000)
    case("txt/binary.txt", png, "binary data (a PNG named .txt)", "error",
         reason=r"binary data \(NUL bytes\)")  # fmt: skip
    case("txt/controls.txt", bytes(range(1, 9)) * 600, "control characters, no NUL", "error",
         reason=r"binary data \(control characters\)")  # fmt: skip
    case("txt/invalid-utf8.txt", header.encode() + b"Israel \xff\xfe attacked Iran on Monday.",
         "invalid UTF-8 bytes", "coded", warning=r"not valid UTF-8 \(byte \d+\); read as Windows-1252",
         min_events=1)  # fmt: skip
    latin = header + "Le président Macron a parlé. " + GOOD
    case("txt/latin1.txt", latin.encode("latin-1"), "latin-1 text", "coded",
         warning="not valid UTF-8", min_events=1, check={"text_has": "président"})  # fmt: skip
    case("txt/bom.txt", "\ufeff" + header + GOOD, "UTF-8 BOM before the date header", "coded",
         min_events=1, check={"date": DATE, "date_source": "header"})  # fmt: skip
    case("txt/crlf.txt", (header + GOOD + "\n\n" + GOOD2).replace("\n", "\r\n"), "CRLF line ends",
         "coded", min_events=2, check={"text_lacks": "\r"})  # fmt: skip
    case("txt/cr.txt", (header + GOOD + "\n" + GOOD2).replace("\n", "\r"), "CR (old Mac) line ends",
         "coded", min_events=2, check={"text_lacks": "\r", "date": DATE})  # fmt: skip
    case("txt/no-date.txt", GOOD, "no date header", "coded", min_events=1,
         warning=r"no 'date YYYY-MM-DD' header and no --date; events are undated",
         check={"date": None})  # fmt: skip
    case("txt/impossible-date.txt", "date 2025-13-45\n" + GOOD, "impossible date header",
         "error", reason=r"date header '2025-13-45' is not a real date")  # fmt: skip
    case("txt/february-30.txt", "date 2025-02-30 " + GOOD, "date header 30 February", "error",
         reason=r"date header '2025-02-30' is not a real date")  # fmt: skip
    case("txt/future-date.txt", "date 2999-01-01\n" + GOOD, "a future publication date",
         "coded", warning=r"publication date 2999-01-01 is in the future; kept as given",
         min_events=1, check={"date": "2999-01-01"})  # fmt: skip
    case("txt/last-date.txt", "date 9999-12-31\nIsrael attacked Iran yesterday and will strike "
         "again tomorrow, next week and next year.", "the last representable date", "coded",
         warning="in the future", min_events=1)  # fmt: skip
    case("txt/first-date.txt", "date 0001-01-01\nIsrael attacked Iran yesterday, last week, last "
         "month and last year.", "the first representable date", "coded", min_events=1)  # fmt: skip
    case("txt/unpunctuated.txt", header + unpunctuated_sentence(),
         "a 20,000-character sentence with no punctuation", "coded", min_events=1)  # fmt: skip
    case("txt/nested.txt", header + nested_sentence(),
         "a 20,000-character sentence parsed as one 3,500-token chain", "coded",
         note=SPLIT_NOTE)  # fmt: skip
    case("txt/numbers.txt", header + _repeat("12345 678 90 ", 20_000), "only numbers", "coded",
         note=SPLIT_NOTE, max_events=0)  # fmt: skip
    case("txt/punctuation.txt", header + _repeat("!?.,;:-- ...\"' ", 20_000), "only punctuation",
         "coded", max_events=0)  # fmt: skip
    case("txt/long-word.txt", header + "a" * 20_000, "one 20,000-character word", "coded",
         max_events=0)  # fmt: skip
    case("txt/newlines.txt", header + GOOD + "\n" * 50_000 + GOOD2, "50,000 blank lines",
         "coded", min_events=2)  # fmt: skip
    case("txt/russian.txt", header + "Израиль атаковал Иран в понедельник, а Россия осудила "
         "удары. Министр заявил, что переговоры продолжатся.", "Russian", "coded")  # fmt: skip
    case("txt/arabic.txt", header + "هاجمت إسرائيل إيران يوم الاثنين، وأدانت روسيا الضربات.",
         "Arabic (right to left)", "coded")  # fmt: skip
    case("txt/chinese.txt", header + "以色列周一袭击了伊朗，俄罗斯谴责了这次袭击。外交部发言人表示关切。",
         "Chinese (no spaces)", "coded")  # fmt: skip
    case("txt/hindi.txt", header + "इज़राइल ने सोमवार को ईरान पर हमला किया और रूस ने निंदा की।",
         "Hindi (combining marks)", "coded")  # fmt: skip
    case("txt/mixed-script.txt", header + "\u202eتست\u202c \U0001f1ee\U0001f1f7 \u200d\U0001f469\u200d"
         "\U0001f467 e\u0301 \ufb01 " + GOOD, "emoji, bidi controls, combining marks", "coded",
         min_events=1)  # fmt: skip
    # -- HTML ------------------------------------------------------------------------------
    page = f"<p>{GOOD} {GOOD2} Officials said talks would resume in Cairo next week.</p>"
    meta = f'<meta property="article:published_time" content="{DATE}T10:00:00Z">'
    case("html/nested.html", "<html><body>" + "<div>" * 100_000 + page + "</div>" * 100_000
         + "</body></html>", "HTML nested 100,000 elements deep", "error",
         reason="no article text found in the HTML")  # fmt: skip
    case("html/nested-200.html", f"<html><head>{meta}</head><body>" + "<div>" * 200 + page
         + "</div>" * 200 + "</body></html>", "HTML nested 200 elements deep", "coded",
         min_events=1)  # fmt: skip
    script = "<script>document.write('China attacked Japan');</script>"
    case("html/scripts.html", f"<html><head>{meta}" + script * 2000 + "</head><body><article>"
         + (script + page) * 3 + "<style>p{color:red}</style><iframe src='javascript:alert(1)'>"
         "</iframe></article><script>alert('x')</script></body></html>",
         "script-laden HTML", "coded", min_events=1,
         check={"text_lacks": "document.write"})  # fmt: skip
    case("html/unclosed.html", "<html><body><p>" + GOOD + "<div><span><b>" + GOOD2,
         "unclosed tags, no date", "coded", warning="no date in the page metadata",
         min_events=1)  # fmt: skip
    case("html/empty.html", "<html><head></head><body></body></html>", "HTML without text",
         "error", reason="no article text found in the HTML")  # fmt: skip
    case("html/only-script.html", "<html><body>" + script * 500 + "</body></html>",
         "HTML that is all script", "error", reason="no article text found in the HTML")  # fmt: skip
    case("html/binary.html", png, "binary data named .html", "error",
         reason=r"binary data \(NUL bytes\)")  # fmt: skip
    case("html/huge.html", "<html><body>" + "<p>x</p>" * 700_000 + "</body></html>",
         "HTML over 5,000,000 characters", "error",
         reason=r"HTML is 5,600,026 characters; the limit is 5,000,000")  # fmt: skip
    # -- JSON lines ------------------------------------------------------------------------
    lines: list[tuple[bytes, str, str, dict]] = []

    def line(raw: bytes | str | dict, what: str, expect: str, **kw) -> None:
        if isinstance(raw, dict):
            raw = json.dumps(raw)
        lines.append((raw.encode("utf-8") if isinstance(raw, str) else raw, what, expect, kw))

    line("\ufeff" + json.dumps({"id": "j-good", "text": GOOD, "date": DATE}),
         "a good record after a BOM", "coded", min_events=1)  # fmt: skip
    line('{"id": "j-trunc", "text": "Israel attacked Ir', "a truncated line", "error",
         reason=r"malformed JSON \(Unterminated string")  # fmt: skip
    line('{"id": "j-cut", "text": "Israel attacked Iran.", "date": "2025-0', "a line cut mid-date",
         "error", reason="malformed JSON")  # fmt: skip
    line("[1, 2, 3]", "a JSON array", "error", reason="a JSON list, not an object")
    line('"text"', "a JSON string", "error", reason="a JSON str, not an object")
    line("[" * 100_000, "JSON nested 100,000 deep", "error",
         reason=r"malformed JSON \(nested too deeply\)")  # fmt: skip
    line({"id": "j-notext", "date": DATE}, "no text field", "error", reason="no 'text' field")
    line({"id": "j-int", "text": 42, "date": DATE}, "text is a number", "error",
         reason="'text' is not a string")  # fmt: skip
    line('{"id": "j-nan", "text": NaN, "date": "2025-02-27"}', "text is NaN", "error",
         reason="'text' is not a string")  # fmt: skip
    line({"id": "j-empty", "text": "  ", "date": DATE}, "empty text", "error",
         reason="empty article")  # fmt: skip
    line({"id": "j-word-date", "text": GOOD, "date": "yesterday"}, "date is a word", "error",
         reason=r"date 'yesterday' is not an ISO date")  # fmt: skip
    line({"id": "j-bad-date", "text": GOOD, "published": "2025-13-45T10:00:00Z"},
         "impossible published timestamp", "error",
         reason=r"published '2025-13-45T10:00:00Z' is not a real date")  # fmt: skip
    line({"id": "j-num-date", "text": GOOD, "date": 20250227}, "date is a number", "error",
         reason="date is empty or not a string: 20250227")  # fmt: skip
    line({"id": "j-surrogate", "text": "Israel \ud83d attacked Iran on Monday.", "date": DATE,
          "title": "Title \udc00", "url": "https://example.org/\ud800"},
         "unpaired UTF-16 surrogates in text, title and URL", "coded", min_events=1,
         check={"text_has": "\ufffd"})  # fmt: skip
    line({"id": "j-controls", "text": "Israel\u0000 attacked\u0007 Iran\u001b on Monday.\u007f",
          "date": DATE}, "NUL and other control characters in the text", "coded",
         min_events=1, check={"text_lacks": "\x00"})  # fmt: skip
    line({"id": "j-cr", "text": GOOD + "\r" + GOOD2, "date": DATE}, "a lone CR in the text",
         "coded", min_events=2, check={"text_lacks": "\r"})  # fmt: skip
    line(b'{"id": "j-latin1", "text": "Le pr\xe9sident Macron a parl\xe9. ' + GOOD.encode()
         + b'", "date": "2025-02-27"}', "a latin-1 line", "coded", min_events=1,
         warning="not valid UTF-8")  # fmt: skip
    line(b'{"id": "j-nul", "text": "Israel\x00attacked Iran.", "date": "2025-02-27"}',
         "a raw NUL byte in a line", "error", reason=r"binary data \(NUL bytes\)")  # fmt: skip
    line({"id": "j-odd-fields", "text": GOOD2, "date": DATE, "title": ["not", "a", "string"],
          "url": 5, "extra": {"deep": [1, {"x": None}]}}, "title and url of the wrong type",
         "coded", min_events=1)  # fmt: skip
    line({"id": "j-long-id-" + "x" * 5000, "text": GOOD2 + " Again.", "date": DATE},
         "a 5,000-character id", "coded", min_events=1)  # fmt: skip
    body = b"\r\n".join(raw for raw, *_ in lines) + b"\r\n\r\n   \r\n"  # CRLF, blank lines at the end
    jsonl = put("jsonl/records.jsonl", body)
    for number, (_, what, expect, kw) in enumerate(lines, start=1):
        cases.append(Case(f"{jsonl}:{number}", what, expect, **kw))
    huge_line = json.dumps({"id": "j-huge", "text": "word " * 4_000_001, "date": DATE}) + "\n"
    huge = put("jsonl/huge-line.jsonl", huge_line + json.dumps({"id": "j-after", "text": GOOD}))
    cases.append(Case(f"{huge}:1", "a 20 MB line", "error",
                      reason=r"line is 20,000,0\d\d bytes; the limit is 20,000,000"))  # fmt: skip
    cases.append(Case(f"{huge}:2", "a good record after the 20 MB line (no date)", "coded",
                      warning="no date or published field", min_events=1))  # fmt: skip
    case("jsonl/empty.jsonl", b"", "an empty JSONL file", "nothing")
    # -- CSV -------------------------------------------------------------------------------
    case("csv/no-text-column.csv", f"id,date,body\nc1,{DATE},{GOOD}\n", "no text column", "error",
         reason=r"CSV has no 'text' column \(columns: id, date, body\)")  # fmt: skip
    case("csv/empty.csv", b"", "an empty CSV file", "error",
         reason=r"CSV has no 'text' column \(columns: none\)")  # fmt: skip
    case("csv/header-only.csv", "id,date,text\n", "a header and no rows", "nothing")
    case("csv/binary.csv", png, "binary data named .csv", "error",
         reason=r"binary data \(NUL bytes\)")  # fmt: skip
    rows = (f'id,date,text\nc-good,{DATE},"{GOOD}"\nc-missing,{DATE}\n'
            f'c-extra,{DATE},"{GOOD2}",surplus\nc-bad-date,2025-13-45,"{GOOD}"\n'
            f'c-no-date,,"{GOOD2}"\n')  # fmt: skip
    path = put("csv/rows.csv", rows.replace("\n", "\r\n"))
    cases += [
        Case(f"{path}:2", "a good CSV row", "coded", min_events=1),
        Case(f"{path}:3", "a row with missing columns", "error", reason="no 'text' field"),
        Case(f"{path}:4", "a row with a cell too many", "error",
             reason="row has more cells than the header has columns"),  # fmt: skip
        Case(f"{path}:5", "an impossible date in a row", "error",
             reason=r"date '2025-13-45' is not a real date"),  # fmt: skip
        Case(f"{path}:6", "an empty date cell", "coded", min_events=1,
             warning="no date or published field"),  # fmt: skip
    ]
    path = put("csv/latin1.csv", f'id,date,text\nc-latin,{DATE},"Le président. {GOOD}"\n'.encode("latin-1"))
    cases.append(Case(f"{path}:2", "a latin-1 CSV", "coded", min_events=1, warning="not valid UTF-8"))
    # -- Parquet ---------------------------------------------------------------------------
    import pyarrow as pa
    import pyarrow.parquet as pq

    case("parquet/corrupt.parquet", b"PAR1" + rng.randbytes(3000), "corrupt Parquet", "error",
         reason="cannot read Parquet")  # fmt: skip
    path = root / "parquet" / "rows.parquet"
    pq.write_table(
        pa.table({"id": ["p-good", "p-null", "p-bad-date"], "date": [DATE, DATE, "2025-13-45"],
                  "text": [GOOD, None, GOOD2]}), path)  # fmt: skip
    cases += [
        Case(f"{path}:row 1", "a good Parquet row", "coded", min_events=1),
        Case(f"{path}:row 2", "a null text", "error", reason="no 'text' field"),
        Case(f"{path}:row 3", "an impossible date", "error", reason="is not a real date"),
    ]
    path = root / "parquet" / "int-text.parquet"
    pq.write_table(pa.table({"text": [1, 2]}), path)
    cases += [Case(f"{path}:row {i}", "text is a number", "error", reason="'text' is not a string")
              for i in (1, 2)]  # fmt: skip
    # -- good articles in the same batch: the bundled samples ----------------------------------
    for sample in sorted(SAMPLES.iterdir()):
        if sample.suffix in (".txt", ".html"):
            cases.append(Case(put(f"samples/{sample.name}", sample.read_bytes()),
                              f"sample {sample.name}", "coded", min_events=1))  # fmt: skip
    for number, raw in enumerate((SAMPLES / "articles.jsonl").read_text().splitlines(), start=1):
        if raw.strip():
            cases.append(Case(f"{root / 'samples' / 'articles.jsonl'}:{number}",
                              "a sample JSONL article", "coded", min_events=1))  # fmt: skip
    shutil.copy(SAMPLES / "articles.jsonl", root / "samples" / "articles.jsonl")
    if big:
        case("big/five-megabytes.txt", big_article(), "a 5 MB article", "coded", min_events=100,
             note=r"text cut to 99,\d{3} of 4,999,\d{3} characters")  # fmt: skip
    # -- inputs that are not files -----------------------------------------------------------
    (root / "empty-dir").mkdir(exist_ok=True)
    cases.append(Case(str(root / "empty-dir"), "an empty directory", "error",
                      reason="directory holds no supported files"))  # fmt: skip
    cases.append(Case(str(root / "missing.txt"), "a path that does not exist", "error",
                      reason="no such file or directory"))  # fmt: skip
    cases.append(Case(put("report.pdf", b"%PDF-1.4"), "an unsupported file type", "error",
                      reason=r"unsupported file type '\.pdf'"))  # fmt: skip
    return cases


def inputs(root: Path) -> list[str]:
    """The command-line inputs for a corpus: its directory plus what a directory walk skips."""
    return [str(root), str(root / "missing.txt"), str(root / "report.pdf")]


# -- checking results ----------------------------------------------------------------------


def spans(article: dict) -> Iterator[tuple[str, dict]]:
    """Every span of an article object (``dyads code --format json``) with where it is."""
    yield from (("excluded", s) for s in article["article"]["excluded"])
    for event in article["events"]:
        yield "evidence", event["evidence"]
        for role in ("source", "target", "attribution"):
            if event[role]:
                yield role, event[role]
                if event[role].get("refers_to"):
                    yield role + ".refers_to", event[role]["refers_to"]
        if event["date"]["start"] is not None:
            yield "date", event["date"]
        if event["location"] and event["location"]["start"] is not None:
            yield "location", event["location"]
    for quote in article["quotes"]:
        yield "quote", quote
        if quote["speaker"]:
            yield "quote.speaker", quote["speaker"]
        if quote["verb"]:
            yield "quote.verb", quote["verb"]
    for place in article["places"]:
        if place["start"] is not None:
            yield "place", place
    for actor in article["actors"]:
        yield "actor", actor


def check_article(case: Case, article: dict, warnings: str) -> list[str]:
    """Problems with a coded article object (with ``text``), as strings."""
    problems = []
    text = article["article"]["text"]
    for where, span in spans(article):
        start, end = span["start"], span["end"]
        if not (0 <= start <= end <= len(text)) or text[start:end] != span["text"]:
            problems.append(f"{where} span {start}:{end} {span['text']!r} is not in the text")
    n = len(article["events"])
    if n < case.min_events:
        problems.append(f"{n} events, expected at least {case.min_events}")
    if case.max_events is not None and n > case.max_events:
        problems.append(f"{n} events, expected at most {case.max_events}")
    if case.note and not any(re.search(case.note, note) for note in article["notes"]):
        problems.append(f"no note like {case.note!r} in {article['notes']}")
    if case.warning and not re.search(re.escape(case.origin) + r".*" + case.warning, warnings):
        problems.append(f"no warning like {case.warning!r}")
    if "text_has" in case.check and case.check["text_has"] not in text:
        problems.append(f"text lacks {case.check['text_has']!r}")
    if "text_lacks" in case.check and case.check["text_lacks"] in text:
        problems.append(f"text still has {case.check['text_lacks']!r}")
    for key in ("date", "date_source"):
        if key in case.check and article["article"][key] != case.check[key]:
            problems.append(f"{key} is {article['article'][key]!r}, expected {case.check[key]!r}")
    return problems


def error_pattern(case: Case) -> re.Pattern[str]:
    """One error line: ``ORIGIN[ (article ID)]: REASON``."""
    return re.compile(re.escape(case.origin) + r"(?: \(article [^)]*\))?: " + case.reason)


def check_results(
    cases: list[Case], articles: list[dict], errors: list[str], warnings: str
) -> list[str]:
    """Every case against what came out: article objects (by origin) and error messages."""
    problems: list[str] = []
    by_origin: dict[str, list[dict]] = {}
    for article in articles:
        by_origin.setdefault(article["article"]["origin"], []).append(article)
    known = {c.origin for c in cases}
    problems += [f"unexpected article from {o}" for o in by_origin if o not in known]
    matched: set[int] = set()
    for case in cases:
        got = by_origin.get(case.origin, [])
        hits = [i for i, e in enumerate(errors) if error_pattern(case).fullmatch(e)]
        if case.expect == "error":
            if len(hits) != 1 or got:
                problems.append(f"{case.origin} ({case.what}): expected one error like "
                                f"{case.reason!r}, got {len(hits)} and {len(got)} articles")  # fmt: skip
            matched.update(hits)
        elif case.expect == "nothing":
            if got or any(case.origin in e for e in errors):
                problems.append(f"{case.origin} ({case.what}): expected nothing")
        else:
            if len(got) != 1:
                mine = [e for e in errors if e.startswith(case.origin + ":") or e.startswith(case.origin + " ")]
                problems.append(f"{case.origin} ({case.what}): {len(got)} articles; errors: {mine}")
                continue
            problems += [f"{case.origin} ({case.what}): {p}" for p in check_article(case, got[0], warnings)]
    problems += [f"unexpected error: {e}" for i, e in enumerate(errors) if i not in matched]
    return problems


# -- the corpus through the library, the CLI and the store --------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad")
    return root, make_corpus(root)


def code_with_library(pipeline, items: list[str]) -> tuple[list[dict], list[str]]:
    from dyads.export.contract import article_dict
    from dyads.readers import read
    from dyads.records import ArticleError

    articles, errors = [], []
    for result in pipeline.pipe(read(items), batch_size=8):
        if isinstance(result, ArticleError):
            errors.append(result.message())
        else:
            obj = article_dict(result, include_text=True)
            json.dumps(obj, ensure_ascii=False).encode("utf-8")  # writable as UTF-8
            articles.append(obj)
    return articles, errors


def test_library_codes_good_articles_and_reports_each_bad_one(corpus, pipeline, caplog):
    root, cases = corpus
    caplog.set_level(logging.WARNING)
    articles, errors = code_with_library(pipeline, inputs(root))
    warnings = "\n".join(r.getMessage() for r in caplog.records)
    problems = check_results(cases, articles, errors, warnings)
    assert not problems, "\n".join(problems)
    assert len(articles) == sum(c.expect == "coded" for c in cases)


def test_cli_code_prints_one_error_line_per_bad_input(corpus):
    import jsonschema
    from click.testing import CliRunner

    from dyads.cli import cli
    from dyads.export.contract import load_schema

    root, cases = corpus
    result = CliRunner().invoke(
        cli, ["code", *inputs(root), "-p", "1", "--format", "json", "--include-text"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr[-3000:]
    lines = result.stderr.splitlines()
    assert all(line.startswith("dyads: ") for line in lines), [
        line for line in lines if not line.startswith("dyads: ")
    ][:5]  # one line per message: no tracebacks
    errors = [line.removeprefix("dyads: error: ") for line in lines if line.startswith("dyads: error: ")]
    articles = [json.loads(line) for line in result.stdout.splitlines()]
    validator = jsonschema.Draft202012Validator(load_schema("article"))
    for article in articles:
        validator.validate(article)
    problems = check_results(cases, articles, errors, result.stderr)
    assert not problems, "\n".join(problems)
    n_errors = sum(c.expect == "error" for c in cases)
    assert f"{len(articles)} articles coded, {n_errors} could not be coded" in result.stderr


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty article"),
        (b"\x00\x01\x02" * 100, r"binary data \(NUL bytes\)"),
        (b'{"text": "Israel attac', "malformed JSON"),
    ],
)
def test_cli_code_stdin_bad_input_is_one_error_and_exit_1(data, reason):
    from click.testing import CliRunner

    from dyads.cli import cli

    result = CliRunner().invoke(cli, ["code", "-", "-p", "1"], input=data, catch_exceptions=False)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("dyads: error: ")]
    assert len(errors) == 1 and re.match(r"dyads: error: <stdin>(:1)?: " + reason, errors[0]), errors
    assert result.stdout == ""


def test_ingest_stores_every_good_article_once_and_records_every_error(corpus, tmp_path):
    from click.testing import CliRunner

    from dyads.cli import cli
    from dyads.store import EventStore

    root, cases = corpus
    db = tmp_path / "events.duckdb"
    args = ["ingest", *inputs(root), "--db", str(db), "-p", "1", "--commit-every", "7", "--json"]
    first = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert first.exit_code == 0, first.stderr[-3000:]
    summary = json.loads(first.stdout[first.stdout.index("{") :])
    coded = [c for c in cases if c.expect == "coded"]
    n_errors = sum(c.expect == "error" for c in cases)
    # Stored once each: articles with the same text (a sample copied twice) count once.
    assert summary["articles_added"] + summary["articles_skipped"] == len(coded)
    assert summary["errors"] == n_errors, first.stderr[-3000:]
    store = EventStore(db)
    assert store.verify() == []
    assert store.stats()["articles"] == summary["articles_added"]
    origins = {r["origin"] for r in store.sql("SELECT origin FROM articles").to_pylist()}
    assert origins <= {c.origin for c in coded}
    again = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert json.loads(again.stdout[again.stdout.index("{") :])["articles_added"] == 0
    assert store.verify() == []


# -- bounded time and memory ---------------------------------------------------------------

# Generous bounds (a loaded CI machine); docs/reliability.md has the measured figures.
BOUNDS = {
    "five-megabytes.txt": (120.0, 1500),  # CPU seconds and MB above a one-sentence run
    "nested.txt": (30.0, 500),
    "unpunctuated.txt": (30.0, 500),
    "numbers.txt": (30.0, 500),
}


def measure(command: list[str], cwd: Path) -> dict:
    """Run ``command``; its exit status, CPU seconds, wall seconds and peak RSS (MB)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out_chunks: list[bytes] = []
    err_chunks: list[bytes] = []

    import threading

    def drain(stream, sink):
        for chunk in iter(lambda: stream.read(65536), b""):
            sink.append(chunk)

    threads = [
        threading.Thread(target=drain, args=(process.stdout, out_chunks), daemon=True),
        threading.Thread(target=drain, args=(process.stderr, err_chunks), daemon=True),
    ]
    for t in threads:
        t.start()
    _, status, usage = os.wait4(process.pid, 0)
    for t in threads:
        t.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    return {
        "returncode": process.returncode,
        "cpu": usage.ru_utime + usage.ru_stime,
        "wall": time.perf_counter() - started,
        "rss_mb": usage.ru_maxrss / 1024,
        "stdout": b"".join(out_chunks).decode("utf-8"),
        "stderr": b"".join(err_chunks).decode("utf-8", "replace"),
    }


def measure_big_inputs(workdir: Path) -> dict[str, dict]:
    """``dyads code`` in a fresh process on each big input and on a one-sentence baseline."""
    files = {
        "baseline.txt": f"date {DATE}\n{GOOD}",
        "news-20000.txt": f"date {DATE}\n" + big_article(20_000).split("\n", 1)[1],
        "unpunctuated.txt": f"date {DATE}\n" + unpunctuated_sentence(),
        "nested.txt": f"date {DATE}\n" + nested_sentence(),
        "numbers.txt": f"date {DATE}\n" + _repeat("12345 678 90 ", 20_000),
        "five-megabytes.txt": big_article(),
    }
    results = {}
    for name, text in files.items():
        path = workdir / name
        path.write_text(text)
        command = [sys.executable, "-m", "dyads", "code", str(path), "-p", "1", "--format", "json"]
        results[name] = measure(command, workdir)
        results[name]["bytes"] = len(text.encode())
    base = results["baseline.txt"]
    for result in results.values():
        result["extra_cpu"] = max(0.0, result["cpu"] - base["cpu"])
        result["extra_mb"] = max(0.0, result["rss_mb"] - base["rss_mb"])
    return results


def test_big_inputs_in_bounded_time_and_memory(tmp_path):
    results = measure_big_inputs(tmp_path)
    report = {k: {m: round(v[m], 2) for m in ("cpu", "wall", "rss_mb", "extra_cpu", "extra_mb")}
              for k, v in results.items()}  # fmt: skip
    print(json.dumps(report, indent=1))
    for name, result in results.items():
        assert result["returncode"] == 0, result["stderr"][-2000:]
        (article,) = [json.loads(line) for line in result["stdout"].splitlines()]
        assert article["events"] or name == "numbers.txt", name
    for name, (cpu, mb) in BOUNDS.items():
        assert results[name]["extra_cpu"] <= cpu, (name, report[name])
        assert results[name]["extra_mb"] <= mb, (name, report[name])
    notes = json.loads(results["five-megabytes.txt"]["stdout"])["notes"]
    assert any(re.match(r"text cut to 99,\d{3} of 4,999,\d{3} characters", n) for n in notes), notes
    for name in ("nested.txt", "numbers.txt"):
        notes = json.loads(results[name]["stdout"])["notes"]
        assert any(re.search(SPLIT_NOTE, n) for n in notes), (name, notes)
    # No stage is super-linear in a sentence's length: the 20,000-character sentences cost at
    # most a few times ordinary news text of the same length (which parses as ~200 sentences).
    news = results["news-20000.txt"]["extra_cpu"]
    for name in ("unpunctuated.txt", "nested.txt", "numbers.txt"):
        assert results[name]["extra_cpu"] <= 4 * news + 3, (name, report)


def test_library_codes_the_five_megabyte_article_with_a_note(pipeline, tmp_path):
    """The 5 MB article through ``read`` + ``Pipeline.pipe`` (the CLI measures it above)."""
    path = tmp_path / "five-megabytes.txt"
    path.write_text(big_article())
    case = Case(str(path), "a 5 MB article", "coded", min_events=100,
                note=r"text cut to 99,\d{3} of 4,999,\d{3} characters")  # fmt: skip
    articles, errors = code_with_library(pipeline, [str(path)])
    assert errors == [] and len(articles) == 1
    assert check_article(case, articles[0], "") == []


# -- bugs this corpus found (fixed; these stay as regression tests) -----------------------


def test_nested_sentence_no_longer_exceeds_the_recursion_limit(pipeline):
    """A 3,500-token sentence made the actors stage recurse past Python's limit
    (``coding failed in stage 'actors': RecursionError``); the parse now splits sentences over
    ``max_sentence_tokens`` tokens."""
    from dyads.records import Article

    text = nested_sentence() + " Israel attacked Iran on Monday."
    coded = pipeline(Article.from_text(text, DATE))
    assert any(re.search(SPLIT_NOTE, n) for n in coded.notes)
    assert any(e.cameo.code.startswith("19") for e in coded.events)
    assert all(len(s.text.split()) <= MAX_SENTENCE_TOKENS for s in coded.sentences)


def test_unpaired_surrogates_in_json_do_not_crash_the_writers(tmp_path):
    """A JSON ``"\\ud83d"`` escape made ``dyads code`` die with UnicodeEncodeError in the writer
    (and ``dyads ingest`` store nothing); readers now replace unpaired surrogates with U+FFFD."""
    from click.testing import CliRunner

    from dyads.cli import cli

    path = tmp_path / "s.jsonl"
    path.write_text(
        json.dumps({"id": "a", "title": "T \ud83d", "url": "https://x.org/\udc00", "text": GOOD, "date": DATE})
        + "\n" + json.dumps({"id": "b", "text": GOOD2, "date": DATE}) + "\n"
    )  # fmt: skip
    for fmt in ("jsonl", "csv", "json", "table"):
        result = CliRunner().invoke(cli, ["code", str(path), "-p", "1", "-f", fmt], catch_exceptions=False)
        assert result.exit_code == 0 and "\ufffd" in result.stdout, (fmt, result.stderr)
    result = CliRunner().invoke(
        cli, ["ingest", str(path), "--db", str(tmp_path / "e.duckdb"), "-p", "1", "--json"],
        catch_exceptions=False,
    )  # fmt: skip
    assert json.loads(result.stdout[result.stdout.index("{") :])["articles_added"] == 2


@pytest.mark.xfail(strict=True, reason="known: an unclosed quote swallows the rest of a CSV file "
                   "into one article without an error (Python's csv module is lenient)")  # fmt: skip
def test_unclosed_csv_quote_is_reported(tmp_path):
    from dyads.readers import read
    from dyads.records import ArticleError

    path = tmp_path / "q.csv"
    path.write_text(f'id,date,text\na,{DATE},"{GOOD}\nb,{DATE},"{GOOD2}"\nc,{DATE},"{GOOD}"\n')
    results = list(read([path]))
    assert any(isinstance(r, ArticleError) for r in results) or len(results) == 3


@pytest.mark.xfail(strict=True, reason="known: trafilatura's date search turns an impossible "
                   "page date (2025-13-45) into 1 January of its year")  # fmt: skip
def test_impossible_html_date_is_not_replaced_by_a_guess(tmp_path):
    from dyads.readers import read

    path = tmp_path / "d.html"
    path.write_text('<html><head><meta property="article:published_time" content="2025-13-45">'
                    f"</head><body><article><p>{GOOD} {GOOD2}</p></article></body></html>")  # fmt: skip
    (article,) = read([path])
    assert article.date is None
