"""Catalogues and French/English formats."""

from __future__ import annotations

from datetime import date

from coinvest.i18n import (
    CATALOG,
    NBSP,
    NNBSP,
    format_date,
    format_eur,
    format_number,
    format_pct,
    t,
)


def test_both_catalogues_have_the_same_keys_and_placeholders():
    assert set(CATALOG["fr"]) == set(CATALOG["en"])
    import string

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


def test_unknown_language_falls_back_to_french():
    assert t("kpi.projects", "de") == "Projets"
    assert t("kpi.projects", "en") == "Projects"
