"""Event store benchmark: code and store the VOA corpus, then store it again.

    python benchmarks/store_voa.py                     # prints, and writes docs/benchmarks.md
    python benchmarks/store_voa.py --processes 2 --no-write

Records the article, event and cluster counts, the time taken, that a second ingest adds
nothing, and the store's size per 1,000 events. Writes only between the ``<!-- store:begin -->``
and ``<!-- store:end -->`` markers of docs/benchmarks.md (creating the file or the section when
absent): other benchmarks own the rest of that file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VOA = ROOT.parent / "shared" / "corpora" / "voa_stories.jsonl"
BEGIN, END = "<!-- store:begin -->", "<!-- store:end -->"


def copies_of(coded: list, copies: int):
    """The coded VOA articles again and again, each copy with new ids and dates a week later,
    as a store that grows over time would see them."""
    from dyads.export.contract import article_dict
    from dyads.records import CodedArticle
    from dyads.store_schema import from_article_dict

    originals = [article_dict(c) for c in coded if isinstance(c, CodedArticle)]
    for k in range(copies):
        shift = dt.timedelta(days=7 * k)
        for data in originals:
            article = {**data["article"], "id": f"{data['article']['id']}~{k}"}
            events = []
            for event in data["events"]:
                date = dict(event["date"])
                if date["value"]:
                    date["value"] = (dt.date.fromisoformat(date["value"]) + shift).isoformat()
                events.append(
                    {**event, "id": f"{event['id']}~{k}", "article_id": article["id"], "date": date}
                )
            yield from_article_dict({**data, "article": article, "events": events})


def scale(coded: list, db: Path, copies: int) -> dict:
    """Store size growth: the same articles stored once, then ``copies`` times."""
    import duckdb

    from dyads.store import EventStore

    sizes = {}
    for n in (1, copies):
        path = db.with_name(f"scaled-{n}.duckdb")
        store = EventStore(path)
        started = time.perf_counter()
        store.ingest(copies_of(coded, n), batch_size=500)
        seconds = time.perf_counter() - started
        with duckdb.connect(str(path)) as con:
            con.execute("CHECKPOINT")
            blocks = {
                table: con.execute(
                    f"SELECT count(DISTINCT block_id) FROM pragma_storage_info('{table}') "
                    "WHERE block_id >= 0"
                ).fetchall()[0][0]
                for table in ("events", "actors", "quotes", "places", "clusters", "articles")
            }
            rows = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in blocks}
        stats = store.stats()
        sizes[n] = (
            path.stat().st_size,
            stats["events"],
            stats["clusters"],
            seconds,
            stats["articles"],
        )
    (small, small_events, *_), (big, big_events, big_clusters, big_seconds, big_articles) = (
        sizes[1],
        sizes[copies],
    )
    return {
        "copies": copies,
        "scaled_articles": big_articles,
        "scaled_events": big_events,
        "scaled_clusters": big_clusters,
        "scaled_size": big,
        "scaled_seconds": big_seconds,
        "scaled_blocks": blocks,
        "scaled_rows": rows,
        "growth_per_1000": (big - small) * 1000 / (big_events - small_events)
        if big_events > small_events
        else None,
    }


def measure(corpus: Path, db: Path, processes: int, copies: int = 100) -> dict:
    import duckdb

    from dyads import __version__
    from dyads.pipeline import Pipeline
    from dyads.readers import read
    from dyads.store import EventStore

    empty = db.with_name("empty.duckdb")
    with EventStore(empty).connection(write=True):
        pass
    empty_size = empty.stat().st_size
    pipeline = Pipeline()
    store = EventStore(db)
    coded: list = []

    def keep(results):
        for result in results:
            coded.append(result)
            yield result

    started = time.perf_counter()
    first = store.ingest(keep(pipeline.pipe(read([corpus]), processes=processes)), batch_size=20)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    second = store.ingest(pipeline.pipe(store.skip_stored(read([corpus]), lambda _: None)))
    again_seconds = time.perf_counter() - started
    rerun = store.ingest(pipeline.pipe(read([corpus]), processes=processes), batch_size=20)
    with duckdb.connect(str(db)) as con:
        con.execute("CHECKPOINT")
    stats = store.stats()
    problems = store.verify()
    events = stats["events"]
    size = db.stat().st_size
    scaled = scale(coded, db.with_name("scaled.duckdb"), copies)
    return {
        **scaled,
        "date": dt.date.today().isoformat(),
        "dyads": __version__,
        "python": platform.python_version(),
        "model": pipeline.model_name,
        "processes": processes,
        "corpus": corpus.name,
        "articles": stats["articles"],
        "articles_with_events": stats["articles_with_events"],
        "errors": first.error_count,
        "events": events,
        "clusters": stats["clusters"],
        "multi_article_clusters": stats["multi_article_clusters"],
        "asserted": stats["events_by_modality"].get("asserted", 0),
        "seconds": seconds,
        "articles_per_second": (first.articles_added + first.error_count) / seconds,
        "second_run_added": second.articles_added + rerun.articles_added,
        "second_run_seconds": again_seconds,
        "rerun_skipped": rerun.articles_skipped,
        "size": size,
        "empty_size": empty_size,
        "per_1000": size * 1000 / events if events else None,
        "marginal_per_1000": (size - empty_size) * 1000 / events if events else None,
        "problems": problems,
    }


def section(r: dict) -> str:
    per = f"{r['per_1000'] / 1e6:,.2f} MB" if r["per_1000"] else "n/a (no events)"
    marginal = f"{r['marginal_per_1000'] / 1e3:,.0f} kB" if r["marginal_per_1000"] else "n/a"
    return "\n".join([
        BEGIN,
        "## Event store: the VOA corpus",
        "",
        f"`python benchmarks/store_voa.py` on {r['date']} (dyads {r['dyads']}, Python {r['python']}, "
        f"{r['model']}, {r['processes']} process(es)): `{r['corpus']}` coded by the default pipeline and "
        "stored in a new DuckDB event store, then ingested twice more.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| articles stored | {r['articles']:,} ({r['articles_with_events']:,} with events; {r['errors']:,} errors) |",
        f"| events (reports) | {r['events']:,} ({r['asserted']:,} asserted) |",
        f"| event clusters | {r['clusters']:,} ({r['multi_article_clusters']:,} reported by more than one article) |",
        f"| coding and storing | {r['seconds']:,.1f} s, {r['articles_per_second']:,.2f} articles/s |",
        f"| second ingest (stored articles skipped before coding) | {r['second_run_added']:,} articles added, "
        f"{r['second_run_seconds']:,.1f} s |",
        f"| third ingest (coded again, skipped by the store) | {r['rerun_skipped']:,} articles skipped, 0 added |",
        f"| store size | {r['size'] / 1e6:,.2f} MB (an empty store: {r['empty_size'] / 1e6:,.2f} MB) |",
        f"| store size per 1,000 events | {per} ({marginal} beyond the empty store) |",
        f"| the coded corpus stored {r['copies']} times (new ids, dates a week apart each time) | "
        f"{r['scaled_articles']:,} articles, {r['scaled_events']:,} events, {r['scaled_clusters']:,} clusters, "
        f"{r['scaled_size'] / 1e6:,.1f} MB, stored in {r['scaled_seconds']:,.1f} s |",
        f"| **store growth per 1,000 events** (from 1 to {r['copies']} copies) | "
        f"**{(r['growth_per_1000'] or 0) / 1e3:,.0f} kB** |",
        "| where the space goes (256 kB data blocks of each table, and its rows) | "
        + ", ".join(
            f"{t} {b} ({r['scaled_rows'][t]:,} rows)" for t, b in r["scaled_blocks"].items()
        )
        + " |",
        f"| consistency check (`dyads stats --check`) | {'; '.join(r['problems']) or 'ok'} |",
        "",
        "DuckDB allocates space in 256 kB blocks, so a store this small is mostly fixed overhead;",
        "the growth measured on the replicated corpus is the figure to plan disk space with (events,",
        "their actors, quotes, places and clusters together, and the article texts, which the store",
        "keeps since schema version 2 so that the web app can show the text around an event). The",
        "copies repeat the same 89 texts, which DuckDB's dictionary compression stores almost once,",
        "so plan for the texts apart: up to their own size (4.6 kB per VOA article) per article.",
        END,
    ])  # fmt: skip


def write_section(path: Path, text: str) -> None:
    if path.exists():
        current = path.read_text(encoding="utf-8")
        if BEGIN in current and END in current:
            before, rest = current.split(BEGIN, 1)
            _, after = rest.split(END, 1)
            path.write_text(before + text + after, encoding="utf-8")
            return
        path.write_text(current.rstrip("\n") + "\n\n" + text + "\n", encoding="utf-8")
        return
    path.write_text("# Benchmarks\n\n" + text + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=VOA)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument(
        "--copies", type=int, default=100, help="Copies of the corpus for the growth figure."
    )
    parser.add_argument("--no-write", action="store_true", help="Print only.")
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"store_voa: no corpus at {args.corpus}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        try:
            result = measure(args.corpus, Path(tmp) / "voa.duckdb", args.processes, args.copies)
        except Exception as err:  # e.g. a pipeline stage that is not written yet
            print(
                f"store_voa: the pipeline cannot run: {type(err).__name__}: {err}", file=sys.stderr
            )
            return 1
    text = section(result)
    print(text)
    if not args.no_write:
        write_section(args.out, text)
        print(f"written to {args.out}", file=sys.stderr)
    return 0 if not result["problems"] else 1


if __name__ == "__main__":
    sys.exit(main())
