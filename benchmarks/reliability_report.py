"""Reliability figures: bad inputs, property-based tests, crash and resume.

    python benchmarks/reliability_report.py            # everything; writes docs/reliability.md
    python benchmarks/reliability_report.py --trials 40 --seed 7
    python benchmarks/reliability_report.py --no-crash --no-write

Runs, outside pytest, what the three suites of ``tests/reliability/`` measure, with their own
code (imported from the test modules, so the report and the tests cannot drift apart):

- *bad inputs*: the generated corpus (``test_bad_inputs.make_corpus``) through the library
  (``read`` + ``Pipeline.pipe``) and through ``dyads code`` (in-process), checked case by case;
  then the 5 MB article and the 20,000-character sentences coded in a fresh process for their
  CPU time and peak memory;
- *properties*: every hypothesis test of ``test_properties.py``, counting the examples run;
- *crash and resume*: ``test_crash_resume.run_trials``: ``dyads ingest`` killed with SIGKILL at
  random moments and rerun, the store checked after every rerun.

Writes ``benchmarks/results/reliability-<UTC timestamp>.json`` and the section between
``<!-- reliability:begin -->`` and ``<!-- reliability:end -->`` of docs/reliability.md; the rest of
that file (the introduction, and the ``load`` section that ``benchmarks/load.py`` writes) is left
as it is. Exits 1 when anything failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import json
import logging
import os
import platform
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests" / "reliability"
DOC = ROOT / "docs" / "reliability.md"
RESULTS = ROOT / "benchmarks" / "results"
BEGIN, END = "<!-- reliability:begin -->", "<!-- reliability:end -->"

sys.path.insert(0, str(TESTS))


def bad_inputs(workdir: Path) -> dict[str, Any]:
    """The corpus through the library and the CLI; the big inputs in a fresh process."""
    from click.testing import CliRunner
    from test_bad_inputs import (
        CUT_NOTE,
        Case,
        big_article,
        check_results,
        code_with_library,
        inputs,
        make_corpus,
        measure_big_inputs,
    )

    from dyads.cli import cli
    from dyads.pipeline import Pipeline

    root = workdir / "corpus"
    cases = make_corpus(root)
    big = workdir / "five-megabytes.txt"
    big.write_text(big_article())
    cases.append(Case(str(big), "a 5 MB article", "coded", min_events=100, note=CUT_NOTE))
    items = [*inputs(root), str(big)]
    out: dict[str, Any] = {
        "inputs": len(cases),
        "files": sum(1 for p in root.rglob("*") if p.is_file()) + 1,
        "by_expectation": dict(Counter(c.expect for c in cases)),
    }
    # the library
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.WARNING)
    started = time.perf_counter()
    try:
        articles, errors = code_with_library(Pipeline(), items)
        warnings = "\n".join(r.getMessage() for r in records)
        library = check_results(cases, articles, errors, warnings)
    except Exception:  # a crash is the finding
        library = ["library crashed: " + traceback.format_exc(limit=3)]
        articles, errors = [], []
    finally:
        logging.getLogger().removeHandler(handler)
    out["library"] = {
        "seconds": round(time.perf_counter() - started, 1),
        "coded": len(articles),
        "errors_reported": len(errors),
        "problems": library,
    }
    # the CLI
    started = time.perf_counter()
    result = CliRunner().invoke(
        cli, ["code", *items, "-p", "1", "--format", "json", "--include-text"]
    )
    lines = result.stderr.splitlines()
    cli_problems = [] if result.exit_code == 0 else [f"exit status {result.exit_code}"]
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        cli_problems.append(f"crashed: {result.exception!r}")
    cli_problems += [
        f"not one line: {line[:80]!r}" for line in lines if not line.startswith("dyads: ")
    ]
    cli_errors = [x.removeprefix("dyads: error: ") for x in lines if x.startswith("dyads: error: ")]
    cli_articles = [json.loads(x) for x in result.stdout.splitlines()]
    cli_problems += check_results(cases, cli_articles, cli_errors, result.stderr)
    out["cli"] = {
        "seconds": round(time.perf_counter() - started, 1),
        "coded": len(cli_articles),
        "error_lines": len(cli_errors),
        "problems": cli_problems,
    }
    # bounded time and memory
    out["big"] = {
        name: {
            k: r[k]
            for k in ("bytes", "cpu", "wall", "extra_cpu", "rss_mb", "extra_mb", "events", "notes")
        }
        for name, r in measure_big_inputs(workdir).items()
    }
    return out


def properties() -> dict[str, Any]:
    """Every hypothesis property of test_properties.py, with the number of examples it ran."""
    import test_properties

    from dyads.pipeline import Pipeline

    pipeline = None
    out: dict[str, Any] = {}
    for name, test in inspect.getmembers(test_properties, inspect.isfunction):
        if not name.startswith("test_") or not hasattr(test, "hypothesis"):
            continue
        count = 0
        inner = test.hypothesis.inner_test

        def counting(*args: Any, __inner=inner, **kwargs: Any) -> Any:
            nonlocal count
            count += 1
            return __inner(*args, **kwargs)

        test.hypothesis.inner_test = counting
        kwargs = {}
        if "pipeline" in inspect.signature(inner).parameters:
            pipeline = pipeline or Pipeline()
            kwargs["pipeline"] = pipeline
        started = time.perf_counter()
        try:
            test(**kwargs)
            failure = None
        except Exception as err:  # a falsifying example
            failure = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
        finally:
            test.hypothesis.inner_test = inner
        out[name] = {
            "examples": count,
            "seconds": round(time.perf_counter() - started, 1),
            "failure": failure,
        }
        print(f"  {name}: {count} examples, {failure or 'ok'}", file=sys.stderr)
    return out


def crash(workdir: Path, trials: int, seed: int) -> dict[str, Any]:
    from test_crash_resume import run_trials

    started = time.perf_counter()
    try:
        results, final = run_trials(
            workdir, trials, seed, say=lambda m: print("  " + m, file=sys.stderr)
        )
        failure = None
    except AssertionError as err:
        results, final, failure = [], {}, str(err).splitlines()[0]
    phases = Counter(
        "finished before the kill"
        if not t.killed
        else "before the first commit"
        if t.stored_at_kill == 0
        else "after the last commit"
        if t.stored_at_kill == t.new_articles
        else "between commits"
        for t in results
    )
    return {
        "seed": seed,
        "trials": trials,
        "survived": len(results) if failure is None else 0,
        "failure": failure,
        "phases": dict(phases),
        "final": final,
        "seconds": round(time.perf_counter() - started, 1),
        "trials_detail": [t.__dict__ for t in results],
    }


def _table(rows: list[tuple[Any, ...]], header: tuple[str, ...]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]


def section(report: dict[str, Any]) -> str:
    from dyads import __version__

    meta = report["meta"]
    lines = [
        BEGIN,
        "## Measured",
        "",
        f"`python benchmarks/reliability_report.py` on {meta['date']} (dyads {__version__}, "
        f"Python {meta['python']}, {meta['cpus']} CPU(s), load average {meta['load']} at the start; "
        "CPU times are the process's own, wall times depend on the machine's load).",
        "",
    ]
    bad = report.get("bad_inputs")
    if bad:
        kinds = bad["by_expectation"]
        lines += [
            "### Bad inputs",
            "",
            f"{bad['inputs']} inputs in {bad['files']} files ({kinds.get('error', 0)} that must be "
            f"refused with an error, {kinds.get('coded', 0)} that must be coded, some by a documented "
            f"fallback, and {kinds.get('nothing', 0)} files without records), through the library "
            "and through `dyads code`:",
            "",
        ]
        lines += _table(
            [
                (
                    "library (`read` + `Pipeline.pipe`)",
                    bad["library"]["coded"],
                    bad["library"]["errors_reported"],
                    len(bad["library"]["problems"]),
                    bad["library"]["seconds"],
                ),
                (
                    "`dyads code -p 1 --format json`",
                    bad["cli"]["coded"],
                    bad["cli"]["error_lines"],
                    len(bad["cli"]["problems"]),
                    bad["cli"]["seconds"],
                ),
            ],
            ("path", "articles coded", "one-line errors", "problems (expected 0)", "wall s"),
        )
        for problem in (bad["library"]["problems"] + bad["cli"]["problems"])[:10]:
            lines.append(f"- problem: {problem}")
        lines += [
            "",
            "Big inputs, each coded through `read` + `Pipeline.pipe` in one fresh process after a "
            "one-sentence article (the baseline: model loaded, caches warm):",
            "",
        ]
        names = {
            "news-20000.txt": "20,000 characters of ordinary news (for comparison)",
            "unpunctuated.txt": "a 20,000-character sentence, no punctuation",
            "numbers.txt": "20,000 characters of numbers only",
            "nested.txt": "a 20,000-character sentence parsed as one ~3,500-token chain",
            "five-megabytes.txt": "a 5 MB article",
        }
        rows = []
        for name, label in names.items():
            r = bad["big"][name]
            notes = "; ".join(r["notes"]) or "–"
            rows.append(
                (
                    label,
                    f"{r['bytes']:,}",
                    f"{r['extra_cpu']:.1f}",
                    f"{r['extra_mb']:.0f}",
                    r["events"],
                    notes,
                )
            )
        lines += _table(
            rows, ("input", "bytes", "CPU s", "peak RSS MB above baseline", "events", "notes")
        )
    props = report.get("properties")
    if props:
        total = sum(p["examples"] for p in props.values())
        failed = [n for n, p in props.items() if p["failure"]]
        lines += [
            "",
            "### Properties",
            "",
            f"{len(props)} hypothesis properties, {total:,} generated examples, "
            f"{len(failed)} failures (expected 0):",
            "",
        ]
        lines += _table(
            [
                (f"`{n}`", f"{p['examples']:,}", p["seconds"], p["failure"] or "ok")
                for n, p in props.items()
            ],
            ("property", "examples", "s", "result"),
        )
    crashes = report.get("crash")
    if crashes:
        phases = ", ".join(f"{v} {k}" for k, v in sorted(crashes["phases"].items()))
        final = crashes["final"]
        lines += [
            "",
            "### Crash and resume",
            "",
            f"{crashes['survived']} of {crashes['trials']} trials survived (seed {crashes['seed']}): "
            f"`dyads ingest -p 1 --batch-size 2 --commit-every 3` over the samples plus 60 new "
            f"generated articles per trial, killed with SIGKILL after a random 0.5 s to the typical "
            f"run time ({final.get('reference_seconds', '?')} s for an uninterrupted run at the start, "
            "less when a run finished before its kill), then run again. "
            f"Where the kills landed: {phases or '–'}. After every rerun each article was stored "
            f"exactly once, event ids were unique, the file opened cleanly with its schema version, "
            f"and `stats --check` found nothing; the store ended with {final.get('articles', 0):,} "
            f"articles and {final.get('events', 0):,} events.",
        ]
        if crashes["failure"]:
            lines.append(f"\n**Failure:** {crashes['failure']}")
    lines.append(END)
    return "\n".join(lines)


def write_section(path: Path, text: str) -> None:
    """Replace the text between the markers; add the section after the title if it is absent."""
    if not path.exists():
        path.write_text(f"# Reliability\n\n{text}\n", encoding="utf-8")
        return
    current = path.read_text(encoding="utf-8")
    if BEGIN in current and END in current:
        before, rest = current.split(BEGIN, 1)
        _, after = rest.split(END, 1)
        path.write_text(before + text + after, encoding="utf-8")
    else:
        path.write_text(current.rstrip("\n") + "\n\n" + text + "\n", encoding="utf-8")


def failed(report: dict[str, Any]) -> bool:
    bad = report.get("bad_inputs") or {}
    props = report.get("properties") or {}
    crashes = report.get("crash") or {}
    return bool(
        bad.get("library", {}).get("problems")
        or bad.get("cli", {}).get("problems")
        or any(p["failure"] for p in props.values())
        or crashes.get("failure")
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20, help="crash-and-resume trials")
    parser.add_argument("--seed", type=int, default=None, help="seed of the kill moments")
    parser.add_argument("--no-bad-inputs", action="store_true")
    parser.add_argument("--no-properties", action="store_true")
    parser.add_argument("--no-crash", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="print the section only")
    parser.add_argument("--out", type=Path, default=DOC)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    report: dict[str, Any] = {
        "meta": {
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load": round(os.getloadavg()[0], 1),
        }
    }
    with tempfile.TemporaryDirectory(prefix="dyads-reliability-") as tmp:
        if not args.no_bad_inputs:
            print("bad inputs ...", file=sys.stderr)
            report["bad_inputs"] = bad_inputs(Path(tmp) / "bad")
        if not args.no_properties:
            print("properties ...", file=sys.stderr)
            report["properties"] = properties()
        if not args.no_crash:
            print("crash and resume ...", file=sys.stderr)
            (Path(tmp) / "crash").mkdir()
            report["crash"] = crash(Path(tmp) / "crash", args.trials, seed)
    text = section(report)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"reliability-{stamp}.json").write_text(json.dumps(report, indent=1, default=str))
    if not args.no_write:
        write_section(args.out, text)
    return 1 if failed(report) else 0


if __name__ == "__main__":
    sys.exit(main())
