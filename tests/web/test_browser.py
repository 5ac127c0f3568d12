"""The dashboard in a real browser: ``dyads serve`` on a real port over the bundled samples
(coded by ``dyads ingest``), driven by Debian's headless Chromium through Playwright."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        pytest.skip(
            "Debian's chromium is not installed (make system-deps, or apt-get install chromium)"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")  # fmt: skip
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")), args=ARGS)  # fmt: skip
        yield browser
        browser.close()


def test_filter_open_an_event_and_see_its_evidence(browser, samples_db, serve, tmp_path):
    import httpx

    server = serve(samples_db)
    # the event to look for, found through the API: an Israeli action in the samples
    api = httpx.get(server.url + "/api/events", params={"source": "ISR", "limit": 100}).json()
    assert api["total"] > 0, "the samples have events with an Israeli source"
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url + "/")
    page.wait_for_selector("#events tbody tr")
    assert page.locator("#store-summary").inner_text().startswith(samples_db.name)
    unfiltered = page.locator("#events tbody tr").count()

    # apply a filter through the form
    page.fill("input[name=source]", "ISR")
    page.click("#apply")
    page.wait_for_function("location.hash.includes('source=ISR')")
    page.wait_for_function(
        "n => document.querySelectorAll('#events tbody tr').length === n", arg=min(api["total"], 50)
    )
    rows = page.locator("#events tbody tr")
    assert rows.count() == min(api["total"], 50) <= unfiltered
    shown = [rows.nth(i).get_attribute("data-event") for i in range(rows.count())]
    assert shown == [item["event"]["id"] for item in api["items"][: len(shown)]]
    located = httpx.get(server.url + "/api/places", params={"source": "ISR"}).json()["points"]
    place = "#map circle.place" if located else "#map text.empty"
    for selector in ("#timeline rect.bar", place, "#network g.node"):
        page.wait_for_selector(selector, state="attached")
    outlines = (
        Path(__file__).parents[2] / "src/dyads/web/static/vendor/world-atlas/countries-110m.json"
    )
    if outlines.exists():  # installed by make web-assets
        assert page.locator("#map path.country").count() > 100
    else:
        assert page.locator("#map-note").is_visible()
    assert page.locator("#map circle.place").count() == len(located)
    assert page.locator("#network g.node").count() > 0

    # open the first event: the sentence with source, trigger and target highlighted
    first = api["items"][0]["event"]
    page.locator("#events tbody tr").first.locator("a.event-link").click()
    page.wait_for_selector("#event-sentence mark[data-roles~=trigger]")
    assert page.locator("#event-view").is_visible()
    sentence = page.locator("#event-sentence")
    assert sentence.inner_text().strip() == first["sentence"].strip()

    def marked(role: str) -> str:
        return "".join(page.locator(f"#event-sentence mark[data-roles~={role}]").all_inner_texts())

    assert marked("trigger") == first["evidence"]["text"]
    for role in ("source", "target"):
        mention = first[role]
        if mention is not None and mention["text"] in first["sentence"]:
            assert marked(role) == mention["text"], role
    assert marked("source") or marked("target"), "an Israeli action has at least one actor shown"
    modality = page.locator("#event-modality").inner_text()
    assert modality.lower().startswith(first["modality"])
    attribution = page.locator("#event-attribution").inner_text()
    assert attribution.startswith(
        "According to" if first["attribution"] else "The article's own voice"
    )
    page.screenshot(path=str(tmp_path / "event.png"), full_page=False)

    # closing returns to the filtered view
    page.click("#event-close")
    page.wait_for_function("!location.hash.includes('event=')")
    assert page.locator("#event-view").is_hidden()
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    assert (tmp_path / "event.png").stat().st_size > 10_000
    assert (tmp_path / "dashboard.png").stat().st_size > 10_000

    assert not errors, errors
    outside = [url for url in requests if not url.startswith(server.url)]
    assert not outside, f"the dashboard fetched from outside its server: {outside}"
