"""The app as users see it, in Debian's Chromium."""

from __future__ import annotations

import re

import pytest

from coinvest.i18n import CATALOG
from tests.browser.conftest import ARTEFACTS
from tests.browser.harness import (
    EVERY_PAGE,
    import_through_data_page,
    page_url,
    running_app,
    wait_for_page,
)
from tests.template import filled_template_xlsx


def metric(page, label: str) -> str:
    tile = page.locator("[data-testid=stMetric]").filter(has_text=label).first
    return tile.locator("[data-testid=stMetricValue]").inner_text()


@pytest.mark.parametrize("name", EVERY_PAGE)
def test_every_page_loads_cleanly(page, demo_server, name):
    page.goto(page_url(demo_server, name, "?investor=INV02"))
    wait_for_page(page)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)
    assert page.locator("[data-testid=stException]").count() == 0
    assert page.console.real_errors() == []


def test_changing_the_filter_changes_the_figures(page, demo_server):
    page.goto(demo_server)
    wait_for_page(page)
    before = metric(page, "Projets")
    page.get_by_text("QPV", exact=True).click()
    page.wait_for_url(re.compile(r"qpv=1"))
    wait_for_page(page)
    after = metric(page, "Projets")
    assert after != before
    assert int(after.replace("\u202f", "")) < int(before.replace("\u202f", ""))


def test_a_copied_url_shows_the_same_view_in_a_fresh_browser(chrome, page, demo_server):
    page.goto(f"{demo_server}/viewpoints")
    wait_for_page(page)
    page.get_by_text("Rural", exact=True).click()
    page.wait_for_url(re.compile(r"rural=1"))
    wait_for_page(page)
    copied = page.url
    caption = page.get_by_text(re.compile(r"angles morts ;")).inner_text()
    fresh = chrome.new_context(viewport={"width": 1440, "height": 1800})
    other = fresh.new_page()
    other.goto(copied)
    wait_for_page(other)
    assert other.get_by_text(re.compile(r"angles morts ;")).inner_text() == caption
    assert (
        other.locator(
            "input[type=checkbox][aria-checked=true], input[type=checkbox]:checked"
        ).count()
        >= 1
    )
    fresh.close()


def test_a_template_uploaded_through_the_data_page_is_imported(chrome, tmp_path):
    db = tmp_path / "empty.duckdb"
    from coinvest.db import open_database

    open_database(db).close()
    template = tmp_path / "modele.xlsx"
    template.write_bytes(filled_template_xlsx())
    with running_app(db) as base:
        context = chrome.new_context(viewport={"width": 1440, "height": 1800})
        tab = context.new_page()
        import_through_data_page(tab, base, template)
        tab.goto(base)
        wait_for_page(tab)
        assert metric(tab, "Projets") == "1"
        context.close()


def _french_only_fragments() -> set[str]:
    """Every French text of the catalogues (reference labels included) that English says
    otherwise. Organisation kinds are left out: "Fondation", "Association"… also begin the names
    of the demo's organisations, which are data and stay as they are; so is a French word that
    English itself uses in a proper name ("Territoires" in "Territoires d'engagement", a
    programme, and in demo names such as "Impact Capital Territoires")."""
    english = " ".join(CATALOG["en"].values())
    fragments = set()
    for key, french in CATALOG["fr"].items():
        if french == CATALOG["en"][key] or key.startswith("ref.org_kind."):
            continue
        for part in re.split(r"\{[^}]*\}", french):
            part = part.strip(" .:;,()«»—-")
            if len(part) >= 8 and part not in english:
                fragments.add(part)
    return fragments


@pytest.mark.parametrize("name", EVERY_PAGE)
@pytest.mark.slow  # every page again in English: `make test-slow` (CI runs it)
def test_english_pages_show_no_french_interface_text(page, demo_server, name):
    page.goto(page_url(demo_server, name, "?lang=en&investor=INV02"))
    wait_for_page(page)
    text = page.locator("[data-testid=stApp]").inner_text()
    shown = [fragment for fragment in _french_only_fragments() if fragment in text]
    assert shown == []


def test_the_sidebar_filter_works_with_the_keyboard_alone(page, demo_server):
    page.goto(demo_server)
    wait_for_page(page)
    before = metric(page, "Projets")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    reached = None
    for _ in range(60):
        page.keyboard.press("Tab")
        label = page.evaluate(
            "() => document.activeElement && document.activeElement.getAttribute('aria-label')"
        )
        if label == "Recherche":
            reached = label
            break
    assert reached == "Recherche", "the search box cannot be reached with Tab"
    page.keyboard.type("epicerie")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"search=epicerie"))
    wait_for_page(page)
    assert metric(page, "Projets") != before
    for _ in range(20):
        page.keyboard.press("Tab")
        label = page.evaluate(
            "() => document.activeElement && (document.activeElement.getAttribute('aria-label') || '')"
        )
        if label.startswith("QPV"):
            page.keyboard.press("Space")
            break
    page.wait_for_url(re.compile(r"qpv=1"))


def test_the_territories_page_draws_its_map_and_its_tables(page, demo_server):
    page.goto(page_url(demo_server, "territories"))
    wait_for_page(page)
    assert page.locator("[data-testid=stException]").count() == 0
    # the map: one shape per department (coloured or grey), each said in words
    shapes = page.evaluate(
        """() => [...document.querySelector('.vega-embed svg')
                     .querySelectorAll('path[aria-label]')]
                 .map(p => p.getAttribute('aria-label'))"""
    )
    assert len([s for s in shapes if "INSEE" in s]) == 101, shapes[:3]
    assert any("Seine-Saint-Denis" in s for s in shapes)
    assert int(metric(page, "Départements indexés")) > 0
    assert page.get_by_role("heading", name="Où agir").count() == 1
    assert page.get_by_role("heading", name="Tous les départements, classés").count() == 1
    assert page.locator("[data-testid=stDataFrame]").count() >= 2
    # a rate and the tile grid, from the link
    page.goto(page_url(demo_server, "territories", "?map_color=coverage&map_shape=tiles"))
    wait_for_page(page)
    title = page.evaluate(
        """() => [...document.querySelector('.vega-embed svg').querySelectorAll('text')]
                 .map(t => t.textContent).join(' ')"""
    )
    assert "Couverture" in title
    assert page.console.real_errors() == []
