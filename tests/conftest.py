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


@pytest.fixture
def portfolio_con(empty_con):
    """The hand-written portfolio of tests/portfolio.py."""
    from tests.portfolio import PORTFOLIO

    for statement in PORTFOLIO:
        empty_con.execute(statement)
    refresh_lever_rounds(empty_con)  # what every writer of assessments does
    return empty_con
