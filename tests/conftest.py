"""Shared fixtures: every test database lives in its own temporary folder, or in its own
database of a throwaway PostgreSQL server.

The fixtures of the metric, import, export, what-if and page tests (`demo_path`, `demo_con`,
`app_demo_path`, `empty_con`, `portfolio_con`, `new_db`) run each test on both engines
(docs/data.md "Two engines"): `[duckdb]` and `[postgres]` in the test ids. Without PostgreSQL installed, the
`[postgres]` ones skip, saying how to enable them.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from coinvest import derived
from coinvest.db import open_database
from coinvest.demo import generate
from tests.pgserver import Server, missing, throwaway_server
from ui import show

# every chart a page test draws is validated against Vega-Lite's schema (the app skips it)
show.VALIDATE_CHARTS = True


def _full_error_details() -> None:
    """The app shows visitors no error detail (`.streamlit/config.toml`); a failing page test
    shows the test its exception in full."""
    from streamlit import config

    config.set_option("client.showErrorDetails", "full")


_full_error_details()

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def _quiet(_: str) -> None:
    pass


def pytest_collection_modifyitems(config, items):
    """The pages on PostgreSQL are `make test-slow`'s (CI runs both): `make test`, the fast
    loop, renders them on DuckDB, and checks every metric, import and export on both engines."""
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "open_page" in getattr(item, "fixturenames", ()) and params.get("engine") == "postgres":
            item.add_marker(pytest.mark.slow)


ENGINES = ("duckdb", "postgres")


@pytest.fixture(scope="session")
def pg() -> Iterator[Server]:
    """A throwaway PostgreSQL server for the whole test session, with `coinvest_empty`: a
    database at the latest schema, the template of every empty test database."""
    reason = missing()
    if reason:
        pytest.skip(reason)
    with throwaway_server() as server:
        server.admin("CREATE DATABASE coinvest_empty")
        open_database(server.url("coinvest_empty")).close()
        for name, fill in TEMPLATES.items():
            server.admin(f"CREATE DATABASE coinvest_{name} TEMPLATE coinvest_empty")
            con = open_database(server.url(f"coinvest_{name}"))
            fill(con)
            con.close()
        yield server


@pytest.fixture(scope="session", params=ENGINES)
def engine(request) -> str:
    """The database engine of a test: DuckDB (a file) or PostgreSQL (a server)."""
    if request.param == "postgres":
        request.getfixturevalue("pg")  # skips when PostgreSQL is not installed
    return request.param


def _make_demo(target: str | Path) -> None:
    con = open_database(target)
    generate(con, n_projects=300, seed=42, progress=_quiet)
    con.close()


def _new_target(
    engine: str, request, folder: Path, name: str, template: str = "empty"
) -> str | Path:
    """A new database at the latest schema: a file path (None there yet: it is made when opened),
    or a copy of `coinvest_empty` dropped when the fixture that asked for it ends."""
    if engine == "duckdb":
        return folder / f"{name}.duckdb"
    server: Server = request.getfixturevalue("pg")
    url = server.create(name, template=f"coinvest_{template}")
    request.addfinalizer(lambda: server.drop(url))
    return url


def _fill_portfolio(con) -> None:
    from tests.portfolio import PORTFOLIO

    for statement in PORTFOLIO:
        con.execute(statement)
    derived.refresh(con)  # what the write path does after a write of every table


def _fill_template(con) -> None:
    from tests.template import fill_template

    fill_template(con)


# The databases built once per test session and engine (per worker), each from an empty one;
# a test gets a copy instead of running every migration and fill again.
TEMPLATES = {"portfolio": _fill_portfolio, "template": _fill_template}


@pytest.fixture(scope="session")
def _duck_templates(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("templates")
    empty = folder / "empty.duckdb"
    open_database(empty).close()
    built = {"empty": empty}
    for name, fill in TEMPLATES.items():
        built[name] = folder / f"{name}.duckdb"
        shutil.copyfile(empty, built[name])
        con = open_database(built[name])
        fill(con)
        con.close()
    return built


def copy_of(engine: str, request, folder: Path, template: str) -> str | Path:
    """A database of the test's own, copied from a template of the session."""
    if engine == "duckdb":
        source = request.getfixturevalue("_duck_templates")[template]
        target = folder / f"{template}.duckdb"
        shutil.copyfile(source, target)
        return target
    return _new_target(engine, request, folder, template, template=template)


@pytest.fixture(scope="session")
def demo_path(engine, request, tmp_path_factory) -> str | Path:
    """The default demo portfolio (300 projects, seed 42), written once per test session and
    engine: a file, or a PostgreSQL URL."""
    target = _new_target(engine, request, tmp_path_factory.mktemp("demo"), "demo")
    _make_demo(target)
    return target


@pytest.fixture(scope="session")
def app_demo_path(engine, request, tmp_path_factory) -> str | Path:
    """The same demo for the app tests: the app opens its database read-write, so it gets a
    database of its own (a read-only and a read-write connection cannot share a DuckDB file in
    a process)."""
    target = _new_target(engine, request, tmp_path_factory.mktemp("app"), "app")
    _make_demo(target)
    return target


@pytest.fixture
def new_db(engine, request, tmp_path) -> Callable[..., str | Path]:
    """`new_db(name)`: a new, empty database on the test's engine (a path or a URL), which
    opens at the latest schema."""

    def make(name: str = "db") -> str | Path:
        return _new_target(engine, request, tmp_path, name)

    return make


@pytest.fixture
def demo_con(demo_path):
    """A read-only connection to the shared demo database."""
    con = open_database(demo_path, read_only=True)
    yield con
    con.close()


@pytest.fixture
def empty_con(engine, request, tmp_path):
    """A connection to a new, empty database of the test's own."""
    con = open_database(copy_of(engine, request, tmp_path, "empty"))
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


def unfold(at):
    """Open every expander the page draws on request (ui.show.unfolding), as a reader would,
    then run the page again; returns the AppTest."""
    closed = [
        box.proto.id.split("-", 2)[2]
        for box in at.expander
        if box.proto.id.startswith("$$ID-") and not box.proto.expanded
    ]
    for key in closed:
        at.session_state[key] = True
    if closed:
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def choose_tab(at, tab: str):
    """Go to one of the data tools' pages (`log` is the journal's), as its navigation entry
    does."""
    from tests.browser.harness import PAGE_FILES

    path = "journal" if tab == "log" else tab
    at.switch_page(f"app_pages/{PAGE_FILES[path]}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


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
        unfolded: bool = True,
    ) -> AppTest:
        """`user`: shared mode (an `[auth]` section), with the person `st.user` reports
        (`{"is_logged_in": False}` for nobody signed in). `unfolded`: the tables drawn on
        request (the figures under the charts) opened, after a first run without them."""
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
            from tests.browser.harness import PAGE_FILES

            at.switch_page(f"app_pages/{PAGE_FILES.get(name, name)}.py").run()
        assert not at.exception, [e.value for e in at.exception]
        return unfold(at) if unfolded else at

    return open_


@pytest.fixture
def portfolio_con(engine, request, tmp_path):
    """The hand-written portfolio of tests/portfolio.py, in a database of the test's own."""
    con = open_database(copy_of(engine, request, tmp_path, "portfolio"))
    yield con
    con.close()
