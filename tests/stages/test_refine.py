"""The refine stage over real parses: targets from an act's own phrase, unknown attackers, sources
from the act that is the subject, and countries from domestic counterparts."""

import pytest

from coding_helpers import code_text

pytestmark = pytest.mark.slow


def _events(pipeline, text, root=None):
    coded = code_text(pipeline, text)
    return [e for e in coded.events if root is None or e.cameo.root == root]


def _pair(event):
    return (
        event.source.actor.code if event.source else None,
        event.target.actor.code if event.target else None,
    )


def test_a_protest_is_against_the_party_named_in_what_it_is_for(pipeline):
    (event,) = _events(
        pipeline,
        "The farm workers blocked a highway to show their anger at Spain's new water policy.",
        "14",
    )
    assert _pair(event) == ("ESPAGR", "ESP")
    assert event.target.rule.endswith("purpose→target")
    assert event.cameo.code == "1442"  # and the policy makes it a protest for a policy change


def test_an_act_without_target_takes_the_holder_named_in_its_object(pipeline):
    (event,) = _events(pipeline, "Washington suspended part of a training program for Niger.")
    assert _pair(event) == ("USAGOV", "NER")
    (event,) = _events(
        pipeline, "The ministers denounced as a crime Russia's bombing of the dam.", "11"
    )
    assert _pair(event) == ("GOV", "RUS")  # and the ministers are not made Russian


def test_a_demanded_withdrawal_targets_the_forces_not_the_place(pipeline):
    (event,) = _events(
        pipeline,
        "Ukrainian officials demanded the withdrawal of Russian forces from the nuclear plant.",
        "10",
    )
    assert _pair(event) == ("UKRGOV", "RUSMIL")


def test_an_attack_with_no_named_attacker_is_by_an_unidentified_armed_actor(pipeline):
    (event,) = _events(
        pipeline, "A roadside bomb near the town of Kandahar killed two Canadian soldiers.", "18"
    )
    assert _pair(event) == ("AFGUAF", "CANMIL")
    assert event.source.rule == "place→source"


def test_an_act_whose_subject_is_an_act_takes_its_source(pipeline):
    events = _events(pipeline, "Recent US drone attacks have killed three Shabab commanders.")
    killing = next(e for e in events if e.trigger.text == "killed")
    assert killing.source.actor.code == "USA" and killing.source.rule.endswith("+subject-event")


def test_a_protest_aimed_at_a_country_is_by_its_people(pipeline):
    (event,) = _events(
        pipeline,
        "The opposition party said it will boycott the parliamentary elections in Algeria.",
    )
    assert _pair(event) == ("DZAOPP", "DZA")


def test_no_target_from_the_sources_own_side(pipeline):
    events = _events(
        pipeline, "Pakistan and Iran rejected claims that their border guards abused migrants."
    )
    assert events and all(e.target is None for e in events)  # not each other
    events = _events(pipeline, "Militants ramped up attacks on police in Balochistan province.")
    assert not [e for e in events if e.source and e.source.rule == "place→source"]


def test_an_unknown_president_rejected_by_his_countrys_rebels_leads_their_country(pipeline):
    text = "The rebels in Mali rejected an appeal from President Amadou Kebe to return to talks."
    events = _events(pipeline, text, "12")
    assert events and _pair(events[0]) == ("MLIREB", "MLIGOV")
    assert events[0].target.text == "President Amadou Kebe"  # a person after "from" is no place


def test_an_ally_is_not_its_patron_and_a_minority_lives_where_it_is(pipeline):
    text = "Militants killed the commander of Iran's militia ally in eastern Syria."
    (event,) = _events(pipeline, text, "18") or _events(pipeline, text, "19")
    assert _pair(event)[1] != "IRN"
    text = "Police attacked members of the Uzbek minority in Osh."
    events = _events(pipeline, text)
    assert events and all(e.target is None or e.target.actor.country == "KGZ" for e in events)


def test_a_refusal_despite_pressure_is_aimed_at_who_presses(pipeline):
    text = "The Serbian minister refused to resign despite mounting pressure from the EU."
    (event,) = _events(pipeline, text)
    assert event.modality == "negated" and _pair(event) == ("SRBGOV", "IGOEEC")
    assert not [
        e
        for e in _events(pipeline, "Israel launched strikes despite calls from the UN.")
        if _pair(e)[1] == "IGOUNO"
    ]
