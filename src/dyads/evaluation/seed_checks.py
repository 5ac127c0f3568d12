"""What a careful human coder expects from the canonical seed article.

Each check is a sentence a user would say and a predicate over the coded article. ``dyads eval``
prints them and writes them to docs/quality.md; the test suite asserts them
(tests/evaluation/test_seed.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from ..records import CodedArticle, Event, Mention


@dataclass(frozen=True)
class Check:
    name: str
    test: Callable[[CodedArticle], bool]


def _events(coded: CodedArticle, code_prefix: str) -> list[Event]:
    return [e for e in coded.events if e.cameo.code.startswith(code_prefix)]


def _country(m: Mention | None) -> str | None:
    return m.actor.country if m is not None else None


def _has(
    coded: CodedArticle,
    prefix: str,
    source: str | None,
    target: str | None,
    modality: str | None = None,
    trigger: str | None = None,
    target_sector: set[str] | None = None,
) -> bool:
    for e in _events(coded, prefix):
        if source is not None and _country(e.source) != source:
            continue
        if target is not None and _country(e.target) != target:
            continue
        if modality is not None and e.modality != modality:
            continue
        if trigger is not None and trigger not in e.trigger.text and trigger not in e.sentence:
            continue
        if target_sector is not None and not (
            e.target and set(e.target.actor.sectors) & target_sector
        ):
            continue
        return True
    return False


def _mention(coded: CodedArticle, text: str) -> list[Mention]:
    return [m for m in coded.mentions if m.text == text or m.text.endswith(text)]


def _actor_is(
    coded: CodedArticle, text: str, country: str, sectors: set[str] | None = None
) -> bool:
    found = _mention(coded, text)
    return bool(found) and all(
        m.actor.country == country and (sectors is None or set(m.actor.sectors) & sectors)
        for m in found
    )


def _pronoun(coded: CodedArticle, text: str, sentence_fragment: str, country: str) -> bool:
    sentence_index = {s.index for s in coded.sentences if sentence_fragment in s.text}
    found = [m for m in coded.mentions if m.text == text and m.sentence_index in sentence_index]
    return bool(found) and all(m.actor.country == country for m in found)


def _no_excluded_mentions(coded: CodedArticle) -> bool:
    spans = coded.article.excluded
    return bool(spans) and not any(
        s.start <= m.start < s.end for s in spans for m in coded.mentions
    )


def _statement_dated(coded: CodedArticle) -> bool:
    for e in _events(coded, "01"):
        if (
            "told" in e.trigger.text
            and e.date is not None
            and e.date.value == dt.date(2025, 2, 26)
            and e.date.granularity == "day"
        ):
            return True
    return False


def _no_we_dates(coded: CodedArticle) -> bool:
    return not any(
        e.date is not None and e.date.text and e.date.text.strip().lower() == "we"
        for e in coded.events
    )


def _rafah(coded: CodedArticle) -> bool:
    for e in coded.events:
        loc = e.location
        if (
            loc is not None
            and "Rafah" in e.sentence
            and loc.country == "PSE"
            and loc.lat is not None
            and loc.lon is not None
        ):
            if abs(loc.lat - 31.30) < 0.1 and abs(loc.lon - 34.25) < 0.1:
                return True
    return False


def _offsets_ok(coded: CodedArticle) -> bool:
    text = coded.article.text
    for e in coded.events:
        spans = [e.trigger] + [m for m in (e.source, e.target) if m is not None]
        if any(text[s.start : s.end] != s.text for s in spans):
            return False
    return True


CHECKS: tuple[Check, ...] = (
    Check(
        "publication date 2025-02-27 from the header",
        lambda c: c.article.date == dt.date(2025, 2, 27),
    ),
    Check("photo caption and credit line yield no actor", _no_excluded_mentions),
    Check(
        "no event from the photo credit line",
        lambda c: not any("REUTERS" in e.sentence or "credit" in e.sentence for e in c.events),
    ),
    Check(
        "Blinken's sanctions on Unit 504: 163 USA → ISR, intended",
        lambda c: _has(c, "163", "USA", "ISR", "intended", target_sector={"MIL", "SPY"}),
    ),
    Check(
        "the sanctions are attributed to Herzog",
        lambda c: any(
            e.attribution is not None and e.attribution.actor.country == "ISR"
            for e in _events(c, "163")
            if e.modality == "intended"
        ),
    ),
    Check(
        "'prevent him from bringing down the axe': 163 by USA, prevented",
        lambda c: _has(c, "163", "USA", None, "prevented"),
    ),
    Check(
        "the sanctions are never coded as imposed (asserted)",
        lambda c: not any(e.modality == "asserted" for e in _events(c, "163")),
    ),
    Check(
        "'they attacked me and said': 111 criticism USA → ISR",
        lambda c: _has(c, "11", "USA", "ISR", trigger="attacked"),
    ),
    Check(
        "'attacked me' is never military force",
        lambda c: (
            not any(
                e.cameo.root in ("18", "19", "20") and "attacked" in e.trigger.text
                for e in c.events
            )
        ),
    ),
    Check(
        "the US halt of military equipment: 1622 USA → ISR", lambda c: _has(c, "1622", "USA", "ISR")
    ),
    Check(
        "the ammunition sent: 072 USA → ISR",
        lambda c: _has(c, "07", "USA", "ISR", trigger="ammunition"),
    ),
    Check(
        "negotiations between Israel and Hamas: 046 ISR ↔ PSE",
        lambda c: _has(c, "046", "ISR", "PSE") and _has(c, "046", "PSE", "ISR"),
    ),
    Check(
        "Qatar did not apply enough pressure on Hamas: QAT → PSE, negated",
        lambda c: _has(c, "10", "QAT", "PSE", "negated"),
    ),
    Check(
        "Qatar exerted great weight on Hamas: QAT → PSE, asserted",
        lambda c: _has(c, "10", "QAT", "PSE", "asserted"),
    ),
    Check(
        "the UN veto: 129 USA → UN",
        lambda c: any(
            e.source
            and e.source.actor.country == "USA"
            and e.target
            and (e.target.actor.code or "").startswith("IGO")
            for e in _events(c, "129")
        ),
    ),
    Check("the interview statement is dated 2025-02-26 (day)", _statement_dated),
    Check("no event is dated from 'We'", _no_we_dates),
    Check("Rafah at about 31.30 N, 34.25 E in PSE on the event that names it", _rafah),
    Check("Blinken → USA GOV", lambda c: _actor_is(c, "Antony Blinken", "USA", {"GOV"})),
    Check(
        "Herzog → ISR GOV",
        lambda c: (
            _actor_is(c, "Michael Herzog", "ISR", {"GOV"})
            and _actor_is(c, "Herzog", "ISR", {"GOV"})
        ),
    ),
    Check(
        "the IDF → ISR MIL",
        lambda c: (
            _actor_is(c, "IDF's", "ISR", {"MIL", "SPY"})
            or _actor_is(c, "IDF", "ISR", {"MIL", "SPY"})
        ),
    ),
    Check("Qatar → QAT", lambda c: _actor_is(c, "Qatar", "QAT")),
    Check(
        "Hamas → PSE with a code naming Hamas",
        lambda c: any(
            m.actor.country == "PSE"
            and m.actor.code
            and "HMS" in m.actor.code
            or m.actor.country == "PSE"
            and m.actor.code
            and "HAM" in m.actor.code
            for m in _mention(c, "Hamas")
        ),
    ),
    Check(
        "Israel Hayom and Ariel Kahana → ISR MED",
        lambda c: (
            _actor_is(c, "Israel Hayom", "ISR", {"MED"})
            and _actor_is(c, "Ariel Kahana", "ISR", {"MED"})
        ),
    ),
    Check(
        "'He had already decided' → Blinken (USA)",
        lambda c: _pronoun(c, "He", "He had already decided", "USA"),
    ),
    Check(
        "'We'/'me' in Herzog's quotes → Herzog (ISR)",
        lambda c: (
            _pronoun(c, "We", "We managed", "ISR") and _pronoun(c, "me", "attacked me", "ISR")
        ),
    ),
    Check(
        "'the Americans'/'they' → USA",
        lambda c: _actor_is(c, "Americans", "USA") and _pronoun(c, "they", "attacked me", "USA"),
    ),
    Check("every offset slices the article to its text", _offsets_ok),
)


def run_checks(coded: CodedArticle) -> list[tuple[str, bool]]:
    return [(check.name, bool(check.test(coded))) for check in CHECKS]
