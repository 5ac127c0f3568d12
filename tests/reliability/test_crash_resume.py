"""Crash and resume: a real ``python -m dyads ingest`` is killed with SIGKILL at a random moment,
then run again to completion; after every rerun each article is in the store exactly once.

Each trial feeds the same store the bundled samples plus a new file of generated JSON-lines
articles (with the files of the earlier trials, which the rerun skips as stored), kills the
ingest after a random sleep between 0.5 s and the typical run time (measured first, on a
reference store), reruns it, and then checks with DuckDB directly: the file opens cleanly (also
right after the kill), the schema version is intact, every article id of the inputs is present
exactly once, event ids are unique, the store's own consistency checks pass, no run is left
``running``, and the events of the first trial's articles are exactly those of the reference
run. The seed is printed; set ``DYADS_CRASH_SEED`` to replay a run and ``DYADS_CRASH_TRIALS`` for
more trials. ``benchmarks/reliability_report.py`` runs the same trials for docs/reliability.md.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
ARTICLES_PER_TRIAL = 60
# Small parse batches and commits, so that a kill often lands between two commits or in one.
INGEST_OPTIONS = ["-p", "1", "--batch-size", "2", "--commit-every", "3", "--json"]

ACTORS = [
    "Israel", "Iran", "Russia", "Ukraine", "Germany", "France", "China", "Egypt", "Turkey",
    "Qatar", "Hamas", "the United States", "the European Union", "Hezbollah", "Saudi Arabia",
]  # fmt: skip
ACTS = [
    "attacked", "condemned", "met", "imposed sanctions on", "criticized", "praised",
    "threatened", "accused", "signed an agreement with", "sent aid to", "expelled diplomats of",
]  # fmt: skip
PLACES = ["Cairo", "Gaza", "Kharkiv", "Doha", "Geneva", "Tehran", "Ankara", "Beirut"]


def generated_articles(trial: int, n: int = ARTICLES_PER_TRIAL) -> list[dict]:
    """``n`` short news articles with unique ids and texts (the store also dedups by text)."""
    rng = random.Random(trial)
    out = []
    for i in range(n):
        a, b, c = rng.sample(ACTORS, 3)
        place = rng.choice(PLACES)
        text = (
            f"{a} {rng.choice(ACTS)} {b} on Monday in {place}, officials said. "
            f"Report {trial}-{i}: {b} {rng.choice(ACTS)} {c} after talks in {rng.choice(PLACES)} "
            f"on Tuesday. {c.capitalize() if c[0].islower() else c} said it would respond."
        )
        out.append({"id": f"gen-{trial:03d}-{i:03d}", "date": f"2025-03-{1 + i % 28:02d}",
                    "url": f"https://example.org/{trial}/{i}", "text": text})  # fmt: skip
    return out


def write_jsonl(path: Path, articles: list[dict]) -> Path:
    path.write_text("".join(json.dumps(a) + "\n" for a in articles))
    return path


def sample_ids() -> set[str]:
    from dyads.readers import read
    from dyads.records import Article

    return {a.id for a in read([SAMPLES]) if isinstance(a, Article)}


def ingest_command(db: Path, inputs: list[Path]) -> list[str]:
    return [sys.executable, "-m", "dyads", "-q", "ingest", *map(str, inputs), "--db", str(db),
            *INGEST_OPTIONS]  # fmt: skip


def run_to_completion(db: Path, inputs: list[Path], timeout: float = 900) -> dict:
    done = subprocess.run(
        ingest_command(db, inputs), capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def check_store(db: Path, expected_ids: set[str] | None) -> dict:
    """Open the file read-only with DuckDB and check it; returns counts."""
    from dyads.store import EventStore
    from dyads.store_schema import CURRENT_VERSION, MIGRATIONS

    con = duckdb.connect(str(db), read_only=True)  # opens cleanly, or this raises
    try:
        versions = [
            r[0] for r in con.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()
        ]
        assert versions == [m.version for m in MIGRATIONS] and versions[-1] == CURRENT_VERSION
        twice = con.execute("SELECT id FROM articles GROUP BY id HAVING count(*) > 1").fetchall()
        assert twice == [], f"articles stored twice: {twice[:5]}"
        dup_events = con.execute(
            "SELECT event_id FROM events GROUP BY event_id HAVING count(*) > 1"
        ).fetchall()
        assert dup_events == [], f"events stored twice: {dup_events[:5]}"
        ids = {r[0] for r in con.execute("SELECT id FROM articles").fetchall()}
        events = con.execute("SELECT count(*) FROM events").fetchone()[0]
        statuses = [
            r[0] for r in con.execute("SELECT status FROM ingest_runs ORDER BY run_id").fetchall()
        ]
    finally:
        con.close()
    if expected_ids is not None:
        assert ids == expected_ids, (
            f"missing {sorted(expected_ids - ids)[:5]}, unexpected {sorted(ids - expected_ids)[:5]}"
        )
    assert EventStore(db, read_only=True).verify() == []
    return {"articles": len(ids), "events": events, "statuses": statuses}


def event_ids(db: Path, article_ids: set[str]) -> set[tuple[str, str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT article_id, event_id FROM events").fetchall()
    finally:
        con.close()
    return {(a, e) for a, e in rows if a in article_ids}


def stored_after_kill(db: Path, new_ids: set[str], number: int) -> int:
    """Check the store right after a kill; how many of ``new_ids`` it holds."""
    if not db.exists():  # killed before the store was created
        return 0
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as err:
        raise AssertionError(
            f"trial {number}: the store does not open after a kill: {err}"
        ) from err
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if "schema_version" not in tables:  # killed inside the first migration: nothing kept
            assert tables == set(), f"trial {number}: half a schema after the kill: {tables}"
            return 0
        ids = {r[0] for r in con.execute("SELECT id FROM articles").fetchall()}
    finally:
        con.close()
    check_store(db, None)
    return len(ids & new_ids)


@dataclass
class Trial:
    number: int
    delay: float
    killed: bool  # False when the ingest had finished before the kill
    stored_at_kill: int  # articles of this trial's new file in the store right after the kill
    new_articles: int
    rerun_added: int
    rerun_seconds: float


def run_trials(workdir: Path, trials: int, seed: int, say=print) -> tuple[list[Trial], dict]:
    """The crash-and-resume loop; raises AssertionError at the first broken invariant."""
    rng = random.Random(seed)
    say(f"crash/resume: seed {seed}, {trials} trials, {ARTICLES_PER_TRIAL} new articles each")
    samples = sample_ids()
    # The reference: the first trial's input, uninterrupted; its wall time is the typical run
    # (until a run finishes before its kill: then that run's time is).
    first = write_jsonl(workdir / "gen-000.jsonl", generated_articles(0))
    reference = workdir / "reference.duckdb"
    started = time.perf_counter()
    run_to_completion(reference, [SAMPLES, first])
    typical = reference_seconds = time.perf_counter() - started
    first_ids = samples | {a["id"] for a in generated_articles(0)}
    check_store(reference, first_ids)
    say(f"reference run: {typical:.1f}s for {len(first_ids)} articles")

    db = workdir / "events.duckdb"
    files: list[Path] = []
    expected = set(samples)
    results: list[Trial] = []
    for number in range(trials):
        articles = generated_articles(number)
        files.append(
            first if number == 0 else write_jsonl(workdir / f"gen-{number:03d}.jsonl", articles)
        )
        new_ids = {a["id"] for a in articles}
        expected |= new_ids
        inputs = [SAMPLES, *files]
        delay = rng.uniform(0.5, max(0.6, typical))
        started = time.perf_counter()
        process = subprocess.Popen(ingest_command(db, inputs), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            process.wait(timeout=delay)
            killed = False  # it finished first: a run takes less than thought (less load now)
            typical = time.perf_counter() - started
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            killed = True
            process.wait(timeout=60)
        stored = stored_after_kill(db, new_ids, number)
        started = time.perf_counter()
        summary = run_to_completion(db, inputs)
        seconds = time.perf_counter() - started
        counts = check_store(db, expected)
        assert summary["articles_added"] + summary["articles_skipped"] == len(expected), summary
        assert summary["errors"] == 0, summary
        assert "running" not in counts["statuses"] and counts["statuses"][-1] == "done"
        trial = Trial(number, round(delay, 2), killed, stored, len(new_ids),
                      summary["articles_added"], round(seconds, 1))  # fmt: skip
        results.append(trial)
        say(f"trial {number:2d}: kill after {delay:5.2f}s ({'killed' if killed else 'had finished'}), "
            f"{stored:2d}/{len(new_ids)} new articles stored at the kill, rerun added "
            f"{summary['articles_added']:2d} in {seconds:.1f}s; {counts['articles']} articles, "
            f"{counts['events']} events")  # fmt: skip
    # The events of the first trial's articles are exactly those of the uninterrupted run.
    assert event_ids(db, first_ids) == event_ids(reference, first_ids)
    final = check_store(db, expected)
    final.update(seed=seed, reference_seconds=round(reference_seconds, 1))
    return results, final


@pytest.mark.slow
def test_sigkill_at_random_moments_then_rerun_stores_every_article_once(tmp_path):
    seed = int(os.environ.get("DYADS_CRASH_SEED", random.SystemRandom().randrange(2**32)))
    trials = int(os.environ.get("DYADS_CRASH_TRIALS", 20))
    print(f"DYADS_CRASH_SEED={seed}")  # replay a failure with this seed
    results, final = run_trials(tmp_path, trials, seed)
    assert len(results) == trials >= 20 or "DYADS_CRASH_TRIALS" in os.environ
    assert final["articles"] == len(sample_ids()) + trials * ARTICLES_PER_TRIAL
    assert sum(t.killed for t in results) >= trials // 2  # most kills land while it runs
