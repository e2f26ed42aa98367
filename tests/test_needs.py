"""Needs and the seven thematic paths (docs/figures.md "Needs"), on the hand-written portfolio, by hand.

Consolidated latest scores (see tests/test_benchmarks.py for the rounds):
P1 (rnd): ecosystem (100 + 50 + 62.5) / 3 = 70.83, innovation 50, strategy 75.
P2 (modelling): ecosystem 75, digital (25 + 0) / 2 = 12.5, alliances (50 + 75) / 2 = 62.5.
P3 (modelling): evaluation 75.
Phase weights: rnd 2, 3, 2, 2, 2, 2, 2; modelling 1, 2, 3, 3, 2, 2, 3 (levers in order).
"""

from __future__ import annotations

import pandas as pd
import pytest

from coinvest import metrics
from coinvest import reference as ref
from coinvest.db import open_database
from coinvest.demo import generate
from coinvest.derived import refresh_lever_rounds, refresh_needs
from coinvest.errors import CoinvestError
from coinvest.filters import PortfolioFilter
from coinvest.metrics.needs import _side_by_side

ALL = PortfolioFilter(scope=None)


def _needs(con, threshold: float = 40.0) -> pd.DataFrame:
    return metrics.project_needs(con, ALL, threshold).set_index(["project_id", "lever"])


def test_need_priority_and_path_by_hand(portfolio_con):
    needs = _needs(portfolio_con)
    assert needs.loc[("P1", "ecosystem"), "need"] == pytest.approx((100 - 212.5 / 3) * 2 / 3)
    assert needs.loc[("P1", "innovation"), "need"] == pytest.approx(50.0)  # (100 − 50) × 3 / 3
    assert needs.loc[("P1", "strategy"), "need"] == pytest.approx(25 * 2 / 3)
    assert needs.loc[("P2", "digital"), "need"] == pytest.approx(87.5 * 2 / 3)
    assert needs.loc[("P2", "alliances"), "need"] == pytest.approx(37.5 * 2 / 3)
    assert needs.loc[("P3", "evaluation"), "need"] == pytest.approx(25.0)
    assert needs.loc[("P1", "innovation"), "weight"] == 3
    # priorities at 40: P1 innovation and P2 digital, each the project's recommended path
    priorities = needs[needs["priority"].fillna(False)]
    assert list(priorities.index) == [("P1", "innovation"), ("P2", "digital")]
    assert list(priorities["rank"]) == [1, 1]
    # every lever of an assessed project has a row; one never assessed has no score nor need
    assert len(needs) == 3 * 7
    never = needs.loc[("P1", "model")]
    assert pd.isna(never["score"])
    assert pd.isna(never["need"])
    assert pd.isna(never["priority"])  # missing, not false (docs/figures.md "Settled points")
    assert pd.isna(never["rank"])
    assert never["weight"] == ref.PHASE_WEIGHTS["rnd"]["model"]


def test_threshold_exactly_reached_and_ties_in_lever_order(portfolio_con):
    # five assessors of P3's ecosystem viewpoint on one date: strategy.state averages 2.4 → 60;
    # modelling weighs strategy 3: need (100 − 60) × 3 / 3 = 40 exactly
    for i, score in enumerate((3, 3, 2, 2, 2)):
        portfolio_con.execute(
            f"INSERT INTO assessment VALUES ('X{i}', 'P3', 'ecosystem', 'SB', "
            "DATE '2024-02-01', NULL)"
        )
        portfolio_con.execute(
            f"INSERT INTO assessment_answer VALUES ('X{i}', 'strategy.state', {score}, NULL)"
        )
    # and P3's model lever at 75 from its investment round: need 25, as its evaluation's
    portfolio_con.execute("INSERT INTO assessment_answer VALUES ('A9', 'model.levers', 3, NULL)")
    refresh_lever_rounds(portfolio_con)
    needs = _needs(portfolio_con, 40.0)
    assert needs.loc[("P3", "strategy"), "need"] == 40.0
    assert needs.loc[("P3", "strategy"), "priority"]  # exactly the threshold counts
    assert not _needs(portfolio_con, 40.01).loc[("P3", "strategy"), "priority"]
    at_25 = _needs(portfolio_con, 25.0).loc["P3"]
    ranked = at_25[at_25["priority"]].sort_values("rank")
    # strategy 40 first; model and evaluation tie at 25: lever order decides
    assert list(ranked.index) == ["strategy", "model", "evaluation"]
    assert list(ranked["rank"]) == [1, 2, 3]


@pytest.mark.parametrize("phase", ref.PHASE_CODES)
def test_each_phase_weighs_the_need(portfolio_con, phase):
    portfolio_con.execute("UPDATE project SET phase = $p WHERE project_id = 'P1'", {"p": phase})
    refresh_needs(portfolio_con.cursor(), ["P1"])  # what every writer of projects does
    needs = _needs(portfolio_con)
    weight = ref.PHASE_WEIGHTS[phase]["innovation"]
    assert needs.loc[("P1", "innovation"), "weight"] == weight
    assert needs.loc[("P1", "innovation"), "need"] == pytest.approx(50 * weight / 3)


def test_needs_of_a_portfolio_per_lever(portfolio_con):
    by_lever = metrics.needs_by_lever(portfolio_con, ALL).set_index("lever")
    assert list(by_lever.index) == list(ref.LEVER_CODES)
    assert by_lever.loc["innovation", "assessed"] == 1
    assert by_lever.loc["innovation", "priority"] == 1
    assert by_lever.loc["innovation", "share"] == 1.0
    assert by_lever.loc["innovation", "path"] == 1
    assert by_lever.loc["ecosystem", "assessed"] == 2
    assert by_lever.loc["ecosystem", "priority"] == 0
    assert by_lever.loc["ecosystem", "median_need"] == pytest.approx(
        ((100 - 212.5 / 3) * 2 / 3 + 25 / 3) / 2
    )
    # model: no project assessed on it, all three shown apart
    assert by_lever.loc["model", "assessed"] == 0
    assert by_lever.loc["model", "not_assessed"] == 3
    assert pd.isna(by_lever.loc["model", "share"])
    invitees = metrics.path_projects(portfolio_con, ALL, "digital")
    assert list(invitees["project_id"]) == ["P2"]
    assert invitees["holder"].iloc[0] == "SCIC Roue Libre"
    assert invitees["priorities"].iloc[0] == 1
    assert metrics.path_projects(portfolio_con, ALL, "model").empty
    # a cohort: C1 holds P2 only
    cohort = metrics.needs_by_lever(
        portfolio_con, PortfolioFilter.create(cohort=["C1"], scope=None)
    )
    assert cohort.set_index("lever").loc["innovation", "assessed"] == 0


def test_questions_to_work_on(portfolio_con):
    p2 = metrics.project_questions(portfolio_con, ALL, "P2").set_index("question")
    assert p2.loc["digital.uses", "project"] == 1
    assert p2.loc["digital.uses", "investment"] == 0
    assert p2.loc["digital.uses", "score"] == pytest.approx(0.5)
    assert p2.loc["digital.uses", "weak"]
    assert not p2.loc["alliances.why", "weak"]  # (2 + 3) / 2
    assert pd.isna(p2.loc["ecosystem.needs", "investment"])
    p1 = metrics.project_questions(portfolio_con, ALL, "P1").set_index("question")
    # the ecosystem viewpoint's two assessors of one date are averaged first: (1 + 3) / 2
    assert p1.loc["ecosystem.needs", "ecosystem"] == 2
    assert p1.loc["ecosystem.needs", "score"] == pytest.approx((4 + 2 + 2) / 3)
    assert p1.loc["innovation.phases", "score"] == 1.0  # (2 + 0) / 2: exactly 1 is weak
    assert p1.loc["innovation.phases", "weak"]
    by_question = metrics.needs_by_question(portfolio_con, ALL).set_index("question")
    assert by_question.loc["innovation.phases", "projects"] == 1
    assert by_question.loc["innovation.phases", "share"] == 1.0
    assert by_question.loc["ecosystem.needs", "projects"] == 2
    assert by_question.loc["ecosystem.needs", "weak"] == 0
    assert by_question.loc["digital.uses", "lever"] == "digital"
    assert list(by_question.index) == [q for q in ref.QUESTION_CODES if q in by_question.index]


def test_did_it_help(portfolio_con):
    # P1's first rounds: project (A1) ecosystem 75, innovation 25; investment (A3) ecosystem 50,
    # innovation 50; ecosystem (A4) ecosystem 0. First consolidated: ecosystem 41.67,
    # innovation 37.5 → first needs (rnd): ecosystem 38.9, innovation 62.5 (a priority).
    # Progress on innovation: only the project viewpoint has two rounds: 25 → 62.5.
    # P1 was in cohort C2 from 2024-01-15 to 2025-01-15, between its rounds of 2024-01-10 and
    # 2025-01-10: supported.
    frame = metrics.did_it_help(portfolio_con, ALL)
    assert list(frame.columns) == ["lever", "group", "projects", "median_progress"]
    assert len(frame) == 2 * len(ref.LEVER_CODES)  # every lever, both groups
    helped = frame.set_index(["lever", "group"])
    assert helped.loc[("innovation", "supported"), "projects"] == 1
    assert helped.loc[("innovation", "supported"), "median_progress"] == pytest.approx(37.5)
    assert helped.loc[("innovation", "unsupported"), "projects"] == 0
    assert helped.loc[("ecosystem", "supported"), "projects"] == 0
    hidden = metrics.did_it_help(portfolio_con, ALL, minimum=ref.PEER_MIN)
    assert hidden["median_progress"].isna().all()  # one project is no comparison
    side = metrics.did_it_help_compared(portfolio_con, ALL).set_index("lever")
    assert side.loc["innovation", "supported_projects"] == 1
    assert pd.isna(side.loc["innovation", "difference"])
    lower = metrics.did_it_help(portfolio_con, ALL, 38.0).set_index(["lever", "group"])
    # ecosystem becomes a priority of P1's first round: progress (25 + 62.5) / 2
    assert lower.loc[("ecosystem", "supported"), "projects"] == 1
    assert lower.loc[("ecosystem", "supported"), "median_progress"] == pytest.approx(43.75)

    # P1's membership moved after its latest round: P1 is in the other group
    portfolio_con.execute(
        "UPDATE cohort_member SET entry_date = DATE '2025-02-01', exit_date = NULL "
        "WHERE project_id = 'P1'"
    )
    moved = metrics.did_it_help(portfolio_con, ALL).set_index(["lever", "group"])
    assert moved.loc[("innovation", "supported"), "projects"] == 0
    assert moved.loc[("innovation", "unsupported"), "projects"] == 1
    assert moved.loc[("innovation", "unsupported"), "median_progress"] == pytest.approx(37.5)
    # a membership that ended before the first round does not count either
    portfolio_con.execute(
        "UPDATE cohort_member SET entry_date = DATE '2023-01-01', exit_date = DATE '2024-01-01' "
        "WHERE project_id = 'P1'"
    )
    ended = metrics.did_it_help(portfolio_con, ALL).set_index(["lever", "group"])
    assert ended.loc[("innovation", "unsupported"), "projects"] == 1


def test_did_it_help_side_by_side_shows_a_difference_only_over_five_and_five():
    helped = pd.DataFrame(
        {
            "lever": ["strategy", "strategy", "model", "model"],
            "group": ["supported", "unsupported"] * 2,
            "projects": [5, 6, 5, 4],
            "median_progress": [12.0, 4.5, 10.0, None],  # hidden by did_it_help
        }
    )
    side = _side_by_side(helped, ref.PEER_MIN).set_index("lever")
    assert list(side.index) == ["strategy", "model"]
    assert side.loc["strategy", "difference"] == pytest.approx(12.0 - 4.5)
    assert side.loc["strategy", "unsupported_projects"] == 6
    assert pd.isna(side.loc["model", "difference"])  # 4 unsupported projects: no difference
    assert pd.isna(side.loc["model", "unsupported_median"])  # nor their median
    assert side.loc["model", "supported_median"] == 10.0


def test_a_bad_threshold_is_refused(portfolio_con):
    with pytest.raises(CoinvestError):
        metrics.project_needs(portfolio_con, ALL, 0)
    with pytest.raises(CoinvestError):
        metrics.needs_by_lever(portfolio_con, ALL, float("nan"))


def test_question_rounds_equal_the_answers_recomputed(demo_con):
    """The derived table the needs read is what the answers say."""
    differences = demo_con.execute(
        """WITH q AS (
            SELECT a.project_id, a.viewpoint, a.assessed_on, x.question, avg(x.score) AS score
            FROM assessment a JOIN assessment_answer x ON x.assessment_id = a.assessment_id
            GROUP BY a.project_id, a.viewpoint, a.assessed_on, x.question)
        SELECT count(*) FROM q FULL JOIN question_round r
            USING (project_id, viewpoint, assessed_on, question)
        WHERE q.score IS NULL OR r.score IS NULL OR abs(q.score - r.score) > 1e-9"""
    ).fetchone()[0]
    assert differences == 0
    assert demo_con.execute("SELECT count(*) FROM question_round").fetchone()[0] > 0


def test_needs_matrix_shows_the_projects_with_the_highest_needs(portfolio_con):
    matrix = metrics.needs_matrix(portfolio_con, ALL, limit=2)
    # P2's highest need is digital 58.3, P1's innovation 50; P3 (25) is left out
    assert list(dict.fromkeys(matrix["project_id"])) == ["P2", "P1"]
    p2 = matrix[matrix["project_id"] == "P2"].set_index("lever")
    assert list(p2.index) == ["ecosystem", "alliances", "digital"]  # lever order
    assert p2.loc["digital", "priority"]
    assert not p2.loc["alliances", "priority"]
    assert matrix["top"].iloc[0] == pytest.approx(87.5 * 2 / 3)


def test_the_weakest_questions_kept_at_write_time_equal_those_computed(demo_con):
    kept = metrics.needs_by_question(demo_con, ALL)
    computed = metrics.needs_by_question(demo_con, ALL.with_(year_to=2035))
    assert kept.equals(computed)
    assert kept["weak"].sum() > 0


def _derived_differences(con) -> int:
    return con.execute(
        """WITH r AS (
            SELECT project_id, viewpoint, assessed_on, question, avg(x.score) AS score,
                   assessed_on = max(assessed_on)
                       OVER (PARTITION BY project_id, viewpoint, split_part(question, '.', 1))
                       AS is_latest
            FROM assessment a JOIN assessment_answer x USING (assessment_id)
            GROUP BY project_id, viewpoint, assessed_on, question),
        l AS (SELECT project_id, question, avg(score) AS score FROM r WHERE is_latest
              GROUP BY project_id, question)
        SELECT (SELECT count(*) FROM r FULL JOIN question_round q
                    USING (project_id, viewpoint, assessed_on, question)
                WHERE r.score IS NULL OR q.score IS NULL OR abs(r.score - q.score) > 1e-9
                   OR r.is_latest <> q.is_latest)
             + (SELECT count(*) FROM l FULL JOIN question_latest q USING (project_id, question)
                WHERE l.score IS NULL OR q.score IS NULL OR abs(l.score - q.score) > 1e-9)"""
    ).fetchone()[0]


def test_a_writer_of_one_project_keeps_the_question_tables_exact(portfolio_con):
    assert _derived_differences(portfolio_con) == 0
    portfolio_con.execute(
        "UPDATE assessment_answer SET score = 0 WHERE assessment_id = 'A2' AND question = 'ecosystem.needs'"
    )
    portfolio_con.execute(
        "INSERT INTO assessment VALUES ('A11', 'P2', 'project', 'H2', DATE '2026-01-01', NULL)"
    )
    portfolio_con.execute("INSERT INTO assessment_answer VALUES ('A11', 'digital.uses', 4, NULL)")
    assert _derived_differences(portfolio_con) > 0
    refresh_lever_rounds(portfolio_con, ["P1", "P2"])  # what every writer does
    assert _derived_differences(portfolio_con) == 0
    p2 = metrics.project_questions(portfolio_con, ALL, "P2").set_index("question")
    assert p2.loc["digital.uses", "project"] == 4  # the new latest round of the project team


def test_path_invitations_list_every_project_for_which_the_lever_is_a_priority(portfolio_con):
    # at 20: P1 innovation 50 (its path); P2 digital 58.3 (its path) and alliances 25 (rank 2);
    # P3 evaluation 25 — levers in the method's order, then by need
    invited = metrics.path_invitations(portfolio_con, ALL, 20.0)
    assert list(invited.columns) == [
        "lever",
        "project_id",
        "rank",
        "need",
        "holder",
        "department_code",
    ]
    assert [tuple(r) for r in invited[["lever", "project_id", "rank"]].itertuples(index=False)] == [
        ("innovation", "P1", 1),
        ("alliances", "P2", 2),
        ("digital", "P2", 1),
        ("evaluation", "P3", 1),
    ]
    alliances = invited.iloc[1]
    assert alliances["need"] == pytest.approx(37.5 * 2 / 3)
    assert alliances["department_code"] == "13"
    assert alliances["holder"] == "SCIC Roue Libre"
    # the page's list of a path holds the projects for which it is a second priority too
    page = metrics.needs_overview(portfolio_con, ALL, 20.0)["invitees"]
    assert list(page[page["lever"] == "alliances"]["rank"]) == [2]
    # at 40 only the first priorities are left
    assert list(metrics.path_invitations(portfolio_con, ALL)["project_id"]) == ["P1", "P2"]


def test_the_invitees_of_each_path_are_its_highest_needs_up_to_the_limit(new_db):
    """Each lever's list is cut at the limit after the highest needs (ties by project), and
    numbered in that order: the first lines of the list without a limit."""
    con = open_database(new_db("invitees"))
    try:
        generate(con, n_projects=60, seed=11, progress=lambda _: None)
        whole = metrics.needs_overview(con, ALL, 20.0, invitee_limit=10_000)["invitees"]
        cut = metrics.needs_overview(con, ALL, 20.0, invitee_limit=3)["invitees"]
        per_lever = whole.groupby("lever").size()
        assert (per_lever > 3).sum() >= 3, "the test must cut several levers' lists"
        expected = whole.groupby("lever", sort=True).head(3).reset_index(drop=True)
        pd.testing.assert_frame_equal(cut.reset_index(drop=True), expected)
        for _, rows in whole.groupby("lever"):
            ordered = rows.sort_values(["need", "project_id"], ascending=[False, True])
            assert rows["project_id"].tolist() == ordered["project_id"].tolist()
    finally:
        con.close()
