"""The project's own coding cases (tests/data/coding/*.yaml) — development and regression set.

Each file covers CAMEO roots with varied, realistic news sentences, negatives and modality
examples. The suite requires 85% of the cases of every file to pass and lists the failures.
"""

from pathlib import Path

import pytest

from dyads.evaluation.cases import run_cases

CASES = sorted((Path(__file__).resolve().parents[1] / "data" / "coding").glob("*.yaml"))
THRESHOLD = 0.85

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_file(pipeline, path):
    report = run_cases(pipeline, [path])
    failures = [
        f"{r.text[:90]!r}: {'; '.join(r.problems)} (got {r.got})"
        for r in report.results
        if not r.ok
    ]
    rate = report.passed / len(report.results)
    assert rate >= THRESHOLD, f"{report.passed}/{len(report.results)} passed:\n" + "\n".join(
        failures
    )
