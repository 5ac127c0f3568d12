"""The web API through an ASGI client: every endpoint and filter, paging, the token, bad
parameters, limits, static files, CORS, and reading while another process writes."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
from collections import Counter

import pytest

from conftest import DYADS, TOKEN, FakePipeline, make_client, store_articles
from dyads.export.contract import load_schema

ALL = 500


def all_events(client) -> list[dict]:
    page = client.get("/api/events", params={"limit": ALL}).json()
    assert page["next_cursor"] is None
    return page["items"]


def ids(items) -> set[str]:
    return {item["event"]["id"] for item in items}


def fetch_ids(client, params) -> set[str]:
    response = client.get("/api/events", params={**params, "limit": ALL})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"])
    return ids(body["items"])


# -- reading -----------------------------------------------------------------------------------------


def test_health_and_meta(client):
    assert client.get("/api/health").json() == {"status": "ok", "events": 11}
    meta = client.get("/api/meta").json()
    assert meta["database"] == "api.duckdb"
    assert meta["writable"] is False
    assert meta["store"]["articles"] == 5 and meta["store"]["events"] == 11
    assert [r["root"] for r in meta["roots"]] == [f"{n:02d}" for n in range(1, 21)]
    assert {m["name"] for m in meta["modalities"]} >= {"asserted", "negated", "denied"}
    assert [q["quad_class"] for q in meta["quad_classes"]] == [1, 2, 3, 4]
    assert any(p["type"] == "ASSAULT" and p["in_store"] for p in meta["plover_types"])


def test_events_are_contract_events_newest_first(client):
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(load_schema("event"))
    items = all_events(client)
    assert len(items) == 11
    for item in items:
        validator.validate(item["event"])
        assert item["cluster"]["id"].isdigit()  # a string: 60-bit ids do not fit a JS number
    dates = [item["event_date"] for item in items]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True)
    assert dates[-1] is None  # undated events come last


@pytest.mark.parametrize("order", ["newest", "oldest"])
@pytest.mark.parametrize("limit", [1, 2, 3, 7])
def test_cursor_pagination_visits_every_event_once(client, order, limit):
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": limit, "order": order, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/events", params=params).json()
        assert len(page["items"]) <= limit
        seen += [item["event"]["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        pages += 1
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 11
    expected = [item["event"]["id"] for item in client.get("/api/events", params={"limit": ALL, "order": order}).json()["items"]]  # fmt: skip
    assert seen == expected
    assert pages == -(-11 // limit)


def _actor_matches(mention, value):
    return (
        bool(mention)
        and bool(mention["code"])
        and (mention["code"].startswith(value) or mention["country"] == value)
    )


FILTERS = [
    ({"source": "ISR"}, lambda i, e: _actor_matches(e["source"], "ISR")),
    ({"source": "isrmil"}, lambda i, e: _actor_matches(e["source"], "ISRMIL")),
    ({"source": ["IRN", "DEU"]}, lambda i, e: _actor_matches(e["source"], "IRN") or _actor_matches(e["source"], "DEU")),
    ({"target": "PSE"}, lambda i, e: _actor_matches(e["target"], "PSE")),
    ({"actor": "IRN"}, lambda i, e: _actor_matches(e["source"], "IRN") or _actor_matches(e["target"], "IRN")),
    ({"dyad": "ISR,USA"}, lambda i, e: {_actor_matches(e["source"], "USA"), _actor_matches(e["target"], "ISR")} == {True} or {_actor_matches(e["source"], "ISR"), _actor_matches(e["target"], "USA")} == {True}),
    ({"dyad": "PSE,ISR"}, lambda i, e: (_actor_matches(e["source"], "PSE") and _actor_matches(e["target"], "ISR")) or (_actor_matches(e["source"], "ISR") and _actor_matches(e["target"], "PSE"))),
    ({"root": "19"}, lambda i, e: e["cameo"]["root"] == "19"),
    ({"root": "4"}, lambda i, e: e["cameo"]["root"] == "04"),
    ({"root": ["04", "06"]}, lambda i, e: e["cameo"]["root"] in ("04", "06")),
    ({"code": "19"}, lambda i, e: e["cameo"]["code"].startswith("19")),
    ({"code": "160"}, lambda i, e: e["cameo"]["code"] == "160"),
    ({"quad_class": 4}, lambda i, e: e["cameo"]["quad_class"] == 4),
    ({"quad_class": [1, 3]}, lambda i, e: e["cameo"]["quad_class"] in (1, 3)),
    ({"modality": "negated"}, lambda i, e: e["modality"] == "negated"),
    ({"modality": ["asserted", "threatened"]}, lambda i, e: e["modality"] in ("asserted", "threatened")),
    ({"plover_type": "assault"}, lambda i, e: e["plover"]["type"] == "ASSAULT"),
    ({"country": "PSE"}, lambda i, e: bool(e["location"]) and e["location"]["country"] == "PSE"),
    ({"place": "gaza"}, lambda i, e: bool(e["location"]) and e["location"]["name"] == "Gaza"),
    ({"place": "112931"}, lambda i, e: bool(e["location"]) and e["location"]["geonameid"] == 112931),
    ({"since": "2024-03-02"}, lambda i, e: bool(i["event_date"]) and i["event_date"] >= "2024-03-02"),
    ({"until": "2024-03-01"}, lambda i, e: bool(i["event_date"]) and i["event_date"] <= "2024-03-01"),
    ({"since": "2024-03-01", "until": "2024-04-10"}, lambda i, e: bool(i["event_date"]) and "2024-03-01" <= i["event_date"] <= "2024-04-10"),
    ({"q": "STRUCK"}, lambda i, e: "struck" in e["sentence"].lower()),
    ({"q": "a3/"}, lambda i, e: "a3/" in e["sentence"]),
    ({"article_id": "a2"}, lambda i, e: e["article_id"] == "a2"),
    ({"min_confidence": 0.85}, lambda i, e: e["confidence"] >= 0.85),
    ({"source": "ISR", "root": "19", "since": "2025-01-01"}, lambda i, e: _actor_matches(e["source"], "ISR") and e["cameo"]["root"] == "19" and (i["event_date"] or "") >= "2025-01-01"),
]  # fmt: skip


@pytest.mark.parametrize(("params", "keep"), FILTERS, ids=[json.dumps(p) for p, _ in FILTERS])
def test_every_filter_selects_what_it_says(client, params, keep):
    items = all_events(client)
    expected = {item["event"]["id"] for item in items if keep(item, item["event"])}
    assert expected, "each case should match something"
    assert fetch_ids(client, params) == expected


def test_cluster_id_filter(client):
    item = all_events(client)[0]
    assert ids(
        client.get("/api/events", params={"cluster_id": item["cluster"]["id"]}).json()["items"]
    ) >= {item["event"]["id"]}


def test_filters_with_sql_in_them_are_only_values(client):
    hostile = [
        {"q": "'; DROP TABLE events; --"},
        {"q": "%"},
        {"q": "_"},
        {"place": "x' OR '1'='1"},
        {"article_id": "a1' OR 1=1 --"},
        {"article_id": '"; DELETE FROM articles; --'},
        {"q": "\\"},
    ]
    for params in hostile:
        response = client.get("/api/events", params=params)
        assert response.status_code == 200, (params, response.text)
        assert response.json()["total"] == 0, params
    assert client.get("/api/health").json()["events"] == 11


BAD = [
    ("quad_class=5", "quad_class"),
    ("quad_class=x", "quad_class"),
    ("root=21", "root"),
    ("root=abc", "root"),
    ("code=1", "code"),
    ("code=19a", "code"),
    ("since=2024-13-01", "since"),
    ("until=yesterday", "until"),
    ("since=2024-05-01&until=2024-04-01", "until"),
    ("limit=0", "limit"),
    ("limit=501", "limit"),
    ("limit=ten", "limit"),
    ("cursor=not-a-cursor", "cursor"),
    ("cursor=%24%24%24", "cursor"),
    ("order=random", "order"),
    ("sorce=ISR", "sorce"),
    ("dyad=ISR", "dyad"),
    ("dyad=ISR,PSE,USA", "dyad"),
    ("modality=perhaps", "modality"),
    ("country=IS", "country"),
    ("min_confidence=2", "min_confidence"),
    ("q=", "q"),
    ("q=%00", "q"),
    ("source=IS%20R", "source"),
    ("source=" + "A" * 33, "source"),
    ("&".join(f"source=A{n}" for n in range(21)), "source"),
    ("cluster_id=-1", "cluster_id"),
    ("plover_type=ASSAULT;", "plover_type"),
]


@pytest.mark.parametrize(("query", "field"), BAD, ids=[q[:40] for q, _ in BAD])
def test_bad_parameters_are_422_naming_the_field(client, query, field):
    response = client.get("/api/events?" + query)
    assert response.status_code == 422, response.text
    body = response.json()
    assert field in [f["field"] for f in body["fields"]], body
    assert field in body["error"]


def test_a_cursor_is_bound_to_its_order(client):
    cursor = client.get("/api/events", params={"limit": 1}).json()["next_cursor"]
    response = client.get("/api/events", params={"limit": 1, "cursor": cursor, "order": "oldest"})
    assert response.status_code == 422
    forged = base64.urlsafe_b64encode(b'["2024-01-01", 5, "newest"]').decode().rstrip("=")
    assert client.get("/api/events", params={"cursor": forged}).status_code == 422


def test_bad_parameters_on_every_endpoint(client):
    for url in ("/api/series?by=hour", "/api/series?count=all", "/api/actors?limit=0",
                "/api/network?by=city", "/api/places?limit=100000", "/api/dyads/USA/ISR/series?by=decade",
                "/api/dyads/USA/IS%20R/series", "/api/dyads/USA/ISR/series?modality=maybe",
                "/api/actors?search=" + "x" * 201, "/api/network?quad_class=9"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 422, url
        assert response.json()["fields"], url


# -- one event, one article ----------------------------------------------------------------------------


def test_event_view_highlights_the_sentence(client):
    item = next(i for i in all_events(client) if i["event"]["article_id"] == "a1" and i["event"]["cameo"]["root"] == "04")  # fmt: skip
    event = item["event"]
    response = client.get(f"/api/events/{event['id']}")
    assert response.status_code == 200
    data = response.json()
    assert data["event"] == event
    light = data["highlight"]
    segments = light["segments"]
    assert "".join(s["text"] for s in segments) == event["sentence"]
    for role, span in (
        ("source", event["source"]),
        ("trigger", event["evidence"]),
        ("target", event["target"]),
    ):
        marked = "".join(s["text"] for s in segments if role in s["roles"])
        assert marked == span["text"], role
        placed = next(s for s in light["spans"] if s["role"] == role)
        assert placed["in_sentence"]
        assert event["sentence"][placed["sentence_start"] : placed["sentence_end"]] == span["text"]
    assert light["sentence_start"] == event["evidence"]["start"] - event["sentence"].index(event["evidence"]["text"])  # fmt: skip
    assert data["explanation"]["modality"].startswith("Asserted")
    assert data["explanation"]["attribution"].startswith('According to "officials said"')
    assert data["article"]["id"] == "a1" and data["article"]["outlet"] == "news.example.org"
    assert [s["index"] for s in data["context"]] == [0, 1]
    assert data["cluster_detail"]["mentions"] == 1
    assert data["quote"] is None or data["quote"]["kind"] == "indirect"
    window = data["text_window"]  # the store keeps article texts (schema v2)
    assert window is not None and event["sentence"] in window["text"]


def test_event_modality_is_spelled_out(client):
    event = next(i["event"] for i in all_events(client) if i["event"]["modality"] == "negated")
    data = client.get(f"/api/events/{event['id']}").json()
    assert data["explanation"]["modality"].startswith("Negated")
    assert '"not"' in data["explanation"]["modality"]
    assert data["explanation"]["attribution"].startswith("The article's own voice")


def test_event_and_article_not_found(client):
    assert client.get("/api/events/0000000000000000").status_code == 404
    assert client.get("/api/events/" + "x" * 201).status_code == 422
    assert client.get("/api/articles/nope").status_code == 404
    response = client.get("/api/articles/nope")
    assert "error" in response.json()


def test_article_view(client):
    data = client.get("/api/articles/a3").json()
    assert data["article"]["title"] == "Article a3"
    assert len(data["events"]) == 3
    assert [s["index"] for s in data["sentences"]] == [0, 1, 2]
    for sentence in data["sentences"]:
        assert sentence["start"] is not None
        assert sentence["end"] - sentence["start"] == len(sentence["text"])
    assert data["actors"] and data["quotes"]
    assert {p["name"] for p in data["places"]} == {"Washington", "Tehran"}


# -- aggregates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["day", "week", "month", "quarter", "year"])
def test_series_counts_every_dated_cluster(client, by):
    data = client.get("/api/series", params={"by": by}).json()
    rows = data["series"]
    assert data["by"] == by and data["count"] == "clusters"
    clusters = {i["cluster"]["id"] for i in all_events(client) if i["event_date"]}
    assert sum(r["events"] for r in rows) == len(clusters)
    for row in rows:
        assert row["events"] == sum(row[k] for k in ("verbal_coop", "material_coop", "verbal_conflict", "material_conflict"))  # fmt: skip
    periods = [r["period"] for r in rows]
    assert periods == sorted(periods) and len(periods) == len(set(periods))


def test_series_fills_empty_periods_and_counts_reports(client):
    rows = client.get("/api/series", params={"by": "month"}).json()["series"]
    assert [r["period"] for r in rows][:3] == ["2024-02-01", "2024-03-01", "2024-04-01"]
    assert len(rows) == 12  # 2024-02 .. 2025-01, empty months included
    assert rows[4]["events"] == 0 and rows[4]["goldstein_mean"] is None
    reports = client.get("/api/series", params={"by": "year", "count": "reports"}).json()["series"]
    assert sum(r["events"] for r in reports) == sum(
        1 for i in all_events(client) if i["event_date"]
    )


def test_dyad_series(client):
    data = client.get("/api/dyads/isr/pse/series", params={"by": "month"}).json()
    assert (data["a"], data["b"], data["modalities"]) == ("ISR", "PSE", ["asserted"])
    assert sum(r["material_conflict"] for r in data["series"]) == sum(
        r["events"] for r in data["series"]
    )
    asserted = sum(r["events"] for r in data["series"])
    everything = client.get("/api/dyads/ISR/PSE/series", params={"all_modalities": True}).json()
    assert sum(r["events"] for r in everything["series"]) == asserted + 1  # the negated strike
    assert everything["modalities"] is None
    back = client.get("/api/dyads/PSE/ISR/series", params={"by": "year"}).json()
    both = client.get("/api/dyads/PSE/ISR/series", params={"by": "year", "undirected": True}).json()
    total = lambda d: sum(r["events"] for r in d["series"])  # noqa: E731
    assert total(both) == total(back) + asserted
    since = client.get(
        "/api/dyads/ISR/PSE/series", params={"since": "2025-01-01", "by": "day"}
    ).json()
    assert [r["period"] for r in since["series"]] == ["2025-01-05"]
    assert client.get("/api/dyads/USA/CHN/series").json()["series"] == []


def test_actors(client):
    actors = client.get("/api/actors").json()["actors"]
    by_code = {a["code"]: a for a in actors}
    assert actors[0]["code"] == "ISR"
    assert by_code["ISR"]["name"] == "Israel"
    assert by_code["ISR"]["events"] == by_code["ISR"]["as_source"] + by_code["ISR"]["as_target"]
    assert [
        a["code"] for a in client.get("/api/actors", params={"search": "ham"}).json()["actors"]
    ] == ["PSEREBHMS"]
    assert [a["code"] for a in client.get("/api/actors", params={"search": "usa"}).json()["actors"]] == ["USA", "USAGOV"]  # fmt: skip
    assert len(client.get("/api/actors", params={"limit": 2}).json()["actors"]) == 2
    filtered = client.get("/api/actors", params={"root": "16"}).json()["actors"]
    assert {a["code"] for a in filtered} == {"DEU", "IRN"}


def test_network(client):
    data = client.get("/api/network").json()
    edges = {(e["source"], e["target"]): e for e in data["edges"]}
    assert edges[("ISR", "PSE")]["events"] == 2  # two clusters (a1, a5): each event once
    assert edges[("ISR", "PSE")]["material_conflict"] == 2
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["ISR"]["events"] == nodes["ISR"]["events_in"] + nodes["ISR"]["events_out"]
    assert nodes["IGOUNO"]["name"] == "United Nations"
    countries = client.get("/api/network", params={"by": "country"}).json()
    pairs = {(e["source"], e["target"]) for e in countries["edges"]}
    assert ("ISR", "PSE") in pairs and ("IGOUNO", "SYR") in pairs
    assert {n["id"]: n["name"] for n in countries["nodes"]}["DEU"] == "Germany"
    assert len(client.get("/api/network", params={"limit": 1}).json()["edges"]) == 1
    reports = client.get("/api/network", params={"count": "reports", "source": "ISR"}).json()
    assert {(e["source"], e["target"]): e["events"] for e in reports["edges"]}[("ISR", "PSE")] == 3


def test_places(client):
    data = client.get("/api/places").json()
    points = {p["name"]: p for p in data["points"]}
    assert set(points) == {"Gaza", "Washington", "Tehran"}
    assert points["Gaza"]["geonameid"] == 281133 and points["Gaza"]["lat"] == pytest.approx(
        31.50161
    )
    countries = {c["country"]: c for c in data["countries"]}
    assert countries["PSE"]["numeric"] == "275" and countries["USA"]["numeric"] == "840"
    only = client.get("/api/places", params={"source": "DEU"}).json()
    assert [p["name"] for p in only["points"]] == ["Tehran"]


# -- coding and storing -----------------------------------------------------------------------------------


def test_code_returns_contract_article_without_storing(client):
    from jsonschema import Draft202012Validator

    before = FakePipeline.calls
    response = client.post(
        "/api/code", json={"text": "Israel struck Gaza.", "date": "2025-01-02", "title": "t"}
    )
    assert response.status_code == 200, response.text
    data = response.json()
    Draft202012Validator(load_schema("article")).validate(data)
    assert data["events"][0]["evidence"]["text"] == "Israel"
    assert data["article"]["date"] == "2025-01-02"
    assert FakePipeline.calls == before + 1
    assert client.get("/api/health").json()["events"] == 11


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "text"), ({"text": ""}, "text"), ({"text": "   "}, "text"), ({"text": 5}, "text"),
     ({"text": "\x01\x02" * 50}, "text"), ({"text": "x", "date": "soon"}, "date"), ({"text": "x", "colour": "red"}, "colour"),
     ({"text": "x", "id": "a\nb"}, "id")],
)  # fmt: skip
def test_code_refuses_bad_bodies(client, body, field):
    response = client.post("/api/code", json=body)
    assert response.status_code == 422, response.text
    assert field in [f["field"] for f in response.json()["fields"]]
    assert (
        client.post(
            "/api/code", content=b"{not json", headers={"content-type": "application/json"}
        ).status_code
        == 422
    )


def test_request_bodies_over_the_limit_are_refused(store_path):
    with make_client(store_path, max_body=1000) as small:
        response = small.post("/api/code", json={"text": "x" * 2000})
        assert response.status_code == 413
        assert "1,000" in response.json()["error"]

        def chunks():  # no Content-Length: the limit applies as the body streams in
            for _ in range(20):
                yield b"x" * 100

        response = small.post(
            "/api/code", content=chunks(), headers={"content-type": "application/json"}
        )
        assert response.status_code == 413
        assert small.post("/api/code", json={"text": "short"}).status_code == 200


def test_write_endpoint_refused_without_a_token(client):
    response = client.post("/api/articles", json={"text": "Israel struck Gaza."})
    assert response.status_code == 403
    assert "read-only" in response.json()["error"]
    assert client.get("/api/health").json()["events"] == 11


def test_write_endpoint_needs_the_right_token(writable_copy):
    with make_client(writable_copy, token=TOKEN) as c:
        body = {"text": "Germany condemned the strike.", "date": "2025-02-01", "id": "new-1"}
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                        {"Authorization": f"Basic {TOKEN}"}, {"Authorization": f"Bearer {TOKEN}x"},
                        {"Authorization": f"Bearer {TOKEN[:-1]}"}):  # fmt: skip
            response = c.post("/api/articles", json=body, headers=headers)
            assert response.status_code == 401, headers
            assert response.headers["www-authenticate"].startswith("Bearer")
        # refused before the body is read: a bad body without the token is still a 401
        assert (
            c.post(
                "/api/articles", content=b"{", headers={"content-type": "application/json"}
            ).status_code
            == 401
        )
        assert c.get("/api/health").json()["events"] == 11
        ok = {"Authorization": f"Bearer {TOKEN}"}
        response = c.post("/api/articles", json=body, headers=ok)
        assert response.status_code == 201, response.text
        assert response.json() == {"stored": True, "article_id": "new-1", "events": 1, "reason": None, "run_id": response.json()["run_id"]}  # fmt: skip
        assert c.get("/api/health").json()["events"] == 12
        assert c.get("/api/articles/new-1").json()["article"]["date"] == "2025-02-01"
        again = c.post("/api/articles", json=body, headers=ok)
        assert again.status_code == 200 and again.json()["stored"] is False
        same_text = c.post("/api/articles", json={**body, "id": "other"}, headers=ok)
        assert same_text.json() == {"stored": False, "article_id": "new-1", "events": 0, "reason": "already stored", "run_id": None}  # fmt: skip
        assert c.post("/api/articles", json={"text": ""}, headers=ok).status_code == 422
        binary = c.post("/api/articles", json={"text": "\x01\x02\x03" * 50}, headers=ok)
        assert binary.status_code == 422 and binary.json()["fields"][0]["field"] == "text"
        assert c.get("/api/health").json()["events"] == 12


def test_token_comparison_is_constant_time(monkeypatch):
    import hmac

    from dyads.web import middleware as web_app

    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((len(a), len(b)))
        return real(a, b)

    monkeypatch.setattr(web_app.hmac, "compare_digest", spy)
    assert web_app.token_matches(b"Bearer secret", "secret")
    assert not web_app.token_matches(b"Bearer secreT", "secret")
    assert not web_app.token_matches(b"Bearer " + b"x" * 1000, "secret")
    assert not web_app.token_matches(None, "secret")
    assert not web_app.token_matches(b"Basic secret", "secret")
    assert calls == [(32, 32)] * 5  # digests of equal length, whatever was sent


def test_create_app_refuses_an_empty_token(store_path):
    from dyads.web.app import create_app

    with pytest.raises(ValueError):
        create_app(store_path, token="  ")


# -- the dashboard, static files and headers ----------------------------------------------------------------


def test_dashboard_and_security_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<script src="/static/app.js"' in response.text
    assert "cdn" not in response.text.lower()
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert client.head("/").status_code == 200
    for name, kind in (("app.js", "javascript"), ("style.css", "text/css")):
        asset = client.get(f"/static/{name}")
        assert asset.status_code == 200 and kind in asset.headers["content-type"]
        code = asset.text.replace("http://www.w3.org/2000/svg", "")  # a namespace, not a fetch
        assert "http://" not in code and "https://" not in code
    api = client.get("/api/health")
    assert api.headers["cache-control"] == "no-store"
    assert client.get("/docs").status_code == 404  # Swagger UI would load from a CDN


TRAVERSALS = [
    "/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py", "/static/%2e%2e%2fapp.py",
    "/static/vendor/../../app.py", "/static/vendor/%2e%2e/%2e%2e/db.py", "/static//etc/passwd",
    "/static/%2fetc%2fpasswd", "/static/..%5capp.py", "/static/....//app.py",
    "/static/%252e%252e/app.py", "/static/../../../../etc/passwd", "/static/./../web/app.py",
]  # fmt: skip


@pytest.mark.parametrize("path", TRAVERSALS)
def test_static_files_refuse_path_traversal(client, path):
    response = client.get(path)  # as a client sends it (it may resolve the dots itself)
    assert response.status_code in (400, 404, 405), (path, response.status_code)
    assert "create_app" not in response.text and "root:" not in response.text


@pytest.mark.parametrize("path", TRAVERSALS)
def test_static_files_refuse_raw_traversal(store_path, path):
    """The same paths given to the app exactly as written (no client resolves them first)."""
    import asyncio
    from urllib.parse import unquote

    from dyads.web.app import create_app

    app = create_app(store_path)
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": unquote(path), "raw_path": path.encode(), "root_path": "",
        "query_string": b"", "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1), "server": ("testserver", 80),
    }  # fmt: skip
    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert status in (400, 404, 405), (path, status)
    assert b"create_app" not in body and b"root:" not in body and b"ReadGate" not in body


def test_unknown_api_paths_are_json_404(client):
    response = client.get("/api/nothing")
    assert response.status_code == 404 and response.json() == {"error": "Not Found"}
    assert client.delete("/api/events").status_code == 405


def test_openapi_schema_describes_the_contract(client):
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/events", "/api/events/{event_id}", "/api/articles/{article_id}", "/api/series",
                 "/api/dyads/{a}/{b}/series", "/api/actors", "/api/network", "/api/places",
                 "/api/code", "/api/articles", "/api/meta", "/api/health"):  # fmt: skip
        assert path in paths, path
    assert "dyads_event" in schema["components"]["schemas"]
    item = schema["components"]["schemas"]["EventItem"]["properties"]["event"]
    assert item["allOf"] == [{"$ref": "#/components/schemas/dyads_event"}]
    assert paths["/api/articles"]["post"]["security"] == [{"HTTPBearer": []}]
    names = {p["name"] for p in paths["/api/events"]["get"]["parameters"]}
    assert names >= {"source", "target", "actor", "dyad", "root", "code", "quad_class", "modality",
                     "plover_type", "since", "until", "place", "country", "q", "limit", "cursor"}  # fmt: skip


def test_cors_is_off_unless_configured(store_path, client):
    preflight = {"Origin": "http://evil.example", "Access-Control-Request-Method": "GET"}
    response = client.options("/api/events", headers=preflight)
    assert "access-control-allow-origin" not in response.headers
    response = client.get("/api/events", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in response.headers
    with make_client(store_path, cors_origins=["http://good.example"]) as c:
        ok = c.get("/api/health", headers={"Origin": "http://good.example"})
        assert ok.headers["access-control-allow-origin"] == "http://good.example"
        bad = c.get("/api/health", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in bad.headers
        pre = c.options("/api/articles", headers={"Origin": "http://good.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"})  # fmt: skip
        assert pre.status_code == 200


def test_host_header_is_checked_when_asked(store_path):
    with make_client(store_path, allowed_hosts=["127.0.0.1", "localhost"]) as c:
        assert c.get("/api/health", headers={"Host": "localhost:8000"}).status_code == 200
        assert c.get("/api/health", headers={"Host": "rebind.evil.example"}).status_code == 400


# -- the store: missing, and written by another process ----------------------------------------------------


def test_missing_store_is_a_503(tmp_path):
    with make_client(tmp_path / "none.duckdb") as c:
        response = c.get("/api/events")
        assert response.status_code == 503
        assert "no event store" in response.json()["error"]
        assert str(tmp_path) not in response.json()["error"]


HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def _hold_write_lock(path, seconds: float) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert process.stdout.readline().strip() == "locked"
    return process


def test_reads_wait_for_a_writer_then_answer(writable_copy):
    from dyads.web.db import GateTimes

    with make_client(writable_copy, gate_times=GateTimes(linger=0.0, watched_linger=0.0)) as c:
        assert c.get("/api/health").status_code == 200
        time.sleep(0.3)  # the idle handle is closed
        holder = _hold_write_lock(writable_copy, 1.0)
        started = time.monotonic()
        response = c.get("/api/events", params={"limit": 1})
        waited = time.monotonic() - started
        holder.wait(10)
        assert response.status_code == 200
        assert waited > 0.3


def test_a_writer_that_holds_too_long_gives_503(writable_copy):
    from dyads.web.db import GateTimes

    with make_client(
        writable_copy, lock_timeout=0.3, gate_times=GateTimes(linger=0.0, watched_linger=0.0)
    ) as c:
        c.get("/api/health")
        time.sleep(0.3)
        holder = _hold_write_lock(writable_copy, 3.0)
        try:
            response = c.get("/api/events")
            assert response.status_code == 503
            assert response.headers["retry-after"] == "2"
            assert "busy" in response.json()["error"]
        finally:
            holder.wait(10)
        assert c.get("/api/events").status_code == 200


WRITE = """
import sys, time
from dyads.store import EventStore
started = time.monotonic()
with EventStore(sys.argv[1], lock_timeout=30).connection(write=True) as con:
    con.execute("UPDATE settings SET value = value WHERE key = 'cluster_window'")
print(round(time.monotonic() - started, 3), flush=True)
"""


@pytest.mark.parametrize("watch", [True, False], ids=["inotify", "turns"])
def test_a_writer_gets_in_while_reads_never_stop(writable_copy, watch):
    import threading

    from dyads.web.db import GateTimes

    times = GateTimes(linger=0.5, max_hold=0.5, gap=0.2, watch=watch)
    with make_client(writable_copy, gate_times=times) as c:
        stop = threading.Event()
        statuses: Counter = Counter()

        def read() -> None:
            while not stop.is_set():
                statuses[c.get("/api/events", params={"limit": 5}).status_code] += 1

        readers = [threading.Thread(target=read) for _ in range(4)]
        for thread in readers:
            thread.start()
        try:
            time.sleep(0.3)
            writer = subprocess.run([sys.executable, "-c", WRITE, str(writable_copy)], capture_output=True, text=True, timeout=60)  # fmt: skip
        finally:
            stop.set()
            for thread in readers:
                thread.join()
        assert writer.returncode == 0, writer.stderr
        gate = c.app.state.gate
        assert float(writer.stdout) < (3 if gate.watching else 20)
        assert statuses[200] > 10 and set(statuses) == {200}, statuses
        assert gate.opens >= 2  # the file was closed and opened again
        if watch and sys.platform == "linux":
            assert gate.watching and gate.yields >= 1


def test_event_cache_follows_the_store(writable_copy):
    with make_client(writable_copy, token=TOKEN) as c:
        before = c.get("/api/events", params={"limit": ALL}).json()
        again = c.get("/api/events", params={"limit": ALL}).json()
        assert again == before
        assert c.app.state.cache.hits >= 11  # the second listing came from the cache
        body = {"text": "Egypt hosted the talks.", "date": "2026-01-01", "id": "cached-1"}
        assert c.post("/api/articles", json=body, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 201  # fmt: skip
        after = c.get("/api/events", params={"limit": ALL}).json()
        assert after["total"] == before["total"] + 1
        assert after["items"][0]["event"]["article_id"] == "cached-1"
        assert after["items"][1:] == before["items"]


def test_an_article_without_stored_text_shows_no_text_window(writable_copy):
    import duckdb

    from dyads.export.contract import article_dict

    coded = next(a for a in store_articles() if a.article.id == "a3")
    event = article_dict(coded)["events"][1]
    with make_client(writable_copy) as c:
        window = c.get(f"/api/events/{event['id']}").json()["text_window"]
        assert window["text"] == coded.article.text[window["start"] : window["end"]]
        assert event["sentence"] in window["text"]
    with duckdb.connect(str(writable_copy)) as con:  # as a store migrated from schema v1 holds it
        con.execute("UPDATE articles SET text = NULL WHERE id = 'a3'")
    with make_client(writable_copy) as c:
        assert c.get(f"/api/events/{event['id']}").json()["text_window"] is None


# -- for real: the pipeline, and `dyads serve` as a process ---------------------------------------------


@pytest.mark.slow
def test_code_with_the_real_pipeline(store_path, pipeline):
    from jsonschema import Draft202012Validator

    text = "Israel launched airstrikes on Iranian nuclear facilities on Friday, officials said."
    with make_client(store_path, pipeline=pipeline) as c:
        response = c.post("/api/code", json={"text": text, "date": "2025-06-14"})
    assert response.status_code == 200, response.text
    data = response.json()
    Draft202012Validator(load_schema("article")).validate(data)
    roots = {(e["source"] or {}).get("code"): e["cameo"]["root"] for e in data["events"]}
    assert roots.get("ISR") == "19"


@pytest.mark.slow
def test_dyads_serve_process(samples_db, serve, tmp_path):
    import httpx

    server = serve(samples_db)
    assert httpx.get(server.url + "/api/health").json()["events"] > 0
    assert httpx.get(server.url + "/").status_code == 200
    refused = httpx.post(server.url + "/api/articles", json={"text": "x"})
    assert refused.status_code == 403  # no token: read-only
    rebound = httpx.get(server.url + "/api/health", headers={"Host": "attacker.example"})
    assert rebound.status_code == 400  # loopback server: DNS rebinding refused
    assert "(read-only)" in server.stop()

    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    token_file.chmod(0o600)
    writable = serve(samples_db, "--token-file", str(token_file))
    wrong = httpx.post(writable.url + "/api/articles", json={"text": "x"}, headers={"Authorization": "Bearer nope"})  # fmt: skip
    assert wrong.status_code == 401
    assert httpx.get(writable.url + "/api/meta").json()["writable"] is True


@pytest.mark.slow
def test_dyads_serve_refuses_what_it_cannot_serve(tmp_path):
    import subprocess

    missing = subprocess.run([*DYADS, "serve", "--db", str(tmp_path / "none.duckdb"), "--port", "0"], capture_output=True, text=True, timeout=60)  # fmt: skip
    assert missing.returncode == 1 and "no event store" in missing.stderr
    empty = tmp_path / "empty"
    empty.write_text("")
    bad = subprocess.run([*DYADS, "serve", "--db", str(tmp_path / "x.duckdb"), "--token-file", str(empty)], capture_output=True, text=True, timeout=60)  # fmt: skip
    assert bad.returncode == 2 and "is empty" in bad.stderr


def test_the_listening_socket_sends_small_answers_at_once():
    """Without TCP_NODELAY (asyncio sets it only on sockets created as IPPROTO_TCP) each small
    answer on a keep-alive connection waited 40 ms for the client's delayed ACK."""
    import socket

    from dyads.cli.serve import bind

    sock = bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        sock.close()
