"""Settings in one table: every `COINVEST_*` variable is read through `coinvest.settings`, and
the README's settings table says what that table says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coinvest import settings
from coinvest.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[1]
# a read of a variable (setting one, for a child process, is no read)
READ = re.compile(
    r"(environ\.get|getenv)\(\s*[\"']COINVEST_|environ\[\s*[\"']COINVEST_\w+[\"']\s*\](?!\s*=)"
)
ROW = re.compile(r"^\| `(COINVEST_[A-Z_]+)` \| (.+) \| (.+) \|$")


def _readme_rows() -> dict[str, tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Settings\n", 1)[1].split("\n## ", 1)[0]
    return {m[1]: (m[2], m[3]) for line in section.splitlines() if (m := ROW.match(line))}


def _shown(default: object) -> str:
    if isinstance(default, bool):
        return "on" if default else "off"
    if isinstance(default, float) and default.is_integer():
        default = int(default)
    return f"`{default}`"


def test_the_readme_table_is_the_settings_table():
    rows = _readme_rows()
    assert list(rows) == [s.name for s in SETTINGS]
    for setting in SETTINGS:
        what, default = rows[setting.name]
        assert what.startswith(setting.help), setting.name
        assert default == _shown(setting.default), setting.name


def test_no_code_reads_a_coinvest_variable_but_the_settings_module():
    readers = []
    for folder in ("src", "ui", "app_pages", "tests", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "settings.py" and path.parent.name == "coinvest":
                continue
            text = path.read_text(encoding="utf-8")
            if READ.search(text):
                readers.append(str(path.relative_to(ROOT)))
    assert readers == []


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("COINVEST_LOCK_WAIT", "5", 5.0),
        ("COINVEST_LOCK_WAIT", "soon", 60.0),  # not a number: the default
        ("COINVEST_LOCK_WAIT", "-3", 60.0),  # no negative wait
        ("COINVEST_MAX_IMPORT_MB", "2.5", 2.5),
        ("COINVEST_MAX_IMPORT_MB", "nan", 32.0),
        ("COINVEST_READ_ONLY", "1", True),
        ("COINVEST_READ_ONLY", "yes", False),
        ("COINVEST_DB", "  ", "data/coinvest.duckdb"),  # blank: the default
        ("COINVEST_DB", "postgresql://h/db", "postgresql://h/db"),
        ("COINVEST_LOAD_SESSIONS", "3", 3),
    ],
)
def test_each_value_is_typed_and_a_bad_one_falls_back_to_the_default(name, raw, expected):
    assert settings.get(name, {name: raw}) == expected
    assert settings.get(name, {}) == settings.BY_NAME[name].default


def test_a_misspelt_setting_fails_in_the_code():
    with pytest.raises(KeyError):
        settings.get("COINVEST_DATABASE")
