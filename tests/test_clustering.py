"""Cross-article event clustering: the rule, its window, and order independence in the store."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyads.clustering import assign, cluster_id, cluster_key, place_key
from dyads.store import EventStore
from store_fixtures import make_article

D = dt.date(2024, 5, 1)


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


def groups(mapping: dict[str, int]) -> list[list[str]]:
    by_cluster: dict[int, list[str]] = {}
    for event, cluster in mapping.items():
        by_cluster.setdefault(cluster, []).append(event)
    return sorted(sorted(g) for g in by_cluster.values())


def row(**kw):
    base = {"source_code": "ISR", "target_code": "PSE", "cameo_root": "19", "modality": "asserted",
            "date": D, "article_date": D, "location_geonameid": None, "location_name": None}  # fmt: skip
    return {**base, **kw}


def test_key_has_actors_root_place_and_modality():
    assert cluster_key(row()) == "ISR|PSE|19|-|asserted"
    assert cluster_key(row(location_geonameid=281133)) == "ISR|PSE|19|g:281133|asserted"
    assert cluster_key(row(location_name="Khan  Younis", location_country="PSE")) == (
        "ISR|PSE|19|n:PSE:khan younis|asserted"
    )
    assert cluster_key(row(target_code=None)) == "ISR|-|19|-|asserted"
    assert cluster_key(row(modality="threatened")) != cluster_key(row())


def test_events_without_actors_or_dates_stand_alone():
    assert cluster_key(row(source_code=None, target_code=None)) is None
    assert cluster_key(row(date=None, article_date=None)) is None
    assert cluster_key(row(date=None)) is not None  # the publication date stands in


def test_place_key_prefers_the_gazetteer_id():
    assert place_key({"location_geonameid": 1, "location_name": "Gaza"}) == "g:1"
    assert place_key({}) == "-"


def test_window_zero_is_same_day_only():
    events = [("a", "k", day(0)), ("b", "k", day(0)), ("c", "k", day(1))]
    assert groups(assign(events, 0)) == [["a", "b"], ["c"]]


def test_default_window_joins_the_next_day_but_clusters_do_not_chain():
    daily = [(f"e{n}", "k", day(n)) for n in range(5)]
    assert groups(assign(daily, 1)) == [["e0", "e1"], ["e2", "e3"], ["e4"]]
    assert groups(assign(daily, 2)) == [["e0", "e1", "e2"], ["e3", "e4"]]
    assert groups(assign(daily, 30)) == [["e0", "e1", "e2", "e3", "e4"]]


def test_keys_never_mix():
    events = [("a", "k1", day(0)), ("b", "k2", day(0))]
    assert groups(assign(events, 5)) == [["a"], ["b"]]


def test_cluster_ids_are_stable_positive_bigints():
    mapping = assign([("a", "k", day(3)), ("b", "k", day(4))], 1)
    assert set(mapping.values()) == {cluster_id("k", day(3))}
    assert 0 < cluster_id("k", day(3)) < 2**63


def test_negative_window_is_refused():
    with pytest.raises(ValueError, match="0 or more days"):
        assign([], -1)


events_strategy = st.lists(
    st.tuples(st.sampled_from(["k1", "k2", "k3"]), st.integers(0, 20)), min_size=1, max_size=40
)


@given(events_strategy, st.integers(0, 4), st.randoms())
@settings(max_examples=200, deadline=None)
def test_assignment_does_not_depend_on_order(spec, window, rnd):
    events = [(f"e{i}", key, day(offset)) for i, (key, offset) in enumerate(spec)]
    shuffled = events[:]
    rnd.shuffle(shuffled)
    assert assign(events, window) == assign(shuffled, window)


@given(events_strategy, st.integers(0, 4))
@settings(max_examples=200, deadline=None)
def test_clusters_span_at_most_window_plus_one_days(spec, window):
    events = [(f"e{i}", key, day(offset)) for i, (key, offset) in enumerate(spec)]
    dates = {e: d for e, _, d in events}
    for group in groups(assign(events, window)):
        span = max(dates[e] for e in group) - min(dates[e] for e in group)
        assert span.days <= window


# -- in the store ----------------------------------------------------------------------------

GAZA = {"source": "ISRMIL", "target": "PSE", "root": "19", "place": "Gaza"}


def reports():
    """The same strike in four articles over two days from three outlets, twice in one article,
    plus a strike elsewhere and one three days later."""
    return [
        make_article("r1", "2024-05-01", [GAZA, {**GAZA, "sentence_index": 4}], url="https://www.voanews.com/1"),
        make_article("r2", "2024-05-01", [GAZA], url="https://apnews.com/2"),
        make_article("r3", "2024-05-02", [GAZA], url="https://voanews.com/3"),
        make_article("r4", "2024-05-02", [GAZA], url=""),
        make_article("r5", "2024-05-01", [{**GAZA, "place": "Tehran"}]),
        make_article("r6", "2024-05-04", [GAZA]),
    ]  # fmt: skip


def cluster_rows(store: EventStore) -> list[tuple]:
    table = store.sql(
        "SELECT cluster_id, cluster_key, event_id, first_date, last_date, num_mentions, num_sources, "
        "num_articles, is_root FROM clusters ORDER BY cluster_id"
    )
    return [tuple(r.values()) for r in table.to_pylist()]


def test_the_same_event_in_several_articles_is_one_cluster(tmp_path):
    s = EventStore(tmp_path / "c.duckdb")
    s.ingest(reports())
    clusters = s.clusters().to_pylist()
    assert len(clusters) == 3
    strike = next(c for c in clusters if c["num_articles"] > 1)
    assert (strike["num_mentions"], strike["num_articles"], strike["num_sources"]) == (5, 4, 3)
    assert (strike["first_date"], strike["last_date"]) == (dt.date(2024, 5, 1), dt.date(2024, 5, 2))
    later = [c for c in clusters if c["first_date"] == dt.date(2024, 5, 4)]
    assert len(later) == 1 and later[0]["num_mentions"] == 1
    assert s.stats()["events"] == 7 and s.stats()["clusters"] == 3


def test_store_clusters_do_not_depend_on_ingest_order_or_batches(tmp_path):
    reference = EventStore(tmp_path / "ref.duckdb")
    reference.ingest(reports(), batch_size=100)
    expected = cluster_rows(reference)
    for seed in range(3):
        items = reports()
        random.Random(seed).shuffle(items)
        s = EventStore(tmp_path / f"s{seed}.duckdb")
        s.ingest(items, batch_size=1 + seed)
        assert cluster_rows(s) == expected
        assert s.verify() == []


def test_an_earlier_report_added_later_moves_the_cluster(tmp_path):
    s = EventStore(tmp_path / "c.duckdb")
    s.ingest(
        [make_article("late", "2024-05-02", [GAZA]), make_article("later", "2024-05-03", [GAZA])]
    )
    assert s.stats()["clusters"] == 1  # 2nd and 3rd of May
    s.ingest([make_article("early", "2024-05-01", [GAZA])])
    clusters = s.clusters().to_pylist()
    assert [(c["first_date"].day, c["num_articles"]) for c in clusters] == [(1, 2), (3, 1)]
    assert s.verify() == []


def test_changing_the_window_reclusters_everything(tmp_path):
    s = EventStore(tmp_path / "c.duckdb")
    s.ingest(reports())
    assert s.set_cluster_window(0) == 7
    assert s.cluster_window == 0
    same_day = EventStore(tmp_path / "fresh.duckdb")
    with same_day.connection(write=True) as con:
        con.execute("UPDATE settings SET value = '0' WHERE key = 'cluster_window'")
    same_day.ingest(reports())
    assert cluster_rows(s) == cluster_rows(same_day)
    assert s.stats()["clusters"] == 4 and s.verify() == []
    s.set_cluster_window(7)
    assert s.stats()["clusters"] == 2 and s.verify() == []


def test_incremental_reclustering_matches_the_rule_after_every_batch(tmp_path):
    """Only the tail of a key's clusters is recomputed on ingest: check it against the whole
    rule after each batch, with reports arriving out of date order."""
    rng = random.Random(11)
    specs = [GAZA, {**GAZA, "place": "Tehran"}, {"source": "USA", "target": "IRN", "root": "04"}]
    items = [
        make_article(
            f"m{i}", (D + dt.timedelta(days=rng.randrange(20))).isoformat(), [rng.choice(specs)]
        )
        for i in range(24)
    ]
    for window in (1, 3):
        s = EventStore(tmp_path / f"inc{window}.duckdb")
        s.set_cluster_window(window)
        start = 0
        while start < len(items):
            size = rng.randint(1, 5)
            s.ingest(items[start : start + size])
            assert s.verify() == [], (window, start)
            start += size
        assert s.stats()["articles"] == 24
