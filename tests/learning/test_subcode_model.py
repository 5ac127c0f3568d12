"""The sub-code model: training, prediction, candidates and its file (no parse needed)."""

import json

from dyads.learning.subcodes import Example, SubcodeModel, candidate_codes, train

ROOT_02 = ("020", "021", "0211", "0213", "025", "0253", "0256")


def _examples():
    rows = [
        (["code=020", "w=extradite", "w=suspect"], "0213"),
        (["code=020", "w=extradite", "w=militant"], "0213"),
        (["code=020", "w=release", "w=hostage"], "0253"),
        (["code=020", "w=free", "w=hostage"], "0253"),
        (["code=020", "w=ceasefire"], "0256"),
        (["code=020", "w=truce"], "0256"),
        (["code=020", "w=calm"], "020"),
    ]
    return [Example(tuple(f), label, ROOT_02) for f, label in rows]


def test_the_model_learns_sub_codes_from_clause_words():
    model = train(_examples(), epochs=10)
    assert model.predict(["code=020", "w=extradite"], ROOT_02)[0] == "0213"
    assert model.predict(["code=020", "w=hostage"], ROOT_02)[0] == "0253"
    assert model.predict(["code=020", "w=truce"], ROOT_02)[0] == "0256"


def test_training_is_deterministic():
    a, b = train(_examples(), epochs=5), train(_examples(), epochs=5)
    assert a.to_json() == b.to_json()


def test_the_model_file_round_trips_and_is_one_feature_per_line():
    model = train(_examples(), epochs=5)
    model.meta = {"examples": 7}
    text = model.to_json()
    json.loads(text)
    again = SubcodeModel.from_json(text)
    assert again.meta == {"examples": 7}
    features = ["code=020", "w=hostage"]
    assert again.predict(features, ROOT_02)[0] == model.predict(features, ROOT_02)[0]
    assert any(line.startswith('"w=hostage": {') for line in text.splitlines())


def test_candidates_only_specialise():
    assert candidate_codes("020", ROOT_02) == ROOT_02  # the root's general code: all of the root
    assert candidate_codes("025", ROOT_02) == ("025", "0253", "0256")
    assert candidate_codes("0253", ROOT_02) == ("0253",)


def test_the_shipped_model_loads_and_names_its_data():
    model = SubcodeModel.load()
    assert model.weights
    assert model.meta["examples"] > 1000
    assert 0 < model.meta["cross_validated_accuracy"] <= 1
