"""``dyads ingest``, ``query``, ``dyad``, ``export`` and ``stats``: the event store commands."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import logging
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Any

import click

from ..records import ArticleError
from .common import ErrorLog, Progress, _date, build_config, pipeline_options, resolve_processes

log = logging.getLogger("dyads")

DB_HELP = "Event store file (DuckDB; created by ingest)."


def db_option(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--lock-timeout", type=click.FloatRange(min=0), default=60.0, show_default=True,
                        help="Seconds to wait while another process holds the store.")(func)  # fmt: skip
    return click.option(
        "--db",
        default="dyads.duckdb",
        show_default=True,
        type=click.Path(dir_okay=False),
        help=DB_HELP,
    )(func)


def store_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Store problems (missing, locked, damaged file; bad filter) → one line and exit 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ..store import StoreError

        try:
            return func(*args, **kwargs)
        except StoreError as err:
            click.echo(f"dyads: error: {err}", err=True)
            sys.exit(1)

    return wrapper


FILTER_OPTIONS = [
    click.option("--source", multiple=True, help="Source actor code prefix or country (ISR matches ISRMIL); repeatable."),
    click.option("--target", multiple=True, help="Target actor code prefix or country; repeatable."),
    click.option("--actor", multiple=True, help="Either actor; repeatable."),
    click.option("--root", multiple=True, help="CAMEO root code (19, 04); repeatable."),
    click.option("--code", multiple=True, help="CAMEO code prefix (190, 0211); repeatable."),
    click.option("--quad-class", multiple=True, type=click.IntRange(1, 4), help="QuadClass 1-4; repeatable."),
    click.option("--modality", multiple=True, help="asserted, negated, threatened, ...; repeatable."),
    click.option("--plover-type", multiple=True, help="PLOVER event type; repeatable."),
    click.option("--since", callback=_date, help="Events dated on or after (YYYY-MM-DD)."),
    click.option("--until", callback=_date, help="Events dated on or before (YYYY-MM-DD)."),
    click.option("--country", multiple=True, help="Event location country (ISO3); repeatable."),
    click.option("--article", "article_id", multiple=True, help="Article id; repeatable."),
    click.option("--min-confidence", type=click.FloatRange(0, 1), default=None, help="Lowest event confidence."),
]  # fmt: skip


def filter_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(FILTER_OPTIONS):
        func = option(func)
    return func


FILTER_NAMES = ("source", "target", "actor", "root", "code", "quad_class", "modality",
                "plover_type", "since", "until", "country", "article_id", "min_confidence")  # fmt: skip


def pop_filters(kwargs: dict[str, Any]) -> dict[str, Any]:
    filters = {name: kwargs.pop(name) for name in FILTER_NAMES}
    return {
        k: list(v) if isinstance(v, tuple) else v for k, v in filters.items() if v not in (None, ())
    }


# -- ingest ----------------------------------------------------------------------------------


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@db_option
@click.option(
    "--precoded",
    is_flag=True,
    help="INPUTS are 'dyads code --format json' (or jsonl) output: store without coding.",
)
@click.option(
    "--parquet",
    "from_parquet",
    is_flag=True,
    help="INPUTS are event Parquet files or directories (dyads export --format parquet, the Spark runner).",
)
@click.option(
    "--commit-every",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Articles per transaction.",
)
@click.option(
    "--cluster-window",
    type=click.IntRange(min=0),
    default=None,
    help="Clustering window in days (default: the store's; 1 for a new store). A new value reclusters the store.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pipeline_options
@click.pass_context
@store_errors
def ingest(ctx, inputs, db, lock_timeout, precoded, from_parquet, commit_every, cluster_window, as_json,
           date, config_path, model, pattern_files, actor_files, processes, batch_size, input_format, strict):  # fmt: skip
    """Code articles and store their events in the event store (skipping stored articles).

    INPUTS are what 'dyads code' reads (files, directories, '-'), or with --precoded the JSON that
    'dyads code --format json' writes, or with --parquet event Parquet files. Each batch of
    articles is one transaction: a run that is killed can simply be started again.
    """
    from ..store import EventStore
    from ..store_schema import read_event_parquet, read_precoded

    if precoded and from_parquet:
        raise click.UsageError("--precoded and --parquet exclude each other")
    store = EventStore(db, lock_timeout=lock_timeout)
    with store.connection(write=True):  # create or migrate the store before any work
        pass
    if cluster_window is not None and cluster_window != store.cluster_window:
        log.warning("reclustering %s with a window of %d days", db, cluster_window)
        store.set_cluster_window(cluster_window)
    quiet = ctx.obj.get("quiet") if ctx.obj else False
    errors = ErrorLog(strict)
    progress = Progress(not quiet)
    skipped_early = 0

    def on_skip(_article: Any) -> None:
        nonlocal skipped_early
        skipped_early += 1
        progress.update()

    if precoded:
        stream: Iterable[Any] = read_precoded(inputs)
    elif from_parquet:
        stream = read_event_parquet(inputs)
    else:
        from ..pipeline import Pipeline
        from ..readers import read

        pipeline = Pipeline(build_config(config_path, model, pattern_files, actor_files))
        articles = store.skip_stored(read(inputs, date, input_format), on_skip)
        stream = pipeline.pipe(
            articles, batch_size=batch_size, processes=resolve_processes(processes)
        )
    started = time.perf_counter()
    try:
        report = store.ingest(
            stream, batch_size=commit_every, command=" ".join(["dyads ingest", *inputs, "--db", str(db)]),
            on_error=errors.report, on_item=progress.update,
        )  # fmt: skip
    finally:
        progress.close()
    seconds = time.perf_counter() - started
    report.articles_skipped += skipped_early
    handled = report.articles_added + report.articles_skipped + report.error_count
    stats = store.stats()
    summary = {
        "db": str(db), "run_id": report.run_id, "articles_added": report.articles_added,
        "events_added": report.events_added, "articles_skipped": report.articles_skipped,
        "errors": report.error_count, "seconds": round(seconds, 2),
        "articles_per_second": round(handled / seconds, 2) if seconds else None,
        "store": {k: stats[k] for k in ("articles", "events", "clusters", "size_bytes")},
    }  # fmt: skip
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    elif not quiet:
        click.echo(
            f"stored {report.articles_added:,} articles ({report.events_added:,} events) in {seconds:.1f}s, "
            f"{summary['articles_per_second'] or 0:,.1f} articles/s; {report.articles_skipped:,} already stored; "
            f"{report.error_count:,} errors"
        )
        s = summary["store"]
        click.echo(
            f"{db}: {s['articles']:,} articles, {s['events']:,} events in {s['clusters']:,} clusters"
        )
        if report.error_count:
            click.echo(error_summary(report.errors, report.error_count, report.run_id))
    if report.articles_added == 0 and report.error_count and report.articles_skipped == 0:
        ctx.exit(1)


def error_summary(errors: list[ArticleError], total: int, run_id: int, top: int = 8) -> str:
    counts = Counter(
        (e.stage, re.split(r"[:(]", e.reason, maxsplit=1)[0].strip()[:90]) for e in errors
    )
    lines = [f"errors by stage and reason ({total:,} in all):"]
    for (stage, reason), n in counts.most_common(top):
        lines.append(f"  {n:>6,}  {stage}: {reason}")
    if len(counts) > top:
        lines.append(f"  ... and {len(counts) - top} other kinds")
    lines.append(f"all of them: SELECT * FROM ingest_errors WHERE run_id = {run_id}")
    return "\n".join(lines)


# -- output helpers --------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def write_table(
    rows: list[Mapping[str, Any]],
    columns: list[str],
    out: IO[str],
    widths: Mapping[str, int] | None = None,
) -> None:
    widths = dict(widths or {})
    cells = [[("" if r.get(c) is None else str(_plain(r.get(c)))) for c in columns] for r in rows]
    for i, column in enumerate(columns):
        natural = max([len(column), *(len(row[i]) for row in cells)])
        widths[column] = min(widths.get(column, natural), natural)
    out.write("  ".join(f"{c:<{widths[c]}}" for c in columns).rstrip() + "\n")
    out.write("  ".join("-" * widths[c] for c in columns) + "\n")
    for row in cells:
        out.write(
            "  ".join(
                f"{v[: widths[c]]:<{widths[c]}}" for c, v in zip(columns, row, strict=True)
            ).rstrip()
            + "\n"
        )


def write_rows(rows: list[dict[str, Any]], columns: list[str], fmt: str, out: IO[str]) -> None:
    if fmt == "json":
        for row in rows:
            out.write(
                json.dumps({c: _plain(row.get(c)) for c in columns}, ensure_ascii=False) + "\n"
            )
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else _plain(row.get(c)) for c in columns])
    else:
        write_table(rows, columns, out)


# -- query -----------------------------------------------------------------------------------

EVENT_TABLE = ["date", "source", "event", "target", "modality", "articles", "evidence"]
CLUSTER_COLUMNS = ["cluster_id", "first_date", "last_date", "source_code", "cameo_code", "cameo_label",
                   "target_code", "modality", "location_name", "num_mentions", "num_sources",
                   "num_articles", "url"]  # fmt: skip


@click.command()
@db_option
@filter_options
@click.option(
    "--clusters",
    "by_cluster",
    is_flag=True,
    help="One row per event cluster instead of one per report.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="At most this many rows (table: 50 unless given).",
)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.option(
    "--output",
    "-o",
    type=click.File("w", encoding="utf-8", lazy=True),
    default="-",
    help="Output file (default: stdout).",
)
@store_errors
def query(db, lock_timeout, by_cluster, limit, fmt, output, **kwargs):
    """Events from the store, filtered; as a table, CSV (the output contract's columns) or JSON
    lines (the output contract's events)."""
    from ..export.contract import CSV_COLUMNS, csv_row
    from ..export.parquet import unflatten_event
    from ..store import EventStore

    filters = pop_filters(kwargs)
    store = EventStore(db, lock_timeout=lock_timeout)
    if limit is None and fmt == "table":
        limit = 50
    if by_cluster:
        rows = store.clusters(limit=limit, **filters).to_pylist()
        write_rows(rows, CLUSTER_COLUMNS, fmt, output)
        return
    rows = store.events(limit=limit, **filters).to_pylist()
    if fmt == "json":
        for row in rows:
            output.write(json.dumps(unflatten_event(row), ensure_ascii=False) + "\n")
    elif fmt == "csv":
        writer = csv.DictWriter(output, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(csv_row(unflatten_event(row)))
    else:
        table = [
            {
                "date": row["event_date"],
                "source": row["source_code"] or row["source_text"] or "-",
                "event": f"{row['cameo_code']} {row['cameo_label']}",
                "target": row["target_code"] or row["target_text"] or "-",
                "modality": row["modality"],
                "articles": row["cluster_articles"],
                "evidence": row["sentence"],
            }
            for row in rows
        ]
        write_table(
            table, EVENT_TABLE, output, {"source": 14, "event": 34, "target": 14, "evidence": 60}
        )
        if limit is not None and len(rows) == limit:
            click.echo(
                f"(first {limit} rows; --limit N for more, --format csv|json for all)", err=True
            )


# -- dyad --------------------------------------------------------------------------------------


@click.command()
@click.argument("actor_a", required=False)
@click.argument("actor_b", required=False)
@db_option
@click.option(
    "--by",
    type=click.Choice(["day", "week", "month", "quarter", "year"]),
    default="month",
    show_default=True,
)
@click.option("--undirected", is_flag=True, help="Count both directions (A to B and B to A).")
@click.option("--mentions", is_flag=True, help="Count every report instead of every event cluster.")
@click.option(
    "--all-modalities",
    is_flag=True,
    help="Count negated, threatened, ... events too (default: asserted only).",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Without actors: how many dyads to list.",
)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@store_errors
def dyad(actor_a, actor_b, db, lock_timeout, by, undirected, mentions, all_modalities, top, fmt):
    """Events from ACTOR_A to ACTOR_B per period: counts per QuadClass and the Goldstein sum.

    Actors match codes by prefix or country (USA matches USAGOV). Without actors, lists the
    dyads with the most events. Counts are event clusters (each event once, however many
    articles report it) unless --mentions.
    """
    from ..store import EventStore

    store = EventStore(db, lock_timeout=lock_timeout)
    modalities = None if all_modalities else ("asserted",)
    quads = ["verbal_coop", "material_coop", "verbal_conflict", "material_conflict"]
    if actor_a is None:
        rows = store.top_dyads(top, modalities).to_pylist()
        write_rows(
            rows,
            ["source_code", "target_code", "events", *quads, "goldstein", "first", "last"],
            fmt,
            sys.stdout,
        )
        return
    table = store.dyad_series(
        actor_a, actor_b, by=by, undirected=undirected, modalities=modalities, mentions=mentions
    )
    rows = table.to_pylist()
    if fmt == "table":
        arrow = "<->" if undirected else "->"
        what = "reports" if mentions else "events"
        click.echo(f"{actor_a.upper()} {arrow} {(actor_b or 'anyone').upper()}: {what} per {by}")
    write_rows(rows, ["period", *quads, "events", "goldstein"], fmt, sys.stdout)
    if fmt == "table" and rows:
        total = sum(r["events"] for r in rows)
        goldstein = sum(r["goldstein"] or 0 for r in rows)
        click.echo(
            f"total: {total:,} {('reports' if mentions else 'events')}, Goldstein sum {goldstein:,.1f}"
        )


# -- export ----------------------------------------------------------------------------------


@click.command()
@db_option
@click.option(
    "--format", "-f", "fmt", type=click.Choice(["gdelt", "parquet", "csv", "jsonl"]), required=True
)
@click.option(
    "--out", "-o", "out", default="-", help="Output file ('-' for stdout; Parquet needs a file)."
)
@click.option(
    "--all-modalities",
    is_flag=True,
    help="GDELT: write negated, threatened, ... events too (default: asserted only).",
)
@click.option(
    "--header", is_flag=True, help="GDELT: write a header line (GDELT's own files have none)."
)
@filter_options
@store_errors
def export(db, lock_timeout, fmt, out, all_modalities, header, **kwargs):
    """Write the store's events: the GDELT 2.0 event table (one row per event cluster),
    Parquet (flat events with cluster columns), or CSV/JSON lines of the output contract."""
    from ..store import EventStore

    filters = pop_filters(kwargs)
    store = EventStore(db, lock_timeout=lock_timeout)
    _ = store.schema_version  # fail on a missing or foreign store before creating --out
    if fmt == "parquet":
        if out == "-":
            raise click.UsageError("--format parquet needs --out FILE")
        from ..export.parquet import write_parquet

        with store.event_batches(**filters) as reader:
            count = write_parquet(reader, out)
    else:
        handle = sys.stdout if out == "-" else open(out, "w", encoding="utf-8", newline="")  # noqa: SIM115
        try:
            count = _export_text(store, fmt, handle, filters, all_modalities, header)
        finally:
            if handle is not sys.stdout:
                handle.close()
    click.echo(
        f"dyads: wrote {count:,} {'clusters' if fmt == 'gdelt' else 'events'} to {out if out != '-' else 'stdout'}",
        err=True,
    )


def _export_text(
    store: Any,
    fmt: str,
    handle: IO[str],
    filters: dict[str, Any],
    all_modalities: bool,
    header: bool,
) -> int:
    from ..export.contract import CSV_COLUMNS, csv_row
    from ..export.parquet import unflatten_event

    if fmt == "gdelt":
        from ..export.gdelt import write_gdelt

        with store.cluster_records(all_modalities=all_modalities, **filters) as rows:
            return write_gdelt(rows, handle, header=header)
    count = 0
    writer = (
        csv.DictWriter(handle, fieldnames=CSV_COLUMNS, lineterminator="\n")
        if fmt == "csv"
        else None
    )
    if writer is not None:
        writer.writeheader()
    with store.event_batches(**filters) as reader:
        for batch in reader:
            for row in batch.to_pylist():
                event = unflatten_event(row)
                if writer is not None:
                    writer.writerow(csv_row(event))
                else:
                    handle.write(
                        json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n"
                    )
                count += 1
    return count


# -- stats -----------------------------------------------------------------------------------


@click.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.option("--check", is_flag=True, help="Also run the consistency checks; exit 1 on a problem.")
@store_errors
def stats(db, lock_timeout, as_json, check):
    """Counts, dates, size, schema version and recent ingest runs of the event store."""
    from ..store import EventStore

    store = EventStore(db, lock_timeout=lock_timeout)
    data = store.stats()
    problems = store.verify() if check else []
    if check:
        data["problems"] = problems
    if as_json:
        click.echo(json.dumps(data, indent=2, default=_plain))
    else:
        _print_stats(data, check)
    if problems:
        sys.exit(1)


def _print_stats(data: dict[str, Any], check: bool) -> None:
    size = data["size_bytes"]
    click.echo(f"{data['path']}: {size / 1e6:,.1f} MB, schema version {data['schema_version']}, "
               f"clustering window {data['cluster_window']} days")  # fmt: skip
    click.echo(f"articles  {data['articles']:>10,}  ({data['articles_with_events']:,} with events)")
    click.echo(
        f"events    {data['events']:>10,}  (reports; {(data['bytes_per_1000_events'] or 0) / 1e6:,.2f} MB of store per 1,000)"
    )
    click.echo(
        f"clusters  {data['clusters']:>10,}  ({data['multi_article_clusters']:,} reported by several articles)"
    )
    click.echo(
        f"actors    {data['actors']:>10,}   quotes {data['quotes']:,}   places {data['places']:,}"
    )
    click.echo(f"errors    {data['ingest_errors']:>10,}  (table ingest_errors)")
    if data["first_date"]:
        click.echo(f"dates     {_plain(data['first_date'])} to {_plain(data['last_date'])}")
    if data["events_by_modality"]:
        click.echo(
            "modality  " + ", ".join(f"{k} {v:,}" for k, v in data["events_by_modality"].items())
        )
    quads = {1: "verbal coop", 2: "material coop", 3: "verbal conflict", 4: "material conflict"}
    if data["clusters_by_quad_class"]:
        click.echo(
            "clusters  "
            + ", ".join(
                f"{quads.get(k, k)} {v:,}" for k, v in data["clusters_by_quad_class"].items()
            )
        )
    for run in data["runs"]:
        click.echo(f"run {run['run_id']:>4}  {run['status']:<11} {_plain(run['started_at'])[:19]}  "
                   f"+{run['articles_added']:,} articles, +{run['events_added']:,} events, "
                   f"{run['articles_skipped']:,} skipped, {run['errors']:,} errors")  # fmt: skip
    if check:
        click.echo("check     " + ("; ".join(data["problems"]) if data["problems"] else "ok"))


__all__ = ["dyad", "export", "ingest", "query", "stats"]
