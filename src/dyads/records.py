"""The records that flow through dyads: frozen dataclasses, no behaviour beyond small helpers.

Offsets (``start``/``end``) are always character offsets into ``Article.text``, so that
``article.text[start:end] == text`` for every span a record carries. Token indices (``head``,
``tokens``) point into the spaCy ``Doc`` of the same article and are only meaningful while a
:class:`Document` is being processed; they are not part of the output contract.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

MODALITIES: tuple[str, ...] = (
    "asserted",
    "negated",
    "intended",
    "threatened",
    "hypothetical",
    "future",
    "prevented",
    "denied",
)
GRANULARITIES: tuple[str, ...] = ("day", "week", "month", "year", "publication")


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of article text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Article:
    """One input article.

    ``excluded`` holds spans of ``text`` that are not body text (photo captions, credit lines):
    they keep their offsets but are never parsed for events or actors.
    """

    id: str
    text: str
    date: dt.date | None
    title: str | None = None
    url: str | None = None
    origin: str = ""
    date_source: str = "none"
    excluded: tuple[Span, ...] = ()

    @staticmethod
    def content_id(text: str) -> str:
        """Stable id for articles that come without one: a hash of their text."""
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]

    @classmethod
    def from_text(
        cls,
        text: str,
        date: dt.date | str | None = None,
        id: str | None = None,  # noqa: A002 - the field is called id
        **kwargs: Any,
    ) -> Article:
        if isinstance(date, str):
            date = dt.date.fromisoformat(date)
        from .readers.clean import find_excluded  # local: keep records free of reader imports

        return cls(
            id=id or cls.content_id(text),
            text=text,
            date=date,
            date_source="given" if date else "none",
            excluded=find_excluded(text),
            **kwargs,
        )


@dataclass(frozen=True, slots=True)
class ArticleError:
    """An article (or input record) that could not be read or coded."""

    origin: str
    reason: str
    article_id: str | None = None
    stage: str = "read"

    def message(self) -> str:
        who = f"{self.origin}" + (f" (article {self.article_id})" if self.article_id else "")
        return f"{who}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Actor:
    """What a mention refers to.

    ``code`` is a CAMEO-style actor code (country + sector codes + group code, e.g. ``USAGOV``,
    ``ISRMIL``, ``PSEREBHMS``); ``None`` when the mention could not be resolved (never guessed).
    """

    code: str | None
    country: str | None = None
    sectors: tuple[str, ...] = ()
    name: str | None = None
    kind: str = "unknown"  # country | organization | person | group | unknown
    entry: str | None = None  # id of the dictionary entry that matched
    former: bool = False
    reason: str = ""


UNKNOWN_ACTOR = Actor(code=None, reason="unresolved")


@dataclass(frozen=True, slots=True)
class Mention:
    """A stretch of text that names or refers to an actor."""

    start: int
    end: int
    text: str
    sentence_index: int
    head: int  # token index of the syntactic head
    tokens: tuple[int, int]  # token range [first, last+1)
    actor: Actor
    rule: str  # how it was found: dictionary, ner, agent-noun, pronoun, speaker, ...
    refers_to: Span | None = None  # for pronouns and definite descriptions: the antecedent


@dataclass(frozen=True, slots=True)
class Quote:
    """Direct or indirect speech and who said it."""

    start: int
    end: int
    text: str
    sentence_index: int
    kind: str  # direct | indirect
    speaker: Mention | None = None
    verb: Span | None = None


@dataclass(frozen=True, slots=True)
class EventDate:
    value: dt.date | None
    granularity: str  # one of GRANULARITIES
    text: str | None = None
    start: int | None = None
    end: int | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str | None
    lat: float | None
    lon: float | None
    geonameid: int | None = None
    adm1: str | None = None
    feature: str = "city"  # city | adm1 | country | region
    start: int | None = None
    end: int | None = None
    text: str | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CameoCode:
    code: str
    root: str
    label: str
    goldstein: float
    quad_class: int


@dataclass(frozen=True, slots=True)
class PloverCode:
    type: str | None
    mode: str | None = None
    context: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who asserts an event: the speaker of the quote or the subject of the reporting verb."""

    text: str
    start: int
    end: int
    actor: Actor
    cue: str = ""  # the reporting verb or construction ("said", "told", "according to", quote)


@dataclass(frozen=True, slots=True)
class Event:
    article_id: str
    sentence_index: int
    sentence: str
    trigger: Span
    cameo: CameoCode
    plover: PloverCode
    source: Mention | None = None
    target: Mention | None = None
    modality: str = "asserted"
    modality_cue: str = ""
    attribution: Attribution | None = None
    date: EventDate | None = None
    location: Place | None = None
    confidence: float = 0.5
    rule: str = ""
    trigger_token: int = -1

    @property
    def id(self) -> str:
        """Stable id: the same article coded by the same rules gives the same id."""
        key = "|".join(
            str(x)
            for x in (
                self.article_id,
                self.trigger.start,
                self.trigger.end,
                self.cameo.code,
                self.source.start if self.source else "",
                self.target.start if self.target else "",
            )
        )
        return hashlib.sha1(key.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class CodedArticle:
    """The result for one article: what the pipeline returns and the exporters write."""

    article: Article
    events: tuple[Event, ...] = ()
    quotes: tuple[Quote, ...] = ()
    places: tuple[Place, ...] = ()
    mentions: tuple[Mention, ...] = ()
    sentences: tuple[Sentence, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Document:
    """The working record a pipeline stage receives and returns (with ``dataclasses.replace``).

    ``doc`` is the spaCy ``Doc`` of ``article.text`` with excluded spans blanked out, which the
    ``tokens`` stage replaces with a :class:`~dyads.stages.tokens.TokenTable` of the same parse
    (stages read either); the other fields accumulate what the stages found.
    """

    article: Article
    doc: Any
    sentences: tuple[Sentence, ...] = ()
    mentions: tuple[Mention, ...] = ()
    quotes: tuple[Quote, ...] = ()
    events: tuple[Event, ...] = ()
    places: tuple[Place, ...] = ()
    dates: tuple[EventDate, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def coded(self) -> CodedArticle:
        return CodedArticle(
            article=self.article,
            events=self.events,
            quotes=self.quotes,
            places=self.places,
            mentions=self.mentions,
            sentences=self.sentences,
            notes=self.notes,
        )
