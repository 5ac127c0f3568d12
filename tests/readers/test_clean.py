from dyads.readers.clean import blank_excluded, find_excluded

SEED_TAIL = (
    "Herzog criticized the US decision to halt the military equipment to Israel right before the ground "
    "operations began in Rafah. US Secretary of State Antony Blinken, December 5, 2024 (illustration). "
    "(credit: REUTERS/AMMAR AWAD, REUTERS/FLORION GOGA)\n\nHe also emphasized that"
)


def test_credit_and_caption_are_excluded():
    spans = find_excluded(SEED_TAIL)
    texts = [s.text for s in spans]
    assert "(credit: REUTERS/AMMAR AWAD, REUTERS/FLORION GOGA)" in texts
    assert "US Secretary of State Antony Blinken, December 5, 2024 (illustration)." in texts
    assert all(SEED_TAIL[s.start : s.end] == s.text for s in spans)
    assert not any("Rafah" in t for t in texts)


def test_blanking_keeps_offsets():
    spans = find_excluded(SEED_TAIL)
    blanked = blank_excluded(SEED_TAIL, spans)
    assert len(blanked) == len(SEED_TAIL)
    assert "REUTERS" not in blanked and "Blinken" not in blanked
    assert blanked.index("He also emphasized") == SEED_TAIL.index("He also emphasized")


def test_other_credit_styles():
    text = "The army said it shelled the town. (AP Photo/John Smith)\nPhoto: Reuters\nFILE - Troops march in Kyiv, May 9, 2024.\nBody continues."
    spans = [s.text for s in find_excluded(text)]
    assert "(AP Photo/John Smith)" in spans
    assert "Photo: Reuters" in spans
    assert any(s.startswith("FILE - Troops") for s in spans)


def test_plain_text_has_nothing_excluded():
    assert (
        find_excluded("Russia's army shelled Kharkiv on Monday. Photographs showed damage.") == ()
    )
