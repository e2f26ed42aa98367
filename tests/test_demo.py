"""The demo portfolio: deterministic, realistic, complete, and with no dangling reference."""

from __future__ import annotations

import pytest

from coinvest import reference as ref
from coinvest.db import open_database
from coinvest.demo import generate
from coinvest.errors import CoinvestError
from coinvest.schema import DATA_TABLES


def _content(con) -> dict[str, list[tuple]]:
    out = {}
    for table in DATA_TABLES:
        rows = con.execute(f"SELECT * FROM {table}").fetchall()
        out[table] = sorted(rows, key=repr)
    return out


def _build(path, n=60, seed=7):
    con = open_database(path)
    generate(con, n_projects=n, seed=seed, progress=lambda _: None)
    return con


def test_same_seed_same_database_other_seed_different(tmp_path):
    a = _build(tmp_path / "a.duckdb")
    b = _build(tmp_path / "b.duckdb")
    c = _build(tmp_path / "c.duckdb", seed=8)
    content_a, content_b, content_c = _content(a), _content(b), _content(c)
    assert content_a == content_b
    assert content_a != content_c
    assert content_a["project"] != content_c["project"]
    for con in (a, b, c):
        con.close()


def test_demo_refuses_a_database_that_holds_data(tmp_path):
    con = _build(tmp_path / "a.duckdb", n=10)
    with pytest.raises(CoinvestError) as err:
        generate(con, n_projects=10, seed=1, progress=lambda _: None)
    assert err.value.key == "demo.not_empty"
    assert con.execute("SELECT count(*) FROM project").fetchone()[0] == 10
    con.close()


def test_progress_names_each_table_with_its_row_count(tmp_path):
    lines: list[str] = []
    con = open_database(tmp_path / "p.duckdb")
    counts = generate(con, n_projects=20, seed=3, progress=lines.append)
    for table in ("organisation", "project", "assessment_answer", "measurement"):
        assert any(line.split()[0] == table for line in lines[1:]), table
        assert counts[table] == con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    con.close()


DANGLING = {
    "project holder": "SELECT count(*) FROM project p LEFT JOIN organisation o ON o.org_id = p.holder_org_id WHERE o.org_id IS NULL",
    "assessment project": "SELECT count(*) FROM assessment a LEFT JOIN project p USING (project_id) WHERE p.project_id IS NULL",
    "assessor": "SELECT count(*) FROM assessment a LEFT JOIN organisation o ON o.org_id = a.assessor_org_id WHERE o.org_id IS NULL",
    "answer assessment": "SELECT count(*) FROM assessment_answer x LEFT JOIN assessment a USING (assessment_id) WHERE a.assessment_id IS NULL",
    "investment investor": "SELECT count(*) FROM investment i LEFT JOIN organisation o ON o.org_id = i.investor_org_id WHERE o.org_id IS NULL",
    "investment project": "SELECT count(*) FROM investment i LEFT JOIN project p USING (project_id) WHERE p.project_id IS NULL",
    "contribution partner": "SELECT count(*) FROM contribution c LEFT JOIN organisation o ON o.org_id = c.partner_org_id WHERE o.org_id IS NULL",
    "cohort body": "SELECT count(*) FROM cohort c LEFT JOIN organisation o ON o.org_id = c.support_body_org_id WHERE o.org_id IS NULL OR o.kind <> 'support_body'",
    "cohort member": "SELECT count(*) FROM cohort_member m LEFT JOIN project p USING (project_id) WHERE p.project_id IS NULL",
    "measurement indicator": "SELECT count(*) FROM measurement m LEFT JOIN indicator i USING (indicator_code) WHERE i.indicator_code IS NULL",
    "assessment without answers": "SELECT count(*) FROM assessment a WHERE NOT EXISTS (SELECT 1 FROM assessment_answer x WHERE x.assessment_id = a.assessment_id)",
}


@pytest.mark.parametrize("case", sorted(DANGLING))
def test_no_dangling_reference(demo_con, case):
    assert demo_con.execute(DANGLING[case]).fetchone()[0] == 0


def _distinct(con, sql) -> set:
    return {row[0] for row in con.execute(sql).fetchall()}


def test_demo_covers_every_lever_viewpoint_phase_instrument_and_partner_kind(demo_con):
    answered = _distinct(demo_con, "SELECT DISTINCT question FROM assessment_answer")
    assert answered == set(ref.QUESTION_CODES)
    assert _distinct(demo_con, "SELECT DISTINCT viewpoint FROM assessment") == set(
        ref.VIEWPOINT_CODES
    )
    assert _distinct(demo_con, "SELECT DISTINCT phase FROM project") == set(ref.PHASE_CODES)
    assert _distinct(demo_con, "SELECT DISTINCT instrument FROM investment") == set(
        ref.INSTRUMENT_CODES
    )
    assert _distinct(demo_con, "SELECT DISTINCT kind FROM contribution") == set(
        ref.CONTRIBUTION_KIND_CODES
    )
    partner_kinds = _distinct(
        demo_con,
        "SELECT DISTINCT o.kind FROM contribution c JOIN organisation o ON o.org_id = c.partner_org_id",
    )
    assert {
        "company",
        "local_authority",
        "foundation",
        "academia",
        "citizens",
        "association",
    } <= partner_kinds
    assert _distinct(demo_con, "SELECT DISTINCT need FROM project") == set(ref.NEED_CODES)


def test_demo_shape_matches_the_brief(demo_con):
    q = lambda sql: demo_con.execute(sql).fetchone()  # noqa: E731
    assert q("SELECT count(*) FROM project")[0] == 300
    investors = demo_con.execute(
        "SELECT o.kind IN ('public_investor'), count(DISTINCT o.org_id) FROM investment i "
        "JOIN organisation o ON o.org_id = i.investor_org_id GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert investors == [(False, 8), (True, 4)]
    bodies = demo_con.execute(
        "SELECT support_body_org_id, count(*), min(year), max(year) FROM cohort GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert len(bodies) == 3
    for _, cohorts, first, last in bodies:
        assert 2 <= cohorts <= 3
        assert last - first == 2  # over three years
    rounds = demo_con.execute(
        "SELECT min(n), max(n) FROM (SELECT project_id, viewpoint, count(DISTINCT assessed_on) n "
        "FROM assessment GROUP BY 1, 2) per_project"
    ).fetchone()
    assert rounds == (1, 3)
    indicators = q("SELECT count(*) FROM indicator")[0]
    assert 8 <= indicators <= 12
    assert q("SELECT count(*) FROM measurement WHERE indicator_code = 'beneficiaries'")[0] > 0
    assert q("SELECT count(*) FROM measurement WHERE target IS NOT NULL")[0] > 0
    # more projects around big cities, some in QPV and rural areas, several regions
    top = q(
        "SELECT count(*) FROM project WHERE department_code IN ('75', '59', '13', '69', '92', '93')"
    )[0]
    assert top > 300 * 6 / 101 * 2
    assert 0.05 < q("SELECT avg(CASE WHEN qpv THEN 1.0 ELSE 0 END) FROM project")[0] < 0.4
    assert (
        0.05
        < q("SELECT avg(CASE WHEN rural_revitalisation THEN 1.0 ELSE 0 END) FROM project")[0]
        < 0.4
    )
    assert (
        q(
            "SELECT count(DISTINCT d.region_code) FROM project p JOIN department d ON d.code = p.department_code"
        )[0]
        == 18
    )


def test_self_assessments_are_optimistic_and_most_projects_improve(demo_con):
    means = dict(
        demo_con.execute(
            "SELECT a.viewpoint, avg(CAST(x.score AS DOUBLE PRECISION)) FROM assessment_answer x "
            "JOIN assessment a USING (assessment_id) GROUP BY 1"
        ).fetchall()
    )
    assert means["project"] > means["investment"] + 0.2
    assert means["project"] > means["ecosystem"] + 0.2
    improving = demo_con.execute(
        """
        WITH per_round AS (
            SELECT a.project_id, a.viewpoint, a.assessed_on, avg(x.score) AS s
            FROM assessment a JOIN assessment_answer x USING (assessment_id)
            GROUP BY 1, 2, 3
        ), ends AS (
            SELECT project_id, viewpoint,
                   max(CASE WHEN first_n = 1 THEN s END) AS first_s,
                   max(CASE WHEN last_n = 1 THEN s END) AS last_s, count(*) AS rounds
            FROM (SELECT *, row_number() OVER (PARTITION BY project_id, viewpoint
                                               ORDER BY assessed_on) AS first_n,
                            row_number() OVER (PARTITION BY project_id, viewpoint
                                               ORDER BY assessed_on DESC) AS last_n
                  FROM per_round) numbered
            GROUP BY 1, 2
        )
        SELECT avg(CASE WHEN last_s > first_s THEN 1.0 ELSE 0 END) FROM ends WHERE rounds > 1
        """
    ).fetchone()[0]
    assert improving > 0.6
    # viewpoints disagree on some levers: a gap of 2 points or more on the 0–4 scale somewhere
    gaps = demo_con.execute(
        """
        SELECT count(*) FROM (
            SELECT a.project_id, split_part(x.question, '.', 1) AS lever,
                   max(x.score) - min(x.score) AS spread
            FROM assessment a JOIN assessment_answer x USING (assessment_id)
            GROUP BY 1, 2
        ) spreads WHERE spread >= 3
        """
    ).fetchone()[0]
    assert gaps > 50


@pytest.mark.parametrize("n", [1, 2])
def test_a_tiny_demo_is_written_even_without_cohort_members(tmp_path, n):
    con = _build(tmp_path / "tiny.duckdb", n=n)
    try:
        assert con.execute("SELECT count(*) FROM project").fetchall() == [(n,)]
    finally:
        con.close()


def test_a_demo_of_several_blocks_is_deterministic_and_its_scores_exact(tmp_path, monkeypatch):
    """A national demo is drawn, written and committed block by block of projects: the same
    seed gives the same database, and the scores derived block by block are those a rebuild
    gives."""
    from coinvest.demo import follow_up
    from tests.test_summaries import assert_rebuild_gives_the_same_rows

    monkeypatch.setattr(follow_up, "ASSESSMENT_BLOCK", 25)
    commits = []
    original = follow_up.Writer.commit
    monkeypatch.setattr(follow_up.Writer, "commit", lambda w: (commits.append(1), original(w)))
    a = _build(tmp_path / "a.duckdb", n=70)
    b = _build(tmp_path / "b.duckdb", n=70)
    assert len(commits) == 2 * (
        2 + 3
    )  # per demo: between 3 assessment blocks, and 3 measurement ones
    assert _content(a) == _content(b)
    assert a.execute("SELECT count(DISTINCT project_id) FROM lever_summary").fetchone()[0] > 60
    assert_rebuild_gives_the_same_rows(a)
    ids = [r[0] for r in a.execute("SELECT assessment_id FROM assessment ORDER BY 1").fetchall()]
    assert ids[0] == "A00000001"
    assert ids[-1] == f"A{len(ids):08d}"  # numbered across the blocks
    for con in (a, b):
        con.close()


def test_a_large_demo_that_fails_leaves_no_row(tmp_path, monkeypatch):
    from coinvest.demo import follow_up

    monkeypatch.setattr(follow_up, "ASSESSMENT_BLOCK", 25)
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # after the assessments' blocks were committed
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    original = follow_up._measurement_block
    monkeypatch.setattr(follow_up, "_measurement_block", failing)
    con = open_database(tmp_path / "failed.duckdb")
    with pytest.raises(RuntimeError, match="disk full"):
        generate(con, n_projects=70, seed=7, progress=lambda _: None)
    for table in (*DATA_TABLES, "lever_round", "lever_summary", "project_maturity"):
        expected = 1 if table == "indicator" else 0  # the built-in indicator stays
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == expected, table
    monkeypatch.setattr(follow_up, "_measurement_block", original)
    generate(con, n_projects=70, seed=7, progress=lambda _: None)  # and the demo can run again
    assert con.execute("SELECT count(*) FROM project").fetchone()[0] == 70
    con.close()
