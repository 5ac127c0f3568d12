"""Evaluation of dates and places: the project's test sets, the seed article, a news corpus.

    result = evaluate_when_where(nlp)              # or nlp=None: the resolver alone, no parse
    print(result.markdown())                       # the docs/quality.md section

- **Test sets** (``tests/data/temporal_cases.yaml``, ``tests/data/place_cases.yaml``): written by
  the project, each case with its expected answer; accuracy and the misses.
- **Seed article** (``../shared/seeds/000_834ea8c2f8507daf.txt`` when present): the interview
  date on the statement event, no date from "We", Rafah in PSE.
- **Corpus** (``../shared/corpora/voa_stories.jsonl`` when present): the same stages over every
  article. With an events stage (``coding``) installed the figures are per event (how many got a
  date of their own, one other than the publication date, a location); without one, per
  article (expressions and places found).
- **Timing**: the dates and places stages as a fraction of spaCy's parse time (CPU time), and the
  gazetteer's load time.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from ..config import Config
from ..records import Actor, Article, CameoCode, Document, Event, Mention, PloverCode, Span
from ..registry import stage_factory
from ..resources import Resources
from ..stages.segment import segment

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[3]
TEMPORAL_CASES = "tests/data/temporal_cases.yaml"
PLACE_CASES = "tests/data/place_cases.yaml"
VOA_CORPUS = "../shared/corpora/voa_stories.jsonl"
SEED_ARTICLE = "../shared/seeds/000_834ea8c2f8507daf.txt"


def find_path(relative: str, given: str | Path | None = None) -> Path | None:
    """``given``, else ``relative`` to the working directory or to the repository."""
    if given is not None:
        return Path(given) if Path(given).exists() else None
    for base in (Path.cwd(), REPO):
        if (base / relative).exists():
            return base / relative
    return None


@dataclass(frozen=True)
class Miss:
    text: str
    expected: str
    got: str
    note: str = ""


@dataclass
class SetScore:
    name: str
    total: int = 0
    right: int = 0
    misses: list[Miss] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0


@dataclass
class CorpusFigures:
    path: str
    articles: int = 0
    events: int | None = None  # None: no events stage installed
    events_own_date: int = 0
    events_other_date: int = 0
    events_located: int = 0
    expressions: int = 0
    articles_with_expression: int = 0
    places: int = 0
    articles_with_place: int = 0
    stages: tuple[str, ...] = ()


@dataclass
class Timing:
    parse_ms: float = 0.0  # per article, CPU time
    dates_ms: float = 0.0
    places_ms: float = 0.0
    gazetteer_load_s: float = 0.0

    @property
    def fraction(self) -> float:
        return (self.dates_ms + self.places_ms) / self.parse_ms if self.parse_ms else 0.0


@dataclass
class WhenWhereResult:
    temporal: SetScore
    places: SetScore
    seed: list[tuple[str, bool, str]] = field(default_factory=list)
    corpus: CorpusFigures | None = None
    timing: Timing | None = None
    mode: str = "parsed"

    def markdown(self) -> str:
        return _markdown(self)


# -- the test sets --------------------------------------------------------------------------
def load_cases(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return list(yaml.safe_load(handle) or [])


def _date_stage(config: Config) -> Any:
    return stage_factory("dates")(Resources(config), config.section("stages.dates"))


def _document(text: str, date: dt.date | None, nlp: Any) -> Document:
    article = Article.from_text(text, date)
    return segment(Document(article=article, doc=nlp(text)))


def score_temporal(cases: Iterable[dict[str, Any]], nlp: Any = None) -> SetScore:
    """Each case through the dates stage (``nlp`` given) or the bare resolver."""
    from ..temporal import TemporalResolver

    stage = _date_stage(Config.load()) if nlp is not None else None
    resolver = TemporalResolver()
    score = SetScore("temporal expressions")
    for case in cases:
        text, published = case["text"], dt.date.fromisoformat(str(case["published"]))
        if stage is not None:
            found = list(stage(_document(text, published, nlp)).dates)
        else:
            found = resolver.find(text, published)
        expected = case.get("expected")
        score.total += 1
        got = "; ".join(f"{d.text} → {d.value} ({d.granularity})" for d in found) or "nothing"
        if expected is None:
            absent = case.get("absent")
            bad = [d for d in found if absent is None or any(a in (d.text or "") for a in absent)]
            if bad:
                score.misses.append(Miss(text, "no date", got, case.get("note", "")))
            else:
                score.right += 1
            continue
        want = expected["text"]
        match = next((d for d in found if d.text == want), None)
        if match is None:  # the same expression with other edges ("over the weekend")
            start = text.find(want)
            match = next((d for d in found if d.start < start + len(want) and start < d.end), None)
        if (
            match is not None
            and str(match.value) == str(expected["value"])
            and match.granularity == expected["granularity"]
        ):
            score.right += 1
        else:
            wanted = f"{want} → {expected['value']} ({expected['granularity']})"
            score.misses.append(Miss(text, wanted, got, case.get("note", "")))
    return score


def _context_mentions(countries: Iterable[str]) -> tuple[Mention, ...]:
    """Stand-ins for the actors of an article: only their countries matter here."""
    return tuple(
        Mention(0, 0, "", 0, 0, (0, 0), Actor(code=c, country=c, reason="test context"), "context")
        for c in countries
    )


def score_places(cases: Iterable[dict[str, Any]], nlp: Any, resources: Resources) -> SetScore:
    from ..stages.places import PlaceStage

    stage = PlaceStage(resources.gazetteer)
    score = SetScore("place mentions")
    for case in cases:
        text = case["text"]
        document = _document(text, None, nlp)
        document = replace(document, mentions=_context_mentions(case.get("context") or ()))
        found = list(stage(document).places)
        expected = case.get("expected")
        score.total += 1
        got = "; ".join(f"{p.text} → {p.name} {p.country} ({p.lat}, {p.lon})" for p in found)
        got = got or "nothing"
        if expected is None:
            if found:
                score.misses.append(Miss(text, "no place", got, case.get("note", "")))
            else:
                score.right += 1
            continue
        match = next((p for p in found if p.text == expected["text"]), None)
        tol = float(expected.get("tolerance", 0.5))
        if (
            match is not None
            and match.country == expected["country"]
            and match.lat is not None
            and match.lon is not None
            and abs(match.lat - float(expected["lat"])) <= tol
            and abs(match.lon - float(expected["lon"])) <= tol
        ):
            score.right += 1
        else:
            wanted = (
                f"{expected['text']} → {expected['name']} {expected['country']} "
                f"({expected['lat']}, {expected['lon']}) ±{tol}"
            )
            score.misses.append(Miss(text, wanted, got, case.get("note", "")))
    return score


# -- the seed article -----------------------------------------------------------------------
def _fake_event(document: Document, token: Any) -> Event:
    trigger = Span(token.idx, token.idx + len(token), token.text)
    return Event(
        document.article.id, 0, token.sent.text, trigger,
        CameoCode("010", "01", "stand-in", 0.0, 1), PloverCode(None), trigger_token=token.i,
    )  # fmt: skip


def seed_checks(
    nlp: Any, run: Callable[[Document], Document], path: str | Path
) -> list[tuple[str, bool, str]]:
    """The seed article's targets. Without an events stage, stand-in events sit on the triggers
    a coder would use ("told", "impose", "halt", and "began" for the operations in Rafah)."""
    from ..readers.text import read_text
    from ..stages.parse import text_for_parse

    article = read_text(Path(path).read_bytes(), str(path))
    if not isinstance(article, Article):
        return [("seed article readable", False, article.message())]
    doc = nlp(text_for_parse(article, 100_000)[0])
    document = segment(Document(article=article, doc=doc))
    stand_ins = not document.events and "coding" not in _stage_names(run)
    if stand_ins:
        wanted = {"told": 0, "impose": 0, "halt": 0, "began": 0}
        tokens = [next(t for t in doc if t.text == w) for w in wanted]
        document = replace(document, events=tuple(_fake_event(document, t) for t in tokens))
    document = run(document)
    out = []
    statement = next((e for e in document.events if e.trigger.text == "told"), None)
    date = statement.date if statement else None
    out.append((
        "the statement ('told') is dated 2025-02-26 (day)",
        date is not None and str(date.value) == "2025-02-26" and date.granularity == "day",
        f"{date.text!r} → {date.value} ({date.granularity})" if date else "no statement event",
    ))  # fmt: skip
    from_we = [e for e in document.events if e.date and (e.date.text or "").lower() == "we"]
    out.append(("no event is dated from 'We'", not from_we, f"{len(from_we)} events"))
    rafah = next((p for p in document.places if p.text == "Rafah"), None)
    ok = bool(rafah and rafah.country == "PSE" and abs((rafah.lat or 0) - 31.30) < 0.1
              and abs((rafah.lon or 0) - 34.25) < 0.1)  # fmt: skip
    got = f"{rafah.name} {rafah.country} ({rafah.lat}, {rafah.lon})" if rafah else "not found"
    out.append(("Rafah is a place at about 31.30 N, 34.25 E in PSE", ok, got))
    located = [e for e in document.events if e.location and e.location.text == "Rafah"]
    elsewhere = [e for e in located if "Rafah" not in e.sentence]
    where = ", ".join(f"'{e.trigger.text}'" for e in located) or "no event"
    out.append((
        "Rafah is the location of the events of the sentence that names it, and of no other",
        bool(located) and not elsewhere,
        where,
    ))  # fmt: skip
    if stand_ins:
        out.append(("(stand-in events: no events stage installed)", True, ""))
    return out


# -- the corpus -----------------------------------------------------------------------------
def _stage_names(run: Any) -> tuple[str, ...]:
    return tuple(getattr(run, "names", ()))


class _Runner:
    """The installed stages of a config, in order, each one timed (CPU time)."""

    def __init__(self, config: Config, resources: Resources):
        self.stages: list[tuple[str, Any]] = []
        self.seconds: dict[str, float] = {}
        for name in config.stage_names:
            module = {"dates": "dyads.stages.dates", "places": "dyads.stages.places"}.get(name)
            try:
                if module is None and name in ("actors", "quotes", "coding", "modality"):
                    if importlib.util.find_spec(f"dyads.stages.{name}") is None:
                        continue
                factory = stage_factory(name)
            except (ImportError, AttributeError) as err:
                log.info("stage %s not available: %s", name, err)
                continue
            self.stages.append((name, factory(resources, config.section(f"stages.{name}"))))
        self.names = tuple(n for n, _ in self.stages)

    def __call__(self, document: Document) -> Document:
        for name, stage in self.stages:
            started = time.process_time()
            document = stage(document)
            self.seconds[name] = self.seconds.get(name, 0.0) + time.process_time() - started
        return document


def corpus_figures(
    path: str | Path, nlp: Any, runner: _Runner, max_articles: int | None = None
) -> tuple[CorpusFigures, Timing]:
    from ..readers import read
    from ..stages.parse import text_for_parse

    articles = [a for a in read([str(path)]) if isinstance(a, Article)][:max_articles]
    texts = [text_for_parse(a, 100_000)[0] for a in articles]
    started = time.process_time()
    docs = list(nlp.pipe(texts, batch_size=16))
    parse = time.process_time() - started
    runner.seconds.clear()
    figures = CorpusFigures(str(path), len(articles), stages=runner.names)
    has_events = "coding" in runner.names
    if has_events:
        figures.events = 0
    for article, doc in zip(articles, docs, strict=True):
        document = runner(Document(article=article, doc=doc))
        figures.expressions += len(document.dates)
        figures.articles_with_expression += bool(document.dates)
        figures.places += len(document.places)
        figures.articles_with_place += bool(document.places)
        if has_events:
            for event in document.events:
                figures.events += 1  # type: ignore[operator]
                own = event.date is not None and event.date.granularity != "publication"
                figures.events_own_date += own
                figures.events_other_date += own and event.date.value != article.date  # type: ignore[union-attr]
                figures.events_located += event.location is not None
    n = max(1, len(articles))
    timing = Timing(
        parse_ms=parse / n * 1000,
        dates_ms=runner.seconds.get("dates", 0.0) / n * 1000,
        places_ms=runner.seconds.get("places", 0.0) / n * 1000,
    )
    return figures, timing


# -- everything -----------------------------------------------------------------------------
def evaluate_when_where(
    nlp: Any = None,
    *,
    config: Config | None = None,
    temporal_path: str | Path | None = None,
    place_path: str | Path | None = None,
    corpus_path: str | Path | None = None,
    seed_path: str | Path | None = None,
    max_articles: int | None = None,
) -> WhenWhereResult:
    """Score both test sets, check the seed, run the corpus, time it. Without ``nlp`` only the
    temporal set is scored (by the bare resolver): the rest needs a parse."""
    config = config or Config.load()
    resources = Resources(config)
    started = time.perf_counter()
    _ = resources.gazetteer
    load = time.perf_counter() - started

    temporal_file = find_path(TEMPORAL_CASES, temporal_path)
    temporal = (
        score_temporal(load_cases(temporal_file), nlp)
        if temporal_file
        else SetScore("temporal expressions")
    )
    place_file = find_path(PLACE_CASES, place_path)
    if nlp is None or place_file is None:
        return WhenWhereResult(temporal, SetScore("place mentions"), mode="resolver only")
    places = score_places(load_cases(place_file), nlp, resources)
    runner = _Runner(config, resources)
    result = WhenWhereResult(temporal, places, timing=Timing(gazetteer_load_s=load))
    seed = find_path(SEED_ARTICLE, seed_path)
    if seed is not None:
        result.seed = seed_checks(nlp, runner, seed)
    corpus = find_path(VOA_CORPUS, corpus_path)
    if corpus is not None:
        result.corpus, timing = corpus_figures(corpus, nlp, runner, max_articles)
        timing.gazetteer_load_s = load
        result.timing = timing
    return result


def when_where_section(source: Any = None, **kwargs: Any) -> str:
    """The docs/quality.md section.

    ``source``: a :class:`WhenWhereResult` (rendered as is), a
    :class:`~dyads.pipeline.Pipeline` (its model and config are used) or a spaCy pipeline;
    ``kwargs`` go to :func:`evaluate_when_where`.
    """
    if isinstance(source, WhenWhereResult):
        return source.markdown()
    if source is not None and hasattr(source, "nlp") and hasattr(source, "config"):
        kwargs.setdefault("config", source.config)
        kwargs.setdefault("nlp", source.nlp)
    elif source is not None:
        kwargs.setdefault("nlp", source)
    return evaluate_when_where(**kwargs).markdown()


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def _markdown(r: WhenWhereResult) -> str:
    lines = ["## When and where: dates and places", ""]
    lines += ["| test set | cases | right | accuracy |", "|---|---:|---:|---:|"]
    for s, path in ((r.temporal, TEMPORAL_CASES), (r.places, PLACE_CASES)):
        if s.total:
            lines.append(
                f"| {s.name} (`{path}`) | {s.total} | {s.right} | {_pct(s.right, s.total)} |"
            )
    lines += ["", f"Mode: {r.mode} (target: at least 95% on each set)."]
    for s in (r.temporal, r.places):
        if s.misses:
            lines += ["", f"Misses, {s.name}:", ""]
            lines += [f"- “{m.text}” — expected {m.expected}; got {m.got}" for m in s.misses]
    if r.seed:
        lines += ["", "Seed article (`000_834ea8c2f8507daf`):", ""]
        lines += [
            f"- {'✔' if ok else '✘'} {what}{': ' + got if got else ''}" for what, ok, got in r.seed
        ]
    c = r.corpus
    if c is not None:
        lines += [
            "",
            f"Corpus `{Path(c.path).name}`: {c.articles} articles, stages {', '.join(c.stages)}.",
            "",
        ]
        if c.events is not None:
            lines.append(
                f"- {c.events} events; {c.events_own_date} ({_pct(c.events_own_date, c.events)}) dated by an "
                f"expression of their own clause, {c.events_other_date} ({_pct(c.events_other_date, c.events)}) "
                f"to a date other than the publication date; {c.events_located} "
                f"({_pct(c.events_located, c.events)}) with a location."
            )
        else:
            lines.append(
                "- No events stage installed yet: figures per article instead of per event."
            )
        lines.append(
            f"- {c.expressions} temporal expressions ({c.expressions / max(1, c.articles):.1f} per article; "
            f"{c.articles_with_expression} articles have one); {c.places} places "
            f"({c.places / max(1, c.articles):.1f} per article; {c.articles_with_place} articles have one)."
        )
    t = r.timing
    if t is not None and t.parse_ms:
        lines += [
            "",
            f"Timing (CPU time per article): parse {t.parse_ms:.1f} ms, dates {t.dates_ms:.2f} ms, "
            f"places {t.places_ms:.2f} ms: dates + places = {100 * t.fraction:.1f}% of the parse "
            f"(target < 10%). Gazetteer load: {t.gazetteer_load_s:.2f} s (target < 1 s).",
        ]
    return "\n".join(lines) + "\n"
