"""Shared fixtures: every test database lives in its own temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from coinvest.db import open_database
from coinvest.demo import generate
from coinvest.lever_rounds import refresh_lever_rounds

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def _quiet(_: str) -> None:
    pass


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory) -> Path:
    """The default demo portfolio (300 projects, seed 42), written once per test session."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    con = open_database(path)
    generate(con, n_projects=300, seed=42, progress=_quiet)
    con.close()
    return path


@pytest.fixture(scope="session")
def app_demo_path(tmp_path_factory) -> Path:
    """The same demo for the app tests: the app opens its database read-write, so it gets a
    file of its own (a read-only and a read-write connection cannot share one in a process)."""
    path = tmp_path_factory.mktemp("app") / "demo.duckdb"
    con = open_database(path)
    generate(con, n_projects=300, seed=42, progress=_quiet)
    con.close()
    return path


@pytest.fixture
def demo_con(demo_path):
    """A read-only connection to the shared demo database."""
    con = open_database(demo_path, read_only=True)
    yield con
    con.close()


@pytest.fixture
def empty_con(tmp_path):
    con = open_database(tmp_path / "empty.duckdb")
    yield con
    con.close()


@pytest.fixture
def clear_streamlit_caches():
    """Caches outlive an AppTest; every app test starts from cold ones."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


APP = str(ROOT / "app.py")
# a sign-in configuration for AppTests of shared mode (no provider is reached: AppTest sets
# `st.user` itself)
TEST_AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-test-secret-that-signs-no-real-cookie",
    "client_id": "coinvest",
    "client_secret": "test",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


@pytest.fixture
def open_page(monkeypatch, clear_streamlit_caches):
    """Open one page of the app in an AppTest: on a database, with URL parameters and session
    state; it must render without an exception."""
    from streamlit.testing.v1 import AppTest

    def open_(
        db: Path,
        name: str = "overview",
        params: dict | None = None,
        state: dict | None = None,
        read_only: bool = False,
        user: dict | None = None,
    ) -> AppTest:
        """`user`: shared mode (an `[auth]` section), with the person `st.user` reports
        (`{"is_logged_in": False}` for nobody signed in)."""
        monkeypatch.setenv("COINVEST_DB", str(db))
        if read_only:
            monkeypatch.setenv("COINVEST_READ_ONLY", "1")
        else:
            monkeypatch.delenv("COINVEST_READ_ONLY", raising=False)
        at = AppTest.from_file(APP, default_timeout=90)
        if user is not None:
            at.secrets["auth"] = TEST_AUTH
            at.user = user
        for key, value in (params or {}).items():
            at.query_params[key] = value
        for key, value in (state or {}).items():
            at.session_state[key] = value
        at.run()
        if name != "overview":
            at.switch_page(f"app_pages/{name}.py").run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return open_


@pytest.fixture
def portfolio_con(empty_con):
    """The hand-written portfolio of tests/portfolio.py."""
    from tests.portfolio import PORTFOLIO

    for statement in PORTFOLIO:
        empty_con.execute(statement)
    refresh_lever_rounds(empty_con)  # what every writer of assessments does
    return empty_con
