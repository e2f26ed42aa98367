"""The edges of issue #28 (docs/figures.md "Settled points", §6.2, §11), each computed by hand next to its check, on
both engines: leverage with a period, undo and concurrent writes, exact euros."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from coinvest import metrics
from coinvest.filters import PortfolioFilter


def _add(con, *statements: str) -> None:
    from coinvest.derived import refresh_money

    for statement in statements:
        con.execute(statement)
    refresh_money(con)


# --- leverage with a period (docs/figures.md "Settled points") --------------------------------------------------------


def test_leverage_in_a_period_covers_projects_funded_before_it(portfolio_con):
    # INV_A lent 30,000 € to P3 in 2023; in 2024 a partner brings P3 30,000.25 €. "INV_A in 2024"
    # is P1 (10,000 € of INV_A in 2024) and P3 (none of INV_A's euros in 2024).
    _add(
        portfolio_con,
        "INSERT INTO contribution VALUES ('K3', 'PARTNER', 'P3', DATE '2024-09-01', 30000.25, "
        "'financial', NULL)",
    )
    flt = PortfolioFilter.create(investor="INV_A", year_from=2024, year_to=2024, scope=None)
    k = metrics.portfolio_kpis(portfolio_con, flt)
    # resources: P1 10,000 + 5,000 + 2,000, P3 30,000.25; committed: 10,000
    assert k.resources_eur == 47000.25
    assert k.committed_eur == 10000
    assert k.levered_eur == 37000.25
    assert Decimal(str(k.resources_eur)) - Decimal(str(k.committed_eur)) == Decimal("37000.25")
    assert k.leverage == pytest.approx(3.700025)
    # without non-financial resources: P1's skills sponsorship (5,000) is left out
    assert k.leverage_financial == pytest.approx((12000 + 30000.25 - 10000) / 10000)
    summary = metrics.portfolio_summary(portfolio_con, flt).set_index("metric")["value"]
    assert summary["levered_eur"] == 37000.25
    assert summary["resources_eur"] - summary["committed_eur"] == summary["levered_eur"]
    # the investors' benchmark gives INV_A exactly the tiles' figure, over the same 2 projects
    bench = metrics.investor_benchmark(portfolio_con, flt).set_index("org_id")
    assert bench.loc["INV_A", "projects"] == 2
    assert bench.loc["INV_A", "leverage"] == pytest.approx(k.leverage)
    assert bench.loc["INV_A", "leverage_financial"] == pytest.approx(k.leverage_financial)


def test_levered_is_counted_when_the_investor_committed_nothing_in_the_period(portfolio_con):
    # "INV_A in 2025": P1 and P3, none of INV_A's euros in 2025; others bring P1 30,000 €
    _add(
        portfolio_con,
        "INSERT INTO contribution VALUES ('K4', 'PARTNER', 'P1', DATE '2025-04-01', 30000, "
        "'financial', NULL)",
    )
    flt = PortfolioFilter.create(investor="INV_A", year_from=2025, year_to=2025, scope=None)
    k = metrics.portfolio_kpis(portfolio_con, flt)
    assert k.projects == 2
    assert k.committed_eur == 0
    assert k.levered_eur == 30000
    assert k.leverage is None  # levered / 0: missing, never 0 nor infinite
    bench = metrics.investor_benchmark(portfolio_con, flt).set_index("org_id")
    assert pd.isna(bench.loc["INV_A", "leverage"])


def test_an_investor_s_own_contribution_counts_in_resources_not_in_its_own_euros(portfolio_con):
    # INV_B also contributes 1,000 € in kind to P2 (2025): resources, never own(INV_B, P2)
    _add(
        portfolio_con,
        "INSERT INTO contribution VALUES ('K5', 'INV_B', 'P2', DATE '2025-03-01', 1000, "
        "'in_kind', NULL)",
    )
    flt = PortfolioFilter.create(investor="INV_B", scope=None)
    per_project = metrics.leverage(portfolio_con, flt).set_index("project_id")
    assert per_project.loc["P2", "own_eur"] == 20000
    assert per_project.loc["P2", "resources_eur"] == 20000 + 1000 + 1000
    assert per_project.loc["P2", "leverage"] == pytest.approx(2000 / 20000)


# --- one write path: undo refreshes every project, concurrent saves land (docs/rules.md "History") ---------


def test_undoing_an_import_that_moved_an_assessment_refreshes_both_projects(empty_con):
    from coinvest.importer import import_files
    from coinvest.importer.revert import revert
    from tests.test_deletion import ASSESSMENTS, files, seed
    from tests.test_summaries import assert_rebuild_gives_the_same_rows

    seed(empty_con)
    p1_before = metrics.project_summary(empty_con, PortfolioFilter(scope=None)).set_index(
        "project_id"
    )
    moved = import_files(
        empty_con,
        files(assessments=ASSESSMENTS.replace("A1;P1;project", "A1;P2;project")),
    )
    assert moved.loaded, moved.problems_frame("en")
    assert_rebuild_gives_the_same_rows(empty_con)  # the import refreshed P1 and P2
    undone = revert(empty_con, moved.import_id, "test")
    # A1 is back on P1: P1's lever scores, maturity and needs are P1's again (2 of 4 → 50),
    # and P2 keeps only its own round (3 of 4 → 75)
    assert_rebuild_gives_the_same_rows(empty_con)
    after = metrics.project_summary(empty_con, PortfolioFilter(scope=None)).set_index("project_id")
    assert after.loc["P1", "maturity_project"] == 50.0
    assert after.loc["P2", "maturity_project"] == 75.0
    assert after.loc["P1", "maturity_consolidated"] == p1_before.loc["P1", "maturity_consolidated"]
    needs = metrics.project_needs(empty_con, PortfolioFilter(scope=None)).set_index(
        ["project_id", "lever"]
    )
    assert needs.loc[("P1", "ecosystem"), "score"] == 50.0  # not missing, as before the fix
    assert undone.import_id == moved.import_id + 1


def test_a_refused_import_consumes_no_import_number(empty_con):
    from coinvest.importer import import_files
    from tests.test_deletion import files, seed

    seed(empty_con)
    first = import_files(
        empty_con,
        files(
            investments="investment_id;investor_org_id;project_id;date;amount_eur;instrument\n"
            "I9;INV;P1;01/03/2025;500;grant\n"
        ),
    )
    # refused at write time: a deletion that leaves a row pointing to a removed one
    refused = import_files(
        empty_con,
        files(
            projects="project_id;name;holder_org_id;need;phase;department_code\n"
            "P1;Épicerie;H1;food;rnd;75\n"
        ),
        delete_missing=True,
    )
    assert not refused.loaded
    after = import_files(
        empty_con,
        files(
            investments="investment_id;investor_org_id;project_id;date;amount_eur;instrument\n"
            "I10;INV;P1;01/04/2025;600;grant\n"
        ),
    )
    assert after.import_id == first.import_id + 1


def test_questionnaires_and_an_import_saved_at_once_all_land(new_db):
    """Eight people save a questionnaire while an import runs, on one shared connection (the
    app's): every save lands, nobody sees "Conflict on update", and the derived scores are
    those a rebuild gives."""
    import threading
    from datetime import date

    from coinvest.assessments import AssessmentInput, save_assessment
    from coinvest.db import open_database
    from coinvest.importer import import_files
    from tests.test_deletion import files, seed
    from tests.test_summaries import assert_rebuild_gives_the_same_rows

    con = open_database(new_db("concurrent"))
    try:
        seed(con)
        errors: list[BaseException] = []
        start = threading.Barrier(9)

        def save(n: int) -> None:
            try:
                start.wait()
                save_assessment(
                    con,
                    AssessmentInput(
                        project_id="P1" if n % 2 else "P2",
                        viewpoint="investment",
                        assessor_org_id="INV",
                        assessed_on=date(2025, 4, 1 + n),
                        scores={"ecosystem.needs": n % 5, "strategy.state": 4 - n % 5},
                    ),
                    who=f"officer{n}@example.org",
                )
            except BaseException as exc:  # collected, asserted below
                errors.append(exc)

        def load() -> None:
            try:
                start.wait()
                rows = "".join(
                    f"J{i};INV;P{1 + i % 2};0{1 + i % 9}/05/2025;{100 + i},50;grant\n"
                    for i in range(200)
                )
                report = import_files(
                    con,
                    files(
                        investments="investment_id;investor_org_id;project_id;date;amount_eur;"
                        "instrument\n" + rows
                    ),
                )
                assert report.loaded, report.problems_frame("en")
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=save, args=(n,)) for n in range(8)]
        threads.append(threading.Thread(target=load))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert not errors, errors
        assert con.execute(
            "SELECT count(*) FROM assessment WHERE viewpoint = 'investment'"
        ).fetchone() == (8,)
        assert con.execute("SELECT count(*) FROM investment").fetchone() == (202,)
        assert_rebuild_gives_the_same_rows(con)
    finally:
        con.close()


def test_an_engine_error_inside_a_write_is_a_french_message_and_writes_nothing(empty_con):
    from coinvest.writing import WriteFailed, writing

    before = empty_con.execute("SELECT count(*) FROM change_log").fetchone()

    def write() -> None:
        with writing(empty_con, "test", "members") as audit:
            audit.watch("membership")
            audit.cur.execute(
                "INSERT INTO membership (email, org_id, role) VALUES ('a@b.fr', NULL, NULL)"
            )

    with pytest.raises(WriteFailed) as refused:
        write()
    assert "rien n'a été écrit" in refused.value.message("fr")
    assert empty_con.execute("SELECT count(*) FROM change_log").fetchone() == before


# --- command line: unknown ids, a history safe to open in Excel -------------------------------


def test_history_out_is_csv_for_excel_with_formulas_neutralised(tmp_path, capsys):
    from coinvest.cli import main
    from coinvest.db import open_database
    from coinvest.importer import import_files
    from tests.test_deletion import files

    db = tmp_path / "h.duckdb"
    con = open_database(db)
    named = 'org_id;name;kind\nH1;"=HYPERLINK(""http://127.0.0.1:9/x"",""clic"")";association\n'
    assert import_files(con, files(organisations=named)).loaded
    con.close()
    out = tmp_path / "journal.csv"
    assert main(["history", "--db", str(db), "--out", str(out)]) == 0
    text = out.read_bytes().decode("utf-8")
    assert text.startswith("\ufeffchanged_at;who;")
    assert ";'=HYPERLINK(" in text or ";\"'=HYPERLINK(" in text
    assert ";=HYPERLINK(" not in text
    assert ';"=HYPERLINK(' not in text


# --- the edge cases docs/figures.md "Settled points" settles, by hand on tests/portfolio.py -------------------------


def _answers(con, *statements: str) -> None:
    from coinvest.derived import refresh_lever_rounds

    for statement in statements:
        con.execute(statement)
    refresh_lever_rounds(con)  # what every writer of assessments does


def test_a_latest_round_that_leaves_a_lever_blank_keeps_that_lever_s_previous_score(
    portfolio_con,
):
    # P2's team answered ecosystem (3), digital (1), alliances (2) on 2025-05-01; on 2025-09-01
    # it answers digital only (4). Latest: digital 100 (the new round), ecosystem 75 and
    # alliances 50 (the most recent rounds that answered them), never missing.
    _answers(
        portfolio_con,
        "INSERT INTO assessment VALUES ('A10', 'P2', 'project', 'H2', DATE '2025-09-01', NULL)",
        "INSERT INTO assessment_answer (assessment_id, question, score) VALUES "
        "('A10', 'digital.uses', 4)",
    )
    latest = metrics.lever_scores(portfolio_con, PortfolioFilter(scope=None), "latest")
    p2 = latest[(latest["project_id"] == "P2") & (latest["viewpoint"] == "project")]
    scores = p2.set_index("lever")["score"].to_dict()
    assert scores == {"ecosystem": 75.0, "digital": 100.0, "alliances": 50.0}
    dates = p2.set_index("lever")["assessed_on"].astype(str).to_dict()
    assert dates["digital"] == "2025-09-01"
    assert dates["ecosystem"] == "2025-05-01"
    # the maturity of the project viewpoint: (75 + 100 + 50) / 3
    s = metrics.project_summary(portfolio_con, PortfolioFilter(scope=None)).set_index("project_id")
    assert s.loc["P2", "maturity_project"] == pytest.approx(75.0)
    # the same with a period end (recomputed from the rounds, not the stored flags)
    in_2025 = metrics.lever_scores(
        portfolio_con, PortfolioFilter.create(year_to=2025, scope=None), "latest"
    )
    p2 = in_2025[(in_2025["project_id"] == "P2") & (in_2025["viewpoint"] == "project")]
    assert p2.set_index("lever")["score"].to_dict() == scores
    # and the questions to work on read the same rounds: alliances.why 2 (team) and 3
    # (investors) → 2.5; digital.uses 4 (team, latest) and 0 (investors) → 2
    questions = metrics.project_questions(portfolio_con, PortfolioFilter(scope=None), "P2")
    q = questions.set_index("question")["score"]
    assert q["alliances.why"] == pytest.approx(2.5)
    assert q["digital.uses"] == pytest.approx(2.0)


def test_an_assessment_without_any_score_is_not_a_round(portfolio_con):
    # an empty assessment of P1 by its team on 2026-01-01 hides nothing: the 2025 round stays
    _answers(
        portfolio_con,
        "INSERT INTO assessment VALUES ('A11', 'P1', 'project', 'H1', DATE '2026-01-01', NULL)",
    )
    latest = metrics.lever_scores(portfolio_con, PortfolioFilter(scope=None), "latest")
    p1 = latest[(latest["project_id"] == "P1") & (latest["viewpoint"] == "project")]
    assert set(p1["assessed_on"].astype(str)) == {"2025-01-10"}


def test_blind_spots_are_missing_when_self_and_others_share_no_lever(portfolio_con):
    # P4: its team assessed digital only, the investors evaluation only → no comparable lever
    _answers(
        portfolio_con,
        "INSERT INTO project (project_id, name, holder_org_id, need, phase, department_code) "
        "VALUES ('P4', 'Tiers-lieu', 'H1', 'culture', 'emergence', '69')",
        "INSERT INTO assessment VALUES ('A12', 'P4', 'project', 'H1', DATE '2025-01-01', NULL), "
        "('A13', 'P4', 'investment', 'INV_A', DATE '2025-01-02', NULL)",
        "INSERT INTO assessment_answer (assessment_id, question, score) VALUES "
        "('A12', 'digital.uses', 4), ('A13', 'evaluation.utility', 0)",
    )
    s = metrics.project_summary(portfolio_con, PortfolioFilter(scope=None)).set_index("project_id")
    assert pd.isna(s.loc["P4", "blind_spots"])


def test_an_empty_portfolio_counts_zero_sums_zero_euros_and_has_no_ratios(portfolio_con):
    flt = PortfolioFilter.create(investor="INV_A", search="aucun projet de ce nom", scope=None)
    k = metrics.portfolio_kpis(portfolio_con, flt)
    assert k.projects == 0
    assert (k.committed_eur, k.resources_eur, k.levered_eur) == (0, 0, 0)
    assert k.leverage is None
    assert k.leverage_financial is None
    assert k.fragile_share is None
    summary = metrics.portfolio_summary(portfolio_con, flt).set_index("metric")["value"]
    assert summary["projects"] == 0
    assert summary["levered_eur"] == 0
    assert summary["leverage"] is None


def test_qpv_and_rural_together_keep_either_flag_and_say_so(portfolio_con):
    from coinvest.filters import describe

    # P1 is in a QPV, P2 in a rural revitalisation area, P3 in neither
    both = PortfolioFilter.create(qpv=True, rural=True, scope=None)
    assert metrics.project_count(portfolio_con, both) == 2
    line = " ".join(describe(both, "fr", {}))
    assert "QPV ou rural" in line


def test_a_lever_never_assessed_has_need_and_priority_empty_in_the_export(portfolio_con):
    from coinvest.export import export_frames, machine_csv

    needs = export_frames(portfolio_con, PortfolioFilter(scope=None))["project_needs"]
    p3 = needs[needs["project_id"] == "P3"].set_index("lever")
    # P3 was assessed on evaluation only: (100 − (4 + 2) / 2 × 25) × 3 / 3 = 25, not a priority
    assert p3.loc["evaluation", "need"] == pytest.approx(25.0)
    assert p3.loc["evaluation", "priority"] == "false"
    assert len(p3) == 7  # every lever, the six never assessed included
    assert p3.loc["ecosystem"].isna()[["score", "need", "priority", "rank"]].all()
    text = machine_csv(needs).decode()
    assert "P3,ecosystem,,1,,,\n" in text  # modelling: weight 1


def test_history_of_an_unknown_project_is_refused_with_the_known_ids(tmp_path, capsys):
    from coinvest.cli import main
    from coinvest.db import open_database
    from tests.test_deletion import seed

    db = tmp_path / "h.duckdb"
    con = open_database(db)
    seed(con)
    con.close()
    out = tmp_path / "journal.csv"
    assert main(["history", "--db", str(db), "--project", "P404", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "P404" in err
    assert "P1, P2" in err
    assert not out.exists()
    assert main(["history", "--db", str(db), "--project", "P2", "--out", str(out)]) == 0
