"""Migrations 7 to 21 (docs/data.md, docs/campaigns.md): the per-project summaries, kept at write time, who a
member is at their provider, and the history's numbering. Their fills are the frozen copies of
`coinvest.schema.released`."""

from __future__ import annotations

import re

from coinvest.backend import Cursor
from coinvest.schema.early import MONEY, V1_CODES, check_in, v2_definition
from coinvest.schema.released import (
    V7_SUMMARIES,
    V8_MONEY,
    V8_NEED,
    V8_UTILITY,
    V9_REFILL,
    V13_PAIR,
    V13_PROJECT_MONEY,
    V14_CLEVER,
    V15_DIVERSITY,
    V16_UTILITY,
    V19_QUESTION_LATEST,
)


def v7_statements() -> list[str]:
    """Per project: the first and latest score of each lever per viewpoint, the maturity per
    viewpoint, the consolidated lever scores and maturity (equal weights)."""
    return [
        f"""CREATE TABLE lever_summary (
            project_id VARCHAR NOT NULL,
            viewpoint VARCHAR NOT NULL {check_in("viewpoint", V1_CODES["viewpoint"])},
            lever VARCHAR NOT NULL {check_in("lever", V1_CODES["lever"])},
            first_score DOUBLE PRECISION,  -- the lever in the viewpoint's first round, if answered
            latest_score DOUBLE PRECISION,  -- in its latest round, if answered
            first_on DATE,
            latest_on DATE,
            PRIMARY KEY (project_id, viewpoint, lever)
        )""",
        f"""CREATE TABLE viewpoint_maturity (
            project_id VARCHAR NOT NULL,
            viewpoint VARCHAR NOT NULL {check_in("viewpoint", V1_CODES["viewpoint"])},
            first_maturity DOUBLE PRECISION,
            latest_maturity DOUBLE PRECISION,
            PRIMARY KEY (project_id, viewpoint)
        )""",
        f"""CREATE TABLE clever_summary (
            project_id VARCHAR NOT NULL,
            lever VARCHAR NOT NULL {check_in("lever", V1_CODES["lever"])},
            first_score DOUBLE PRECISION,  -- the mean of the viewpoints' first rounds
            latest_score DOUBLE PRECISION,  -- of their latest rounds
            latest_gap DOUBLE PRECISION,  -- the spread of the viewpoints' latest scores
            latest_viewpoints INTEGER NOT NULL,  -- the viewpoints with a latest score
            self_score DOUBLE PRECISION,  -- the team's own latest score (project viewpoint)
            others_score DOUBLE PRECISION,  -- the other viewpoints' mean latest score
            PRIMARY KEY (project_id, lever)
        )""",
        """CREATE TABLE project_maturity (
            project_id VARCHAR PRIMARY KEY,
            first_maturity DOUBLE PRECISION,
            latest_maturity DOUBLE PRECISION
        )""",
        *V7_SUMMARIES,
    ]


# Version 8 (#19 [perf]): per project, the money by organisation and year, the need of each
# assessed lever, and the utility index and beneficiaries per year (`coinvest.derived` refreshes
# them at every write).
def v8_statements() -> list[str]:
    return [
        f"""CREATE TABLE money_summary (
            project_id VARCHAR NOT NULL,
            org_id VARCHAR NOT NULL,  -- the investor, or the partner that contributed
            year INTEGER NOT NULL,
            is_investment BOOLEAN NOT NULL,
            financial BOOLEAN NOT NULL,
            eur {MONEY} NOT NULL,  -- exact, as the rows it sums
            entries INTEGER NOT NULL,  -- the investments or contributions summed
            PRIMARY KEY (project_id, org_id, year, is_investment, financial)
        )""",
        f"""CREATE TABLE need_summary (
            project_id VARCHAR NOT NULL,
            lever VARCHAR NOT NULL {check_in("lever", V1_CODES["lever"])},
            score DOUBLE PRECISION NOT NULL,  -- the consolidated latest score (equal weights)
            weight INTEGER NOT NULL,  -- of the lever in the project's phase
            position INTEGER NOT NULL,  -- of the lever in the reference order
            need DOUBLE PRECISION NOT NULL,
            need_rank INTEGER NOT NULL,  -- among the project's assessed levers, highest need first
            PRIMARY KEY (project_id, lever)
        )""",
        """CREATE TABLE utility_summary (
            project_id VARCHAR NOT NULL,
            year INTEGER NOT NULL,
            utility_index DOUBLE PRECISION,  -- none when no indicator of the year has a target
            indicators INTEGER NOT NULL,  -- the targeted indicators it averages
            beneficiaries DOUBLE PRECISION,  -- the year's value of the built-in indicator
            PRIMARY KEY (project_id, year)
        )""",
    ]


def v8_data(cur: Cursor) -> None:
    for fill in (V8_MONEY, V8_NEED, V8_UTILITY):
        cur.execute(fill)


def v9_statements() -> list[str]:
    return []  # the same tables; what changes is which round is a lever's latest


def v9_data(cur: Cursor) -> None:
    """Version 9: a lever's latest round is the most recent round that answered it
    (docs/figures.md "Lever scores"); every derived table of the answers is computed again."""
    for table, fill in V9_REFILL:
        cur.execute(f"DELETE FROM {table}")  # fixed table names
        cur.execute(fill)


def v10_statements() -> list[str]:
    return [
        # who a member is at their provider (docs/rules.md "Sign-in and scope"): recorded at the first sign-in, and
        # required to match at every later one
        "ALTER TABLE membership ADD COLUMN issuer VARCHAR",
        "ALTER TABLE membership ADD COLUMN subject VARCHAR",
        # scenario and saved-view names are unique per organisation (checked under the write
        # lock), no longer in the instance: a taken name revealed another organisation's work
        """CREATE TABLE scenario_v10 (
            scenario_id INTEGER PRIMARY KEY DEFAULT nextval('scenario_seq'),
            name VARCHAR NOT NULL CHECK (length(trim(name)) > 0),
            settings VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            org_id VARCHAR
        )""",
        "INSERT INTO scenario_v10 SELECT scenario_id, name, settings, created_at, org_id "
        "FROM scenario",
        "DROP TABLE scenario",
        "ALTER TABLE scenario_v10 RENAME TO scenario",
        """CREATE TABLE saved_view_v10 (
            view_id INTEGER PRIMARY KEY DEFAULT nextval('saved_view_seq'),
            name VARCHAR NOT NULL CHECK (length(trim(name)) > 0),
            query VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            org_id VARCHAR
        )""",
        "INSERT INTO saved_view_v10 SELECT view_id, name, query, created_at, org_id "
        "FROM saved_view",
        "DROP TABLE saved_view",
        "ALTER TABLE saved_view_v10 RENAME TO saved_view",
    ]


def v10_data(cur: Cursor) -> None:
    """On PostgreSQL, the database itself refuses to change the history (docs/rules.md "History"): a trigger
    rejects every UPDATE, DELETE and TRUNCATE of `change_log`. (DuckDB has no triggers: there,
    only the code's single write path touches the file, and nothing in it edits the journal.)"""
    if cur.engine != "postgres":
        return
    cur.execute(
        "CREATE FUNCTION change_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "'BEGIN RAISE EXCEPTION ''change_log is append-only: its rows are never changed "
        "nor removed''; END'"
    )
    cur.execute(
        "CREATE TRIGGER change_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
        "ON change_log FOR EACH STATEMENT EXECUTE FUNCTION change_log_append_only()"
    )


# Version 11 (#33 [perf2], docs/data.md "Derived tables"): the per-project summaries without a
# primary key on DuckDB. The write path rewrites them per project (a delete, then an insert) at
# every write of the rows they follow; DuckDB kept an ART index per key and rewrote it at the
# commit: 13 of the 17 s the commit of 100,000 new assessments took at L. No query looks a row
# up by that key, and the refresh's exactness is tested against a rebuild
# (tests/test_summaries.py). PostgreSQL keeps its B-tree keys: cheap to keep there, and what its
# per-project deletes use.
KEYLESS_ON_DUCKDB = (
    "lever_summary",
    "viewpoint_maturity",
    "clever_summary",
    "project_maturity",
    "money_summary",
    "need_summary",
    "utility_summary",
)


def _keyless(ddl: str, table: str, version: int = 11) -> str:
    """A CREATE TABLE (of a summary of versions 7 and 8, by default) as `{table}_v{version}`,
    without its key."""
    ddl = ddl.replace(f"CREATE TABLE {table} (", f"CREATE TABLE {table}_v{version} (", 1)
    ddl = re.sub(r",(\s*--[^\n]*)?\s*PRIMARY KEY \([^)]*\)", r"\1", ddl)  # a comment stays
    return ddl.replace(" PRIMARY KEY,", " NOT NULL,")


def v11_statements() -> list[str]:
    return []  # the same tables; on DuckDB, rebuilt without their key (`v11_data`)


def v11_data(cur: Cursor) -> None:
    if cur.engine != "duckdb":
        return
    created = {
        table: ddl
        for ddl in (*v7_statements(), *v8_statements())
        for table in KEYLESS_ON_DUCKDB
        if ddl.startswith(f"CREATE TABLE {table} (")
    }
    for table in KEYLESS_ON_DUCKDB:  # fixed table names
        cur.execute(_keyless(created[table], table))
        cur.execute(f"INSERT INTO {table}_v11 SELECT * FROM {table}")
        cur.execute(f"DROP TABLE {table}")
        cur.execute(f"ALTER TABLE {table}_v11 RENAME TO {table}")


# Version 12 (#33 [perf2], docs/data.md "Two engines"): on PostgreSQL, B-tree indexes on the
# project of the tables a project's sheet and the write path read one project at a time. The
# rounds and the assessments had none there: one project's questions scanned the 13 million
# question rounds of L (1.2 s), and every refresh of a few projects' rounds scanned them to
# delete theirs. DuckDB prunes its scans by the row groups' min/max and pays for an index at
# every write: it gets none.
INDEXED_ON_POSTGRES = (
    ("assessment", "project_id"),
    ("lever_round", "project_id"),
    ("question_round", "project_id"),
    ("question_latest", "project_id"),
    ("investment", "project_id"),
    ("contribution", "project_id"),
)


def v12_statements() -> list[str]:
    return []  # indexes on PostgreSQL only (`v12_data`)


def v12_data(cur: Cursor) -> None:
    if cur.engine != "postgres":
        return
    for table, column in INDEXED_ON_POSTGRES:  # fixed names
        cur.execute(f"CREATE INDEX {table}_{column}_idx ON {table} ({column})")


# Version 13 (#33 [perf2], docs/data.md "Derived tables"): two summaries more, kept at write time
# with the others, without a key on DuckDB (as those of v11).
# - Per project and pair of viewpoints, the figures of the Viewpoints page's ranking: computed
#   from 2.1 million latest lever scores at L (0.2–0.35 s, 1.6 s of a hash join at XL) for every
#   visit and filter.
# - Per project, every year's money added up: PostgreSQL summed 430,000 money rows per project
#   (0.4 s at L) in every query of the portfolio's money with no period chosen.
def v13_statements() -> list[str]:
    return []  # the table's key depends on the engine (`v13_data`)


PAIR_SUMMARY = """CREATE TABLE pair_summary (
    project_id VARCHAR NOT NULL,
    viewpoint_a VARCHAR NOT NULL,  -- of the pair, the first in alphabetical order
    viewpoint_b VARCHAR NOT NULL,
    levers INTEGER NOT NULL,  -- with a latest score from both
    mean_gap DOUBLE PRECISION NOT NULL,  -- the mean of |a − b| over those levers
    mean_difference DOUBLE PRECISION NOT NULL,  -- of a − b
    mean_reverse_difference DOUBLE PRECISION NOT NULL,  -- of b − a
    largest_gap DOUBLE PRECISION NOT NULL,
    largest_lever VARCHAR NOT NULL,  -- where it lies, ties by the levers' order
    largest_difference DOUBLE PRECISION NOT NULL{key}
)"""


PROJECT_MONEY_SUMMARY = f"""CREATE TABLE project_money_summary (
    project_id VARCHAR NOT NULL,  -- a project with money rows (the others have none: zeros)
    resources_eur {MONEY} NOT NULL,  -- exact, as the rows it sums
    resources_fin_eur {MONEY} NOT NULL,
    invested_eur {MONEY} NOT NULL{{key}}
)"""


def v13_data(cur: Cursor) -> None:
    keyed = cur.engine != "duckdb"
    key = ",\n    PRIMARY KEY (project_id, viewpoint_a, viewpoint_b)"
    cur.execute(PAIR_SUMMARY.format(key=key if keyed else ""))
    cur.execute(V13_PAIR)
    key = ",\n    PRIMARY KEY (project_id)"
    cur.execute(PROJECT_MONEY_SUMMARY.format(key=key if keyed else ""))
    cur.execute(V13_PROJECT_MONEY)


# Version 14 (#33 [perf2], docs/data.md "Derived tables"): the consolidated lever summary holds
# each viewpoint's latest score side by side, and the consolidated progress. The Viewpoints
# page's means per viewpoint and lever read 2.1 million lever rows at L (20 million at XL, 0.4 s
# warm) and its pair of viewpoints on one lever joined two of them; the cohorts' progress grouped
# the lever rows per project and lever again (1.8 s at XL). Each now reads a row per project
# and lever.
def v14_statements() -> list[str]:
    return [
        *(
            f"ALTER TABLE clever_summary ADD COLUMN latest_{code} DOUBLE PRECISION"
            for code in ("ecosystem", "project", "investment")  # the codes of that day
        ),
        "ALTER TABLE clever_summary ADD COLUMN progress DOUBLE PRECISION",
    ]


def v14_data(cur: Cursor) -> None:
    cur.execute("DELETE FROM clever_summary")
    cur.execute(V14_CLEVER)


# Version 15 (#33 [perf2], docs/data.md "Derived tables"): per project, the partner kinds of every
# year's money and their evenness, kept at write time (refilled with the money, and when an
# organisation changes kind), without a key on DuckDB. The Partnerships page computed them from
# every money row joined to the organisations: 1.6 s at XL, 1 s on PostgreSQL at L.
def v15_statements() -> list[str]:
    return []  # the table's key depends on the engine (`v15_data`)


# `evenness`: of the kinds' shares of the resources, from 0 to 1.
PROJECT_DIVERSITY = """CREATE TABLE project_diversity (
    project_id VARCHAR NOT NULL,  -- a project with money rows
    kinds BIGINT NOT NULL,  -- the kinds of organisation its money came from
    evenness DOUBLE PRECISION NOT NULL{key}
)"""


def v15_data(cur: Cursor) -> None:
    keyed = cur.engine != "duckdb"
    cur.execute(PROJECT_DIVERSITY.format(key=",\n    PRIMARY KEY (project_id)" if keyed else ""))
    cur.execute(V15_DIVERSITY)


# Version 16 (#33 [perf2], docs/data.md "Derived tables"): the utility summary flags each
# project's latest year with an index and its latest year with beneficiaries. Every figure of
# the latest year numbered the years of every project (a window over 300,000 rows at L, 0.2 s
# each on PostgreSQL, twice in most utility queries).
def v16_statements() -> list[str]:
    return [
        "ALTER TABLE utility_summary ADD COLUMN latest_index BOOLEAN",
        "ALTER TABLE utility_summary ADD COLUMN latest_beneficiaries BOOLEAN",
    ]


def v16_data(cur: Cursor) -> None:
    cur.execute("DELETE FROM utility_summary")
    cur.execute(V16_UTILITY)


# Version 17 (#33 [perf2], docs/data.md "Two engines"): on PostgreSQL, the needs in the order the
# seven paths invite projects (per lever, highest need first): each path's first invitees are
# then read from the index, where each was a scan of every need (7 × 37 ms at L). DuckDB gets
# none, as in version 12.
NEEDS_BY_LEVER_INDEX = "need_summary_lever_need_idx"


def v17_statements() -> list[str]:
    return []  # an index on PostgreSQL only (`v17_data`)


def v17_data(cur: Cursor) -> None:
    if cur.engine != "postgres":
        return
    cur.execute(
        f"CREATE INDEX {NEEDS_BY_LEVER_INDEX} ON need_summary (lever, need DESC, project_id)"
    )


# Version 18 (#33 [perf2], docs/rules.md "History"): the change rows numbered by the audit, after
# the last one, under the write lock every write holds (`coinvest.audit`), instead of one
# number at a time from a sequence (0.7 s of an import of 100,000 assessments at L, its 2.1
# million change rows). The column keeps no default, so a row without its number is refused.
def v18_statements() -> list[str]:
    return [
        "ALTER TABLE change_log ALTER COLUMN change_id DROP DEFAULT",
        "DROP SEQUENCE change_log_seq",
    ]


# Version 19 (#33 [perf2], docs/data.md "Derived tables"): each question's consolidated latest
# score refilled as an order-free mean, the metric layer's own (a plain average of its
# viewpoints' doubles changed in the last digit with the order the rows were read in: 3 of
# 2.3 million at L when the rounds came to be written in another order).
def v19_statements() -> list[str]:
    return []  # the same table, refilled (`v19_data`)


def v19_data(cur: Cursor) -> None:
    cur.execute("DELETE FROM question_latest")
    cur.execute(V19_QUESTION_LATEST)


# Version 20 (#33 [perf2], docs/data.md "Two engines"): the answers without a primary key on
# DuckDB. DuckDB never reads them through it (a lookup by assessment scans the row groups by
# their min and max), but builds its index for every answer a write adds, at the insert and
# again at the commit: 2 of the 11 s an import of 100,000 assessments at L took, for its 2.1
# million answers. One answer per assessment and question is kept by the writers, which write
# an assessment's answers whole after removing the old ones (tests/test_answers.py).
# PostgreSQL keeps its key: its B-tree serves the lookups.
def v20_statements() -> list[str]:
    return []  # on DuckDB, the same table rebuilt without its key (`v20_data`)


def v20_data(cur: Cursor) -> None:
    if cur.engine != "duckdb":
        return
    cur.execute(_keyless(v2_definition("assessment_answer"), "assessment_answer", 20))
    # in the order they are stored (written an assessment at a time): a sort of 137 million
    # answers at XL would cost the upgrade minutes
    cur.execute("INSERT INTO assessment_answer_v20 SELECT * FROM assessment_answer")
    cur.execute("DROP TABLE assessment_answer")
    cur.execute("ALTER TABLE assessment_answer_v20 RENAME TO assessment_answer")


# Version 21 (#34 [campaigns], docs/campaigns.md): assessment campaigns. A campaign names its
# projects; each questionnaire of a campaign (per project, viewpoint and organisation) is a
# draft or sent, with its draft answers. Who is expected to answer is read from the data
# (holders, investments, cohorts), not stored. References are checked by the code that writes
# them, as everywhere (docs/data.md "Tables").
def v21_statements() -> list[str]:
    return [
        """CREATE TABLE campaign (
            campaign_id INTEGER PRIMARY KEY,  -- the next number, taken under the write lock
            name VARCHAR NOT NULL CHECK (length(trim(name)) > 0),
            reference_date DATE NOT NULL,  -- the date of the round its answers make
            deadline DATE NOT NULL,
            owner_org_id VARCHAR,  -- the support body that made it; NULL: an admin's
            created_at TIMESTAMP NOT NULL,
            closed_at TIMESTAMP  -- closed by someone (its deadline closes it too)
        )""",
        """CREATE TABLE campaign_project (
            campaign_id INTEGER NOT NULL,
            project_id VARCHAR NOT NULL,
            PRIMARY KEY (campaign_id, project_id)
        )""",
        f"""CREATE TABLE campaign_response (
            campaign_id INTEGER NOT NULL,
            project_id VARCHAR NOT NULL,
            viewpoint VARCHAR NOT NULL {check_in("viewpoint", V1_CODES["viewpoint"])},
            org_id VARCHAR NOT NULL,  -- the organisation answering
            status VARCHAR NOT NULL CHECK (status IN ('draft', 'sent')),
            comment VARCHAR,
            saved_by VARCHAR NOT NULL,  -- who saved or sent it last
            saved_at TIMESTAMP NOT NULL,
            sent_at TIMESTAMP,
            PRIMARY KEY (campaign_id, project_id, viewpoint, org_id)
        )""",
        f"""CREATE TABLE campaign_answer (
            campaign_id INTEGER NOT NULL,
            project_id VARCHAR NOT NULL,
            viewpoint VARCHAR NOT NULL,
            org_id VARCHAR NOT NULL,
            question VARCHAR NOT NULL {check_in("question", V1_CODES["question"])},
            score SMALLINT NOT NULL CHECK (score BETWEEN 0 AND 4),
            PRIMARY KEY (campaign_id, project_id, viewpoint, org_id, question)
        )""",
    ]


# Version 22 (#34 [campaigns], docs/campaigns.md "Reminders"): a member's name, for the list of
# people still to answer. Given by an admin (`coinvest members add --name`, the members sheet,
# the members page) or, while none is, recorded from the provider's `name` claim at a sign-in.
def v22_statements() -> list[str]:
    return ["ALTER TABLE membership ADD COLUMN name VARCHAR"]
