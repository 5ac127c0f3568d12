"""CAMEO's own way of coding an event that did not (yet) happen.

dyads keeps the event's code and states its modality; CAMEO instead switches code: an intended
or promised cooperative act is an *expression of intent* (03x), a threatened conflictual act a
*threat* (13x), a refused cooperative act a *rejection* (12x). :func:`cameo_modal_code` gives
that code, so that GDELT-compatible output and CAMEO evaluation can use CAMEO's convention
(``cameo_modal_code`` in the output contract; ``None`` when CAMEO would not code the event, e.g.
negated or hypothetical events).
"""

from __future__ import annotations

# Intent (03x) for intended/future cooperative events, by the event's code (longest prefix wins).
INTENT = {
    "04": "036", "040": "036", "041": "036", "042": "036", "043": "036", "044": "036", "045": "039", "046": "036",
    "05": "032", "050": "032", "051": "032", "052": "032", "053": "032", "054": "032", "055": "032", "056": "032", "057": "032",
    "06": "031", "060": "031", "061": "0311", "062": "0312", "063": "0313", "064": "0314",
    "07": "033", "070": "033", "071": "0331", "072": "0332", "073": "0333", "074": "0334", "075": "033",
    "08": "035", "080": "035", "081": "0351", "082": "0352", "083": "034", "0831": "0341", "0832": "0342",
    "0833": "0343", "0834": "0344", "084": "0353", "085": "0354", "086": "0355", "087": "0356",
}  # fmt: skip
# Threats (13x) for threatened conflictual events.
THREAT = {
    "14": "133", "15": "138", "16": "131", "160": "131", "161": "1313", "162": "1311", "163": "1312",
    "164": "134", "165": "135", "166": "136", "17": "130", "170": "130", "171": "137", "172": "132",
    "1721": "1321", "1722": "1322", "1723": "1323", "1724": "1324", "173": "137", "174": "137", "175": "137",
    "18": "1383", "19": "138", "190": "1384", "191": "1381", "192": "1382", "193": "1384", "194": "1384",
    "195": "1384", "196": "1384", "20": "1383", "204": "1385", "2041": "1385", "2042": "1385",
    "11": "130", "12": "130", "10": "139",
}  # fmt: skip
# Refusals (12x) for cooperative events negated by refuse/decline/reject.
REFUSAL = {
    "04": "125", "045": "126", "05": "120", "06": "121", "061": "1211", "062": "1212", "063": "1213",
    "07": "122", "071": "1221", "072": "1222", "073": "1223", "074": "1224", "08": "124", "081": "1241",
    "082": "1242", "084": "1243", "085": "1244", "086": "1245", "087": "1246", "083": "123",
    "0831": "1231", "0832": "1232", "0833": "1233", "0834": "1234", "03": "120", "02": "120",
}  # fmt: skip
ATTEMPT_CUES = {"try", "tried", "tries", "trying", "attempt", "attempted", "attempts", "attempting"}
REFUSAL_CUES = {
    "refuse",
    "refused",
    "refuses",
    "refusing",
    "decline",
    "declined",
    "declines",
    "reject",
    "rejected",
    "rejects",
    "deny",
    "denied",
    "will not",  # "Syria will not accept more refugees": the modality stage's cue for a
    "would not",  # negated act under will/would/shall
    "shall not",
}


def _lookup(table: dict[str, str], code: str) -> str | None:
    for n in (4, 3, 2):
        if code[:n] in table:
            return table[code[:n]]
    return None


def cameo_modal_code(code: str, modality: str, cue: str = "") -> str | None:
    """The code CAMEO itself would give (``None``: CAMEO would not code it)."""
    root = int(code[:2])
    if modality == "asserted":
        return code
    if modality == "intended" and cue.lower() in ATTEMPT_CUES and root >= 14:
        # CAMEO codes an attempted attack as the attack ("tried to hack into the army's
        # computers"), and an attempted assassination as 185
        return "185" if code.startswith("186") else code
    if modality in ("intended", "future"):
        if 4 <= root <= 8:  # material or diplomatic cooperation to come: an expression of intent
            return _lookup(INTENT, code) or "030"
        if (
            root <= 3 or 9 <= root <= 13
        ):  # verbal acts: "will ask", "plans to demand" stay what they are
            return code
        return _lookup(THREAT, code)  # material conflict to come: a threat
    if modality == "threatened":
        return _lookup(THREAT, code) if root >= 9 else None
    if modality == "hypothetical" and cue.lower().endswith(" if") and root >= 14:
        # "the Community may halt its mediation if the fighting goes on": a conditional threat
        return _lookup(THREAT, code)
    if modality == "negated" and cue.lower() in REFUSAL_CUES and 2 <= root <= 8:
        return _lookup(REFUSAL, code)
    return None


def governed_code(root: str, act: str) -> str | None:
    """The code CAMEO gives an appeal (02), intent (03), demand (10), rejection (12) or threat
    (13) whose content is the act coded ``act``: "urged Belgium to extradite the suspects" is an
    appeal for judicial cooperation (0213) because extraditing them is 063. Appeals, intents and
    demands share their sub-codes (021x, 031x, 101x), so an appeal's code is the intent's with
    the root swapped. ``None`` when the root has no code for that act."""
    if act[:2] == root:
        return act
    if root == "12":
        return _lookup(REFUSAL, act)
    if root == "13":
        return _lookup(THREAT, act) if act[:2] >= "14" else None
    if root not in ("02", "03", "10"):
        return None
    intent = act if act[:2] == "03" else _lookup(INTENT, act)
    if intent is None:
        return None
    return root + intent[2:]
