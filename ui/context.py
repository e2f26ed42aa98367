"""Per-process and per-session state of the app."""

from __future__ import annotations

import os

import streamlit as st

from coinvest.db import open_database, resolve_db_path
from coinvest.errors import CoinvestError
from coinvest.filters import PortfolioFilter
from coinvest.i18n import normalise_lang

FILTER_KEYS = (
    "investor",
    "support_body",
    "cohort",
    "region",
    "department",
    "phase",
    "need",
    "qpv",
    "rural",
    "year_from",
    "year_to",
    "search",
)


@st.cache_resource(show_spinner=False)
def _connection(path: str, read_only: bool):
    """One DuckDB connection per process; every query runs on its own cursor."""
    return open_database(path, read_only=read_only)


def lang() -> str:
    """The UI language from the URL (`lang=en`), French by default."""
    return normalise_lang(st.query_params.get("lang"))


def connection():
    """The process's connection, or a clear message and a stop when it cannot be opened."""
    path = str(resolve_db_path())
    read_only = os.environ.get("COINVEST_READ_ONLY", "") == "1"
    try:
        return _connection(path, read_only)
    except CoinvestError as exc:
        st.error(exc.message(lang()))
        st.stop()


def current_filter() -> PortfolioFilter:
    """The global portfolio filter, read from the URL query parameters."""
    params = {key: st.query_params.get_all(key) for key in FILTER_KEYS if key in st.query_params}
    return PortfolioFilter.from_query_params(params)
