"""Throughput benchmark: dyads' full pipeline against spaCy's parse alone, in the same run.

    python benchmarks/throughput.py                    # 2,000 articles; writes results and docs
    python benchmarks/throughput.py --large            # also 20,000 articles (memory flatness)
    python benchmarks/throughput.py --articles 500 --no-write --processes 1

The VOA corpus (``../shared/corpora/voa_stories.jsonl``) is repeated, with new ids, to the
number of articles asked for and written to a temporary JSON lines file, which both measurements
read through dyads' JSONL reader. Both run in fresh worker pools with the same model, batch size
and process count, alternating in rounds (parse, full, parse, full, ...) so that a change in the
machine's load during the run touches both alike:

- *parse*: each worker loads the pipeline's spaCy model as spaCy ships it (without dyads'
  indexed attribute ruler, ``[nlp] index_attribute_ruler``) and runs ``nlp.pipe`` over the texts
  the pipeline would parse (captions blanked, long texts cut), returning only token counts;
- *full*: each worker runs :func:`dyads.scale.parallel._work`, the very task ``dyads code -p N``
  runs (parse, then every stage), and returns the coded articles to the parent.

Pool start-up (model and dictionary loading) is timed separately and left out of the rates.
Peak RSS is the sum over the whole process tree (the parent, the forkserver and the workers),
sampled every 0.1 s. With ``--large`` the full pipeline also codes 20,000 articles, recording RSS
at every tenth of the way, to show that memory stays flat.

Each run writes ``benchmarks/results/<UTC timestamp>.json`` and the section between the
``<!-- throughput:begin -->`` and ``<!-- throughput:end -->`` markers of docs/benchmarks.md (other
benchmarks own the rest of that file). When the full pipeline takes more than 1.25× the parse,
the stages are profiled (cProfile, one process, stages only) and the top costs per stage are
printed and kept in the JSON.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import json
import logging
import multiprocessing
import os
import platform
import pstats
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VOA = ROOT.parent / "shared" / "corpora" / "voa_stories.jsonl"
RESULTS = ROOT / "benchmarks" / "results"
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- throughput:begin -->", "<!-- throughput:end -->"
TARGET_RATIO, TARGET_RATE, TARGET_RSS = 1.25, 12.0, 1.5e9

log = logging.getLogger("throughput")


# -- worker side (imported by the workers as __mp_main__) ----------------------------------------


class _ParseWorker:
    """Per worker process: the spaCy model of the pipeline and its parse settings."""

    nlp: Any = None
    batch_size = 32
    max_chars = 100_000


def _init_parse(config_data: dict[str, Any]) -> None:
    from dyads.config import Config
    from dyads.pipeline import Pipeline

    nlp_section = {**config_data.get("nlp", {}), "index_attribute_ruler": False}
    pipeline = Pipeline(Config({**config_data, "nlp": nlp_section}))  # the model as spaCy ships it
    _ParseWorker.nlp = pipeline.nlp
    _ParseWorker.batch_size = pipeline.batch_size
    _ParseWorker.max_chars = int(pipeline.config.section("nlp").get("max_chars", 100_000))


def _parse_work(batch: list[Any]) -> list[int]:
    """What ``Pipeline.process_batch`` does before the stages: the same texts, the same call."""
    from dyads.records import Article
    from dyads.stages.parse import text_for_parse

    texts = [text_for_parse(a, _ParseWorker.max_chars)[0] for a in batch if isinstance(a, Article)]
    return [len(doc) for doc in _ParseWorker.nlp.pipe(texts, batch_size=_ParseWorker.batch_size)]


def _ready(seconds: float) -> tuple[int, str | None]:
    """Warm-up task: this worker's pid and model (busy a while, so the other workers get some)."""
    from dyads.scale.parallel import _WorkerState
    from dyads.stages.parse import model_description

    time.sleep(seconds)
    nlp = _ParseWorker.nlp
    if nlp is None and _WorkerState.pipeline is not None:
        nlp = _WorkerState.pipeline.nlp
    return os.getpid(), model_description(nlp) if nlp is not None else None


# -- measuring ------------------------------------------------------------------------------------


class RssSampler:
    """Peak (and current) RSS of this process and all its descendants, sampled in a thread."""

    def __init__(self, interval: float = 0.1):
        import psutil

        self.root = psutil.Process()
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def current(self) -> int:
        import psutil

        total = 0
        for proc in [self.root, *self.root.children(recursive=True)]:
            try:
                total += proc.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.current())
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.current())


def cpu_seconds(processes: list[Any]) -> float:
    """User + system CPU time of ``processes`` (psutil.Process objects) so far."""
    total = 0.0
    for proc in processes:
        times = proc.cpu_times()
        total += times.user + times.system
    return total


def make_corpus(source: Path, count: int, path: Path, start: int = 0) -> dict[str, int]:
    """Articles ``start`` to ``start + count`` of ``source`` repeated endlessly, with unique ids,
    as JSON lines in ``path``; returns the article and word counts."""
    records = [json.loads(line) for line in source.open(encoding="utf-8") if line.strip()]
    words = 0
    with path.open("w", encoding="utf-8") as out:
        for n in range(start, start + count):
            record = dict(records[n % len(records)])
            record["id"] = f"{record.get('id', n % len(records))}-r{n // len(records)}"
            words += len(record["text"].split())
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return {"articles": count, "words": words, "distinct": len(records)}


def articles(path: Path) -> Iterator[Any]:
    from dyads.readers import read

    return read([path])


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def run_phase(
    kind: str,
    config_data: dict[str, Any],
    batches: Iterable[list[Any]],
    processes: int,
    checkpoints: int = 0,
    total: int = 0,
) -> dict[str, Any]:
    """One fresh pool of ``kind`` ("parse" or "full") over ``batches``; start-up timed apart."""
    import psutil

    from dyads.scale.parallel import _init_worker, _work

    if kind == "parse":
        initializer, initargs, task = _init_parse, (config_data,), _parse_work
    else:
        level = logging.getLogger().getEffectiveLevel()
        initializer, initargs, task = _init_worker, (config_data, level), _work
    context = multiprocessing.get_context("forkserver")
    rss_marks: list[tuple[int, int]] = []
    with RssSampler() as rss:
        started = time.perf_counter()
        executor = ProcessPoolExecutor(processes, context, initializer, initargs)
        with executor:
            ready: set[tuple[int, str | None]] = set()
            for _ in range(50):  # until every worker has loaded its model and answered
                ready |= {
                    f.result() for f in [executor.submit(_ready, 0.3) for _ in range(processes)]
                }
                if len(ready) >= processes:
                    break
            startup = time.perf_counter() - started
            tree = [rss.root, *(psutil.Process(pid) for pid, _ in ready)]
            cpu_before = [cpu_seconds([proc]) for proc in tree]
            started = time.perf_counter()
            done = 0
            pending: deque[Future[Any]] = deque()

            def collect() -> None:
                nonlocal done
                done += len(pending.popleft().result())
                if checkpoints and total and done * checkpoints // total > len(rss_marks):
                    rss_marks.append((done, rss.current()))

            for batch in batches:
                pending.append(executor.submit(task, batch))
                while len(pending) >= 2 * processes:
                    collect()
            while pending:
                collect()
            seconds = time.perf_counter() - started
            cpu = [
                cpu_seconds([proc]) - before for proc, before in zip(tree, cpu_before, strict=True)
            ]
    return {
        "kind": kind,
        "articles": done,
        "seconds": seconds,
        "cpu_seconds": sum(cpu),
        "cpu_seconds_parent": cpu[0],
        "startup_seconds": startup,
        "workers": len(ready),
        "model": sorted({m for _, m in ready if m}),
        "peak_rss": rss.peak,
        "rss_marks": rss_marks,
    }


def measure(args: argparse.Namespace, tmp: Path, config_data: dict[str, Any]) -> dict[str, Any]:
    """Alternate parse and full phases over consecutive slices of the corpus."""
    size = args.batch_size
    per_round = -(-args.articles // args.rounds)
    phases: list[dict[str, Any]] = []
    words = 0
    for number in range(args.rounds):
        start = number * per_round
        count = min(per_round, args.articles - start)
        corpus = tmp / f"round{number + 1}.jsonl"
        words += make_corpus(args.corpus, count, corpus, start)["words"]
        for kind in ("parse", "full"):
            phase = run_phase(kind, config_data, batched(articles(corpus), size), args.processes)
            phase["round"] = number + 1
            phases.append(phase)
            print(
                f"  round {number + 1} {kind:<5} {phase['articles']:>6,} articles "
                f"{phase['seconds']:8.1f} s ({phase['cpu_seconds']:7.1f} s CPU)  "
                f"{phase['articles'] / phase['seconds']:6.2f} articles/s  "
                f"peak RSS {phase['peak_rss'] / 1e6:,.0f} MB  (start-up {phase['startup_seconds']:.1f} s)",
                file=sys.stderr,
                flush=True,
            )
    out = summarise(phases)
    out["corpus"] = {"name": args.corpus.name, "articles": args.articles, "words": words,
                     "distinct": sum(1 for line in args.corpus.open() if line.strip())}  # fmt: skip
    out["model"] = next((m for p in phases for m in p["model"]), None)
    return out


def summarise(phases: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"phases": phases}
    for kind in ("parse", "full"):
        mine = [p for p in phases if p["kind"] == kind]
        seconds = sum(p["seconds"] for p in mine)
        count = sum(p["articles"] for p in mine)
        out[kind] = {
            "articles": count,
            "seconds": round(seconds, 2),
            "cpu_seconds": round(sum(p["cpu_seconds"] for p in mine), 2),
            "articles_per_second": round(count / seconds, 3) if seconds else None,
            "startup_seconds": round(max(p["startup_seconds"] for p in mine), 2),
            "peak_rss": max(p["peak_rss"] for p in mine),
        }
    out["ratio"] = round(out["full"]["seconds"] / out["parse"]["seconds"], 3)
    out["cpu_ratio"] = round(out["full"]["cpu_seconds"] / out["parse"]["cpu_seconds"], 3)
    return out


# -- profiling the stages -------------------------------------------------------------------------


def profile_stages(corpus: Path, count: int, config_data: dict[str, Any], top: int = 8) -> dict:
    """In one process: parse ``count`` articles, time every stage over them, then run the stages
    again, each under its own cProfile, for the functions that cost most."""
    from dyads.records import Article, Document
    from dyads.scale.parallel import build_worker_pipeline
    from dyads.stages.parse import text_for_parse

    # built as a worker process builds it, loaded and out of the garbage collector's sight
    pipeline = build_worker_pipeline(config_data)
    items = [a for a in islice(articles(corpus), count) if isinstance(a, Article)]
    max_chars = int(pipeline.config.section("nlp").get("max_chars", 100_000))
    texts = [text_for_parse(a, max_chars)[0] for a in items]
    started = time.perf_counter()
    docs = list(pipeline.nlp.pipe(texts, batch_size=pipeline.batch_size))
    parse_seconds = time.perf_counter() - started
    stages = pipeline.stages
    seconds = {name: 0.0 for name, _ in stages}
    profiles = {name: cProfile.Profile() for name, _ in stages}
    for profiled in (False, True):
        for article, doc in zip(items, docs, strict=True):
            document = Document(article=article, doc=doc)
            for name, stage in stages:
                profile = profiles[name] if profiled else None
                started = time.perf_counter()
                if profile is not None:
                    profile.enable()
                try:
                    document = stage(document)
                except Exception:  # a failing article is the pipeline's business, not ours
                    break
                finally:
                    if profile is not None:
                        profile.disable()
                    else:
                        seconds[name] += time.perf_counter() - started
    gc.unfreeze()
    stage_total = sum(seconds.values())
    report: dict[str, Any] = {
        "articles": len(items),
        "parse_seconds": round(parse_seconds, 2),
        "stages_seconds": round(stage_total, 2),
        "ratio": round((parse_seconds + stage_total) / parse_seconds, 3) if parse_seconds else None,
        "stages": {},
    }
    for name, profile in profiles.items():
        stats = pstats.Stats(profile)
        rows = []
        for (file, line, func), (_, calls, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
            where = f"{Path(file).name}:{line}({func})" if line else func
            rows.append((own, cumulative, calls, where))
        rows.sort(key=lambda r: -r[0])
        report["stages"][name] = {
            "seconds": round(seconds[name], 3),
            "share_of_parse": round(seconds[name] / parse_seconds, 3) if parse_seconds else None,
            "top_own_time": [
                {"function": w, "own_s": round(o, 3), "cumulative_s": round(c, 3), "calls": n}
                for o, c, n, w in rows[:top]
            ],
        }
    return report


def print_profile(report: dict[str, Any]) -> None:
    print(
        f"\nstages over {report['articles']} articles in one process: parse "
        f"{report['parse_seconds']:.1f} s, stages {report['stages_seconds']:.1f} s "
        f"(full/parse {report['ratio']:.2f}); own time under cProfile:",
        file=sys.stderr,
    )
    for name, stage in sorted(report["stages"].items(), key=lambda kv: -kv[1]["seconds"]):
        print(
            f"  {name:<10} {stage['seconds']:7.2f} s  ({stage['share_of_parse']:.0%} of the parse)",
            file=sys.stderr,
        )
        for row in stage["top_own_time"][:5]:
            print(
                f"      {row['own_s']:7.2f} s own  {row['cumulative_s']:7.2f} s cum  "
                f"{row['calls']:>8,}  {row['function']}",
                file=sys.stderr,
            )


# -- the machine and the report -------------------------------------------------------------------


def machine() -> dict[str, Any]:
    from importlib.metadata import version

    import psutil

    from dyads import __version__
    from dyads.scale.parallel import default_processes

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": default_processes(),
        "memory_bytes": psutil.virtual_memory().total,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
        "python": platform.python_version(),
        "spacy": version("spacy"),
        "dyads": __version__,
        "commit": commit,
    }


def verdicts(result: dict[str, Any]) -> dict[str, bool | None]:
    full = result["full"]
    large = result.get("large")
    flat = None
    if large:
        flat = large["peak_rss"] <= max(full["peak_rss"] * 1.15, full["peak_rss"] + 100e6)
    return {
        "ratio": result["ratio"] <= TARGET_RATIO,
        "articles_per_second": full["articles_per_second"] >= TARGET_RATE
        if result["processes"] == 2
        else None,
        "peak_rss": max(full["peak_rss"], (large or full)["peak_rss"]) <= TARGET_RSS,
        "flat_memory": flat,
    }


def section(r: dict[str, Any]) -> str:
    m, full, parse, large = r["machine"], r["full"], r["parse"], r.get("large")
    words = r["corpus"]["words"] / r["corpus"]["articles"]

    def mark(ok: bool | None) -> str:
        return "n/a" if ok is None else "met" if ok else "**not met**"

    ok = r["verdicts"]
    lines = [
        BEGIN,
        "## Throughput: the full pipeline against spaCy's parse",
        "",
        f"`python benchmarks/throughput.py` on {r['date']}: dyads {m['dyads']} ({m['commit']}), "
        f"Python {m['python']}, spaCy {m['spacy']}, {r['model']}; {m['cpu']}, {m['cores']} cores, "
        f"{m['memory_bytes'] / 2**30:.0f} GiB; load average {m['load_average'][0]} at the start, "
        f"{r['load_average_end'][0]} at the end. {r['processes']} processes, batch size "
        f"{r['batch_size']}; `{r['corpus']['name']}` ({r['corpus']['distinct']} stories, "
        f"{words:,.0f} words each on average) repeated to {r['corpus']['articles']:,} articles; "
        f"parse and full pipeline alternating in {r['rounds']} rounds, each in a fresh pool.",
        "",
        "| measure | spaCy parse alone (the model as shipped) | dyads full pipeline | target |",
        "|---|---|---|---|",
        f"| articles/s | {parse['articles_per_second']:,.2f} | **{full['articles_per_second']:,.2f}** "
        f"| ≥ {TARGET_RATE:g} with 2 processes: {mark(ok['articles_per_second'])} |",
        f"| words/s | {parse['articles_per_second'] * words:,.0f} | {full['articles_per_second'] * words:,.0f} | |",
        f"| time for {full['articles']:,} articles | {parse['seconds']:,.1f} s | {full['seconds']:,.1f} s "
        f"| full ≤ {TARGET_RATIO}× parse: **{r['ratio']:.2f}×**, {mark(ok['ratio'])} |",
        f"| CPU time of the process tree | {parse['cpu_seconds']:,.1f} s | {full['cpu_seconds']:,.1f} s "
        f"| {r['cpu_ratio']:.2f}× (less sensitive to other load than the wall clock) |",
        f"| pool start-up (not in the rates) | {parse['startup_seconds']:.1f} s | {full['startup_seconds']:.1f} s | |",
        f"| peak RSS, whole process tree | {parse['peak_rss'] / 1e6:,.0f} MB | {full['peak_rss'] / 1e6:,.0f} MB "
        f"| ≤ 1.5 GB: {mark(ok['peak_rss'])} |",
    ]
    if large:
        marks = ", ".join(f"{n:,}: {b / 1e6:,.0f} MB" for n, b in large["rss_marks"])
        lines += [
            f"| full pipeline on {large['articles']:,} articles | | {large['articles_per_second']:,.2f} articles/s, "
            f"{large['seconds'] / 60:,.1f} min, peak RSS {large['peak_rss'] / 1e6:,.0f} MB "
            f"| flat from {r['corpus']['articles']:,} to {large['articles']:,} "
            f"(target: 20,000): {mark(ok['flat_memory'])} |",
            "",
            f"RSS while coding the {large['articles']:,} articles (articles done: whole tree): {marks}.",
        ]
    else:
        lines += ["", "The 20,000-article memory run was not part of this run (`--large`)."]
    if r.get("profile"):
        p = r["profile"]
        why = (
            f"The full pipeline is above {TARGET_RATIO}× the parse, so the stages were profiled"
            if r["ratio"] > TARGET_RATIO
            else "The stages, profiled"
        )
        lines += [
            "",
            f"{why} (one process, {p['articles']} articles: dyads' parse, with its indexed "
            f"attribute ruler, {p['parse_seconds']:.1f} s, "
            f"stages {p['stages_seconds']:.1f} s, so {p['ratio']:.2f}× without the pools; "
            "seconds timed without the profiler, functions by own time under cProfile):",
            "",
            "| stage | seconds | share of the parse | largest own time |",
            "|---|---|---|---|",
        ]
        for name, stage in sorted(p["stages"].items(), key=lambda kv: -kv[1]["seconds"]):
            tops = "; ".join(
                f"`{t['function']}` {t['own_s']:.2f} s" for t in stage["top_own_time"][:3]
            )
            lines.append(
                f"| {name} | {stage['seconds']:.2f} | {stage['share_of_parse']:.0%} | {tops} |"
            )
    if r.get("reused"):
        reused = "the parse/full rounds" + (" and the profile" if r.get("reused_profile") else "")
        own = [
            part
            for part, done in (
                ("the profile", not r.get("reused_profile") and r.get("profile")),
                ("the large run", large),
            )
            if done
        ]
        lines += [
            "",
            f"{reused[0].upper()}{reused[1:]} are those of `{r['reused']}` (`--reuse`)"
            + (
                f"; {' and '.join(own)} {'is' if len(own) == 1 else 'are'} this run's."
                if own
                else "."
            ),
        ]
    lines += [
        "",
        "The machine is shared, so the load average is recorded: rates fall when other work runs,",
        "but parse and full pipeline alternate and feel it alike, which keeps the ratio fair.",
        f"Raw figures of every run: `benchmarks/results/` (this one: `{r['file']}`).",
        END,
    ]
    return "\n".join(lines)


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
    from dyads.scale.parallel import default_processes

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=VOA)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--processes", type=int, default=default_processes())
    parser.add_argument("--batch-size", type=int, default=None, help="default: the config's")
    parser.add_argument("--rounds", type=int, default=4, help="parse/full alternations")
    parser.add_argument("--large", action="store_true", help="also the 20,000-article run")
    parser.add_argument("--large-articles", type=int, default=20_000)
    parser.add_argument("--profile", choices=["auto", "always", "never"], default="always")
    parser.add_argument("--profile-articles", type=int, default=200)
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--reuse", type=Path, default=None,
        help="take the parse/full rounds and profile from an earlier results JSON; run only --large",
    )  # fmt: skip
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"throughput: no corpus at {args.corpus}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.ERROR)

    from dyads.config import Config
    from dyads.pipeline import Pipeline

    # The parent loads no model (as with `dyads code -p N`): its RSS is part of the measure.
    config = Config.load()
    args.batch_size = args.batch_size or Pipeline(config).batch_size
    info = machine()
    print(
        f"throughput: {info['cpu']}, {info['cores']} cores, load {info['load_average']}; "
        f"{args.processes} processes, batch {args.batch_size}",
        file=sys.stderr,
    )
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    result: dict[str, Any] = {
        "date": dt.date.today().isoformat(),
        "timestamp": stamp,
        "machine": info,
        "processes": args.processes,
        "batch_size": args.batch_size,
        "rounds": args.rounds,
    }
    result["file"] = f"benchmarks/results/{stamp}.json"

    def save() -> None:  # after every part, so that a long run interrupted keeps what it measured
        result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
        result["verdicts"] = verdicts(result)
        if not args.no_write:
            RESULTS.mkdir(parents=True, exist_ok=True)
            text = json.dumps(result, indent=1) + "\n"
            (ROOT / result["file"]).write_text(text, encoding="utf-8")

    if args.reuse:  # the rounds and profile of an earlier run: only the large run is new
        earlier = json.loads(args.reuse.read_text(encoding="utf-8"))
        for key, value in earlier.items():
            if key not in result and key not in ("large", "verdicts", "load_average_end"):
                result[key] = value
        result["rounds"] = earlier.get("rounds", result["rounds"])
        result["reused_profile"] = "profile" in earlier
        result["reused"] = str(
            args.reuse.relative_to(ROOT) if args.reuse.is_absolute() else args.reuse
        )

    with tempfile.TemporaryDirectory() as tmp:
        if not args.reuse:
            started = time.perf_counter()
            result.update(measure(args, Path(tmp), dict(config.data)))
            result["measure_seconds"] = round(time.perf_counter() - started, 1)
            save()
        if args.large:
            # before the profile, which loads a pipeline into this process (its RSS would count)
            large_corpus = Path(tmp) / "large.jsonl"
            make_corpus(args.corpus, args.large_articles, large_corpus)
            print(f"  large run: {args.large_articles:,} articles, full pipeline", file=sys.stderr)
            phase = run_phase(
                "full",
                dict(config.data),
                batched(articles(large_corpus), args.batch_size),
                args.processes,
                checkpoints=10,
                total=args.large_articles,
            )
            phase["articles_per_second"] = round(phase["articles"] / phase["seconds"], 3)
            result["large"] = phase
            print(
                f"  large run: {phase['seconds'] / 60:.1f} min, peak RSS {phase['peak_rss'] / 1e6:,.0f} MB",
                file=sys.stderr,
            )
            save()
        wanted = args.profile == "always" or (
            args.profile == "auto" and result["ratio"] > TARGET_RATIO
        )
        if wanted and not (args.reuse and "profile" in result):
            if not (Path(tmp) / "round1.jsonl").exists():
                make_corpus(args.corpus, args.profile_articles, Path(tmp) / "round1.jsonl")
            result["profile"] = profile_stages(
                Path(tmp) / "round1.jsonl", args.profile_articles, dict(config.data)
            )
            print_profile(result["profile"])
            save()
    text = section(result)
    print(text)
    if not args.no_write:
        write_section(DOC, text)
        print(f"written: {result['file']} and {DOC.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
