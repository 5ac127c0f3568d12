"""Load test of ``dyads serve``: ~10,000 ``/api/events`` requests at concurrency 20, then the same
kind of traffic while ``dyads ingest`` writes to the store being served.

    python benchmarks/load.py                              # writes docs/reliability.md
    python benchmarks/load.py --db voa.duckdb --requests 2000 --no-write

The store is the VOA corpus store of benchmarks/api_latency.py (built or reused), copied to a
temporary file so that the ingest phase does not change it. Requests mix first pages with
filters and follow-up pages (cursors), like the dashboard's table. Every loop is bounded: a fixed
number of requests, a 30 s timeout each, and only the loopback address is contacted.

Writes only between ``<!-- load:begin -->`` and ``<!-- load:end -->`` of docs/reliability.md
(creating the file or the section when absent).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api_latency import CACHE, ROOT, Server, build_voa_store, percentile, write_section  # noqa: E402

BEGIN, END = "<!-- load:begin -->", "<!-- load:end -->"
QUERIES = [
    {"limit": 50},
    {"limit": 50, "source": "USA"},
    {"limit": 50, "actor": "CHN"},
    {"limit": 50, "root": "19"},
    {"limit": 50, "quad_class": "4", "since": "2020-01-01"},
    {"limit": 50, "modality": "asserted", "order": "oldest"},
    {"limit": 20, "q": "said"},
    {"limit": 100, "plover_type": "ASSAULT"},
    {"limit": 50, "dyad": "USA,CHN"},
    {"limit": 10, "country": "AFG"},
]


async def run_load(base: str, total: int, concurrency: int, seed: int = 7) -> dict:
    """``total`` GETs of /api/events from ``concurrency`` workers; latencies in ms."""
    import httpx

    latencies: list[float] = []
    statuses: Counter = Counter()
    errors: Counter = Counter()
    issued = 0
    rng = random.Random(seed)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal issued
        cursor_params = None
        while issued < total:
            issued += 1
            params = cursor_params or dict(rng.choice(QUERIES))
            started = time.perf_counter()
            try:
                response = await client.get(base + "/api/events", params=params)
            except httpx.HTTPError as err:
                errors[type(err).__name__] += 1
                cursor_params = None
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[response.status_code] += 1
            cursor_params = None
            if response.status_code == 200 and rng.random() < 0.4:
                cursor = response.json().get("next_cursor")
                if cursor:
                    cursor_params = {**params, "cursor": cursor}

    started = time.perf_counter()
    load = os.getloadavg()[0]
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    load = max(load, os.getloadavg()[0])
    return {"latencies": latencies, "statuses": statuses, "errors": errors, "seconds": seconds, "load": load}  # fmt: skip


def precoded_copy(db: Path, out: Path, articles: int) -> int:
    """``articles`` articles of ``db`` as ``dyads code --format jsonl`` events with new ids."""
    from dyads.export.parquet import unflatten_event
    from dyads.store import EventStore

    rows = EventStore(db, read_only=True).events().to_pylist()
    by_article: dict[str, list[dict]] = {}
    for row in rows:
        by_article.setdefault(row["article_id"], []).append(unflatten_event(row))
    written = 0
    with out.open("w", encoding="utf-8") as handle:
        for k in range(10_000):
            for article_id, events in by_article.items():
                if written >= articles:
                    return written
                new = f"{article_id}~load{k}"
                for event in events:
                    handle.write(json.dumps({**event, "id": f"{event['id']}~load{k}", "article_id": new}) + "\n")  # fmt: skip
                written += 1
    return written


def summary(result: dict) -> dict:
    lat = result["latencies"]
    return {
        "requests": len(lat) + sum(result["errors"].values()),
        "seconds": result["seconds"],
        "rate": len(lat) / result["seconds"] if result["seconds"] else 0.0,
        "p50": statistics.median(lat) if lat else None,
        "p90": percentile(lat, 0.90) if lat else None,
        "p95": percentile(lat, 0.95) if lat else None,
        "p99": percentile(lat, 0.99) if lat else None,
        "max": max(lat) if lat else None,
        "statuses": dict(sorted(result["statuses"].items())),
        "errors": dict(result["errors"]),
        "load": result["load"],
    }


def row(label: str, s: dict) -> str:
    statuses = ", ".join(f"{code}: {n:,}" for code, n in s["statuses"].items()) or "none"
    if s["errors"]:
        statuses += "; failed: " + ", ".join(f"{k} {v}" for k, v in s["errors"].items())
    return (
        f"| {label} | {s['requests']:,} | {s['rate']:,.0f} | {s['p50']:.1f} | {s['p90']:.1f} | "
        f"{s['p95']:.1f} | {s['p99']:.1f} | {s['max']:.1f} | {statuses} | {s['load']:.1f} |"
    )


def section(store: dict, plain: dict, during: dict | None, ingest: dict | None, concurrency: int) -> str:  # fmt: skip
    import dyads

    lines = [
        BEGIN,
        "## Load: /api/events at concurrency " + str(concurrency),
        "",
        f"`python benchmarks/load.py` on {dt.date.today().isoformat()} (dyads {dyads.__version__}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPU(s); server, client and ingest on "
        f"the same machine): `dyads serve` over a copy of the VOA corpus store ({store['events']:,} "
        f"events, {store['articles']:,} articles); {concurrency} clients on keep-alive connections, each "
        "asking for a first page with one of ten filters or, 4 times in 10, the next page of its "
        "last answer. Latencies in ms as the client sees them; the load average is the machine's "
        "(other processes share it).",
        "",
        "| phase | requests | per s | p50 | p90 | p95 | p99 | max | answers | load average |",
        "|---|---|---|---|---|---|---|---|---|---|",
        row("reads only", plain),
    ]
    if during is not None and ingest is not None:
        lines.append(row("while `dyads ingest` writes", during))
        lines += [
            "",
            f"During the second phase `dyads ingest --precoded --commit-every {ingest['commit_every']}` "
            f"stored {ingest['articles']:,} articles ({ingest['events']:,} events) into the store being "
            f"served, in {ingest['seconds']:.1f} s (exit status {ingest['status']}); afterwards "
            f"`/api/health` counted {ingest['events_after']:,} events "
            f"({ingest['events_after'] - store['events']:,} more than before).",
        ]
    clean = all(
        not s["errors"] and set(s["statuses"]) == {200} for s in (plain, during) if s is not None
    )
    lines += [
        "",
        ("Every request was answered with a 200, also while the ingest wrote: "
         if clean else "**Not every request was answered with a 200** (see the table). ")
        + "each time `dyads ingest` asks for the file, the server lets go of it as soon as its "
        "running requests are done, requests wait (they are not refused) while a batch is "
        "written, and the server reopens the file afterwards (docs/web.md, *Reading while an "
        "ingest writes*). Waiting for a batch shows in the tail latencies of the second phase. "
        "Throughput is bound by the CPU the server gets: the client, the server and the ingest "
        "share the machine's CPUs with whatever else runs (the load average column).",
        END,
    ]  # fmt: skip
    return "\n".join(lines)


def main() -> int:
    import httpx

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="the VOA event store (default: build or reuse benchmarks/results/voa-api.duckdb)")  # fmt: skip
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--ingest-requests", type=int, default=3_000, help="requests of the phase with an ingest (0: skip it)")  # fmt: skip
    parser.add_argument("--ingest-articles", type=int, default=400)
    parser.add_argument("--commit-every", type=int, default=20)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "reliability.md")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    source = args.db or build_voa_store(CACHE)
    with tempfile.TemporaryDirectory(prefix="dyads-load-") as tmp:
        db = Path(tmp) / "load.duckdb"
        shutil.copy(source, db)
        during = ingest = None
        with Server(db) as server:
            store = httpx.get(server.url + "/api/meta").json()["store"]
            asyncio.run(run_load(server.url, 200, args.concurrency))  # warm up
            plain = summary(asyncio.run(run_load(server.url, args.requests, args.concurrency)))
            print("reads only:", plain, file=sys.stderr)
            if args.ingest_requests:
                jsonl = Path(tmp) / "more.jsonl"
                precoded_copy(source, jsonl, args.ingest_articles)
                events = sum(1 for _ in jsonl.open())
                started = time.perf_counter()
                writer = subprocess.Popen(
                    [sys.executable, "-m", "dyads", "-q", "ingest", str(jsonl), "--precoded",
                     "--db", str(db), "--commit-every", str(args.commit_every)],
                    cwd=ROOT,
                )  # fmt: skip
                during_result = asyncio.run(run_load(server.url, args.ingest_requests, args.concurrency, seed=11))  # fmt: skip
                status = writer.wait(timeout=600)
                seconds = time.perf_counter() - started
                during = summary(during_result)
                after = httpx.get(server.url + "/api/health", timeout=60).json()["events"]
                ingest = {"articles": args.ingest_articles, "events": events, "seconds": seconds,
                          "status": status, "events_after": after, "commit_every": args.commit_every}  # fmt: skip
                print("while ingesting:", during, ingest, file=sys.stderr)
    text = section(store, plain, during, ingest, args.concurrency)
    print(text)
    if not args.no_write:
        write_section(args.out, text, BEGIN, END, title="# Reliability")
    failed = plain["errors"] or set(plain["statuses"]) != {200}
    if during is not None:
        failed = (
            failed or during["errors"] or set(during["statuses"]) != {200} or ingest["status"] != 0
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
