"""GSR scoring on a small record file the test writes (the reference set itself is never read)."""

import json

import pytest

from dyads.evaluation.coding_eval import evaluate_gsr

pytestmark = pytest.mark.slow


def _record(rid, text, event, source=None, target=None):
    record = {"id": rid, "date": "2020-01-01", "event": event, "text": text}
    if source:
        record["source"] = [source]
    if target:
        record["target"] = [target]
    return record


def test_a_record_without_gold_source_or_target_matches_any(pipeline, tmp_path):
    records = [
        _record(
            "T-1",
            "Two Canadian soldiers were killed by a roadside bomb in Kandahar.",
            "ASSAULT",
            target={"actorText": "Canadian soldiers", "code": "CAN", "sector": "MIL"},
        ),
        _record(
            "T-2",
            "Chile and Peru signed a fisheries agreement in Lima.",
            "COOPERATE",
            source={"actorText": "Chile", "code": "CHL"},
        ),
    ]
    path = tmp_path / "gsr.json"
    path.write_text(json.dumps(records), "utf-8")
    result = evaluate_gsr(pipeline, path)
    assert result.records == 2
    assert result.pair_found == 2  # an unknown attacker and no gold target are no obstacle
