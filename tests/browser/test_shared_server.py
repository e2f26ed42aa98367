"""Several app instances on one PostgreSQL database (docs/data.md "Two engines"): what one imports, the others
show at their next run."""

from __future__ import annotations

import pytest

from coinvest import metrics
from coinvest.db import open_database
from coinvest.filters import PortfolioFilter
from tests.browser.harness import (
    make_demo,
    running_app,
    wait_for_page,
)
from tests.browser.test_browser import metric
from tests.template import filled_template_xlsx

# two app instances on one PostgreSQL database: `make test-slow` (CI runs it); `make test` keeps test_browser.py
pytestmark = pytest.mark.slow


def _projects(url: str) -> int:
    con = open_database(url, read_only=True)
    try:
        return metrics.project_count(con, PortfolioFilter(scope=None))
    finally:
        con.close()


def test_an_import_through_one_instance_shows_in_another(chrome, pg, tmp_path):
    url = pg.create("shared", template="coinvest_empty")
    make_demo(url, projects=60)
    template = tmp_path / "modele.xlsx"
    template.write_bytes(filled_template_xlsx())
    with (
        running_app(url, log_path=tmp_path / "a.log") as first,
        running_app(url, log_path=tmp_path / "b.log") as second,
    ):
        context = chrome.new_context(viewport={"width": 1440, "height": 1800})
        watcher = context.new_page()
        watcher.goto(second)
        wait_for_page(watcher)
        assert metric(watcher, "Projets") == "60"
        importer = context.new_page()
        importer.goto(f"{first}/import")
        wait_for_page(importer)
        importer.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(template))
        importer.get_by_text("modele.xlsx").wait_for()
        importer.get_by_role("button", name="Vérifier et importer").click()
        importer.get_by_text("Données chargées").wait_for(timeout=60_000)
        assert _projects(url) == 61
        # the other instance had the figures in its cache: its next run reads the new version
        watcher.reload()
        wait_for_page(watcher)
        assert metric(watcher, "Projets") == "61"
        context.close()
