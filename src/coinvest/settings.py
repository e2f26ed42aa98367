"""Every `COINVEST_*` environment variable, in one table: its type, its default and its help.

Code reads a setting through `get(name)` only, never `os.environ` itself; the value is read at
that moment (a test or a shell may change the environment between two calls) and parsed by the
setting's type: a value that does not parse falls back to the default, as an unset one does.
The README's settings table is checked against this one (tests/test_settings.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


def _text(raw: str) -> str:
    return raw.strip()


def _number(raw: str) -> float:
    value = float(raw)
    if value < 0 or value != value:  # negative or NaN: not a size nor a wait
        raise ValueError(raw)
    return value


def _switch(raw: str) -> bool:
    return raw.strip() == "1"


def _whole(raw: str) -> int:
    return int(raw)


@dataclass(frozen=True)
class Setting:
    name: str
    parse: Callable[[str], Any]
    default: Any
    help: str  # as the README's table says it
    audience: str  # "app" (the app and the command line) or "tests" (the test harness)


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "COINVEST_DB",
        _text,
        "data/coinvest.duckdb",
        "the database: a DuckDB file or a `postgresql://` URL (`--db` wins over it)",
        "app",
    ),
    Setting(
        "COINVEST_LANG",
        _text,
        "fr",
        "the language of the command line (`fr` or `en`; the app reads `?lang=` in its URL)",
        "app",
    ),
    Setting(
        "COINVEST_READ_ONLY",
        _switch,
        False,
        "`1`: shared read-only viewing, the database opened read-only and every write switched off",
        "app",
    ),
    Setting(
        "COINVEST_MAX_IMPORT_MB",
        _number,
        32.0,
        "the size limit of one import, in megabytes (with `maxUploadSize` in "
        "`.streamlit/config.toml`)",
        "app",
    ),
    Setting(
        "COINVEST_LOCK_WAIT",
        _number,
        60.0,
        "how long `coinvest import` waits for a database another process holds, in seconds",
        "app",
    ),
    Setting(
        "COINVEST_MEMORY_LIMIT",
        _text,
        "1GB",
        "the DuckDB memory of the app (e.g. `2GB`); beyond it, DuckDB spills to disk",
        "app",
    ),
    Setting(
        "COINVEST_CHROMIUM",
        _text,
        "/usr/bin/chromium",
        "the Chromium the browser tests and the benchmark drive",
        "tests",
    ),
    Setting(
        "COINVEST_SKIP_BROWSER",
        _switch,
        False,
        "`1`: skip the browser tests where Chromium is missing, instead of failing",
        "tests",
    ),
    Setting(
        "COINVEST_LOAD_SESSIONS",
        _whole,
        20,
        "the browser sessions of the load test (`make test-slow`)",
        "tests",
    ),
    Setting(
        "COINVEST_LOAD_SECONDS",
        _whole,
        120,
        "how long the load test runs, in seconds",
        "tests",
    ),
)
BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def get(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """The setting's value from the environment, parsed; its default when unset, empty or not
    parsable. `name` must be one of SETTINGS (a KeyError otherwise: a misspelt setting fails
    loudly, in the code, not silently in a deployment)."""
    setting = BY_NAME[name]
    raw = (os.environ if environ is None else environ).get(name, "")
    if not raw.strip():
        return setting.default
    try:
        return setting.parse(raw)
    except ValueError:
        return setting.default
