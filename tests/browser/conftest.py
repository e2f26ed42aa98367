"""Fixtures of the browser tests: the app over a demo database, and Chromium."""

from __future__ import annotations

import pytest

from coinvest import settings
from tests.browser.harness import (
    ROOT,
    browser,
    chromium_missing,
    make_demo,
    running_app,
    with_campaign,
)

ARTEFACTS = ROOT / "artefacts" / "screenshots"


def pytest_collection_modifyitems(config, items):
    reason = chromium_missing()
    if reason and settings.get("COINVEST_SKIP_BROWSER"):
        for item in items:
            if "browser" in str(item.fspath):
                item.add_marker(
                    pytest.mark.skip(reason=f"browser tests skipped on request: {reason}")
                )


@pytest.fixture(scope="session")
def chrome():
    reason = chromium_missing()
    if reason:
        pytest.fail(
            f"browser tests need Chromium and Playwright: {reason}. `make test` installs both."
        )
    with browser() as instance:
        yield instance


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    db = with_campaign(make_demo(tmp_path_factory.mktemp("browser") / "demo.duckdb"))
    with running_app(db) as base:
        yield base


class Console:
    """Errors a page printed; the 404s of Streamlit's base-path probes on a sub-page URL
    (streamlit/streamlit#7074) are not the app's and are left out."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.not_found: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on("response", lambda r: self.not_found.append(r.url) if r.status == 404 else None)

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def real_errors(self) -> list[str]:
        probes_only = all("/_stcore/" in url for url in self.not_found)
        return [e for e in self.errors if not (probes_only and "status of 404" in e)]


@pytest.fixture
def page(chrome):
    context = chrome.new_context(viewport={"width": 1440, "height": 1800}, locale="fr-FR")
    tab = context.new_page()
    tab.console = Console(tab)
    yield tab
    context.close()
