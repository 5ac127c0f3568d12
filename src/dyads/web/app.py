"""The web API and dashboard of an event store: ``create_app(db_path)`` → a FastAPI app.

    app = create_app("events.duckdb")                          # read-only
    app = create_app("events.duckdb", token=os.environ["DYADS_TOKEN"], cors_origins=["http://x"])

All state lives in the app a call creates (no module-level state): the store, the shared
read-only connection (:class:`dyads.web.db.ReadGate`), the pipeline for ``POST /api/code``. See
docs/web.md for the endpoints, limits and security behaviour.
"""

# No `from __future__ import annotations`: FastAPI reads the parameter models of the routes,
# which are classes made per app (their page size limit is an argument of create_app).
import logging
import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic_core import to_json
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..store import EventStore, StoreError, StoreLocked
from . import models, pages, queries
from .db import GateTimes, ReadGate
from .evidence import MODALITIES, QUAD_CLASSES, explain, highlight
from .menus import Menus, load_menus, with_numeric
from .middleware import BodyLimit, SecurityHeaders, WriteGuard
from .queries import BadParameter

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
MAX_BODY = 2 * 1024 * 1024  # bytes of a request body
ErrorResponses: dict[int | str, dict[str, Any]] = {
    422: {"model": models.Error, "description": "A parameter is invalid (`fields` names it)."},
    503: {"model": models.Error, "description": "The store is locked by a writer or unreadable."},
}

BodyErrors: dict[int | str, dict[str, Any]] = {
    400: {"model": models.Error, "description": "The body is not JSON text (UTF-8)."},
    413: {"model": models.Error, "description": "The body is over the size limit."},
}


# -- the app ---------------------------------------------------------------------------------------


def _field_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    out = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ())]
        where = loc[0] if loc and loc[0] in ("query", "path", "body", "header") else None
        names = [p for p in loc[1 if where else 0 :] if not p.isdigit()]
        item = {
            "field": ".".join(names) or where or "request",
            "in": where,
            "message": err.get("msg"),
        }
        value = err.get("input")
        if isinstance(value, str | int | float | bool) and len(str(value)) <= 200:
            item["input"] = value
        out.append(item)
    return out


def fast_json(content: Any) -> Response:
    """JSON by pydantic-core (Rust) without a second validation pass: the route's response
    model documents the shape, and the tests check every answer against /openapi.json."""
    return Response(to_json(content), media_type="application/json")


def _bad(field: str, message: str, where: str = "query") -> JSONResponse:
    return JSONResponse(
        {"error": f"invalid {field}: {message}", "fields": [{"field": field, "in": where, "message": message}]},
        status_code=422,
    )  # fmt: skip


def create_app(
    db_path: str | Path,
    token: str | None = None,
    cors_origins: Sequence[str] = (),
    max_page: int = 500,
    *,
    allowed_hosts: Sequence[str] | None = None,
    max_body: int = MAX_BODY,
    lock_timeout: float = 10.0,
    pipeline: Any = None,
    gate_times: GateTimes | None = None,
    threads: int | None = 1,
) -> FastAPI:
    """The API and dashboard over the event store at ``db_path`` (opened per use, read-only).

    ``token`` enables ``POST /api/articles`` (``Authorization: Bearer <token>``); ``cors_origins``
    are the origins allowed to call the API from other pages (none by default); ``max_page`` caps
    ``limit``; ``allowed_hosts`` restricts the Host header (``dyads serve`` sets it on loopback
    to stop DNS rebinding); ``pipeline`` is what codes posted texts (default: the default
    pipeline, loaded on first use); ``threads`` are DuckDB's threads per query (one: requests
    run side by side instead; ``None``: DuckDB's default, one per core)."""
    if token is not None and not token.strip():
        raise ValueError("the token is empty")
    if max_page < 1:
        raise ValueError("max_page must be at least 1")
    path = Path(db_path)
    read_store = EventStore(path, read_only=True, lock_timeout=lock_timeout)

    def on_open(con: Any) -> pages.StoreVersion:
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        return pages.store_version(con)

    gate = ReadGate(read_store, gate_times, on_open=on_open)
    cache = pages.EventCache()
    params = models.param_models(max_page)
    menus: dict[str, Menus] = {}
    pipeline_lock = threading.Lock()
    holder: dict[str, Any] = {"pipeline": pipeline}

    names_cache: dict[str, Any] = {}
    names_lock = threading.Lock()

    def names_(con: Any) -> dict[str, tuple[str | None, str | None]]:
        """Actor names, computed once per store version (call while holding a cursor)."""
        with names_lock:
            if names_cache.get("token") != gate.token or "names" not in names_cache:
                names_cache["names"] = queries.actor_names(con)
                names_cache["token"] = gate.token
            return names_cache["names"]

    def menus_() -> Menus:
        if "value" not in menus:
            menus["value"] = load_menus()
        return menus["value"]

    def code(body: models.ArticleIn) -> Any:
        from ..readers.decode import InputError, normalise_text
        from ..readers.text import make_article

        try:
            article = make_article(
                normalise_text(body.text), "api", body.date, "given" if body.date else "none",
                id=body.id, title=body.title, url=body.url,
            )  # fmt: skip
        except InputError as err:
            raise BadParameter("text", str(err)) from None
        with pipeline_lock:
            if holder["pipeline"] is None:
                from ..pipeline import Pipeline

                holder["pipeline"] = Pipeline()
            return holder["pipeline"](article)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        gate.close()

    app = FastAPI(
        title="dyads",
        version=__version__,
        description="Political events coded from news text, with their evidence. See docs/web.md.",
        docs_url=None,  # Swagger UI and ReDoc load from a CDN: not offered
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.gate = gate
    app.state.cache = cache
    app.state.db_path = path

    # -- errors ----------------------------------------------------------------------------
    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = _field_errors(exc.errors())
        names = ", ".join(dict.fromkeys(f["field"] for f in fields))
        return JSONResponse({"error": f"invalid {names}", "fields": fields}, status_code=422)

    @app.exception_handler(BadParameter)
    async def bad_parameter(_request: Request, exc: BadParameter) -> JSONResponse:
        return _bad(exc.field, exc.message, "body" if exc.field == "text" else "query")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(StoreLocked)
    async def locked(_request: Request, exc: StoreLocked) -> JSONResponse:
        return JSONResponse(
            {"error": "the event store is busy (another process is writing it); retry"},
            status_code=503,
            headers={"Retry-After": "2"},
        )

    @app.exception_handler(StoreError)
    async def store_error(_request: Request, exc: StoreError) -> JSONResponse:
        log.error("%s", exc)
        shown = str(exc).replace(str(path), path.name)  # no server paths in answers
        return JSONResponse({"error": f"the event store cannot be read: {shown}"}, status_code=503)

    @app.exception_handler(Exception)
    async def internal(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("request failed")
        return JSONResponse({"error": "internal error"}, status_code=500)

    def not_found(what: str, key: str) -> HTTPException:
        return HTTPException(404, f"no {what} {key!r} in this store")

    # -- reading -----------------------------------------------------------------------------
    @app.get("/api/health", response_model=models.Health, responses=ErrorResponses, tags=["store"])
    def health() -> dict[str, Any]:
        """The store can be read."""
        with gate.cursor() as con:
            events = con.execute("SELECT count(*) FROM events").fetchall()[0][0]
        return {"status": "ok", "events": events}

    @app.get("/api/meta", response_model=models.Meta, responses=ErrorResponses, tags=["store"])
    def meta() -> dict[str, Any]:
        """What the store holds and what the filters can take (roots, PLOVER types, ...)."""
        with gate.cursor() as con:
            summary = queries.store_summary(con)
            in_store = set(queries.plover_types_in_store(con))
        m = menus_()
        return {
            "dyads": __version__,
            "database": path.name,
            "writable": token is not None,
            "max_page": max_page,
            "store": summary,
            "roots": m.roots,
            "plover_types": [{**p, "in_store": p["type"] in in_store} for p in m.plover_types],
            "modalities": [{"name": k, "text": v} for k, v in MODALITIES.items()],
            "quad_classes": [{"quad_class": k, "label": v} for k, v in QUAD_CLASSES.items()],
        }

    EventsParams = params["events"]

    @app.get(
        "/api/events", response_model=models.EventsPage, responses=ErrorResponses, tags=["events"]
    )
    def list_events(p: Annotated[EventsParams, Query()]) -> Response:  # type: ignore[valid-type]
        """Events (one per report), newest first; follow ``next_cursor`` for the next page."""
        cursor = pages.Cursor.decode(p.cursor, p.order) if p.cursor else None
        with gate.cursor() as con:
            body = pages.events_page(con, p.filters(), p.limit, cursor, p.order, cache, gate.token)
        return Response(body, media_type="application/json")

    @app.get(
        "/api/events/{event_id}", response_model=models.EventDetail,
        responses={404: {"model": models.Error}, **ErrorResponses}, tags=["events"],
    )  # fmt: skip
    def get_event(
        event_id: Annotated[str, PathParam(min_length=1, max_length=200)],
    ) -> Response:
        """One event with its evidence: the sentence cut into highlighted spans, the known
        sentences around it, its article and cluster, the modality and attribution in words."""
        with gate.cursor() as con:
            row = queries.event_row(con, event_id)
            if row is None:
                raise not_found("event", event_id)
            item = queries.event_item(row)
            event = item["event"]
            sentences = queries.article_sentences(con, event["article_id"])
            article = queries.article_row(con, event["article_id"])
            cluster = queries.cluster_info(con, row["cluster_id"], event_id)
            quote = queries.quote_around(
                con, event["article_id"], event["evidence"]["start"], event["evidence"]["end"]
            )
            own = next((s for s in sentences if s["index"] == event["sentence_index"]), None)
            window = None
            has_text = gate.token is not None and gate.token.has_text
            if has_text and own is not None and own["start"] is not None:
                window = queries.article_text_window(
                    con, event["article_id"], own["start"], own["end"]
                )
        known = (
            [(own["start"], own["end"], own["text"])] if own and own["start"] is not None else []
        )
        light = highlight(event, known)
        index = event["sentence_index"]
        context = [s for s in sentences if abs(s["index"] - index) <= 2]
        return fast_json({
            **item,
            "highlight": light,
            "explanation": explain(event),
            "article": article,
            "context": context,
            "text_window": window,
            "quote": quote,
            "cluster_detail": cluster,
        })  # fmt: skip

    @app.get(
        "/api/articles/{article_id}", response_model=models.ArticleDetail,
        responses={404: {"model": models.Error}, **ErrorResponses}, tags=["articles"],
    )  # fmt: skip
    def get_article(
        article_id: Annotated[str, PathParam(min_length=1, max_length=200)],
    ) -> Response:
        """A stored article: its metadata, known sentences, events, actors, quotes and places
        (the store keeps no article text)."""
        with gate.cursor() as con:
            article = queries.article_row(con, article_id)
            if article is None:
                raise not_found("article", article_id)
            return fast_json({
                "article": article,
                "sentences": queries.article_sentences(con, article_id),
                "events": queries.article_events(con, article_id, 1000),
                **queries.article_parts(con, article_id),
            })  # fmt: skip

    SeriesParams = params["series"]

    @app.get(
        "/api/series", response_model=models.Series, responses=ErrorResponses, tags=["aggregates"]
    )
    def series(p: Annotated[SeriesParams, Query()]) -> Response:  # type: ignore[valid-type]
        """Events per period by QuadClass, with Goldstein sums, over any filter."""
        with gate.cursor() as con:
            rows = queries.series(con, p.filters(), p.by, p.count)
        return fast_json({"by": p.by, "count": p.count, "series": rows})

    @app.get(
        "/api/dyads/{a}/{b}/series", response_model=models.DyadSeries,
        responses=ErrorResponses, tags=["aggregates"],
    )  # fmt: skip
    def dyad_series(
        a: Annotated[str, PathParam(pattern=r"^[A-Za-z0-9]{1,32}$")],
        b: Annotated[str, PathParam(pattern=r"^[A-Za-z0-9]{1,32}$")],
        p: Annotated[models.DyadSeriesParams, Query()],
    ) -> Response:
        """Events from ``a`` to ``b`` (codes by prefix or country) per period, by QuadClass, with
        Goldstein sums: the table of ``dyads dyad``. Asserted events unless ``all_modalities``."""
        a, b = a.upper(), b.upper()
        modalities = () if p.all_modalities else tuple(p.modality)
        filters = queries.Filters(
            dyad=(a, b) if p.undirected else None,
            source=() if p.undirected else (a,),
            target=() if p.undirected else (b,),
            modality=modalities, since=p.since, until=p.until,
        )  # fmt: skip
        with gate.cursor() as con:
            rows = queries.series(con, filters, p.by, p.count)
        return fast_json({
            "a": a, "b": b, "by": p.by, "count": p.count, "undirected": p.undirected,
            "modalities": list(modalities) or None, "series": rows,
        })  # fmt: skip

    ActorsParams = params["actors"]

    @app.get(
        "/api/actors", response_model=models.Actors, responses=ErrorResponses, tags=["aggregates"]
    )
    def list_actors(p: Annotated[ActorsParams, Query()]) -> Response:  # type: ignore[valid-type]
        """The actors with the most events (as source or target); ``search`` finds one."""
        with gate.cursor() as con:
            found = queries.actors(con, p.filters(), p.search, p.limit, p.count, names_(con))
        return fast_json({"actors": found})

    NetworkParams = params["network"]

    @app.get(
        "/api/network", response_model=models.Network, responses=ErrorResponses, tags=["aggregates"]
    )
    def network(p: Annotated[NetworkParams, Query()]) -> Response:  # type: ignore[valid-type]
        """Who acts on whom: nodes (actors or countries) and weighted edges over a filter."""
        with gate.cursor() as con:
            graph = queries.network(
                con, p.filters(), p.by, p.limit, p.count, menus_().country_names,
                names_(con) if p.by == "actor" else None,
            )  # fmt: skip
        return fast_json(graph)

    PlacesParams = params["places"]

    @app.get(
        "/api/places", response_model=models.Places, responses=ErrorResponses, tags=["aggregates"]
    )
    def places(p: Annotated[PlacesParams, Query()]) -> Response:  # type: ignore[valid-type]
        """Event places (points with counts) and events per country, over a filter."""
        with gate.cursor() as con:
            found = queries.places(con, p.filters(), p.limit, p.count)
        found["countries"] = with_numeric(found["countries"], menus_().iso_numeric)
        return fast_json(found)

    # -- coding and storing ----------------------------------------------------------------------
    @app.post(
        "/api/code", response_model=models.ContractArticle,
        responses={**BodyErrors, **ErrorResponses}, tags=["coding"],
    )  # fmt: skip
    def code_text(body: models.ArticleIn) -> dict[str, Any]:
        """Code a posted article and return its events (the output contract's article object);
        nothing is stored."""
        from ..export.contract import article_dict

        return article_dict(code(body))

    write_store = EventStore(path, lock_timeout=lock_timeout)

    @app.post(
        "/api/articles", response_model=models.Stored, status_code=201,
        responses={
            200: {"model": models.Stored, "description": "Already stored: nothing added."},
            401: {"model": models.Error, "description": "Missing or wrong token."},
            403: {"model": models.Error, "description": "The server is read-only (no token)."},
            **BodyErrors, **ErrorResponses,
        },
        tags=["coding"], openapi_extra={"security": [{"HTTPBearer": []}]},
    )  # fmt: skip
    def store_article(body: models.ArticleIn, response: Response) -> dict[str, Any]:
        """Code a posted article and store it (needs ``Authorization: Bearer <token>``). An
        article whose id or text is already stored is not stored again (200)."""
        from ..readers.decode import InputError, normalise_text
        from ..records import Article
        from ..store_schema import text_hash

        def already(article_id: str) -> dict[str, Any]:
            response.status_code = 200
            return {"stored": False, "article_id": article_id, "events": 0, "reason": "already stored"}  # fmt: skip

        try:
            text = normalise_text(body.text).strip()
        except InputError as err:
            raise BadParameter("text", str(err)) from None
        article_id = body.id or Article.content_id(text)
        if path.exists():
            with gate.cursor() as con:
                existing = queries.stored_article_id(con, article_id, text_hash(text))
            if existing is not None:
                return already(existing)
        coded = code(body)
        try:
            with gate.exclusive(timeout=lock_timeout):
                report = write_store.ingest(
                    [coded], batch_size=1, command="dyads serve: POST /api/articles"
                )
        except TimeoutError:
            raise StoreLocked("reads did not finish in time") from None
        if report.errors:
            raise BadParameter("text", report.errors[0].reason)
        if not report.articles_added:
            return already(coded.article.id)
        return {
            "stored": True, "article_id": coded.article.id, "events": report.events_added,
            "run_id": report.run_id,
        }  # fmt: skip

    # -- dashboard -----------------------------------------------------------------------------
    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=STATIC, follow_symlink=False), name="static")

    # -- OpenAPI: the contract's schemas and the bearer scheme ------------------------------------
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            components = schema.setdefault("components", {})
            components.setdefault("schemas", {}).update(models.contract_components())
            components.setdefault("securitySchemes", {})["HTTPBearer"] = {
                "type": "http", "scheme": "bearer",
                "description": "The server's token (DYADS_TOKEN or --token-file).",
            }  # fmt: skip
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    # -- middleware (the last added runs first) --------------------------------------------------
    app.add_middleware(BodyLimit, max_body=max_body)
    app.add_middleware(WriteGuard, token=token)
    if cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"], max_age=600,
        )  # fmt: skip
    if allowed_hosts:
        from starlette.middleware.trustedhost import TrustedHostMiddleware

        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.add_middleware(SecurityHeaders)
    return app
