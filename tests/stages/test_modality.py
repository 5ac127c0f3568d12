"""Modality and attribution over real parses."""

import pytest

from coding_helpers import code_text

pytestmark = pytest.mark.slow

CASES = [
    ("Germany imposed sanctions on Iran.", "asserted"),
    ("Germany did not impose sanctions on Iran.", "negated"),
    ("Germany never imposed sanctions on Iran.", "negated"),
    ("Germany failed to impose sanctions on Iran.", "negated"),
    ("Germany wanted to impose sanctions on Iran.", "intended"),
    ("Germany plans to impose sanctions on Iran.", "intended"),
    ("Germany threatened to impose sanctions on Iran.", "threatened"),
    ("Germany could impose sanctions on Iran.", "hypothetical"),
    ("If talks fail, Germany would impose sanctions on Iran.", "hypothetical"),
    ("Germany may impose sanctions on Iran if the talks fail.", "hypothetical"),
    ("Germany will impose sanctions on Iran.", "future"),
    ("Germany will no longer impose sanctions on Iran.", "negated"),
    ("Germany called for sanctions against Iran.", "hypothetical"),
    ("Analysts expect Germany to impose sanctions on Iran.", "future"),
    ("Germany is set to impose sanctions on Iran.", "future"),
    ("France prevented Germany from imposing sanctions on Iran.", "prevented"),
    ("France managed to stop Germany from imposing sanctions on Iran.", "prevented"),
    ("Germany denied that it had imposed sanctions on Iran.", "denied"),
]


@pytest.mark.parametrize(("text", "modality"), CASES)
def test_modality(pipeline, text, modality):
    coded = code_text(pipeline, text)
    events = [e for e in coded.events if e.cameo.code == "163"]
    assert events, [(e.cameo.code, e.trigger.text) for e in coded.events]
    assert events[0].modality == modality, events[0].modality_cue
    assert events[0].source.actor.country == "DEU"


def test_modality_propagates_down_chains(pipeline, seed_coded):
    axe = [e for e in seed_coded.events if "axe" in e.trigger.text]
    assert axe and axe[0].modality == "prevented" and axe[0].source.actor.country == "USA"


def test_nominal_event_under_a_criticising_verb_stays_asserted(pipeline):
    coded = code_text(pipeline, "Jordan condemned Israel's attack on Gaza.")
    attack = [e for e in coded.events if e.cameo.root == "19"]
    assert attack and attack[0].modality == "asserted" and attack[0].source.actor.country == "ISR"


def test_attribution_from_quotes_and_reporting_verbs(pipeline):
    text = 'Iran attacked the tanker, US officials said. "Russia shelled the port," Zelenskyy said. Israel bombed Gaza.'
    coded = code_text(pipeline, text)
    by_trigger = {e.trigger.text: e for e in coded.events}
    assert by_trigger["attacked"].attribution.actor.code == "USAGOV"
    assert by_trigger["shelled"].attribution.actor.country == "UKR"
    assert by_trigger["bombed"].attribution is None


def test_according_to(pipeline):
    coded = code_text(
        pipeline, "Russian forces shelled Kharkiv overnight, according to Ukrainian officials."
    )
    (event,) = [e for e in coded.events if e.cameo.root == "19"]
    assert event.attribution is not None and event.attribution.actor.country == "UKR"


def test_will_not_names_its_auxiliary_as_the_cue(pipeline):
    coded = code_text(pipeline, "Germany won't impose sanctions on Iran.")
    (event,) = [e for e in coded.events if e.cameo.code == "163"]
    assert (event.modality, event.modality_cue) == ("negated", "will not")


def test_a_conditional_conflict_act_is_cameos_threat(pipeline):
    from dyads.ontology.modal import cameo_modal_code

    coded = code_text(
        pipeline,
        "The president of Peru may suspend the talks with the rebels if the attacks continue.",
    )
    (event,) = coded.events
    assert (event.modality, event.modality_cue) == ("hypothetical", "may if")
    assert cameo_modal_code(event.cameo.code, event.modality, event.modality_cue).startswith("13")
    (event,) = code_text(pipeline, "The rebels may attack the capital.").events
    assert cameo_modal_code(event.cameo.code, event.modality, event.modality_cue) is None


def test_a_capability_is_no_act(pipeline):
    coded = code_text(pipeline, "Iran has trained drone units capable of attacking Israeli ships.")
    events = [e for e in coded.events if e.cameo.root in ("18", "19")]
    assert events and all(e.modality == "hypothetical" for e in events)
    assert events[0].source is not None  # the units capable of it
