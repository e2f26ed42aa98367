"""The reference model (docs/model.md) and the project's own territory lists."""

from __future__ import annotations

import csv

import pytest

from coinvest import reference as ref
from coinvest.territory import departments, regions
from tests.conftest import SHARED

COG = SHARED / "reference" / "cog"


def test_seven_levers_and_23_questions_in_design_order():
    assert ref.LEVER_CODES == (
        "ecosystem",
        "innovation",
        "strategy",
        "model",
        "alliances",
        "digital",
        "evaluation",
    )
    assert len(ref.QUESTION_CODES) == 23
    assert ref.QUESTION_CODES[:4] == (
        "ecosystem.needs",
        "ecosystem.stakes",
        "ecosystem.actors",
        "ecosystem.territories",
    )
    assert ref.QUESTION_CODES[-4:] == (
        "evaluation.performance",
        "evaluation.utility",
        "evaluation.leverage",
        "evaluation.showcase",
    )
    assert [len(lever.questions) for lever in ref.LEVERS] == [4, 3, 3, 3, 3, 3, 4]
    for question in ref.QUESTIONS:
        assert question.code.split(".")[0] == question.lever


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (ref.VIEWPOINTS, ("ecosystem", "project", "investment")),
        (ref.PHASES, ("emergence", "rnd", "modelling", "scaling")),
        (
            ref.INVESTOR_LEVERS,
            (
                "structural_funding",
                "strategic_support",
                "skills_and_networks",
                "evaluation_support",
            ),
        ),
        (
            ref.PARTNERSHIP_TYPES,
            ("patronage", "responsible_practices", "economic_cooperation", "societal_innovation"),
        ),
        (
            ref.ORG_KINDS,
            (
                "public_investor",
                "private_investor",
                "support_body",
                "local_authority",
                "company",
                "association",
                "foundation",
                "academia",
                "citizens",
            ),
        ),
        (
            ref.INSTRUMENTS,
            (
                "grant",
                "loan",
                "quasi_equity",
                "equity",
                "guarantee",
                "skills_sponsorship",
                "in_kind",
            ),
        ),
        (
            ref.NEEDS,
            (
                "employment",
                "education",
                "health",
                "housing",
                "food",
                "mobility",
                "environment",
                "culture",
                "digital_inclusion",
                "ageing",
                "youth",
                "other",
            ),
        ),
        (ref.STATUSES, ("active", "paused", "closed")),
        (ref.CONTRIBUTION_KINDS, ("financial", "skills", "in_kind", "network")),
    ],
)
def test_fixed_lists_match_design(items, expected):
    assert ref.codes(items) == expected


def test_every_code_has_distinct_french_and_english_labels():
    lists = [
        ref.LEVERS,
        ref.QUESTIONS,
        ref.VIEWPOINTS,
        ref.PHASES,
        ref.INVESTOR_LEVERS,
        ref.PARTNERSHIP_TYPES,
        ref.ORG_KINDS,
        ref.INSTRUMENTS,
        ref.NEEDS,
        ref.STATUSES,
    ]
    for items in lists:
        assert len(set(ref.codes(items))) == len(items)
        for item in items:
            assert item.fr.strip(), item
            assert item.en.strip(), item
    assert ref.labels(ref.LEVERS, "fr")["ecosystem"] == "Comprendre son écosystème"
    assert ref.labels(ref.LEVERS, "en")["ecosystem"] == "Understand the ecosystem"


def test_non_financial_instruments_and_maturity_scale():
    assert ref.NON_FINANCIAL_INSTRUMENTS == ("skills_sponsorship", "in_kind")
    assert ref.NON_FINANCIAL_CONTRIBUTIONS == ("skills", "in_kind", "network")
    assert list(ref.MATURITY_SCALE) == [0, 1, 2, 3, 4]
    assert [ref.maturity_label(level, "fr") for level in (0, 4)] == [
        "Non abordé",
        "Prouvé et partagé",
    ]


def test_101_departments_and_18_regions():
    deps, regs = departments(), regions()
    assert len(deps) == 101
    assert len(regs) == 18
    region_codes = {r.code for r in regs}
    assert all(d.region_code in region_codes for d in deps)
    assert sum(d.overseas for d in deps) == 5


@pytest.mark.skipif(
    not COG.is_dir(), reason="../shared/reference/cog is absent: INSEE lists not checked"
)
def test_departments_and_regions_match_insee_code_lists():
    with open(COG / "departements.csv", encoding="utf-8") as f:
        insee_deps = {row["DEP"]: (row["LIBELLE"], row["REG"]) for row in csv.DictReader(f)}
    with open(COG / "regions.csv", encoding="utf-8") as f:
        insee_regs = {row["REG"]: row["LIBELLE"] for row in csv.DictReader(f)}
    assert {d.code: (d.name, d.region_code) for d in departments()} == insee_deps
    assert {r.code: r.name for r in regions()} == insee_regs


def test_tile_grid_gives_each_department_its_own_tile_and_sets_overseas_apart():
    deps = departments()
    cells = [(d.col, d.row) for d in deps]
    assert len(set(cells)) == len(cells)
    metro_bottom = max(d.row for d in deps if not d.overseas)
    assert all(d.row > metro_bottom + 1 for d in deps if d.overseas)
    by_code = {d.code: d for d in deps}
    # roughly geographic: north above south, west left of east
    assert by_code["59"].row < by_code["13"].row  # Nord above Bouches-du-Rhône
    assert by_code["29"].col < by_code["67"].col  # Finistère left of Bas-Rhin
    # Paris touches each department of its inner ring
    paris = by_code["75"]
    for code in ("92", "93", "94"):
        other = by_code[code]
        assert abs(other.col - paris.col) <= 1, code
        assert abs(other.row - paris.row) <= 1, code
