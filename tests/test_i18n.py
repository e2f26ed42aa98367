"""Catalogues and French/English formats."""

from __future__ import annotations

import ast
import re
import string
from datetime import date

import pytest

from coinvest.i18n import (
    CATALOG,
    LANGS,
    NBSP,
    NNBSP,
    format_date,
    format_eur,
    format_number,
    format_pct,
    plural_keys,
    t,
    tn,
    translations,
)
from tests.conftest import ROOT


def test_both_catalogues_have_the_same_keys_and_placeholders():
    assert set(CATALOG["fr"]) == set(CATALOG["en"])

    for key in CATALOG["fr"]:
        fields_fr = {f for _, f, _, _ in string.Formatter().parse(CATALOG["fr"][key]) if f}
        fields_en = {f for _, f, _, _ in string.Formatter().parse(CATALOG["en"][key]) if f}
        assert fields_fr == fields_en, key


def test_french_formats():
    assert format_number(1234.5, 1) == f"1{NNBSP}234,5"
    assert format_eur(12500) == f"12{NNBSP}500{NBSP}€"
    assert format_eur(118_127_700, compact=True) == f"118,1{NBSP}M€"
    assert format_eur(45_600, compact=True) == f"46{NBSP}k€"
    assert format_pct(0.3367) == f"33,7{NBSP}%"
    assert format_date(date(2026, 3, 9)) == "09/03/2026"
    assert format_number(None) == "—"
    assert format_number(float("nan")) == "—"


def test_english_formats():
    assert format_number(1234.5, 1, "en") == "1,234.5"
    assert format_eur(12500, lang="en") == "€12,500"
    assert format_eur(118_127_700, lang="en", compact=True) == "€118.1M"
    assert format_pct(0.3367, lang="en") == "33.7%"
    assert format_date(date(2026, 3, 9), "en") == "2026-03-09"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_number_formatted_again_is_the_same_text_and_zero_keeps_its_sign(lang):
    """Texts are kept per value (a page's tables show the same figures run after run): each is
    Babel's own, whichever value was formatted first — 0.0 and -0.0 are equal to a dict, 3 and
    3.0 too."""
    from babel import numbers

    from coinvest.i18n import _locale

    values = [0.0, -0.0, 3, 3.0, 2.675, 0.125, -1234.55, 1e9 / 3, 99.95, -0.04]
    for decimals in (0, 1, 2):
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        for _ in range(2):  # formatted, then read back
            for value in values:
                expected = numbers.format_decimal(value, format=pattern, locale=_locale(lang))
                assert format_number(value, decimals, lang) == expected, (value, decimals)
    assert format_number(-0.0, 1, lang) != format_number(0.0, 1, lang)


def test_unknown_language_falls_back_to_french():
    assert t("kpi.projects", "de") == "Projets"
    assert t("kpi.projects", "en") == "Projects"


# --- the catalogues and the code agree -----------------------------------------------------------

CODE = [ROOT / "app.py", *(ROOT / "app_pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]
CODE += list((ROOT / "src" / "coinvest").rglob("*.py"))
KEY = re.compile(r"[a-z_]+\.")  # a key or the start of one: `filter.`, `import.stage.`


def _code_keys() -> tuple[set[str], list[re.Pattern], set[str], set[str]]:
    """Every string of the code, the patterns of keys built at run time (`f"filter.{name}"`,
    `"import.stage." + stage`), and the keys asked for as literals with t() and with tn()."""
    strings: set[str] = set()
    patterns: list[re.Pattern] = []
    asked: dict[str, set[str]] = {"t": set(), "tn": set()}
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                strings.add(node.value)
            parts = None
            if isinstance(node, ast.JoinedStr):
                parts = node.values
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
                parts = [node.left, node.right]
            if (
                parts
                and isinstance(parts[0], ast.Constant)
                and isinstance(parts[0].value, str)
                and KEY.match(parts[0].value)
            ):
                patterns.append(
                    re.compile(
                        "".join(
                            re.escape(p.value) if isinstance(p, ast.Constant) else "[a-z0-9_.]+"
                            for p in parts
                        )
                    )
                )
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in asked
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                asked[node.func.id].add(node.args[0].value)
    return strings, patterns, asked["t"], asked["tn"]


def test_every_key_is_used_and_every_key_asked_for_exists():
    keys = set(CATALOG["fr"])
    strings, patterns, asked, asked_plural = _code_keys()
    unused = {k for k in keys if k not in strings and not any(p.fullmatch(k) for p in patterns)}
    assert unused == set(), "defined but never used"
    assert (asked | asked_plural) - keys == set(), "used but missing"
    plural = plural_keys("fr")
    assert plural == plural_keys("en")
    assert asked_plural <= plural, "asked for with tn() but without plural forms"
    assert asked & plural == set(), "has plural forms but asked for with t()"


def test_plural_forms_follow_each_language():
    assert tn("data.export.rows", 0, "fr") == "0 ligne"  # French: the singular for 0 and 1
    assert tn("data.export.rows", 1, "fr") == "1 ligne"
    assert tn("data.export.rows", 2, "fr") == "2 lignes"
    assert tn("data.export.rows", 0, "en") == "0 rows"
    assert tn("data.export.rows", 1, "en") == "1 row"
    assert tn("partnerships.top_pair", 1, "fr", a="A", b="B", share="5 %").startswith(
        "Paire la plus fréquente : A et B, 1 projet en commun"
    )
    with pytest.raises(KeyError):
        tn("kpi.projects", 2, "fr")  # no plural forms: t() only


def test_plural_forms_have_the_same_placeholders_in_both_languages():
    for key in plural_keys("fr"):
        fields = set()
        for lang in LANGS:
            for count in (1, 2):
                text = translations(lang).ngettext(key, key, count)
                found = {f for _, f, _, _ in string.Formatter().parse(text) if f}
                fields |= found
        for lang in LANGS:
            many = translations(lang).ngettext(key, key, 2)
            assert {f for _, f, _, _ in string.Formatter().parse(many) if f} == fields, key
