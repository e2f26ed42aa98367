"""Issue [ux] in Chromium: a copied link reproduces each page's view in a fresh browser, a project
opened from a table keeps the filter, axe-core finds nothing of the app's own, and a phone shows
the pages without overflow and with the filter in sight."""

from __future__ import annotations

import re

import pytest

from tests.browser.harness import EVERY_PAGE, PAGES, page_url, wait_for_page

# every page in a fresh browser, axe and a phone: `make test-slow` (CI runs it); `make test` keeps test_browser.py
pytestmark = pytest.mark.slow

# A view per page: its link (a starting point), then what a user does there before sharing it.
VIEWS = {
    "overview": ("?investor=INV01", [("radio", "Euros engagés")]),
    "utility": ("?investor=INV01&year_from=2024", []),
    "territories": (
        "?n_min=4",
        [("radio", "Grille"), ("select", "Part des besoins non accompagnés")],
    ),
    "compare": (
        "?projects=P000010&projects=P000020&projects=P000030",
        [("radio", "Coordonnées parallèles"), ("radio", "Équipe du projet (regard Projets)")],
    ),
    "viewpoints": (
        "?investor=INV01",
        [("checkbox", "Mes chargés seulement"), ("slider", "ArrowRight")],
    ),
    "cohorts": ("?cohorts=SB1-2024&cohorts=SB3-2025", []),
    "project": ("?project=P000175&investor=INV01", [("select", "Accélérer grâce au numérique")]),
    "needs": ("?investor=INV01", [("slider", "ArrowRight")]),
    "partnerships": ("?investor=INV01&year_from=2024", []),
    "whatif": ("?lw_model=3", [("slider", "ArrowRight")]),
    "import": ("", []),
    "templates": ("", []),
    "export": ("?investor=INV01", []),
    "questionnaire": ("?investor=INV01", []),
    "journal": ("", []),
    "method": ("", []),
}

FINGERPRINT = """() => ({
  tiles: [...document.querySelectorAll('[data-testid=stMetric]')].map(m => m.innerText),
  charts: [...document.querySelectorAll('.vega-embed svg')].map(svg =>
    (svg.getAttribute('aria-label') || '') + ' | ' +
    [...svg.querySelectorAll('text')].map(t => t.textContent).join(' ') + ' | ' +
    [...svg.querySelectorAll('[aria-label]')].map(e => e.getAttribute('aria-label')).join(' ')),
  tables: [...document.querySelectorAll('[data-testid=stDataFrame]')].length,
  scope: document.querySelector('[data-testid=stMain] [data-testid=stMarkdownContainer] strong')
    ?.parentElement?.innerText || '',
})"""


def act(page, kind: str, target: str) -> None:
    """One thing a user does on a page, then the page settles again."""
    main = page.locator("[data-testid=stMain]")
    if kind == "radio":
        main.locator("label").filter(has_text=re.compile(f"^{re.escape(target)}$")).first.click()
    elif kind == "checkbox":
        main.get_by_text(target, exact=True).click()
    elif kind == "slider":
        main.get_by_role("slider").first.focus()
        page.keyboard.press(target)
    elif kind == "select":
        main.locator("[data-testid=stSelectbox]").last.click()
        page.get_by_role("option", name=target).click()
    page.wait_for_timeout(300)  # the widget's value reaches the server, then the rerun starts
    wait_for_page(page)


@pytest.mark.parametrize("name", PAGES)
def test_a_copied_link_reproduces_the_page_in_a_fresh_browser(chrome, demo_server, name):
    start, actions = VIEWS[name]
    first = chrome.new_context(viewport={"width": 1440, "height": 2400}, locale="fr-FR")
    first.grant_permissions(["clipboard-read", "clipboard-write"], origin=demo_server)
    page = first.new_page()
    page.goto(page_url(demo_server, name, start))
    wait_for_page(page)
    for kind, target in actions:
        act(page, kind, target)
    page.get_by_test_id("coinvest-copy-link").click()
    page.get_by_text("Lien copié").wait_for()
    link = page.evaluate("() => navigator.clipboard.readText()")
    assert link == page.url
    seen = page.evaluate(FINGERPRINT)
    first.close()

    fresh = chrome.new_context(viewport={"width": 1440, "height": 2400}, locale="fr-FR")
    other = fresh.new_page()
    other.goto(link)
    wait_for_page(other)
    again = other.evaluate(FINGERPRINT)
    fresh.close()
    assert again["scope"] == seen["scope"]
    assert again["tiles"] == seen["tiles"]
    assert again["tables"] == seen["tables"]
    assert again["charts"] == seen["charts"]
    if actions:  # what the user chose is in the link, not only in the first browser's session
        assert link != page_url(demo_server, name, start)


def test_a_project_opened_from_a_table_keeps_the_filter(page, demo_server):
    page.goto(page_url(demo_server, "utility", "?investor=INV01"))
    wait_for_page(page)
    heading = page.get_by_role("heading", name="Les plus élevés")
    heading.scroll_into_view_if_needed()
    below = heading.bounding_box()["y"]
    grids = page.locator("[data-testid=stDataFrame]")
    box = next(
        b
        for b in (grids.nth(i).bounding_box() for i in range(grids.count()))
        if b and b["y"] > below
    )
    page.mouse.click(box["x"] + 16, box["y"] + 35 + 17)  # the first row's selection box
    page.wait_for_url(re.compile(r"/project\?"), timeout=60_000)
    wait_for_page(page)
    assert "investor=INV01" in page.url
    assert re.search(r"project=P\d+", page.url)
    assert "Investisseur : Fonds national d'innovation sociale (INV01)" in page.inner_text(
        "[data-testid=stMain]"
    )


# Streamlit's own markup, not the app's: its navigation list holds divs between ul and li, and
# its file drop zone is a section with role=presentation and a label.
STREAMLIT_OWN = {
    "list": None,
    "listitem": None,
    "presentation-role-conflict": "stFileUploaderDropzone",
}


@pytest.mark.parametrize("name", EVERY_PAGE)
def test_axe_finds_nothing_of_the_apps_own(page, demo_server, name):
    from axe_playwright_python.sync_playwright import Axe

    query = "?investor=INV01" + ("&project=P000175" if name == "project" else "")
    page.goto(page_url(demo_server, name, query))
    wait_for_page(page)
    violations = []
    for violation in Axe().run(page).response["violations"]:
        owner = STREAMLIT_OWN.get(violation["id"], "app")
        if owner is None:
            continue
        nodes = [n for n in violation["nodes"] if owner == "app" or owner not in n["html"]]
        violations += [(violation["id"], n["target"], n["failureSummary"]) for n in nodes]
    assert violations == []


@pytest.mark.parametrize("name", ["overview", "compare"])
def test_a_phone_shows_the_page_without_overflow_and_with_the_filter(chrome, demo_server, name):
    phone = chrome.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="fr-FR"
    )
    page = phone.new_page()
    page.goto(page_url(demo_server, name, "?investor=INV01&qpv=1"))
    wait_for_page(page)
    widths = page.evaluate(
        """() => {
          const main = document.querySelector('[data-testid=stMain]');
          return [document.documentElement.scrollWidth, window.innerWidth,
                  main.scrollWidth, main.clientWidth];
        }"""
    )
    assert widths[0] <= widths[1], widths  # the page
    assert widths[2] <= widths[3], widths  # Streamlit's scrolling main area
    scope = page.locator("[data-testid=stMain] p").filter(has_text="Filtre —").first
    assert scope.is_visible()
    box = scope.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= 844  # seen without scrolling
    assert "Investisseur : Fonds national d'innovation sociale (INV01) · QPV" in scope.inner_text()
    assert page.locator("[data-testid=stSidebar][aria-expanded=true]").count() == 0
    phone.close()


# Nothing of a page may scroll sideways at a phone's width: neither the page, nor Streamlit's
# main area, nor any box inside it (a chart wider than its column, a row of tabs). A table
# scrolls inside its own box by design (a data grid with its naming column pinned, or a plain
# reference table, as the Method page's phase weights): it is left out.
OVERFLOW = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  const width = window.innerWidth;
  const found = [];
  if (document.documentElement.scrollWidth > width) found.push(['page', document.documentElement.scrollWidth - width]);
  if (main.scrollWidth > main.clientWidth) found.push(['main', main.scrollWidth - main.clientWidth]);
  for (const el of main.querySelectorAll('*')) {
    if (el.closest('[data-testid=stDataFrame], [data-testid=stDataFrameResizable], [data-testid=stTable]')) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const style = getComputedStyle(el);
    const scrolls = (style.overflowX === 'auto' || style.overflowX === 'scroll')
      && el.scrollWidth > el.clientWidth + 1;
    if (scrolls || box.right > width + 1) {
      found.push([el.getAttribute('data-testid') || el.tagName, Math.round(box.right - width),
                  (el.innerText || '').slice(0, 40)]);
    }
  }
  return found.slice(0, 10);
}"""


@pytest.mark.parametrize("name", EVERY_PAGE)
def test_every_page_fits_a_phone_inside_the_main_area(chrome, demo_server, name):
    phone = chrome.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="fr-FR"
    )
    page = phone.new_page()
    query = "?project=P000175&investor=INV02" if name == "project" else "?investor=INV02"
    page.goto(page_url(demo_server, name, query))
    wait_for_page(page)
    found = page.evaluate(OVERFLOW)
    phone.close()
    assert found == [], found


# What Streamlit or the app showed in English, or as code, on French pages (issue [ux2] 6)
NOT_FRENCH = (
    "Select all",
    "Upload",
    "Browse files",
    "Drag and drop",
    "department_name",
    "coinvest export",
    "project_needs.csv",
)


OUT_OF_SIGHT = """() => [...document.querySelectorAll(
    '[data-testid=stFileUploaderDropzone] button [data-testid=stMarkdownContainer]')]
    .filter(e => e.getBoundingClientRect().width <= 1).map(e => e.innerText)"""


@pytest.mark.parametrize("name", EVERY_PAGE)
def test_french_pages_show_no_english_interface_text_nor_code(page, demo_server, name):
    query = "?project=P000175&investor=INV02" if name == "project" else "?investor=INV02"
    page.goto(page_url(demo_server, name, query))
    wait_for_page(page)
    text = page.locator("[data-testid=stApp]").inner_text()
    # Streamlit's "Upload" kept out of sight (1 px) for the button to have a name from the start
    for hidden in page.evaluate(OUT_OF_SIGHT):
        text = text.replace(hidden, "", 1)
    assert [words for words in NOT_FRENCH if words in text] == []
    assert re.search(r"(?<![\d\u202f ])1 projets", text) is None  # one project, singular
    # the uploader says only its French words (its icon's name is not read as a word)
    uploader = page.locator("[data-testid=stFileUploaderDropzone] button")
    if uploader.count():
        shown = uploader.evaluate("b => getComputedStyle(b, '::after').content")
        assert "Choisir des fichiers" in shown
        english = uploader.locator("p")  # Streamlit's "Upload", out of sight
        assert english.count() == 0 or english.first.bounding_box()["width"] <= 1
        # and screen readers hear it in French (axe: the button has a name)
        page.wait_for_function(
            "() => document.querySelector('[data-testid=stFileUploaderDropzone] button')"
            ".getAttribute('aria-label') === 'Choisir des fichiers…'"
        )


def test_a_french_multiselect_offers_no_english_select_all(page, demo_server):
    page.goto(page_url(demo_server, "overview"))
    wait_for_page(page)
    sidebar = page.locator("[data-testid=stSidebar]")
    sidebar.locator("[data-testid=stMultiSelect]").first.click()
    options = page.get_by_role("option")
    options.first.wait_for()
    texts = options.all_inner_texts()
    assert texts
    assert "Select all" not in texts
    page.keyboard.press("Escape")
    # in English Streamlit's own words stay
    page.goto(page_url(demo_server, "overview", "?lang=en"))
    wait_for_page(page)
    page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").first.click()
    page.get_by_role("option").first.wait_for()
    assert "Select all" in page.get_by_role("option").all_inner_texts()
