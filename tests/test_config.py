import pytest

from dyads.config import Config, deep_merge
from dyads.registry import UnknownStage, stage_factory


def test_default_config_has_stages():
    config = Config.load()
    assert config.stage_names == [
        "tokens",
        "segment",
        "actors",
        "quotes",
        "coding",
        "modality",
        "subcodes",
        "dates",
        "places",
        "refine",
    ]
    assert config.section("nlp")["model"] == "auto"


def test_overrides_merge_deeply(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[nlp]\nbatch_size = 4\n[stages.coding]\nmin_actors = 2\n")
    config = Config.load(path, overrides={"nlp": {"model": "x"}})
    assert config.section("nlp") == {**Config.load().section("nlp"), "batch_size": 4, "model": "x"}
    assert config.section("stages.coding")["min_actors"] == 2
    assert config.section("stages.coding")["code_statements"] is True


def test_deep_merge_does_not_mutate():
    base = {"a": {"b": 1}}
    merged = deep_merge(base, {"a": {"c": 2}})
    assert base == {"a": {"b": 1}} and merged == {"a": {"b": 1, "c": 2}}


def test_stage_names_resolve():
    for name in Config.load().stage_names:
        assert callable(stage_factory(name))
    assert callable(stage_factory("dyads.stages.segment:make_segment_stage"))
    with pytest.raises(UnknownStage):
        stage_factory("nope")
