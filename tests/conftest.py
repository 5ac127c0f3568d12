"""Shared fixtures: the pipeline (loaded once per test session) and paths to reference data."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "000_834ea8c2f8507daf.txt"
VOA = SHARED / "corpora" / "voa_stories.jsonl"
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="session")
def pipeline():
    from dyads.pipeline import Pipeline

    return Pipeline()


@pytest.fixture(scope="session")
def nlp(pipeline):
    return pipeline.nlp


@pytest.fixture(scope="session")
def seed_path() -> Path:
    if not SEED.exists():
        pytest.skip("../shared/seeds is not available")
    return SEED


@pytest.fixture(scope="session")
def seed_coded(pipeline, seed_path):
    from dyads.readers import read

    (article,) = list(read([seed_path]))
    return pipeline(article)


@pytest.fixture(scope="session")
def voa_path() -> Path:
    if not VOA.exists():
        pytest.skip("../shared/corpora is not available")
    return VOA
