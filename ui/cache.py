"""Metric results cached per filter, with a bound on entries.

Every figure is a pure function of the database and its arguments (filter, weights, picks…), so a
page redrawn with the same filter reuses it. Whatever writes to the database from the app (the
Data page's import and questionnaire) clears the cache; a write by another instance sharing the
database raises its data version, which is part of every key (`ui.context.follow_writes`).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from coinvest import metrics
from ui.context import current_data_version

MAX_ENTRIES = 512


@st.cache_data(max_entries=MAX_ENTRIES, show_spinner=False)
def _call(name: str, args: tuple, kwargs: tuple, version: int, _con: Any) -> Any:
    return getattr(metrics, name)(_con, *args, **dict(kwargs))


class _CachedMetrics:
    """`M.portfolio_kpis(con, flt)` is `metrics.portfolio_kpis(con, flt)`, cached."""

    def __getattr__(self, name: str):
        if not callable(getattr(metrics, name, None)):
            raise AttributeError(name)

        def call(con, *args, **kwargs):
            return _call(
                name,
                _hashable(args),
                tuple(sorted((k, _hashable(v)) for k, v in kwargs.items())),
                current_data_version(),
                con,
            )

        return call


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, tuple):
        return tuple(_hashable(v) for v in value)
    return value


M = _CachedMetrics()
