"""The offline gazetteer: folding, the project's data files, ranking, the pickle cache."""

from __future__ import annotations

import time

import pytest

from dyads.dictionaries.gazetteer import (
    PROJECT_FILES,
    Gazetteer,
    _rows,
    fold,
    skeleton,
    variants,
)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("dyads-cache")


@pytest.fixture(scope="module")
def gazetteer(cache_dir) -> Gazetteer:
    return Gazetteer.load(cache_dir=cache_dir)


def top(gazetteer: Gazetteer, name: str, *context: str):
    found = gazetteer.lookup(name, set(context))
    assert found, name
    return found[0]


def test_fold_and_variants() -> None:
    assert fold("Rafaḩ") == fold("Rafah") == "rafah"
    assert fold("Sana'a") == fold("Sana‘a") == fold("Sanaa") == "sanaa"
    assert fold("the Gaza Strip") == "gaza strip"
    assert fold("U.S.") == "us"
    assert fold("Deir el-Balah") == fold("Deir al Balah") == "deir al balah"
    assert fold("St. Petersburg") == "saint petersburg"
    assert variants("al raqqah") == ["raqqah", "al raqqa", "raqqa"]
    assert skeleton(fold("Khan Younis")) == skeleton(fold("Khān Yūnis"))
    assert skeleton(fold("Kiev")) == skeleton(fold("Kyiv"))
    assert skeleton(fold("Islamabad")) != skeleton(fold("Chattogram"))


def test_project_files_are_valid(gazetteer: Gazetteer) -> None:
    countries = {p.country for p in gazetteer.lookup("France")} | set(gazetteer._iso3.values())
    regions = list(_rows("regions.tsv"))
    assert sum(r["country"] != "-" for r in regions) >= 150
    for row in regions:
        assert row["feature"] in ("adm1", "region"), row
        if row["country"] == "-":
            continue  # areas of several countries: recognised, never resolved
        assert row["country"] in countries, row
        assert -90 <= float(row["lat"]) <= 90 and -180 <= float(row["lon"]) <= 180, row
        assert gazetteer.best(row["name"], {row["country"]}).country == row["country"], row
    for row in _rows("towns.tsv"):
        assert row["country"] in countries, row
    for row in _rows("countries.tsv"):
        assert row["iso3"] in countries, row
    for row in _rows("aliases.tsv"):
        assert gazetteer.best(row["alias"]).country == row["country"], row
    assert len(PROJECT_FILES) == 5


@pytest.mark.parametrize(
    ("name", "context", "country", "lat", "lon"),
    [
        ("Rafah", ("ISR", "PSE"), "PSE", 31.30, 34.25),
        ("Rafah", ("ISR",), "PSE", 31.30, 34.25),  # PSE and ISR count as one
        ("Rafah", ("EGY",), "EGY", 31.28, 34.24),
        ("Tripoli", (), "LBY", 32.89, 13.19),
        ("Tripoli", ("LBN",), "LBN", 34.43, 35.84),
        ("Hyderabad", ("PAK",), "PAK", 25.40, 68.37),
        ("Hyderabad", ("IND",), "IND", 17.38, 78.46),
        ("Kiev", (), "UKR", 50.45, 30.52),
        ("Kyiv", (), "UKR", 50.45, 30.52),
        ("Sana'a", (), "YEM", 15.35, 44.21),
        ("Raqqa", (), "SYR", 35.95, 39.01),
        ("al-Raqqa", (), "SYR", 35.95, 39.01),
        ("Gaza", ("ISR",), "PSE", 31.42, 34.36),  # the Strip, a region, beats the city
        ("the Gaza Strip", (), "PSE", 31.42, 34.36),
        ("Kherson region", (), "UKR", 46.7, 33.6),
        ("Washington", ("USA",), "USA", 38.90, -77.04),  # the capital, not the state
        ("Vienna", ("USA",), "AUT", 48.21, 16.37),  # not Vienna, Virginia
        ("Islamabad", (), "PAK", 33.72, 73.04),  # not Chattogram's old name
        ("Pokrovsk", ("RUS",), "UKR", 48.28, 37.18),  # not Engels' old name
        ("Lebanon", ("USA",), "LBN", 33.83, 35.83),  # a country beats a town
        ("Hodeidah", (), "YEM", 14.80, 42.95),  # the project's alias
    ],
)
def test_ranking(gazetteer, name, context, country, lat, lon) -> None:
    place = top(gazetteer, name, *context)
    assert place.country == country
    assert abs(place.lat - lat) < 0.5 and abs(place.lon - lon) < 0.5
    assert place.reason.startswith("gazetteer:")


def test_georgia_by_context(gazetteer) -> None:
    assert top(gazetteer, "Georgia").country == "GEO"
    state = top(gazetteer, "Georgia", "USA")
    assert (state.country, state.feature, state.adm1) == ("USA", "adm1", "US.GA")
    assert top(gazetteer, "Georgia", "USA", "RUS").country == "GEO"


def test_gdelt_fields(gazetteer) -> None:
    rafah = top(gazetteer, "Rafah", "PSE")
    assert (rafah.name, rafah.country, rafah.adm1, rafah.geonameid) == (
        "Rafaḩ",
        "PSE",
        "PS.GZ",
        281102,
    )
    assert rafah.feature == "city"
    israel = top(gazetteer, "Israel")
    assert israel.feature == "country" and israel.country == "ISR" and israel.lat is not None
    assert top(gazetteer, "Kosovo").country == "XKX"
    assert top(gazetteer, "U.S.").country == "USA"
    assert gazetteer.iso3("PS") == "PSE"
    assert "EGY" in gazetteer.neighbours("ISR")


def test_capitals_and_blocked_areas(gazetteer) -> None:
    assert gazetteer.is_capital(top(gazetteer, "Kyiv"))
    assert not gazetteer.is_capital(top(gazetteer, "Kharkiv"))
    for name in ("Africa", "the Middle East", "Sahel", "the Red Sea", "North"):
        assert gazetteer.is_blocked(name)
        assert gazetteer.lookup(name) == [] and name not in gazetteer


def test_lookup_options(gazetteer) -> None:
    assert gazetteer.lookup("Khan Younis", primary_only=True)  # a spelling, not an alias
    assert gazetteer.lookup("Hamas", primary_only=True) == []  # an alias of Hamm, Germany
    assert all(p.country == "LBN" for p in gazetteer.lookup("Tripoli", country="LBN"))
    assert all(p.feature == "adm1" for p in gazetteer.lookup("Georgia", features=["adm1"]))
    assert gazetteer.lookup("Nowhereville") == []
    assert gazetteer.counts()["country"] >= 240


def test_cached_load_is_fast(gazetteer, cache_dir) -> None:
    assert list(cache_dir.glob("gazetteer-*.pickle"))
    started = time.perf_counter()
    again = Gazetteer.load(cache_dir=cache_dir)
    assert time.perf_counter() - started < 1.0
    assert len(again) == len(gazetteer)


def test_broken_cache_is_rebuilt(gazetteer, cache_dir, tmp_path) -> None:
    (source,) = cache_dir.glob("gazetteer-*.pickle")
    (tmp_path / source.name).write_bytes(b"not a pickle")
    stale = tmp_path / "gazetteer-0.0.1-15000-000000000000.pickle"
    stale.write_bytes(b"built from older data")
    assert len(Gazetteer.load(cache_dir=tmp_path)) == len(gazetteer)
    assert (tmp_path / source.name).stat().st_size > 1000  # rewritten
    assert not stale.exists()  # older caches are removed
