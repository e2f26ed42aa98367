"""Territories short of support (docs/figures.md "Territories"), by hand, on both engines.

The hand example: four departments, phase R&D, one answer per assessed project (innovation at
0 on 0–4 → need (100 − 0) × 3 / 3 = 100, a priority; at 4 → need 0, none):

| dept | pop       | P  | fragile | PN | S  (in PN) | C  |
|------|-----------|----|---------|----|------------|----|
| D1   | 100,000   | 4  | 4       | 3  | 1  (1)     | 1  |
| D2   | 1,000,000 | 10 | 8       | 6  | 6  (5)     | 8  |
| D3   | 2,000,000 | 12 | 3       | 4  | 10 (4)     | 14 |
| D4   | 50,000    | 2  | 0       | 2  | 0          | 0  |

Capacities (C per 10,000 inhabitants) 0.1 / 0.08 / 0.07 / 0; M = median of the indexed (P ≥ 3)
= 0.08. D1: u1 = 2/3, u2 = 0, u3 = 1 → U = 100 × (5/3) / 3 = 55.56. D2: u1 = 1/6, u2 = 0,
u3 = 0.8 → 32.22. D3: u1 = 0, u2 = 1 − 0.07/0.08 = 0.125, u3 = 0.25 → 12.50. D4: P = 2, not
indexed, and a white zone (PN ≥ 1, C = 0).
"""

from __future__ import annotations

import csv
import math
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from coinvest import metrics
from coinvest.derived import refresh
from coinvest.errors import CoinvestError
from coinvest.filters import PortfolioFilter
from coinvest.territory import department_codes, department_reference, department_shapes

ALL = PortfolioFilter(scope=None)
D1, D2, D3, D4 = "01", "02", "03", "04"
POPULATION = {D1: 100_000, D2: 1_000_000, D3: 2_000_000, D4: 50_000}
ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def _project(con, pid: str, dep: str, fragile: bool, answer: int | None) -> None:
    con.execute(
        "INSERT INTO project (project_id, name, holder_org_id, need, phase, department_code, "
        "qpv) VALUES ($id, $name, 'H', 'food', 'rnd', $dep, $qpv)",
        {"id": pid, "name": f"Projet {pid}", "dep": dep, "qpv": fragile},
    )
    if answer is not None:
        con.execute(
            "INSERT INTO assessment VALUES ($a, $id, 'project', 'H', DATE '2024-02-01', NULL)",
            {"a": f"A{pid}", "id": pid},
        )
        con.execute(
            "INSERT INTO assessment_answer VALUES ($a, 'innovation.characteristics', $s, NULL)",
            {"a": f"A{pid}", "s": answer},
        )


def _member(con, cohort: str, pid: str, entry: str = "2024-01-01", leave: str | None = None):
    con.execute(
        "INSERT INTO cohort_member VALUES ($c, $p, CAST($e AS DATE), CAST($x AS DATE))",
        {"c": cohort, "p": pid, "e": entry, "x": leave},
    )


def _department(con, dep: str, projects: int, fragile: int, flagged: int, assessed: int):
    """`projects` projects: the first `flagged` with a priority, up to `assessed` assessed, the
    first `fragile` in a QPV. Returns their ids."""
    ids = [f"{dep}-{i + 1:02d}" for i in range(projects)]
    for i, pid in enumerate(ids):
        answer = 0 if i < flagged else 4 if i < assessed else None
        _project(con, pid, dep, i < fragile, answer)
    return ids


@pytest.fixture
def hand_con(empty_con):
    con = empty_con
    con.execute(
        """INSERT INTO organisation VALUES ('H', 'Association', 'association'),
        ('SB1', 'Incubateur Un', 'support_body'), ('SB2', 'Accélérateur Deux', 'support_body'),
        ('INV', 'Fondation', 'foundation')"""
    )
    con.execute(
        """INSERT INTO cohort VALUES ('C1', 'SB1', 'Promo 1', 'Incubation', 2024),
        ('C2', 'SB2', 'Promo 2', 'Accélération', 2024)"""
    )
    d1 = _department(con, D1, 4, fragile=4, flagged=3, assessed=4)
    _member(con, "C1", d1[0])
    d2 = _department(con, D2, 10, fragile=8, flagged=6, assessed=6)
    for pid in [*d2[:5], d2[6]]:  # five of the six with a priority, and one without
        _member(con, "C1", pid)
    for pid in d2[:2]:  # two of them in both cohorts: 8 places
        _member(con, "C2", pid)
    d3 = _department(con, D3, 12, fragile=3, flagged=4, assessed=12)
    for pid in d3[:10]:
        _member(con, "C2", pid)
    for pid in d3[:4]:
        _member(con, "C1", pid)
    _department(con, D4, 2, fragile=0, flagged=2, assessed=2)
    con.execute(
        "INSERT INTO investment VALUES ('I1', 'INV', $p, DATE '2024-03-01', 10000, 'grant', NULL)",
        {"p": d1[0]},
    )
    refresh(con.cursor())
    return con


def _by_code(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("department_code")


def test_the_hand_example(hand_con):
    frame = metrics.territory_support(hand_con, ALL, population=POPULATION)
    assert len(frame) == len(department_codes())  # every department, zeros included
    d = _by_code(frame)
    assert list(d.loc[D1, ["projects", "projects_priority_need", "projects_supported"]]) == [
        4,
        3,
        1,
    ]
    assert d.loc[D1, "unmet_priority"] == 2
    assert d.loc[D2, "unmet_priority"] == 1
    assert d.loc[D3, "unmet_priority"] == 0
    assert list(d.loc[[D1, D2, D3, D4], "cohort_places"]) == [1, 8, 14, 0]
    assert list(d.loc[[D1, D2, D3, D4], "support_bodies"]) == [1, 2, 2, 0]
    assert d.loc[D2, "not_assessed"] == 4
    assert d.loc[D1, "places_per_10k"] == pytest.approx(0.1)
    assert d.loc[D2, "places_per_10k"] == pytest.approx(0.08)
    assert d.loc[D3, "places_per_10k"] == pytest.approx(0.07)
    assert d.loc[D1, "capacity_deficit"] == 0.0  # above the median: no deficit
    assert d.loc[D3, "capacity_deficit"] == pytest.approx(0.125)
    assert d.loc[D1, "underserved_index"] == pytest.approx(100 * (2 / 3 + 0 + 1) / 3)
    assert round(d.loc[D1, "underserved_index"], 2) == 55.56
    assert round(d.loc[D2, "underserved_index"], 2) == 32.22
    assert round(d.loc[D3, "underserved_index"], 2) == 12.50
    assert list(d.loc[[D1, D2, D3], "rank"]) == [1, 2, 3]
    assert list(frame["department_code"].head(3)) == [D1, D2, D3]  # ranked first
    # D4: too few projects, not indexed, yet a white zone; its per-inhabitant figures exist
    assert not d.loc[D4, "indexed"]
    assert pd.isna(d.loc[D4, "underserved_index"])
    assert pd.isna(d.loc[D4, "rank"])
    assert d.loc[D4, "white_zone"]
    assert d.loc[D4, "unmet_share"] == 1.0
    assert not d.loc[[D1, D2, D3], "white_zone"].any()
    # rates
    assert d.loc[D1, "projects_per_100k"] == pytest.approx(4.0)
    assert d.loc[D1, "eur_per_inhabitant"] == pytest.approx(0.1)
    assert d.loc[D1, "committed_eur"] == 10_000
    assert d.loc[D1, "coverage"] == pytest.approx(0.25)
    assert d.loc[D2, "fragile_share"] == pytest.approx(0.8)
    # the recommended path of a department: the first priority of its unmet projects
    assert d.loc[D1, "recommended_path"] == "innovation"
    assert pd.isna(d.loc[D3, "recommended_path"])  # no unmet priority need
    # a department without projects: zeros, rates 0 where the population is known, else missing
    empty = d.loc["05"]
    assert empty["projects"] == 0
    assert pd.isna(empty["coverage"])
    assert pd.isna(empty["projects_per_100k"])  # the test gave no population for it
    assert not empty["white_zone"]


def test_weights_and_threshold_move_the_index(hand_con):
    unmet_only = _by_code(
        metrics.territory_support(hand_con, ALL, weights=(1, 0, 0), population=POPULATION)
    )
    assert unmet_only.loc[D1, "underserved_index"] == pytest.approx(100 * 2 / 3)
    assert unmet_only.loc[D3, "underserved_index"] == 0.0
    # the needs are 100 or 0: a threshold of 100 is still reached, one of 10 changes nothing
    for threshold in (100, 10):
        same = _by_code(metrics.territory_support(hand_con, ALL, threshold, population=POPULATION))
        assert same["projects_priority_need"].sum() == 3 + 6 + 4 + 2
    with pytest.raises(CoinvestError):
        metrics.territory_support(hand_con, ALL, 0)
    # n_min 13: no department has that many projects
    few = metrics.territory_support(hand_con, ALL, n_min=13, population=POPULATION)
    assert few["underserved_index"].isna().all()
    with pytest.raises(CoinvestError):
        metrics.territory_support(hand_con, ALL, weights=(0, 0, 0))
    with pytest.raises(CoinvestError):
        metrics.territory_support(hand_con, ALL, n_min=0)


def test_capacity_median_zero_leaves_the_component_out(hand_con):
    # no cohort at all: every capacity is 0, so M = 0 and u2 is missing everywhere
    hand_con.execute("DELETE FROM cohort_member")
    refresh(hand_con.cursor())
    d = _by_code(metrics.territory_support(hand_con, ALL, population=POPULATION))
    assert d["capacity_deficit"].isna().all()
    # D1: u1 = 1, u3 = 1 → 100; D3: u1 = 1, u3 = 0.25 → 62.5 (u2 left out, weights renormalised)
    assert d.loc[D1, "underserved_index"] == pytest.approx(100.0)
    assert d.loc[D3, "underserved_index"] == pytest.approx(62.5)
    assert d.loc[[D1, D2, D3, D4], "white_zone"].all()


def test_mayotte_has_no_population_so_no_rate_and_no_index(hand_con):
    for i in range(3):
        _project(hand_con, f"976-{i}", "976", fragile=True, answer=0)
    refresh(hand_con.cursor())
    # the INSEE populations of data/: Mayotte has none
    assert department_reference()["976"].population is None
    d = _by_code(metrics.territory_support(hand_con, ALL))
    mayotte = d.loc["976"]
    assert mayotte["projects"] == 3
    assert pd.isna(mayotte["population"])
    for rate in ("projects_per_100k", "eur_per_inhabitant", "places_per_10k"):
        assert pd.isna(mayotte[rate]), rate  # missing, not 0
    assert not mayotte["indexed"]
    assert pd.isna(mayotte["underserved_index"])
    assert mayotte["white_zone"]
    assert mayotte["unmet_share"] == 1.0
    # with INSEE's populations the hand departments are indexed too
    assert d.loc[D1, "population"] == department_reference()[D1].population


def test_active_memberships_follow_the_period(hand_con):
    # D4's first project was supported in 2022 only
    _member(hand_con, "C1", f"{D4}-01", "2022-01-01", "2022-12-31")
    refresh(hand_con.cursor())
    since_2024 = PortfolioFilter.create(year_from=2024, scope=None)
    d = _by_code(metrics.territory_support(hand_con, since_2024, population=POPULATION))
    assert d.loc[D4, "cohort_places"] == 0
    assert d.loc[D4, "white_zone"]
    whole = _by_code(metrics.territory_support(hand_con, ALL, population=POPULATION))
    assert whole.loc[D4, "cohort_places"] == 1
    assert not whole.loc[D4, "white_zone"]
    # up to 2023: the memberships entered in 2024 are not active yet
    until_2023 = PortfolioFilter.create(year_to=2023, scope=None)
    early = _by_code(metrics.territory_support(hand_con, until_2023, population=POPULATION))
    assert early["cohort_places"].sum() == 1


def test_the_unsupported_filter(hand_con):
    unsupported = PortfolioFilter.create(support=True, scope=None)
    assert unsupported.to_query_params() == {"support": "none"}
    assert PortfolioFilter.from_query_params({"support": "none"}, None) == unsupported
    # D1: 3 of 4 without support; D2: 4 of 10; D3: 2 of 12; D4: 2 of 2
    assert metrics.project_count(hand_con, unsupported) == 3 + 4 + 2 + 2
    d = _by_code(metrics.territory_support(hand_con, unsupported, population=POPULATION))
    assert d["projects_supported"].sum() == 0
    assert d.loc[D1, "projects"] == 3
    # a membership left before the period does not support a project in it
    _member(hand_con, "C1", f"{D4}-01", "2022-01-01", "2022-12-31")
    since_2024 = unsupported.with_(year_from=2024)
    assert metrics.project_count(hand_con, since_2024) == 3 + 4 + 2 + 2
    assert metrics.project_count(hand_con, unsupported) == 3 + 4 + 2 + 1


def test_support_bodies_active_elsewhere_in_the_region(hand_con):
    # 01 (Ain) and 03 (Allier) are in Auvergne-Rhône-Alpes; 02 (Aisne) in Hauts-de-France.
    # Ain has Incubateur Un only; Allier has both: Accélérateur Deux is active elsewhere in
    # Ain's region (10 places), and nothing is for Allier or Aisne
    bodies = metrics.territory_bodies(hand_con, ALL)
    ain = bodies[bodies["department_code"] == D1]
    assert list(ain["name"]) == ["Accélérateur Deux"]
    assert list(ain["places"]) == [10]
    assert bodies[bodies["department_code"].isin([D2, D3])].empty
    # every other department of the region sees both, most places first
    rhone = bodies[bodies["department_code"] == "69"]
    assert list(rhone["name"]) == ["Accélérateur Deux", "Incubateur Un"]
    assert list(rhone["places"]) == [10, 1 + 4]


def test_the_reference_layers_are_there():
    reference = department_reference()
    assert set(reference) == set(department_codes())
    # Seine-Saint-Denis: 267 posts for 620,583 QPV inhabitants
    assert reference["93"].posts_per_10k_qpv == pytest.approx(4.3, abs=0.01)
    assert 0 < reference["93"].qpv_share < 1
    assert reference["976"].population is None
    assert sum(r.te_entries for r in reference.values()) > 0
    shapes = department_shapes()
    assert {f["properties"]["code"] for f in shapes["features"]} == set(department_codes())
    insets = {f["properties"]["code"] for f in shapes["features"] if f["properties"]["inset"]}
    assert insets == {"971", "972", "973", "974", "976"}
    size = (ROOT / "data" / "department_shapes.geojson").stat().st_size
    assert size < 300_000  # drawn fast by the browser
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    for name in ("SHA-256", "Licence Ouverte", "donnees_communes.csv", "CV366"):
        assert name in text


@pytest.mark.skipif(not SHARED.is_dir(), reason="the public sources are not beside the repository")
def test_the_script_rebuilds_the_reference_data_identically(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_reference_data.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    # it reports what it could not place
    assert "11 with neither a department nor a known contrat" in result.stdout
    assert "23 placed through their contrat de ville only" in result.stdout
    for name in ("department_reference.csv", "department_shapes.geojson", "README.md"):
        assert (tmp_path / name).read_bytes() == (ROOT / "data" / name).read_bytes(), name
    with (tmp_path / "department_reference.csv").open(encoding="utf-8") as f:
        rows = {r["department_code"]: r for r in csv.DictReader(f)}
    assert math.isclose(float(rows["93"]["ref_posts_per_10k_qpv"]), 4.302, abs_tol=0.001)


# the columns of territory_support.csv, as docs/import.md "Exports" lists them
EXPORT_COLUMNS = [
    "department_code",
    "department_name",
    "population",
    "projects",
    "projects_priority_need",
    "projects_supported",
    "unmet_priority",
    "support_bodies",
    "cohort_places",
    "committed_eur",
    "projects_per_100k",
    "eur_per_inhabitant",
    "places_per_10k",
    "coverage",
    "unmet_share",
    "fragile_share",
    "capacity_deficit",
    "underserved_index",
    "rank",
    "white_zone",
    "recommended_path",
    "ref_posts_per_10k_qpv",
    "ref_qpv_share",
    "ref_te_entries",
]


def test_territory_support_csv(hand_con, tmp_path):
    from coinvest.export import write_export

    write_export(hand_con, ALL, tmp_path)
    with (tmp_path / "territory_support.csv").open(encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == EXPORT_COLUMNS
        rows = list(reader)
    assert len(rows) == len(department_codes())
    # ranked: the indexed departments first, by rank
    assert [r["department_code"] for r in rows[:3]] == [D1, D2, D3]
    # INSEE's populations (not the test's): the ranks may differ, the counts do not
    ain = next(r for r in rows if r["department_code"] == D1)
    assert ain["population"] == str(department_reference()[D1].population)
    assert (ain["projects"], ain["projects_priority_need"], ain["unmet_priority"]) == (
        "4",
        "3",
        "2",
    )
    assert ain["white_zone"] == "false"
    assert ain["recommended_path"] == "innovation"
    assert float(ain["unmet_share"]) == pytest.approx(2 / 3)
    assert ain["committed_eur"] == "10000.0"
    d4 = next(r for r in rows if r["department_code"] == D4)
    assert (d4["underserved_index"], d4["rank"], d4["white_zone"]) == ("", "", "true")
    mayotte = next(r for r in rows if r["department_code"] == "976")
    assert mayotte["population"] == ""  # missing, not 0
    assert mayotte["projects_per_100k"] == ""
    assert float(
        next(r for r in rows if r["department_code"] == "93")["ref_posts_per_10k_qpv"]
    ) == (pytest.approx(4.302, abs=0.001))
    # the same figures as the metric layer's, unrounded
    frame = metrics.territory_support(hand_con, ALL).set_index("department_code")
    for row in rows:
        expected = frame.loc[row["department_code"], "underserved_index"]
        if pd.isna(expected):
            assert row["underserved_index"] == ""
        else:
            assert float(row["underserved_index"]) == expected


def test_the_command_line_exports_the_unsupported_projects(demo_path, tmp_path):
    env = {**os.environ, "COINVEST_LANG": "en"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "coinvest",
            "export",
            "--db",
            str(demo_path),
            "--out",
            str(tmp_path),
            "--unsupported",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    territories = pd.read_csv(tmp_path / "territory_support.csv", dtype={"department_code": str})
    assert territories["projects_supported"].sum() == 0
    summary = pd.read_csv(tmp_path / "project_summary.csv")
    from coinvest.db import open_database

    con = open_database(demo_path)
    try:
        unsupported = metrics.project_count(con, PortfolioFilter.create(support=True, scope=None))
        every = metrics.project_count(con, ALL)
    finally:
        con.close()
    assert len(summary) == unsupported == territories["projects"].sum() < every
