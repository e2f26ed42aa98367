"""The summaries kept at write time (schema v7 and v8, #19 [perf]) stay exact: after every writer
of assessments, projects or money (demo, import, replacement, deletion, questionnaire, revert),
rebuilding them from scratch gives the same rows; and the metrics read from them equal the
metrics computed without them."""

from __future__ import annotations

import sys
from datetime import date

import pandas as pd
import pytest

from coinvest import derived, metrics, schema
from coinvest import reference as ref
from coinvest.assessments import AssessmentInput, save_assessment
from coinvest.db import open_database, query
from coinvest.demo import generate
from coinvest.derived import DERIVED_TABLES, SUMMARY_TABLES
from coinvest.derived.fills import summary_fills
from coinvest.derived.formulas import achievement_expression, equal_mean
from coinvest.exact import exact_mean
from coinvest.filters import PortfolioFilter
from coinvest.importer import import_files
from coinvest.importer.revert import revert
from coinvest.metrics.ctes import with_question_scores
from coinvest.metrics.query import Query, Weights
from coinvest.schema.later import KEYLESS_ON_DUCKDB, v9_data, v14_data, v19_data
from coinvest.schema.released import (
    V3_QUESTION_LATEST,
    V8_MONEY,
    V13_PAIR,
    V13_PROJECT_MONEY,
    V15_DIVERSITY,
    V16_UTILITY,
)
from coinvest.writing import transaction
from tests.test_deletion import ASSESSMENTS, INVESTMENTS, ORGS, PROJECTS, drop_line, files, seed

refresh_module = sys.modules["coinvest.derived.refresh"]  # `derived.refresh` is its function

DERIVED = DERIVED_TABLES


def _quiet(_: str) -> None:
    pass


def snapshot(con, tables: tuple[str, ...] = DERIVED) -> dict[str, list[tuple]]:
    """Every derived table's rows (or those of `tables`), sorted (the tables are sets of rows)."""
    out = {}
    for table in tables:
        rows = con.execute(f"SELECT * FROM {table}").fetchall()  # a fixed table name
        out[table] = sorted(rows, key=repr)
    return out


def assert_rebuild_gives_the_same_rows(con) -> None:
    kept = snapshot(con)
    with transaction(con) as cur:
        derived.refresh(cur)  # what the write path does after a write of every table
    rebuilt = snapshot(con)
    for table in DERIVED:
        assert kept[table] == rebuilt[table], table
    for table in ("lever_summary", "need_summary", "money_summary"):
        assert kept[table], f"the test must see {table} rows"


@pytest.fixture
def demo(new_db):
    con = open_database(new_db("summaries"))
    generate(con, n_projects=40, seed=7, progress=_quiet)
    yield con
    con.close()


def test_the_demo_writes_the_summaries_a_rebuild_would(demo):
    assert_rebuild_gives_the_same_rows(demo)
    projects = demo.execute("SELECT count(*) FROM project").fetchone()[0]
    assert demo.execute("SELECT count(*) FROM project_maturity").fetchone()[0] == projects


def test_the_frozen_fills_of_the_released_migrations_give_todays_tables(demo):
    """Versions 8, 9, 13, 14, 15, 16 and 19 keep copies of the fills they ran (`schema.released`):
    until a formula changes (with a migration of its own), refilling with them gives today's
    rows exactly."""
    today = snapshot(demo)
    with transaction(demo) as cur:
        for table in DERIVED:
            cur.execute(f"DELETE FROM {table}")  # fixed table names
        v9_data(cur)  # the rounds, the summaries and the needs
        v14_data(cur)  # the consolidated lever summary with its later columns
        v19_data(cur)  # the questions' consolidated scores, an order-free mean
        for table, fill in (
            ("money_summary", V8_MONEY),
            ("project_money_summary", V13_PROJECT_MONEY),
            ("utility_summary", V16_UTILITY),
            ("pair_summary", V13_PAIR),
            ("project_diversity", V15_DIVERSITY),
        ):
            assert table in DERIVED
            cur.execute(fill)
    frozen = snapshot(demo)
    for table in DERIVED:
        assert frozen[table] == today[table], table
        assert today[table], f"the test must see {table} rows"


def test_imports_replacements_deletions_and_reverts_keep_them_exact(empty_con):
    seed(empty_con)
    assert_rebuild_gives_the_same_rows(empty_con)
    # a second round for P1, then a replaced answer in the first one
    added = import_files(
        empty_con,
        files(
            assessments=ASSESSMENTS
            + "A3;P1;project;H1;10/09/2025;4\nA4;P1;ecosystem;INV;11/09/2025;1\n"
        ),
    )
    assert added.loaded, added.problems_frame("en")
    assert_rebuild_gives_the_same_rows(empty_con)
    first, latest = empty_con.execute(
        "SELECT first_score, latest_score FROM lever_summary "
        "WHERE project_id = 'P1' AND viewpoint = 'project'"
    ).fetchone()
    assert (first, latest) == (50.0, 100.0)  # 2 then 4 on a 0–4 scale
    replaced = import_files(
        empty_con,
        files(
            assessments=ASSESSMENTS.replace(
                "A1;P1;project;H1;10/03/2025;2", "A1;P1;project;H1;10/03/2025;0"
            )
        ),
    )
    assert replaced.loaded, replaced.problems_frame("en")
    assert_rebuild_gives_the_same_rows(empty_con)
    # the import that replaced A1's answer, undone
    revert(empty_con, replaced.import_id, "test")
    assert_rebuild_gives_the_same_rows(empty_con)
    assert empty_con.execute(
        "SELECT first_score FROM lever_summary WHERE project_id = 'P1' AND viewpoint = 'project'"
    ).fetchone() == (50.0,)
    # P2 and its assessment deleted: its summaries go with it
    deleted = import_files(
        empty_con,
        files(
            projects="project_id;name;holder_org_id;need;phase;department_code\n"
            "P1;Épicerie;H1;food;rnd;75\n",
            investments="investment_id;investor_org_id;project_id;date;amount_eur;instrument\n"
            "I1;INV;P1;01/02/2025;1000;grant\n",
            assessments=drop_line(ASSESSMENTS, "A2"),
        ),
        delete_missing=True,
    )
    assert deleted.loaded, deleted.problems_frame("en")
    assert_rebuild_gives_the_same_rows(empty_con)
    for table in (*SUMMARY_TABLES, "need_summary", "money_summary"):
        assert empty_con.execute(
            f"SELECT count(*) FROM {table} WHERE project_id = 'P2'"
        ).fetchone() == (0,)


def _need(con, project: str, lever: str) -> tuple:
    return con.execute(
        "SELECT weight, need FROM need_summary WHERE project_id = $p AND lever = $l",
        {"p": project, "l": lever},
    ).fetchone()


def _money(con, project: str) -> list[tuple]:
    return con.execute(
        "SELECT org_id, year, is_investment, financial, eur, entries FROM money_summary "
        "WHERE project_id = $p ORDER BY org_id, year, is_investment, financial",
        {"p": project},
    ).fetchall()


def test_imports_of_projects_and_money_and_their_reverts_keep_them_exact(empty_con):
    seed(empty_con)
    # P1 (rnd, weight 2 on ecosystem) answered 2 on 0–4: score 50, need (100 − 50) × 2 / 3
    assert _need(empty_con, "P1", "ecosystem") == (2, pytest.approx(100 / 3))
    assert _money(empty_con, "P1") == [("INV", 2025, True, True, 1000, 1)]
    # P1 moves to emergence (weight 3 on ecosystem): its need follows its phase
    moved = import_files(
        empty_con,
        files(
            projects=PROJECTS.replace("P1;Épicerie;H1;food;rnd", "P1;Épicerie;H1;food;emergence")
        ),
    )
    assert moved.loaded, moved.problems_frame("en")
    assert_rebuild_gives_the_same_rows(empty_con)
    assert _need(empty_con, "P1", "ecosystem") == (3, pytest.approx(50.0))
    # a second grant the same year, an in-kind investment the year before, skills from INV
    money = import_files(
        empty_con,
        files(
            investments=INVESTMENTS
            + "I3;INV;P1;15/06/2025;500;grant\nI4;INV;P1;01/03/2024;250;in_kind\n",
            contributions="contribution_id;partner_org_id;project_id;date;value_eur;kind\n"
            "K1;INV;P1;01/04/2025;300;skills\n",
        ),
    )
    assert money.loaded, money.problems_frame("en")
    assert_rebuild_gives_the_same_rows(empty_con)
    assert _money(empty_con, "P1") == [
        ("INV", 2024, True, False, 250, 1),  # in kind: not financial
        ("INV", 2025, False, False, 300, 1),  # skills: a contribution, not financial
        ("INV", 2025, True, True, 1500, 2),  # the two grants of 2025
    ]
    # both imports undone, the last first: the summaries are the seed's again
    revert(empty_con, money.import_id, "test")
    assert_rebuild_gives_the_same_rows(empty_con)
    assert _money(empty_con, "P1") == [("INV", 2025, True, True, 1000, 1)]
    revert(empty_con, moved.import_id, "test")
    assert_rebuild_gives_the_same_rows(empty_con)
    assert _need(empty_con, "P1", "ecosystem") == (2, pytest.approx(100 / 3))


def _diversity(con) -> list[tuple]:
    return [
        (p, k, round(e, 6))
        for p, k, e in con.execute(
            "SELECT project_id, kinds, evenness FROM project_diversity ORDER BY project_id"
        ).fetchall()
    ]


def test_an_organisation_that_changes_kind_changes_the_partner_kinds(empty_con):
    """Schema v15: the partner kinds per project follow the money and the organisations' kinds."""
    seed(empty_con)
    assert _diversity(empty_con) == [("P1", 1, 0.0), ("P2", 1, 0.0)]
    # SCIC (a company) brings P1 as much as the public fund: two kinds, evenly
    added = import_files(
        empty_con,
        files(
            contributions="contribution_id;partner_org_id;project_id;date;value_eur;kind\n"
            "K1;H2;P1;01/03/2025;1000;financial\n"
        ),
    )
    assert added.loaded, added.problems_frame("en")
    assert _diversity(empty_con) == [("P1", 2, 1.0), ("P2", 1, 0.0)]
    assert_rebuild_gives_the_same_rows(empty_con)
    # the company becomes a public investor: one kind again
    moved = import_files(
        empty_con, files(organisations=ORGS.replace("SCIC;company", "SCIC;public_investor"))
    )
    assert moved.loaded, moved.problems_frame("en")
    assert _diversity(empty_con) == [("P1", 1, 0.0), ("P2", 1, 0.0)]
    assert_rebuild_gives_the_same_rows(empty_con)
    revert(empty_con, moved.import_id, "test")
    assert _diversity(empty_con) == [("P1", 2, 1.0), ("P2", 1, 0.0)]


def test_the_questionnaire_keeps_them_exact(demo):
    project, holder = demo.execute(
        "SELECT project_id, holder_org_id FROM project ORDER BY project_id LIMIT 1"
    ).fetchone()
    before = demo.execute(
        "SELECT latest_maturity FROM project_maturity WHERE project_id = $p", {"p": project}
    ).fetchone()
    scores = dict.fromkeys(ref.QUESTION_CODES, 4)
    save_assessment(demo, AssessmentInput(project, "project", holder, date(2026, 6, 1), scores))
    assert_rebuild_gives_the_same_rows(demo)
    after = demo.execute(
        "SELECT latest_maturity FROM project_maturity WHERE project_id = $p", {"p": project}
    ).fetchone()
    assert after != before


def _utility(con, project: str) -> list[tuple]:
    return con.execute(
        "SELECT year, utility_index, indicators, beneficiaries FROM utility_summary "
        "WHERE project_id = $p ORDER BY year",
        {"p": project},
    ).fetchall()


def test_imports_of_measurements_and_indicators_and_their_reverts_keep_utility_exact(empty_con):
    seed(empty_con)
    assert _utility(empty_con, "P1") == []
    measured = import_files(
        empty_con,
        files(
            measurements="project_id;indicator_code;year;value;target\n"
            "P1;meals;2024;80;100\nP1;beneficiaries;2024;40;\nP1;beneficiaries;2025;50;\n"
        ),
    )
    assert measured.loaded, measured.problems_frame("en")
    assert_rebuild_gives_the_same_rows(empty_con)
    # 2024: 80 meals of 100 targeted, 80 %; 2025: beneficiaries only, no index
    assert _utility(empty_con, "P1") == [(2024, 80.0, 1, 40.0), (2025, None, 0, 50.0)]
    # meals become an indicator where less is better: 100 / 80 achieved
    turned = import_files(
        empty_con,
        files(indicators="indicator_code;name_fr;unit;higher_is_better\nmeals;Repas;repas;non\n"),
    )
    assert turned.loaded, turned.problems_frame("en")
    assert_rebuild_gives_the_same_rows(empty_con)
    assert _utility(empty_con, "P1")[0] == (2024, 125.0, 1, 40.0)
    revert(empty_con, turned.import_id, "test")
    assert_rebuild_gives_the_same_rows(empty_con)
    assert _utility(empty_con, "P1")[0] == (2024, 80.0, 1, 40.0)
    revert(empty_con, measured.import_id, "test")
    assert_rebuild_gives_the_same_rows(empty_con)
    assert _utility(empty_con, "P1") == []


FILTERS = {
    "all": PortfolioFilter(scope=None),
    "investor": PortfolioFilter(investor="INV02", scope=None),
    "phase": PortfolioFilter(phase=("rnd", "growth"), scope=None),
}


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_metrics_from_summaries_equal_metrics_from_rounds(demo, name):
    """Weights of 2 everywhere give the equal-weight figures, but go through the lever rounds:
    the same numbers to the last digits the arithmetic keeps (1e-9)."""
    flt = FILTERS[name]
    doubled = Weights(levers=(2.0,) * len(ref.LEVER_CODES), viewpoints=(2.0,) * 3)
    summary = metrics.ranked_projects(demo, flt, limit=10_000).sort_values("project_id")
    rounds = metrics.ranked_projects(demo, flt, doubled, limit=10_000).sort_values("project_id")
    assert len(summary) > 0
    assert summary["project_id"].tolist() == rounds["project_id"].tolist()
    assert summary["maturity_consolidated"].tolist() == pytest.approx(
        rounds["maturity_consolidated"].tolist(), abs=1e-9
    )
    # the first rounds' maturity, per viewpoint: by the stored summary and from every round
    per_viewpoint = query(
        demo,
        "SELECT project_id, viewpoint, first_maturity FROM viewpoint_maturity "
        "ORDER BY project_id, viewpoint",
    )
    recomputed = query(
        demo,
        """SELECT project_id, viewpoint, avg(score) AS first_maturity FROM lever_round
        WHERE is_first GROUP BY project_id, viewpoint ORDER BY project_id, viewpoint""",
    )
    assert per_viewpoint["first_maturity"].tolist() == pytest.approx(
        recomputed["first_maturity"].tolist(), abs=1e-9
    )


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_needs_from_the_summary_equal_needs_from_the_rounds(demo, name):
    """A period ending in 2100 takes the same latest rounds, but computes the needs from them."""
    flt = FILTERS[name]
    stored = metrics.project_needs(demo, flt, 30.0)
    computed = metrics.project_needs(demo, flt.with_(year_to=2100), 30.0)
    assert stored["priority"].any()
    assert not stored["priority"].all()
    assert stored[["project_id", "lever", "weight", "priority", "rank"]].equals(
        computed[["project_id", "lever", "weight", "priority", "rank"]]
    )
    assert stored["need"].tolist() == pytest.approx(
        computed["need"].tolist(), abs=1e-9, nan_ok=True
    )


def test_money_from_the_summary_is_every_investment_and_contribution(demo):
    """Resources per project by hand from the raw rows, against the summary's leverage figures."""
    by_hand = query(
        demo,
        """SELECT project_id, sum(eur) AS eur FROM (
            SELECT project_id, amount_eur AS eur FROM investment
            UNION ALL SELECT project_id, value_eur FROM contribution) m
        GROUP BY project_id ORDER BY project_id""",
    )
    figures = metrics.leverage(demo, PortfolioFilter(scope=None))
    figures = figures[figures["resources_eur"] > 0].reset_index(drop=True)
    assert len(by_hand) > 10
    assert figures["project_id"].tolist() == by_hand["project_id"].tolist()
    assert figures["resources_eur"].tolist() == by_hand["eur"].tolist()  # exact euros


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_utility_from_the_summary_equals_utility_from_every_measurement(demo, name):
    """Each project's latest utility index and beneficiaries, by hand in pandas from the
    achievements of every measurement, against the figures read from the summary."""
    flt = FILTERS[name].with_(year_from=2023)
    per_measurement = metrics.achievements(demo, flt)
    targeted = per_measurement.dropna(subset=["achievement"])
    by_year = targeted.groupby(["project_id", "year"])["achievement"].mean() * 100
    latest = by_year.reset_index().sort_values("year").groupby("project_id").last()
    counted = per_measurement[per_measurement["indicator_code"] == ref.BENEFICIARIES]
    served = counted.sort_values("year").groupby("project_id").last()
    figures = metrics.utility(demo, flt).set_index("project_id")
    indexed = figures.dropna(subset=["utility_index"])
    assert len(indexed) >= 3
    assert sorted(indexed.index) == sorted(latest.index)
    assert indexed["utility_year"].to_dict() == latest["year"].to_dict()
    for project, row in latest.iterrows():  # 100 × a mean exact to 1e-9
        assert indexed.loc[project, "utility_index"] == pytest.approx(row["achievement"], abs=1e-7)
    with_beneficiaries = figures.dropna(subset=["beneficiaries"])
    assert with_beneficiaries["beneficiaries"].to_dict() == served["value"].to_dict()
    assert with_beneficiaries["beneficiaries_year"].to_dict() == served["year"].to_dict()


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_partner_diversity_from_the_kept_kinds_equals_it_from_every_money_row(demo, name):
    """Schema v15: a period from 1900 takes every year's money, but finds the kinds in the
    query; the same kinds and evenness, to the last digit."""
    flt = FILTERS[name]
    for metric in (metrics.partner_diversity, metrics.diversity_summary):
        stored = metric(demo, flt)
        assert len(stored) > 0
        pd.testing.assert_frame_equal(
            stored, metric(demo, flt.with_(year_from=1900)), check_exact=True
        )


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_utility_of_the_flagged_latest_years_equals_it_from_every_year(demo, name):
    """Schema v16: a period from 1900 takes every year, but finds each project's latest ones
    in the query; the same figures, to the last digit."""
    flt = FILTERS[name]
    computed = flt.with_(year_from=1900)
    stored = metrics.utility(demo, flt)
    assert stored["utility_index"].notna().sum() >= 3
    assert stored["beneficiaries"].notna().sum() >= 3
    pd.testing.assert_frame_equal(stored, metrics.utility(demo, computed), check_exact=True)
    figures = metrics.utility_figures(demo, computed, 5)
    for part, kept in metrics.utility_figures(demo, flt, 5).items():
        if isinstance(kept, pd.DataFrame):
            pd.testing.assert_frame_equal(kept, figures[part], check_exact=True)
        else:
            assert kept == figures[part], part


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_progress_from_the_summary_equals_progress_from_the_rounds(demo, name):
    """A period ending in 2100 takes the same rounds, but pairs the first and latest ones."""
    flt = FILTERS[name]
    stored = metrics.progress(demo, flt)
    computed = metrics.progress(demo, flt.with_(year_to=2100))
    assert len(stored) > 10
    pd.testing.assert_frame_equal(stored, computed)
    spread = metrics.cohort_progress(demo, flt)  # schema v14: the consolidated progress kept
    assert not spread.empty
    pd.testing.assert_frame_equal(
        spread, metrics.cohort_progress(demo, flt.with_(year_to=2100)), check_exact=True
    )


def test_the_consolidated_progress_kept_is_the_mean_of_the_viewpoints_progress(demo):
    """Schema v14: per project and lever, the mean over the viewpoints assessed twice or more of
    latest − first (computed here from the lever summary's rows), and each viewpoint's latest
    score side by side."""
    # a new project assessed once, from one viewpoint and on some levers: no progress anywhere
    columns = [
        c
        for (c,) in demo.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'project' "
            "ORDER BY ordinal_position"
        ).fetchall()
    ]
    picked = ", ".join("'PNEW'" if c == "project_id" else c for c in columns)
    with transaction(demo) as cur:  # the test's own SQL of the table's own column names
        cur.execute(
            f"INSERT INTO project ({', '.join(columns)}) SELECT {picked} FROM project "
            "WHERE project_id = 'P000001'"
        )
    holder = demo.execute("SELECT holder_org_id FROM project WHERE project_id = 'PNEW'").fetchone()
    some = {code: 3 for code in ref.QUESTION_CODES if code.split(".")[0] in ref.LEVER_CODES[:2]}
    save_assessment(demo, AssessmentInput("PNEW", "project", holder[0], date(2026, 5, 1), some))
    rows = demo.execute(
        "SELECT project_id, viewpoint, lever, first_score, latest_score, first_on, latest_on "
        "FROM lever_summary"
    ).fetchall()
    expected: dict[tuple[str, str], list[float]] = {}
    latest: dict[tuple[str, str, str], float] = {}
    for project, viewpoint, lever, first, last, first_on, last_on in rows:
        if last is not None:
            latest[(project, lever, viewpoint)] = last
        if first is not None and last is not None and first_on < last_on:
            expected.setdefault((project, lever), []).append(last - first)
    kept = demo.execute(
        "SELECT project_id, lever, progress, latest_ecosystem, latest_project, latest_investment "
        "FROM clever_summary ORDER BY project_id, lever"
    ).fetchall()
    assert len(kept) > 100
    progressed = 0
    for project, lever, progress, *scores in kept:
        changes = expected.get((project, lever))
        if changes is None:
            assert progress is None, (project, lever)
        else:
            progressed += 1
            assert progress == pytest.approx(sum(changes) / len(changes), abs=1e-9)
        for code, score in zip(ref.VIEWPOINT_CODES, scores, strict=True):
            assert score == latest.get((project, lever, code)), (project, lever, code)
    assert progressed > 10
    assert (
        [r[1:] for r in kept if r[0] == "PNEW"]
        == [  # assessed once: no progress
            (lever, None, None, pytest.approx(75.0), None) for lever in sorted(ref.LEVER_CODES[:2])
        ]
    )


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_the_viewpoints_overview_from_the_summary_equals_the_overview_from_the_rounds(demo, name):
    """Schema v14: one pass over the consolidated lever summary gives the very rows the rounds
    give (a period ending in 2100: the same latest rounds), for three thresholds."""
    flt = FILTERS[name]
    for threshold in (5, 25, 50):
        stored = metrics.viewpoint_overview(demo, flt, threshold)
        computed = metrics.viewpoint_overview(demo, flt.with_(year_to=2100), threshold)
        for part in ("means", "gaps", "blind"):
            assert len(stored[part]) > 0 or threshold == 50, (part, threshold)
            pd.testing.assert_frame_equal(
                stored[part], computed[part], check_exact=True, check_dtype=False
            )
        assert len(stored["means"]) == len(ref.VIEWPOINT_CODES) * len(ref.LEVER_CODES)


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_two_viewpoints_of_a_lever_from_the_summary_equal_them_from_the_rounds(demo, name):
    """Schema v14: each viewpoint's latest score side by side gives the pairs the rounds give."""
    flt = FILTERS[name]
    for first, second in PAIRS:
        for lever in ref.LEVER_CODES[:3]:
            stored = metrics.viewpoint_pair(demo, flt, first, second, lever, limit=10_000)
            computed = metrics.viewpoint_pair(
                demo, flt.with_(year_to=2100), first, second, lever, limit=10_000
            )
            assert stored["summary"]["projects"].iloc[0] > 0, (first, second, lever)
            for part in ("summary", "density", "largest"):
                pd.testing.assert_frame_equal(stored[part], computed[part], check_exact=True)


def _keyed(con) -> set[str]:
    found = con.execute(
        "SELECT table_name FROM information_schema.table_constraints "
        "WHERE constraint_type = 'PRIMARY KEY' AND table_schema = current_schema()"
    ).fetchall()
    return {str(t) for (t,) in found}


def test_the_summaries_carry_no_key_on_duckdb_and_keep_it_on_postgresql(empty_con):
    """Schema v11 (docs/data.md "Derived tables"): DuckDB rebuilt an index per key at every
    commit of a write; PostgreSQL keeps its B-trees."""
    keyed = _keyed(empty_con)
    assert {"project", "assessment"} <= keyed  # the user's tables keep theirs (not the
    # answers on DuckDB: tests/test_answers.py)
    on_both = keyed & set(KEYLESS_ON_DUCKDB)
    if empty_con.engine == "duckdb":
        assert not on_both
    else:
        assert on_both == set(KEYLESS_ON_DUCKDB)


# The consolidated lever summary's fill before version 14 (without each viewpoint's latest score
# and the progress), spelt as the write path of that day spelt it.
_CLEVER_BEFORE_14 = f"""INSERT INTO clever_summary (project_id, lever, first_score, latest_score,
    latest_gap, latest_viewpoints, self_score, others_score)
    SELECT project_id, lever, {equal_mean("first_score")}, {equal_mean("latest_score")},
           max(latest_score) - min(latest_score), count(latest_score),
           max(latest_score) FILTER (WHERE viewpoint = 'project'),
           avg(latest_score) FILTER (WHERE viewpoint <> 'project')
    FROM lever_summary WHERE 1 = 1{{where}}
    GROUP BY project_id, lever"""


# The utility summary's fill before version 16 (without the latest years' flags).
_UTILITY_BEFORE_16 = f"""
INSERT INTO utility_summary (project_id, year, utility_index, indicators, beneficiaries)
SELECT project_id, year, 100 * {exact_mean("achievement")}, count(achievement),
       max(value) FILTER (WHERE indicator_code = $beneficiaries)
FROM (
    SELECT m.project_id, m.year, m.indicator_code, m.value,
           {achievement_expression("m", "i")} AS achievement
    FROM measurement m JOIN indicator i ON i.indicator_code = m.indicator_code
) a
GROUP BY project_id, year
"""


# The questions' consolidated scores before version 19: version 3's own fill, narrowed as the
# write path narrows today's to the projects it touched.
_QUESTION_LATEST_BEFORE_19 = V3_QUESTION_LATEST.replace("WHERE is_latest", "WHERE is_latest{where}")
assert "{where}" in _QUESTION_LATEST_BEFORE_19


def _as_of(monkeypatch, version: int) -> None:
    """The schema of `version` and the write path of its day, which kept the summaries it had
    (the pair and project money summaries came with version 13, the consolidated lever
    summary's later columns with version 14)."""
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:version])
    if version < 19:
        monkeypatch.setattr(refresh_module, "QUESTION_LATEST_FILL", _QUESTION_LATEST_BEFORE_19)
    if version < 16:
        monkeypatch.setattr(refresh_module, "UTILITY_FILL", _UTILITY_BEFORE_16)
    money = refresh_module.MONEY_FILLS
    if version < 15:
        assert money[-1][0] == "project_diversity"
        money = money[:-1]
        monkeypatch.setattr(refresh_module, "MONEY_FILLS", money)
        follows = {t: d for t, d in refresh_module.FOLLOWS.items() if t != "organisation"}
        monkeypatch.setattr(refresh_module, "FOLLOWS", follows)
        monkeypatch.setattr(refresh_module, "MONEY", refresh_module.MONEY[:-1])
    summaries = summary_fills()
    if version < 14:
        assert SUMMARY_TABLES[2] == "clever_summary"
        summaries[2] = _CLEVER_BEFORE_14
        monkeypatch.setattr(refresh_module, "summary_fills", lambda: list(summaries))
    if version < 13:
        assert SUMMARY_TABLES[-1] == "pair_summary"
        monkeypatch.setattr(refresh_module, "SUMMARY_TABLES", SUMMARY_TABLES[:-1])
        monkeypatch.setattr(refresh_module, "summary_fills", lambda: summaries[:-1])
        assert money[-1][0] == "project_money_summary"
        monkeypatch.setattr(refresh_module, "MONEY_FILLS", money[:-1])


def _demo_as_of(monkeypatch, path, version: int):
    """A small demo written by the schema and write path of `version` (the connection open)."""
    _as_of(monkeypatch, version)
    con = open_database(path)
    generate(con, n_projects=12, seed=3, progress=_quiet)
    return con


def _migrated(monkeypatch, path):
    """The database reopened by today's code: migrated to the latest version."""
    monkeypatch.undo()
    con = open_database(path)
    assert con.execute("SELECT max(version) FROM schema_version").fetchall() == [
        (schema.LATEST_VERSION,)
    ]
    return con


def test_a_version_10_database_keeps_its_summaries_without_their_keys(tmp_path, monkeypatch):
    path = tmp_path / "v10.duckdb"
    con = _demo_as_of(monkeypatch, path, 10)
    before = snapshot(con, KEYLESS_ON_DUCKDB)
    assert set(KEYLESS_ON_DUCKDB) <= _keyed(con)
    con.close()
    con = _migrated(monkeypatch, path)
    try:
        assert not _keyed(con) & set(KEYLESS_ON_DUCKDB)
        after = snapshot(con, KEYLESS_ON_DUCKDB)
        # versions 14 and 16 add columns to two of them: the first ones are kept
        for table, rows in after.items():
            after[table] = [row[: len(before[table][0])] for row in rows]
        assert after == before
        for table in KEYLESS_ON_DUCKDB:
            assert before[table], f"the test must see {table} rows"
        assert_rebuild_gives_the_same_rows(con)  # and the write path refreshes them as before
    finally:
        con.close()


PAIRS = [(a, b) for a in ref.VIEWPOINT_CODES for b in ref.VIEWPOINT_CODES if a != b]


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_the_gap_ranking_from_the_pair_summary_equals_the_ranking_from_the_rounds(demo, name):
    """Schema v13: a period ending in 2100 takes the same latest rounds, but pairs the
    viewpoints' scores in the query; both ways round each pair, every figure the same number."""
    flt = FILTERS[name]
    for first, second in PAIRS:
        stored = metrics.viewpoint_gap_ranking(demo, flt, first, second, limit=10_000)
        computed = metrics.viewpoint_gap_ranking(
            demo, flt.with_(year_to=2100), first, second, limit=10_000
        )
        assert len(stored["ranking"]) > 0, (first, second)
        pd.testing.assert_frame_equal(stored["summary"], computed["summary"])
        pd.testing.assert_frame_equal(stored["ranking"], computed["ranking"], check_exact=True)
    # one pair both ways round: the same projects and gaps, the differences reversed
    forth = metrics.viewpoint_gap_ranking(demo, flt, "project", "investment", limit=10_000)
    back = metrics.viewpoint_gap_ranking(demo, flt, "investment", "project", limit=10_000)
    forth, back = (f["ranking"].set_index("project_id").sort_index() for f in (forth, back))
    assert forth["mean_gap"].equals(back["mean_gap"])
    assert forth["largest_lever"].equals(back["largest_lever"])
    assert forth["largest_difference"].equals(-back["largest_difference"])
    assert forth["mean_difference"].tolist() == pytest.approx(
        (-back["mean_difference"]).tolist(), abs=1e-9
    )


def _question_scores_computed(con) -> list[tuple]:
    """Each project's consolidated latest question scores as the metric layer computes them
    from the rounds (a period ending in 2100: the same latest rounds, not the stored table)."""
    q = Query(PortfolioFilter(scope=None, year_to=2100))
    with_question_scores(q)
    frame = q.run(con, "SELECT project_id, question, score FROM question_score")
    return sorted(frame.itertuples(index=False, name=None))


def _question_scores_stored(con) -> list[tuple]:
    rows = con.execute("SELECT project_id, question, score FROM question_latest").fetchall()
    return sorted(rows)


def test_the_stored_question_scores_are_the_metric_layers_to_the_last_digit(demo, empty_con):
    """Schema v19: each question's consolidated latest score is the same order-free mean the
    metric layer computes. Three assessors of each viewpoint on one date give a question 5/3,
    4/3 and 5/3: a plain average of those doubles is 1.5555555555555556, the order-free mean
    (each term to 1e-9) 1.5555555556666667."""
    stored = _question_scores_stored(demo)
    assert len(stored) > 100
    assert stored == _question_scores_computed(demo)

    seed(empty_con)
    thirds = {"ecosystem": (1, 2, 2), "project": (1, 1, 2), "investment": (2, 2, 1)}
    rows = "".join(
        f"T{viewpoint[:3]}{i};P1;{viewpoint};{org};01/06/2025;{score}\n"
        for viewpoint, scores in thirds.items()
        for i, (org, score) in enumerate(zip(("H1", "H2", "INV"), scores, strict=True))
    )
    report = import_files(empty_con, files(assessments=ASSESSMENTS + rows))
    assert report.loaded, report.problems_frame("en")
    found = dict(((p, q), v) for p, q, v in _question_scores_stored(empty_con))
    assert found[("P1", "ecosystem.needs")] == 4666666667 / 1e9 / 3
    assert _question_scores_stored(empty_con) == _question_scores_computed(empty_con)


def test_a_version_18_database_gets_order_free_question_scores(tmp_path, monkeypatch):
    path = tmp_path / "v18.duckdb"
    con = _demo_as_of(monkeypatch, path, 18)
    before = _question_scores_stored(con)
    con.close()
    con = _migrated(monkeypatch, path)
    try:
        after = _question_scores_stored(con)
        assert [row[:2] for row in after] == [row[:2] for row in before]
        assert all(abs(a[2] - b[2]) < 1e-9 for a, b in zip(after, before, strict=True))
        assert after == _question_scores_computed(con)
        assert_rebuild_gives_the_same_rows(con)  # the migration's rows are today's
    finally:
        con.close()


def test_a_version_13_database_gets_the_summaries_of_versions_14_and_15(tmp_path, monkeypatch):
    path = tmp_path / "v13.duckdb"
    con = _demo_as_of(monkeypatch, path, 13)
    columns = {
        c
        for (c,) in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'clever_summary'"
        ).fetchall()
    }
    assert "progress" not in columns
    con.close()
    con = _migrated(monkeypatch, path)
    try:
        filled = con.execute(
            "SELECT count(progress), count(latest_project), count(*) FROM clever_summary"
        ).fetchone()
        assert 0 < filled[0] <= filled[2]
        assert 0 < filled[1] <= filled[2]
        assert snapshot(con, ("project_diversity",))["project_diversity"]
        assert "project_diversity" not in _keyed(con)  # DuckDB: no key, as the other summaries
        assert_rebuild_gives_the_same_rows(con)  # the migration's rows are today's
    finally:
        con.close()


def test_a_version_12_database_gets_the_summaries_of_version_13_the_write_path_keeps(
    tmp_path, monkeypatch
):
    path = tmp_path / "v12.duckdb"
    con = _demo_as_of(monkeypatch, path, 12)
    tables = {
        t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    assert not {"pair_summary", "project_money_summary"} & tables
    con.close()
    con = _migrated(monkeypatch, path)
    try:
        for table in ("pair_summary", "project_money_summary"):
            assert snapshot(con, (table,))[table], f"the migration fills {table}"
            assert table not in _keyed(con)  # DuckDB: no key, as the other summaries
        assert_rebuild_gives_the_same_rows(con)
    finally:
        con.close()


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_money_from_the_project_totals_equals_money_from_every_row(demo, name):
    """Schema v13: a period from 1900 takes every year's money, but adds it up in the query;
    every euro figure the same, to the cent (investors' own money included)."""
    flt = FILTERS[name]
    computed = flt.with_(year_from=1900)
    # an investor that is also a partner of a project it funds: its contribution is not its own
    # money (an investment), but the project's resources
    project = demo.execute(
        "SELECT min(project_id) FROM investment WHERE investor_org_id = 'INV02'"
    ).fetchone()[0]
    with transaction(demo) as cur:
        cur.execute(
            "INSERT INTO contribution (contribution_id, partner_org_id, project_id, date, "
            "value_eur, kind) VALUES ('K-INV02', 'INV02', $p, DATE '2025-03-01', 1234.5, "
            "'financial')",
            {"p": project},
        )
        derived.refresh(cur, ("contribution",))
    stored_rows = metrics.leverage(demo, flt)
    assert len(stored_rows) > (10 if name == "all" else 0)
    pd.testing.assert_frame_equal(stored_rows, metrics.leverage(demo, computed), check_exact=True)
    assert metrics.portfolio_kpis(demo, flt) == metrics.portfolio_kpis(demo, computed)
    for investor in ("INV01", "INV02"):
        pd.testing.assert_frame_equal(
            metrics.leverage(demo, flt, investor=investor),
            metrics.leverage(demo, computed, investor=investor),
            check_exact=True,
        )
    pd.testing.assert_frame_equal(
        metrics.investor_benchmark(demo, flt), metrics.investor_benchmark(demo, computed)
    )
