"""Fixtures of the web tests: a hand-built store (fast), the samples coded by ``dyads ingest``
(slow), a stand-in pipeline, and a real ``dyads serve`` process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from store_fixtures import make_article

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
DYADS = [sys.executable, "-m", "dyads"]
TOKEN = "test-token-0123456789abcdef"


def pytest_configure(config):
    # starlette's TestClient warns that it will move from httpx to httpx2
    config.addinivalue_line(
        "filterwarnings", "ignore:Using `httpx` with `starlette.testclient`:UserWarning"
    )


def store_articles() -> list:
    """Five articles whose events exercise every filter."""
    return [
        make_article(
            "a1",
            "2024-03-01",
            [
                {
                    "source": "ISR",
                    "target": "PSE",
                    "root": "19",
                    "place": "Gaza",
                    "date": "2024-03-01",
                },
                {
                    "source": "USA",
                    "target": "ISR",
                    "root": "04",
                    "attribution": "USAGOV",
                    "place": "Washington",
                    "verb": "met",
                    "confidence": 0.9,
                },
            ],
            url="https://news.example.org/a1",
        ),  # fmt: skip
        make_article(
            "a2",
            "2024-03-02",
            [
                {
                    "source": "ISRMIL",
                    "target": "PSEREBHMS",
                    "root": "19",
                    "modality": "negated",
                    "modality_cue": "not",
                    "place": "Gaza",
                    "verb": "struck",
                },
                {
                    "source": "IRN",
                    "target": "ISR",
                    "root": "11",
                    "date": "2024-02-28",
                    "modality": "threatened",
                    "verb": "condemned",
                    "confidence": 0.4,
                },
            ],
            url="https://other.example.com/a2",
        ),  # fmt: skip
        make_article(
            "a3",
            "2024-04-10",
            [
                {
                    "source": "USAGOV",
                    "target": "ISR",
                    "root": "06",
                    "place": "Washington",
                    "verb": "aided",
                },
                {
                    "source": "DEU",
                    "target": "IRN",
                    "root": "16",
                    "place": "Tehran",
                    "verb": "sanctioned",
                },
                {"source": "PSE", "target": "ISR", "root": "01", "verb": "blamed"},
            ],
        ),  # fmt: skip
        make_article(
            "a4",
            None,
            [
                {"source": "IGOUNO", "target": "SYRMOSSUN", "root": "04", "verb": "visited"},
                {"source": None, "target": "PSE", "root": "19", "verb": "shelled"},
            ],
            url="",
        ),  # fmt: skip
        make_article(
            "a5",
            "2025-01-05",
            [
                {"source": "ISR", "target": "PSE", "root": "19", "place": "Gaza", "verb": "bombed"},
                {
                    "source": "ISR",
                    "target": "PSE",
                    "root": "19",
                    "place": "Gaza",
                    "verb": "hit",
                    "date": "2025-01-05",
                },
            ],
        ),  # fmt: skip
    ]


@pytest.fixture(scope="session")
def store_path(tmp_path_factory) -> Path:
    from dyads.store import EventStore

    path = tmp_path_factory.mktemp("web") / "api.duckdb"
    EventStore(path).ingest(store_articles())
    return path


class FakePipeline:
    """Codes any text as one statement by an unknown source (the first word is the trigger)."""

    calls = 0

    def __call__(self, article):
        from dyads.records import CameoCode, CodedArticle, Event, PloverCode, Span

        FakePipeline.calls += 1
        word = article.text.split()[0]
        start = article.text.index(word)
        event = Event(
            article_id=article.id, sentence_index=0, sentence=article.text.split("\n")[0],
            trigger=Span(start, start + len(word), word),
            cameo=CameoCode("010", "01", "Make statement", 0.0, 1), plover=PloverCode(None),
            rule="fake", confidence=0.5,
        )  # fmt: skip
        return CodedArticle(article=article, events=(event,))


def make_client(path: Path, **kwargs):
    from fastapi.testclient import TestClient

    from dyads.web.app import create_app

    kwargs.setdefault("pipeline", FakePipeline())
    return TestClient(create_app(path, **kwargs))


@pytest.fixture(scope="module")
def client(store_path):
    with make_client(store_path) as c:
        yield c


@pytest.fixture
def writable_copy(store_path, tmp_path) -> Path:
    """A copy of the hand-built store that a test may write."""
    import shutil

    copy = tmp_path / "copy.duckdb"
    shutil.copy(store_path, copy)
    return copy


# -- the bundled samples, coded for real -------------------------------------------------------------


@pytest.fixture(scope="session")
def samples_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("samples") / "samples.duckdb"
    run = subprocess.run(
        [*DYADS, "-q", "ingest", str(SAMPLES), "--db", str(path), "--processes", "1"],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, db: Path, *args: str, env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [*DYADS, "serve", "--db", str(db), "--port", str(self.port), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, **(env or {})},
        )  # fmt: skip

    def wait(self, timeout: float = 60.0) -> Server:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dyads serve exited: {self.process.stderr.read()}")
            try:
                if httpx.get(self.url + "/api/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError("dyads serve did not answer")

    def stop(self) -> str:
        """Stop the server (once) and return what it wrote on stderr."""
        if self.process.returncode is not None:
            return ""
        self.process.terminate()
        try:
            _, err = self.process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        return err


@pytest.fixture
def serve():
    servers: list[Server] = []

    def start(db: Path, *args: str, env: dict | None = None) -> Server:
        server = Server(db, *args, env=env)
        servers.append(server)
        return server.wait()

    yield start
    for server in servers:
        server.stop()
