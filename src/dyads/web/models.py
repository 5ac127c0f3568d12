"""Request parameters and response shapes of the web API (they make /openapi.json).

Query parameters are one model per endpoint with ``extra="forbid"``: a misspelt filter
(``?sorce=ISR``) is a 422 naming it, never silently ignored. Events and articles are the output
contract's objects, described in the OpenAPI schema by the contract's own JSON Schema
(``dyads/data/schema/dyads.schema.json``, as ``components/schemas/dyads_*``).
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from ..records import MODALITIES
from .queries import Filters

MAX_VALUES = 20  # values of one repeated filter
NO_CONTROL = r"^[^\x00-\x1f\x7f]+$"

Modality = Literal[MODALITIES]  # type: ignore[valid-type]
ActorCode = Annotated[str, Field(pattern=r"^[A-Za-z0-9]{1,32}$")]
Root = Annotated[str, Field(pattern=r"^(0?[1-9]|1[0-9]|20)$")]
CameoCode = Annotated[str, Field(pattern=r"^[0-9]{2,4}$")]
PloverType = Annotated[str, Field(pattern=r"^[A-Za-z_]{1,40}$")]
Country = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$")]
Text = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_CONTROL)]
Period = Literal["day", "week", "month", "quarter", "year"]
Count = Literal["clusters", "reports"]

ContractEvent = Annotated[
    dict[str, Any], WithJsonSchema({"allOf": [{"$ref": "#/components/schemas/dyads_event"}]})
]
ContractArticle = Annotated[
    dict[str, Any], WithJsonSchema({"allOf": [{"$ref": "#/components/schemas/dyads_article"}]})
]


class FilterParams(BaseModel):
    """The event filters (all optional, combined with AND; a repeated filter means any of)."""

    model_config = ConfigDict(extra="forbid")

    source: list[ActorCode] = Field(
        [],
        max_length=MAX_VALUES,
        description="Source actor code prefix or country (ISR matches ISRMIL).",
    )
    target: list[ActorCode] = Field(
        [], max_length=MAX_VALUES, description="Target actor code prefix or country."
    )
    actor: list[ActorCode] = Field([], max_length=MAX_VALUES, description="Either actor.")
    dyad: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9]{1,32},[A-Za-z0-9]{1,32}$",
        description="Two actors, comma-separated (USA,ISR): events between them, either direction.",
    )
    root: list[Root] = Field([], max_length=MAX_VALUES, description="CAMEO root (19, 04 or 4).")
    code: list[CameoCode] = Field(
        [], max_length=MAX_VALUES, description="CAMEO code prefix (19 matches 190-196)."
    )
    quad_class: list[Annotated[int, Field(ge=1, le=4)]] = Field(
        [],
        max_length=4,
        description="1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict.",
    )
    modality: list[Modality] = Field(
        [], max_length=len(MODALITIES), description="Modality of the event."
    )
    plover_type: list[PloverType] = Field(
        [], max_length=MAX_VALUES, description="PLOVER event type (ASSAULT)."
    )
    country: list[Country] = Field(
        [], max_length=MAX_VALUES, description="Country (ISO3) of the event's place."
    )
    place: Text | None = Field(
        None, description="The event's place: its name (Gaza) or GeoNames id."
    )
    since: dt.date | None = Field(None, description="Dated on or after (YYYY-MM-DD).")
    until: dt.date | None = Field(None, description="Dated on or before (YYYY-MM-DD).")
    q: Text | None = Field(
        None, description="Words the event's sentence contains (case-insensitive)."
    )
    article_id: list[Text] = Field([], max_length=MAX_VALUES, description="Article id.")
    cluster_id: list[Annotated[int, Field(ge=0, le=2**63 - 1)]] = Field(
        [], max_length=MAX_VALUES, description="Event cluster id."
    )
    min_confidence: float | None = Field(None, ge=0, le=1, description="Lowest coder confidence.")  # fmt: skip

    def filters(self) -> Filters:
        dyad = tuple(self.dyad.upper().split(",", 1)) if self.dyad else None
        return Filters(
            source=tuple(self.source), target=tuple(self.target), actor=tuple(self.actor),
            dyad=dyad,  # type: ignore[arg-type]
            root=tuple(self.root), code=tuple(self.code), quad_class=tuple(self.quad_class),
            modality=tuple(self.modality), plover_type=tuple(self.plover_type),
            country=tuple(self.country), article_id=tuple(self.article_id),
            cluster_id=tuple(self.cluster_id), since=self.since, until=self.until,
            place=self.place, q=self.q, min_confidence=self.min_confidence,
        )  # fmt: skip


def param_models(max_page: int) -> dict[str, type[BaseModel]]:
    """The query models of the endpoints whose page size is limited by ``max_page``."""

    class EventsParams(FilterParams):
        limit: int = Field(min(50, max_page), ge=1, le=max_page, description="Events per page.")
        cursor: str | None = Field(None, min_length=1, max_length=400, pattern=r"^[A-Za-z0-9_-]+$", description="next_cursor of the previous page.")  # fmt: skip
        order: Literal["newest", "oldest"] = "newest"

    class SeriesParams(FilterParams):
        by: Period = "month"
        count: Count = Field("clusters", description="Count event clusters (each event once) or every report.")  # fmt: skip

    class ActorsParams(FilterParams):
        search: Text | None = Field(None, description="Actor code prefix or words of the name.")
        limit: int = Field(min(50, max_page), ge=1, le=max_page)
        count: Count = "reports"

    class NetworkParams(FilterParams):
        by: Literal["actor", "country"] = "actor"
        limit: int = Field(min(100, max_page), ge=1, le=max_page, description="Most frequent edges.")  # fmt: skip
        count: Count = "clusters"

    class PlacesParams(FilterParams):
        limit: int = Field(max_page, ge=1, le=max_page, description="Places with the most events.")  # fmt: skip
        count: Count = "clusters"

    return {
        "events": EventsParams,
        "series": SeriesParams,
        "actors": ActorsParams,
        "network": NetworkParams,
        "places": PlacesParams,
    }


class DyadSeriesParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    by: Period = "month"
    undirected: bool = Field(False, description="Count both directions.")
    modality: list[Modality] = Field(["asserted"], max_length=len(MODALITIES))
    all_modalities: bool = Field(False, description="Every modality (ignores modality).")
    since: dt.date | None = None
    until: dt.date | None = None
    count: Count = "clusters"


class ArticleIn(BaseModel):
    """An article to code: its text and, optionally, its date, title, URL and id."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=1_000_000)
    date: dt.date | None = Field(None, description="Publication date (YYYY-MM-DD).")
    title: str | None = Field(None, max_length=1000)
    url: str | None = Field(None, max_length=2000)
    id: str | None = Field(None, min_length=1, max_length=200, pattern=NO_CONTROL, description="Article id (default: a hash of the text).")  # fmt: skip


# -- responses ------------------------------------------------------------------------------------


class Error(BaseModel):
    error: str
    fields: list[dict[str, Any]] | None = None


class ClusterRef(BaseModel):
    id: str
    mentions: int | None
    sources: int | None
    articles: int | None


class EventItem(BaseModel):
    event: ContractEvent
    event_date: str | None
    cluster: ClusterRef | None


class EventsPage(BaseModel):
    total: int
    limit: int
    order: str
    next_cursor: str | None
    items: list[EventItem]


class EventDetail(EventItem):
    highlight: dict[str, Any]
    explanation: dict[str, str]
    article: dict[str, Any] | None
    context: list[dict[str, Any]]
    text_window: dict[str, Any] | None
    quote: dict[str, Any] | None
    cluster_detail: dict[str, Any] | None


class ArticleDetail(BaseModel):
    article: dict[str, Any]
    sentences: list[dict[str, Any]]
    events: list[EventItem]
    actors: list[dict[str, Any]]
    quotes: list[dict[str, Any]]
    places: list[dict[str, Any]]


class SeriesRow(BaseModel):
    period: str
    verbal_coop: int
    material_coop: int
    verbal_conflict: int
    material_conflict: int
    events: int
    goldstein: float | None
    goldstein_mean: float | None


class Series(BaseModel):
    by: str
    count: str
    series: list[SeriesRow]


class DyadSeries(Series):
    a: str
    b: str
    undirected: bool
    modalities: list[str] | None


class ActorRow(BaseModel):
    code: str
    name: str | None
    country: str | None
    as_source: int
    as_target: int
    events: int


class Actors(BaseModel):
    actors: list[ActorRow]


class Network(BaseModel):
    by: str
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]


class Places(BaseModel):
    points: list[dict[str, Any]]
    countries: list[dict[str, Any]]


class Meta(BaseModel):
    dyads: str
    database: str
    writable: bool
    max_page: int
    store: dict[str, Any]
    roots: list[dict[str, Any]]
    plover_types: list[dict[str, Any]]
    modalities: list[dict[str, str]]
    quad_classes: list[dict[str, Any]]


class Health(BaseModel):
    status: str
    events: int


class Stored(BaseModel):
    stored: bool
    article_id: str
    events: int
    reason: str | None = None
    run_id: int | None = None


def contract_components() -> dict[str, Any]:
    """The output contract's JSON Schema ``$defs`` as OpenAPI components ``dyads_<name>``."""
    text = resources.files("dyads").joinpath("data/schema/dyads.schema.json").read_text("utf-8")
    text = text.replace('"#/$defs/', '"#/components/schemas/dyads_')
    return {f"dyads_{name}": schema for name, schema in json.loads(text)["$defs"].items()}
