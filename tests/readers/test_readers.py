import datetime as dt
import io
import json

import pytest

from dyads.readers import read, read_stdin
from dyads.readers.text import split_header
from dyads.records import Article, ArticleError

D = dt.date(2025, 2, 27)


def one(items):
    items = list(items)
    assert len(items) == 1, items
    return items[0]


def test_seed_format_header_and_body(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(" date 2025-02-27 Former US Secretary of State said things.\n\nMore text.")
    art = one(read([path]))
    assert isinstance(art, Article)
    assert art.date == D and art.date_source == "header"
    assert art.text.startswith("Former US Secretary")
    assert art.id == Article.content_id(art.text)


def test_header_on_its_own_line(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("date 2025-02-27\nBody text here.")
    art = one(read([path]))
    assert art.text == "Body text here." and art.date == D


def test_plain_text_uses_date_option(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Germany imposed sanctions on Iran.")
    art = one(read([path], date=D))
    assert art.date == D and art.date_source == "--date"


def test_plain_text_without_date_is_undated(tmp_path, caplog):
    path = tmp_path / "a.txt"
    path.write_text("Germany imposed sanctions on Iran.")
    art = one(read([path]))
    assert art.date is None
    assert "no 'date YYYY-MM-DD' header" in caplog.text


@pytest.mark.parametrize("header", ["date 2025-13-45", "date 2025-02-30", "date 20250-1-1x"])
def test_impossible_date_header_is_an_error(tmp_path, header):
    path = tmp_path / "bad.txt"
    path.write_text(f"{header} Some text.")
    err = one(read([path]))
    assert isinstance(err, ArticleError)
    assert "bad.txt" in err.message() and "date" in err.reason


def test_header_like_words_are_body():
    assert split_header("Date palms grow in Iraq.") == (None, "Date palms grow in Iraq.")


def test_empty_and_whitespace_files(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "blank.txt").write_text("   \n\t \n")
    errors = list(read([tmp_path]))
    assert [type(e) for e in errors] == [ArticleError, ArticleError]
    assert all("empty article" in e.reason for e in errors)


def test_binary_file_is_refused(tmp_path):
    (tmp_path / "x.txt").write_bytes(b"\x00\x01\x02binary\x00" * 20)
    err = one(read([tmp_path / "x.txt"]))
    assert isinstance(err, ArticleError) and "binary" in err.reason


def test_latin1_bom_and_crlf(tmp_path, caplog):
    (tmp_path / "l.txt").write_bytes(
        "date 2025-02-27 Caf\xe9 talks in Z\xfcrich.".encode("latin-1")
    )
    (tmp_path / "b.txt").write_bytes("\ufeffdate 2025-02-27 Line one.\r\nLine two.\r\n".encode())
    latin, bom = sorted(read([tmp_path]), key=lambda a: a.origin, reverse=True)
    assert "Café talks in Zürich." == latin.text
    assert "read as Windows-1252" in caplog.text
    assert bom.text == "Line one.\nLine two." and bom.date == D


def test_jsonl_fields_and_errors(tmp_path):
    lines = [
        json.dumps(
            {
                "id": "a1",
                "text": "First.",
                "published": "2025-03-14 20:30:26Z",
                "title": "T",
                "url": "u",
            }
        ),
        "{not json",
        json.dumps({"text": "No date."}),
        json.dumps({"title": "no text"}),
        json.dumps({"text": "Bad date.", "date": "2025-99-01"}),
        json.dumps([1, 2]),
        "",
        json.dumps({"text": "Last.", "date": "2025-01-02"}),
    ]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(lines))
    items = list(read([path], date=D))
    kinds = [type(i).__name__ for i in items]
    assert kinds == [
        "Article",
        "ArticleError",
        "Article",
        "ArticleError",
        "ArticleError",
        "ArticleError",
        "Article",
    ]
    assert items[0].id == "a1" and items[0].date == dt.date(2025, 3, 14) and items[0].title == "T"
    assert items[1].origin == f"{path}:2" and "malformed JSON" in items[1].reason
    assert items[2].date == D and items[2].date_source == "--date"
    assert "no 'text' field" in items[3].reason
    assert "not a real date" in items[4].reason
    assert items[6].date == dt.date(2025, 1, 2)


def test_truncated_jsonl_line(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text(
        json.dumps({"text": "Complete.", "date": "2025-01-01"})
        + "\n"
        + '{"text": "cut off in the mi'
    )
    items = list(read([path]))
    assert isinstance(items[0], Article) and isinstance(items[1], ArticleError)


def test_csv_reader(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(
        'id,date,text\nx1,2025-02-27,"Hello, world."\nx2,2025-02-28,\nx3,2025-02-29,Bad date\n'
    )
    items = list(read([path]))
    assert items[0].id == "x1" and items[0].text == "Hello, world."
    assert isinstance(items[1], ArticleError) and "empty" in items[1].reason
    assert isinstance(items[2], ArticleError) and "a.csv:4" in items[2].origin


def test_csv_without_text_column(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id,date,body\n1,2025-01-01,x\n")
    err = one(read([path]))
    assert isinstance(err, ArticleError) and "no 'text' column" in err.reason


def test_html_reader(tmp_path):
    html = """<html><head><title>Talks</title><meta property="article:published_time" content="2025-02-27T10:00:00Z"></head>
    <body><nav>Menu</nav><article><h1>Talks resume</h1><p>Israel and Hamas resumed talks in Cairo on Monday, officials said, after a pause of two weeks in the negotiations over the ceasefire.</p>
    <p>Egypt and Qatar mediated the talks, which focused on the release of hostages and the entry of aid into Gaza.</p></article>
    <script>alert('x')</script></body></html>"""
    path = tmp_path / "a.html"
    path.write_text(html)
    art = one(read([path]))
    assert isinstance(art, Article), art
    assert "Israel and Hamas resumed talks" in art.text and "alert" not in art.text
    assert art.date == D and art.date_source == "html-metadata"


def test_html_without_text(tmp_path):
    path = tmp_path / "e.html"
    path.write_text("<html><body><script>var a = 1;</script></body></html>")
    err = one(read([path], date=D))
    assert isinstance(err, ArticleError) and "no article text" in err.reason


def test_directories_recursive_and_sorted(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("date 2025-01-02 Two.")
    (tmp_path / "1.txt").write_text("date 2025-01-01 One.")
    (tmp_path / "notes.md").write_text("ignored")
    texts = [a.text for a in read([tmp_path])]
    assert texts == ["One.", "Two."]


def test_missing_path_and_unsupported_type(tmp_path):
    (tmp_path / "x.pdf").write_text("x")
    items = list(read([tmp_path / "nope.txt", tmp_path / "x.pdf"], fmt=None))
    assert all(isinstance(i, ArticleError) for i in items)
    assert "no such file" in items[0].reason and "unsupported" in items[1].reason


def test_stdin_text_and_jsonl():
    art = one(read_stdin(D, io.BufferedReader(io.BytesIO(b"Some text from a pipe."))))
    assert art.text == "Some text from a pipe." and art.date == D
    arts = list(
        read_stdin(
            None,
            io.BufferedReader(
                io.BytesIO(
                    b'{"text": "a", "date": "2025-01-01"}\n{"text": "b", "date": "2025-01-02"}\n'
                )
            ),
        )
    )
    assert [a.text for a in arts] == ["a", "b"]


def test_parquet_reader(tmp_path):
    import duckdb

    path = tmp_path / "a.parquet"
    duckdb.sql(
        "SELECT 'p1' AS id, 'Text one.' AS text, DATE '2025-02-27' AS date UNION ALL SELECT 'p2', NULL, DATE '2025-02-27'"
    ).write_parquet(str(path))
    items = sorted(read([path]), key=lambda a: a.origin)
    assert isinstance(items[0], Article) and items[0].id == "p1" and items[0].date == D
    assert isinstance(items[1], ArticleError)
