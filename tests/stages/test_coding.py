"""Coding constructions over real parses: arguments, ranking and the stages that refine events."""

import pytest

from coding_helpers import code_text
from dyads.ontology.modal import cameo_modal_code
from dyads.stages.subcodes import code_before_model

pytestmark = pytest.mark.slow


def _events(pipeline, text, root=None):
    coded = code_text(pipeline, text)
    return [e for e in coded.events if root is None or e.cameo.root == root]


def _pair(event):
    return (
        event.source.actor.code if event.source else None,
        event.target.actor.code if event.target else None,
    )


def test_wounding_is_force_but_a_body_part_is_no_target(pipeline):
    (event,) = _events(pipeline, "Irish guerrillas wounded two British soldiers on Thursday.", "19")
    assert _pair(event)[1] == "GBRMIL"  # 190, or a sub-code the model chose
    assert not _events(pipeline, "The striker injured his knee in the match against Chelsea.")


def test_plural_positions_are_military_not_a_statement(pipeline):
    (event,) = _events(
        pipeline, "Israel shelled positions of the Palestinian security forces.", "19"
    )
    assert event.cameo.code == "194"


def test_the_subject_of_a_condition_is_the_target(pipeline):
    text = "Russia threatened to stop negotiations if the United States goes ahead with the deployment."
    threats = [
        e for e in _events(pipeline, text) if e.modality == "threatened" or e.cameo.root == "13"
    ]
    assert threats and all(_pair(e) == ("RUS", "USA") for e in threats)


def test_a_mandative_subjunctive_is_a_demand(pipeline):
    (event,) = _events(pipeline, "Beijing insisted that Lithuania correct its mistake.", "10")
    assert _pair(event)[1] == "LTU"
    assert not _events(pipeline, "The minister insisted that the economy was growing.", "10")


def test_a_team_named_by_its_organisation_is_that_organisation(pipeline):
    (event,) = _events(
        pipeline,
        "A World Health Organization team began investigating the outbreak in Wuhan.",
        "09",
    )
    assert _pair(event)[0] == "IGOWHO"


def test_a_participle_misread_as_subject_yields_its_own_subject(pipeline):
    events = _events(
        pipeline, "The Red Cross operating in Iraq said US forces must ensure security.", "10"
    )
    assert events and _pair(events[0])[0].startswith("NGO")


def test_a_statement_ranks_below_the_event_of_its_sentence(pipeline):
    events = _events(
        pipeline, "The army told reporters on Friday that it lifted the blockade of the town."
    )
    statement = [e for e in events if e.cameo.code == "010"]
    other = [e for e in events if e.cameo.code != "010"]
    if statement and other:
        assert max(e.confidence for e in other) > max(e.confidence for e in statement)


def test_will_not_is_a_refusal_in_cameos_convention(pipeline):
    (event,) = _events(pipeline, "Israel will not release the prisoners.", "08")
    assert (event.modality, event.modality_cue) == ("negated", "will not")
    assert cameo_modal_code(event.cameo.code, event.modality, event.modality_cue)[:2] == "12"
    (plain,) = _events(pipeline, "Israel did not release the prisoners.", "08")
    assert cameo_modal_code(plain.cameo.code, plain.modality, plain.modality_cue) is None


def test_a_material_conflict_without_target_takes_its_places_country(pipeline):
    text = "Thousands of Iraqi Kurds demonstrated in the northern city of Kirkuk on Sunday."
    (event,) = _events(pipeline, text, "14")
    assert _pair(event) == ("IRQCVL", "IRQ")
    assert event.target.rule == "place→target" and event.target.text == "Kirkuk"
    # cooperation keeps no target rather than inventing one
    (visit,) = _events(pipeline, "The French foreign minister arrived in Kirkuk on Sunday.", "04")
    assert visit.target is None or visit.target.rule != "place→target"


def test_the_sub_code_model_only_specialises(pipeline):
    texts = [
        "Germany pressed Hungary to drop its veto of the aid package.",
        "The journalists appealed to the government to let them resume publishing.",
        "Pope Francis appealed to world leaders to work for peace in the Holy Land.",
        "ECOWAS called for the swift restoration of civilian rule in Niger.",
    ]
    changed = []
    for text in texts:
        for event in _events(pipeline, text):
            old = code_before_model(event.rule)
            if old is not None:
                general = len(old) == 3 and old.endswith("0")
                assert event.cameo.root == old[:2]
                assert general or event.cameo.code.startswith(old)
                changed.append(event)
    assert changed  # the model is in the default pipeline and does change codes


def test_an_intent_or_appeal_takes_the_code_of_the_act_it_governs(pipeline):
    agreed = [
        e
        for e in _events(pipeline, "The Peruvian president agreed to resign.")
        if e.trigger.text == "agreed"
    ]
    assert [e.cameo.code for e in agreed] == ["0341"]
    assert agreed[0].rule.endswith("+complement:030")
    urged = _events(pipeline, "France urged Belgium to extradite the suspects hiding there.", "02")
    assert [e.cameo.code for e in urged] == ["0213"]


def test_the_object_of_allow_does_the_allowed_act(pipeline):
    (event,) = _events(pipeline, "Mali's junta refused to allow UN planes to land.", "08")
    assert _pair(event) == ("MLIGOV", "IGOUNO")
    assert cameo_modal_code(event.cameo.code, event.modality, event.modality_cue) == "1245"


def test_an_armed_group_fights_a_government_in_arms(pipeline):
    (event,) = _events(pipeline, "Syrian rebels fought the government.")
    assert event.cameo.root == "19"
    (event,) = _events(pipeline, "The senator attacked the government.")
    assert event.cameo.root == "11"


def test_a_stance_participle_has_its_subject_as_source(pipeline):
    events = _events(pipeline, "Turkey is opposed to the Greek plan.", "12")
    assert [_pair(e) for e in events] == [("TUR", "GRC")]


def test_a_vow_of_revenge_is_a_threat_of_force(pipeline):
    (event,) = _events(pipeline, "Hamas vowed to retaliate against Israel.", "13")
    assert event.cameo.code == "138" and _pair(event)[1] == "ISR"
    (event,) = _events(pipeline, "Iran vowed to avenge the general's death.", "13")
    assert event.target is None  # the avenged are victims, not the target


def test_a_pronoun_for_the_source_is_never_its_target(pipeline):
    threats = _events(
        pipeline, "Iran threatened to end its cooperation with the IAEA inspectors.", "13"
    )
    assert threats and all(_pair(e) == ("IRN", "IGOIAE") for e in threats)
    assert not _events(pipeline, "The company cut ties with its supplier after the scandal.")


def test_a_named_weapon_makes_a_use_of_force_specific(pipeline):
    (event,) = _events(pipeline, "Three policemen were killed in a car bomb explosion in Kabul.")
    assert event.cameo.code == "1832" and event.rule.endswith("+instrument:190")
    (event,) = _events(pipeline, "Two Taliban suicide bombers killed 12 people in Kabul.", "18")
    assert event.cameo.code == "1831"
    (event,) = _events(
        pipeline, "Islamic State gunmen carried out a shooting attack on a synagogue.", "18"
    )
    assert event.cameo.code == "180"  # terror stays terror


def test_stopping_a_rally_codes_the_repression_and_the_prevented_rally(pipeline):
    events = _events(
        pipeline, "Riot police stopped the opposition from holding a rally against the government."
    )
    by_root = {e.cameo.root: e for e in events}
    assert by_root["17"].target.actor.code == "OPP"
    assert by_root["14"].modality == "prevented"


def test_ethnic_groups_and_judges_take_the_country_they_act_in(pipeline):
    (event,) = _events(
        pipeline, "Hundreds of ethnic Hungarians demonstrated on Sunday in Romania.", "14"
    )
    assert _pair(event) == ("ROUCVL", "ROU")
    (event,) = _events(
        pipeline,
        "Judge Maria Lopez opened corruption investigations against 12 Peruvian officials.",
        "09",
    )
    assert _pair(event)[0] == "PERJUD"


def test_wanting_another_actor_to_act_is_an_appeal(pipeline):
    events = _events(
        pipeline,
        "The Polish president wants Germany to pay more compensation to the victims.",
    )
    appeal = [e for e in events if e.cameo.root == "02"]
    assert [_pair(e) for e in appeal] == [("POLGOV", "DEU")]
    paid = [e for e in events if e.cameo.root == "08"]  # compensation: a concession
    assert [e.modality for e in paid] == ["hypothetical"]  # Poland's wish, not Germany's intent
    assert not [
        e for e in _events(pipeline, "Russia wants to end the war.") if e.cameo.root == "02"
    ]


def test_undertaking_a_mediation_between_two_sides(pipeline):
    events = _events(
        pipeline,
        "Oman's sultan launched a mediation effort between Iran and Saudi Arabia.",
        "04",
    )
    assert sorted(_pair(e) for e in events) == [("OMNGOV", "IRN"), ("OMNGOV", "SAU")]


def test_a_concession_in_a_place_and_forces_mobilised_are_no_target(pipeline):
    (event,) = _events(
        pipeline, "Ethiopia's government lifted a state of emergency in Amhara on Monday.", "08"
    )
    assert _pair(event) == ("ETHGOV", "ETH") and event.target.rule == "place→target"
    (event,) = _events(pipeline, "France mobilized army reservists for a possible war.", "15")
    assert event.target is None  # its own reservists


def test_killing_a_leader_is_an_assassination_and_troops_arriving_no_visit(pipeline):
    (event,) = _events(pipeline, "Taliban gunmen killed a local police commander.", "18")
    assert event.cameo.code == "186" and event.rule.endswith("+victim:190")
    assert _events(pipeline, "Rebels killed five soldiers.", "19")
    (event,) = _events(pipeline, "UN peacekeeping troops have arrived in Mali.")
    assert event.cameo.code == "074" and _pair(event) == ("IGOUNOPKO", "MLI")
    (event,) = _events(
        pipeline, "Young Tunisians blocked roads to press their demands for greater freedom.", "14"
    )
    assert event.cameo.code.startswith("144")  # a purpose clause is not the object of "blocked"


@pytest.mark.parametrize(
    ("text", "code", "pair"),
    [
        (
            "Ghana is ready to contribute 800 troops to the force in Mali.",
            "074",
            ("GHA", None),
        ),
        ("Hungary was still refusing admittance to Afghans.", "120", ("HUN", "AFGCVL")),
        (
            "The IAEA has dispatched inspectors to Zaporizhzhia in southern Ukraine.",
            "090",
            ("IGOIAE", "UKR"),
        ),
        (
            "A Brazilian judge ordered former president Jair Bolsonaro to appear for questioning.",
            "10",
            ("BRAJUD", "BRAGOV"),
        ),
        ("Moscow ordered the British diplomat to leave.", "174", ("RUSGOV", "GBRGOV")),
    ],
)
def test_general_constructions_of_aid_rejection_investigation_and_orders(
    pipeline, text, code, pair
):
    events = [e for e in _events(pipeline, text) if e.cameo.code.startswith(code)]
    assert events, [e.cameo.code for e in _events(pipeline, text)]
    assert _pair(events[0])[0] == pair[0]
    if pair[1]:
        assert _pair(events[0])[1] == pair[1]


def test_orders_to_ones_own_forces_are_no_demand(pipeline):
    events = _events(pipeline, "The president ordered the army to withdraw from the city.")
    assert not [e for e in events if e.cameo.root == "10"]


def test_an_attack_with_no_named_attacker_still_kills(pipeline):
    (event,) = _events(
        pipeline,
        "A roadside bombing near the town of Kandahar on Sunday killed two Afghan soldiers.",
    )
    assert event.cameo.code == "1833" and _pair(event) == ("AFGUAF", "AFGMIL")  # refine: UAF
    assert not _events(pipeline, "The disease killed five soldiers.")


def test_a_partitive_subject_is_its_group(pipeline):
    events = _events(pipeline, "About 700 of 1,200 Greek teachers will not end their strike.", "08")
    assert [_pair(e)[0] for e in events] == ["GRCEDU"]


def test_agreeing_on_a_deal_is_intent_signing_it_is_057(pipeline):
    agreed = _events(pipeline, "Chile and Japan have agreed upon a new free-trade pact.")
    assert agreed and all(e.cameo.root == "03" for e in agreed)
    signed = _events(pipeline, "Russia and Ukraine signed a peace deal.")
    assert signed and all(e.cameo.code == "057" for e in signed)


def test_a_conjunct_of_a_passive_keeps_its_subject(pipeline):
    text = "Peru's prime minister has been indicted by the supreme court and will resign."
    (event,) = _events(pipeline, text, "08")
    assert _pair(event)[0] == "PERGOV"


def test_agreeing_on_a_view_is_accord_agreeing_on_an_act_is_intent(pipeline):
    view = _events(
        pipeline, "Macron and Scholz agreed today there was an urgent need for progress.", "01"
    )
    assert view and all(e.cameo.code == "019" for e in view)
    act = _events(
        pipeline, "Polish and Czech officials agreed that their countries should cooperate."
    )
    assert not [e for e in act if e.cameo.code == "019"]


def test_conjoined_passive_participles_share_their_passive(pipeline):
    text = "Journalists have been harassed while covering events and briefly detained."
    assert not [e for e in _events(pipeline, text) if _pair(e)[0] == "MED"]


def test_the_main_clauses_event_ranks_first(pipeline):
    text = "Brazilian prisoners rioted at a jail in Manaus, setting fire to their mattresses."
    events = sorted(_events(pipeline, text), key=lambda e: -e.confidence)
    assert events[0].trigger.text == "rioted"


def test_according_to_and_interviews_with_news_agencies_are_no_events(pipeline):
    text = "Militias engaged in ethnic cleansing in Darfur, according to the US government."
    assert not [e for e in _events(pipeline, text) if e.cameo.root == "05"]
    assert not _events(pipeline, "Kenyan officials told AFP on Friday.")


def test_hyphenated_objects_and_group_nouns(pipeline):
    text = "The pro-Iranian Houthi group declared a unilateral cease-fire in northern Yemen."
    (event,) = _events(pipeline, text, "08")
    assert event.cameo.code == "0871" and _pair(event)[0] == "YEMREBHTH"
    text = "Turkish police released the correspondent of Agence France-Presse."
    assert [e.cameo.code for e in _events(pipeline, text, "08")] == ["0841"]


def test_opposing_mediation_and_reneging_on_a_commitment_are_rejections(pipeline):
    (event,) = _events(pipeline, "Turkey is opposed to Swedish mediation.", "12")
    assert event.cameo.code == "126" and _pair(event) == ("TUR", "SWE")
    (event,) = _events(pipeline, "Iran broke its promise to the IAEA.", "12")
    assert _pair(event) == ("IRN", "IGOIAE")


def test_the_sources_own_people_are_not_its_target(pipeline):
    text = "The African Union rejected a call for its peacekeeping forces to be deployed in Sudan."
    events = _events(pipeline, text, "12")
    assert events and all(_pair(e)[1] != "MIL" for e in events)


def test_cameos_notes_expelled_diplomats_cancelled_visits_and_charges(pipeline):
    (event,) = _events(pipeline, "Poland expelled two Belarusian diplomats on Tuesday.")
    assert event.cameo.code == "161" and _pair(event) == ("POL", "BLRGOV")
    (event,) = _events(pipeline, "Prosecutors in Ankara charged the journalist with espionage.")
    assert event.cameo.code == "1125"  # an accusation, its crime from the words after it


def test_forces_preparing_an_attack_show_force_posture(pipeline):
    events = _events(
        pipeline, "Ukrainian troops prepared to resume shelling the Russian positions."
    )
    posture = [e for e in events if e.cameo.code == "150"]
    assert [_pair(e) for e in posture] == [("UKRMIL", "RUS")]  # through "resume" to its object


def test_measures_hold_what_they_measure_and_a_cause_is_no_object(pipeline):
    (event,) = _events(
        pipeline, "Swiss volunteers handed over 300 kg of medicine to the Red Cross in Aleppo."
    )
    assert event.cameo.code == "073" and _pair(event) == ("CHECVL", "NGOIRC")
    (event,) = _events(
        pipeline, "Miners stopped work at the Kuzbass pits on Monday over a new pension law."
    )
    assert event.cameo.root == "14"  # a strike, not a policy U-turn on the law
    assert not _events(pipeline, "Her bakery started to struggle in March when prices rose.")


def test_an_object_slot_naming_the_source_gives_way_to_the_next(pipeline):
    (event,) = _events(pipeline, "The UN said it will withdraw its observers from Mali.", "16")
    assert _pair(event) == ("IGOUNO", "MLI")
    # the preposition hangs off a later conjunct of the weapon: the target still comes from it
    events = _events(
        pipeline,
        "Ethiopian troops fired artillery, mortars and rocket fire against Somali militia bases.",
    )
    assert events and all(_pair(e) == ("ETHMIL", "SOM") for e in events if e.cameo.root == "19")


def test_a_statement_an_actor_issues_speaks_for_it(pipeline):
    text = "The opposition alliance issued a statement demanding that the junta free the students."
    (demand,) = _events(pipeline, text, "10")
    assert demand.source is not None and demand.source.text == "opposition alliance"


def test_accepting_a_plan_is_agreement_and_vowing_to_fight_a_threat(pipeline):
    (event,) = _events(pipeline, "Kabul accepted a Pakistani proposal for a border commission.")
    assert event.cameo.root == "03" and _pair(event) == ("AFGGOV", "PAK")
    (event,) = _events(pipeline, "The separatists swore to fight on until independence.", "13")
    assert event.cameo.code == "138"
    assert not _events(pipeline, "The new mayor promised to fight corruption.", "13")


def test_a_subject_through_an_adjective_or_an_engagement(pipeline):
    text = "Both the police and the protesters were guilty of violating the truce."
    events = _events(pipeline, text, "19")
    assert {e.source.text for e in events if e.source} == {"police", "protesters"}
    (event,) = _events(pipeline, "Rebel units were engaged in heavy fighting with the army.", "19")
    assert event.source is not None and event.source.text == "Rebel units"


def test_an_allowed_rally_names_who_holds_it(pipeline):
    text = "The Interior Minister allowed opposition leader Farid Khan to hold a rally in Lahore."
    (event,) = _events(pipeline, text, "08")
    assert event.target is not None and event.target.text.startswith("opposition leader")


def test_a_protest_in_words_is_a_complaint(pipeline):
    text = "A press freedom group protested that the police were harassing reporters."
    (event,) = _events(pipeline, text, "11")
    assert event.cameo.code == "114" and _pair(event)[1] == "COP"
    assert _events(pipeline, "Students protested against the fee increase.", "14")


def test_expanded_freedoms_and_unimpeded_access_are_concessions(pipeline):
    (event,) = _events(pipeline, "The Thai junta took steps to expand political freedoms.")
    assert event.cameo.code == "0811"
    events = _events(pipeline, "Ethiopia granted the UN unimpeded access to Tigray.", "08")
    assert events and all(e.cameo.code == "0863" for e in events)


def test_what_a_measure_of_a_measure_holds_is_the_object(pipeline):
    text = "Kazakhstan agreed to allow the delivery of 500 tons of wheat to Kyrgyzstan."
    events = _events(pipeline, text, "08")
    assert [(e.cameo.code, _pair(e)) for e in events] == [("0863", ("KAZ", "KGZ"))]


def test_sharing_expertise_is_sharing_information(pipeline):
    (event,) = _events(pipeline, "North Korea has shared missile expertise with Iran.", "06")
    assert event.cameo.code == "064" and _pair(event) == ("PRK", "IRN")


def test_who_travels_for_talks_holds_them(pipeline):
    text = "The Turkish foreign minister flew to Moscow for talks with Lavrov."
    (talks,) = [e for e in _events(pipeline, text) if e.trigger.text == "talks"]
    assert _pair(talks) == ("TURGOV", "RUSGOV")
    assert not [e for e in _events(pipeline, "The rebels left for the front.")]
