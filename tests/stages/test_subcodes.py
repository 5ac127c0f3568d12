"""The sub-code stage over hand-built events: what it may change and how it records it."""

import pytest

from dyads.learning.subcodes import SubcodeModel
from dyads.ontology import load_ontology
from dyads.records import Event, Span
from dyads.stages.subcodes import SubcodeChooser


class _Patterns:
    verbs: dict = {}
    nouns: dict = {}


def _event(code: str, modality: str = "asserted", cue: str = "") -> Event:
    ontology = load_ontology()
    return Event(
        article_id="a",
        sentence_index=0,
        sentence="",
        trigger=Span(0, 5, "urged"),
        cameo=ontology.code(code),
        plover=ontology.plover_for(code),
        modality=modality,
        modality_cue=cue,
        rule="appeal:urge",
    )


@pytest.fixture(autouse=True)
def _clause_words(monkeypatch):
    """The clause has words for every code (the model may only move where it has)."""

    def features(doc, event, code, lexicon=None):
        return ["bias", f"code={code}", "lex=0213", "lex=0256", "lex=0312", "lex=1053"]

    monkeypatch.setattr("dyads.stages.subcodes.event_features", features)


def _chooser(prefer: str, weight: float = 1.0) -> SubcodeChooser:
    model = SubcodeModel(weights={"bias": {prefer: weight}})
    return SubcodeChooser(load_ontology(), _Patterns(), model)


def test_a_general_code_is_specialised_and_the_rule_says_so():
    event = _chooser("0213").choose(None, _event("020"))
    assert event.cameo.code == "0213"
    assert event.plover == load_ontology().plover_for("0213")
    assert event.rule == "appeal:urge+model:020"


def test_the_root_never_changes_and_a_specific_code_stays():
    assert _chooser("1053").choose(None, _event("020")).cameo.code == "020"
    assert _chooser("0256").choose(None, _event("0253")).cameo.code == "0253"


def test_a_sibling_code_is_not_a_candidate():
    assert _chooser("0256").choose(None, _event("025")).cameo.code == "0256"  # below 025
    assert _chooser("0213").choose(None, _event("025")).cameo.code == "025"  # beside it


def test_an_intended_act_keeps_its_own_code_under_cameos_intent_code():
    # an intended 060 is CAMEO's 031; were the model to prefer 0312 (military), the event
    # becomes an intended 062, whose CAMEO intent code is 0312
    chosen = _chooser("0312").choose(None, _event("060", modality="intended"))
    assert (chosen.cameo.code, chosen.modality) == ("062", "intended")


def test_a_margin_keeps_weak_preferences_out():
    chooser = _chooser("0213", weight=0.2)
    chooser.min_margin = 0.5
    assert chooser.choose(None, _event("020")).cameo.code == "020"


def test_without_words_for_it_the_model_keeps_the_patterns_code(monkeypatch):
    monkeypatch.setattr(
        "dyads.stages.subcodes.event_features", lambda doc, event, code, lexicon=None: ["bias"]
    )
    assert _chooser("0213").choose(None, _event("020")).cameo.code == "020"


def test_governed_codes_follow_cameos_parallel_sub_codes():
    from dyads.ontology.modal import governed_code

    assert governed_code("03", "0831") == "0341"  # agreed to resign
    assert governed_code("02", "063") == "0213"  # urged to hand over suspects
    assert governed_code("10", "0841") == "1053"  # demanded the release
    assert governed_code("13", "162") == "1311"  # threatened to cut aid
    assert governed_code("12", "086") == "1245"  # refused to allow observers
    assert governed_code("02", "190") is None  # no appeal code for an attack


def test_an_attempted_attack_is_the_attack_in_cameos_code():
    from dyads.ontology.modal import cameo_modal_code

    assert cameo_modal_code("170", "intended", "tried") == "170"
    assert cameo_modal_code("186", "intended", "attempted") == "185"
    assert cameo_modal_code("190", "intended", "wants") == "1384"  # a wish to attack: a threat


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Miners stopped work at the Kuzbass pits on Monday over a new pension law.", "1432"),
        ("Georgian students blocked streets in Tbilisi to demand democratic reforms.", "1444"),
        ("The rebels accused the governor of embezzling public funds.", "1121"),
        ("The army suspended part of a military aid program for the rebels.", "1622"),
        # a general concession whose content is an institutional change joins 083
        (
            "The regional chief conceded to demands from the opposition to overhaul the judiciary.",
            "0834",
        ),
    ],
)
def test_what_an_act_is_about_picks_cameos_last_digit(pipeline, text, code):
    from coding_helpers import code_text

    codes = [e.cameo.code for e in code_text(pipeline, text).events]
    assert code in codes


def test_subcode_words_load_and_name_known_kinds():
    from dyads.ontology import SUBCODE_KINDS, load_subcode_words

    words = load_subcode_words()
    assert set(words) == set(SUBCODE_KINDS)
    assert words["purpose"]["resign"] == "1" and words["aid"]["military"] == "2"
    assert words["accusation"]["espionage"] == "5"
    assert all(d in SUBCODE_KINDS[dim].values() for dim, w in words.items() for d in w.values())


def test_a_model_guess_no_word_supports_is_undone():
    from dataclasses import replace
    from types import SimpleNamespace

    chooser = _chooser("0213")
    chooser.words = {"purpose": {}, "aid": {"military": "2"}, "accusation": {}}
    tok = SimpleNamespace(i=0, pos_="VERB", dep_="ROOT", subtree=[], lemma_="suspend")
    tok.head = tok
    doc = {0: tok}  # a trigger with nothing after it: no word says which aid
    guessed = replace(_event("1622"), rule="cut-aid:suspend+model:162", trigger_token=0)
    assert chooser.from_words(doc, guessed).cameo.code == "162"
    kept = replace(_event("1622"), rule="cut-military-aid:suspend", trigger_token=0)
    assert chooser.from_words(doc, kept).cameo.code == "1622"  # a pattern's own sub-code
    # nor does any word speak of aid: back to the code before the model, not to 122
    rejected = replace(_event("1222"), rule="refuse-object:dismiss+model:120", trigger_token=0)
    assert chooser.from_words(doc, rejected).cameo.code == "120"


def test_weapons_laid_down_are_no_aid(pipeline):
    from coding_helpers import code_text

    text = "The rebels rejected an appeal from the army chief to lay down their weapons."
    codes = [e.cameo.code for e in code_text(pipeline, text).events if e.cameo.root == "12"]
    assert codes and not any(c.startswith("122") for c in codes)
