"""Numbers as French users type them (docs/import.md "Rules"): clear ones read exactly, ambiguous ones
refused with both readings, euros kept to the cent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from coinvest.importer import import_files
from coinvest.interchange import SHEET_BY_NAME, CellError, parse, parse_decimal

AMOUNT = SHEET_BY_NAME["investments"].column("amount_eur")
VALUE = SHEET_BY_NAME["measurements"].column("value")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 500", Decimal("12500")),
        ("12500", Decimal("12500")),
        ("12 500,00 €", Decimal("12500.00")),
        ("12\u202f500,50\u00a0€", Decimal("12500.50")),
        ("12,5", Decimal("12.5")),
        ("12500.5", Decimal("12500.5")),
        ("1.234.567", Decimal("1234567")),
        ("1.234.567,89", Decimal("1234567.89")),
        ("1234.567", Decimal("1234.567")),  # four digits before the dot: not a thousands group
        ("0.500", Decimal("0.500")),  # a thousands group never starts with 0
        ("12.5", Decimal("12.5")),
        ("12.50", Decimal("12.50")),
        (12500.5, Decimal("12500.5")),  # a number typed in a spreadsheet cell
        (0.1, Decimal("0.1")),
    ],
)
def test_clear_numbers_are_read_exactly(text, expected):
    assert parse_decimal(text) == expected


@pytest.mark.parametrize(
    ("text", "thousands", "decimal"),
    [
        ("12.500 €", "12\u202f500", "12,5"),
        ("250.000", "250\u202f000", "250"),
        ("1.050", "1\u202f050", "1,05"),
        ("-3.125", "-3\u202f125", "-3,125"),
    ],
)
def test_a_single_dot_before_three_digits_is_refused_with_both_readings(text, thousands, decimal):
    with pytest.raises(CellError) as caught:
        parse_decimal(text)
    assert caught.value.rule == "rule.ambiguous_number"
    assert caught.value.params["thousands"]["fr"] == thousands
    assert caught.value.params["decimal"]["fr"] == decimal


def test_euros_are_kept_to_the_cent():
    assert parse(AMOUNT, "12 500,10 €") == Decimal("12500.10")
    assert parse(AMOUNT, 0.1) == Decimal("0.10")
    assert parse(AMOUNT, "10,0050") == Decimal("10.01")  # half a cent rounds up


@pytest.mark.parametrize(
    ("text", "thousands", "decimal"),
    [
        ("25,000", "25\u202f000", "25"),
        ("1,234", "1\u202f234", "1,234"),
        ("10,005 €", "10\u202f005", "10,005"),
    ],
)
def test_a_single_comma_before_three_digits_in_euros_is_refused_with_both_readings(
    text, thousands, decimal
):
    # docs/import.md "Rules": `25,000` is 25 000 € in an English file and 25 € in a French one
    with pytest.raises(CellError) as caught:
        parse(AMOUNT, text)
    assert caught.value.rule == "rule.ambiguous_comma"
    assert caught.value.params["thousands"]["fr"] == thousands
    assert caught.value.params["decimal"]["fr"] == decimal


@pytest.mark.parametrize("text", ["1 234 euros", "1 234 EUR", "1 234 €", "1\u202f234 Euro", "1234"])
def test_euros_are_read_whatever_the_spelling_of_the_currency(text):
    assert parse(AMOUNT, text) == Decimal("1234.00")


def test_clear_amounts_with_commas_still_read():
    assert parse(AMOUNT, "25,5") == Decimal("25.50")
    assert parse(AMOUNT, "25,50 €") == Decimal("25.50")
    assert parse(AMOUNT, "0,125") == Decimal("0.13")
    assert parse(AMOUNT, "12 500,000") == Decimal("12500.00")
    assert parse(AMOUNT, "1,234,567.89") == Decimal("1234567.89")


HEAD = "investment_id;investor_org_id;project_id;date;amount_eur;instrument\n"
ORGS = "org_id;name;kind\nH1;Association;association\nINV;Fonds;public_investor\n"
PROJECTS = "project_id;name;holder_org_id;need;phase;department_code\nP1;Épicerie;H1;food;rnd;75\n"


def test_the_import_refuses_an_ambiguous_amount_and_says_both_readings(empty_con):
    files = [
        ("organisations.csv", ORGS.encode()),
        ("projects.csv", PROJECTS.encode()),
        ("investments.csv", (HEAD + "I1;INV;P1;01/02/2025;12.500 €;grant\n").encode()),
        (
            "measurements.csv",
            b"project_id;indicator_code;year;value\nP1;beneficiaries;2024;250.000\n",
        ),
    ]
    report = import_files(empty_con, files)
    assert not report.loaded
    found = {(p.sheet, p.column, p.value, p.rule) for p in report.errors}
    assert found == {
        ("investments", "amount_eur", "12.500 €", "rule.ambiguous_number"),
        ("measurements", "value", "250.000", "rule.ambiguous_number"),
    }
    message = next(p for p in report.errors if p.sheet == "investments").message("fr")
    assert "12\u202f500" in message
    assert "12,5" in message
    english = next(p for p in report.errors if p.sheet == "investments").message("en")
    assert "12500" in english
    assert "12,5" in english
    assert empty_con.execute("SELECT count(*) FROM investment").fetchall() == [(0,)]


def test_the_import_stores_exact_cents(empty_con):
    files = [
        ("organisations.csv", ORGS.encode()),
        ("projects.csv", PROJECTS.encode()),
        (
            "investments.csv",
            (
                HEAD + "I1;INV;P1;01/02/2025;0,10 €;grant\nI2;INV;P1;01/02/2025;0,20;grant\n"
            ).encode(),
        ),
    ]
    assert import_files(empty_con, files).loaded
    assert empty_con.execute("SELECT sum(amount_eur) FROM investment").fetchall() == [
        (Decimal("0.30"),)
    ]
