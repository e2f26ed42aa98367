"""The database schema (docs/data.md) and its forward migrations, versions 1 to 6.

Each migration is a list of statements; `schema_version` records the ones applied. The code
lists of CHECK constraints are frozen copies of the reference model's, never user input, and the
DDL is written in the subset of SQL that DuckDB and PostgreSQL share.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from coinvest.backend import Cursor
from coinvest.schema.released import V3_QUESTION_LATEST
from coinvest.territory import departments, regions

_CODE = re.compile(r"^[A-Za-z0-9_.]+$")


def sql_in_list(values: Iterable[str]) -> str:
    """A literal `('a', 'b')` list for a CHECK constraint, from a fixed code list only."""
    items = list(values)
    for value in items:
        if not _CODE.match(value):  # reference codes only; refuse anything else outright
            raise ValueError(f"not a reference code: {value!r}")
    return "(" + ", ".join(f"'{v}'" for v in items) + ")"


def check_in(column: str, values: Iterable[str], nullable: bool = False) -> str:
    clause = f"{column} IN {sql_in_list(values)}"
    return f"CHECK ({column} IS NULL OR {clause})" if nullable else f"CHECK ({clause})"


# The code lists of version 1's CHECK constraints, frozen as they were released: a migration
# never changes once released, even when the reference model gains a code later (a later
# migration then widens the constraint). A test checks they still match the reference model.
V1_CODES: dict[str, tuple[str, ...]] = {
    "org_kind": (
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
    "need": (
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
    "phase": ("emergence", "rnd", "modelling", "scaling"),
    "status": ("active", "paused", "closed"),
    "viewpoint": ("ecosystem", "project", "investment"),
    "question": (
        "ecosystem.needs",
        "ecosystem.stakes",
        "ecosystem.actors",
        "ecosystem.territories",
        "innovation.characteristics",
        "innovation.phases",
        "innovation.proof",
        "strategy.state",
        "strategy.ambition",
        "strategy.means",
        "model.levers",
        "model.target",
        "model.trajectory",
        "alliances.why",
        "alliances.partners",
        "alliances.actions",
        "digital.uses",
        "digital.solutions",
        "digital.timing",
        "evaluation.performance",
        "evaluation.utility",
        "evaluation.leverage",
        "evaluation.showcase",
    ),
    "lever": ("ecosystem", "innovation", "strategy", "model", "alliances", "digital", "evaluation"),
    "instrument": (
        "grant",
        "loan",
        "quasi_equity",
        "equity",
        "guarantee",
        "skills_sponsorship",
        "in_kind",
    ),
    "investor_lever": (
        "structural_funding",
        "strategic_support",
        "skills_and_networks",
        "evaluation_support",
    ),
    "contribution_kind": ("financial", "skills", "in_kind", "network"),
    "partnership_type": (
        "patronage",
        "responsible_practices",
        "economic_cooperation",
        "societal_innovation",
    ),
    "source": ("declared", "verified"),
}
V1_SCORES = (0, 4)
V1_BENEFICIARIES = "beneficiaries"


def v1_statements() -> list[str]:
    return [
        """CREATE TABLE region (
            code VARCHAR PRIMARY KEY,
            name VARCHAR NOT NULL
        )""",
        """CREATE TABLE department (
            code VARCHAR PRIMARY KEY,
            name VARCHAR NOT NULL,
            region_code VARCHAR NOT NULL REFERENCES region (code)
        )""",
        f"""CREATE TABLE organisation (
            org_id VARCHAR PRIMARY KEY CHECK (length(trim(org_id)) > 0),
            name VARCHAR NOT NULL CHECK (length(trim(name)) > 0),
            kind VARCHAR NOT NULL {check_in("kind", V1_CODES["org_kind"])}
        )""",
        f"""CREATE TABLE project (
            project_id VARCHAR PRIMARY KEY CHECK (length(trim(project_id)) > 0),
            name VARCHAR NOT NULL CHECK (length(trim(name)) > 0),
            holder_org_id VARCHAR NOT NULL REFERENCES organisation (org_id),
            need VARCHAR NOT NULL {check_in("need", V1_CODES["need"])},
            phase VARCHAR NOT NULL {check_in("phase", V1_CODES["phase"])},
            legal_form VARCHAR,
            department_code VARCHAR NOT NULL REFERENCES department (code),
            commune_code VARCHAR CHECK (commune_code IS NULL OR length(commune_code) = 5),
            qpv BOOLEAN NOT NULL DEFAULT FALSE,
            rural_revitalisation BOOLEAN NOT NULL DEFAULT FALSE,
            start_year INTEGER CHECK (start_year IS NULL OR start_year BETWEEN 1900 AND 2100),
            status VARCHAR NOT NULL DEFAULT 'active' {check_in("status", V1_CODES["status"])}
        )""",
        """CREATE TABLE cohort (
            cohort_id VARCHAR PRIMARY KEY CHECK (length(trim(cohort_id)) > 0),
            support_body_org_id VARCHAR NOT NULL REFERENCES organisation (org_id),
            name VARCHAR NOT NULL CHECK (length(trim(name)) > 0),
            programme VARCHAR,
            year INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 2100)
        )""",
        """CREATE TABLE cohort_member (
            cohort_id VARCHAR NOT NULL REFERENCES cohort (cohort_id),
            project_id VARCHAR NOT NULL REFERENCES project (project_id),
            entry_date DATE NOT NULL,
            exit_date DATE CHECK (exit_date IS NULL OR exit_date >= entry_date),
            PRIMARY KEY (cohort_id, project_id)
        )""",
        f"""CREATE TABLE assessment (
            assessment_id VARCHAR PRIMARY KEY CHECK (length(trim(assessment_id)) > 0),
            project_id VARCHAR NOT NULL REFERENCES project (project_id),
            viewpoint VARCHAR NOT NULL {check_in("viewpoint", V1_CODES["viewpoint"])},
            assessor_org_id VARCHAR NOT NULL REFERENCES organisation (org_id),
            assessed_on DATE NOT NULL,
            comment VARCHAR
        )""",
        f"""CREATE TABLE assessment_answer (
            assessment_id VARCHAR NOT NULL REFERENCES assessment (assessment_id),
            question VARCHAR NOT NULL {check_in("question", V1_CODES["question"])},
            score SMALLINT NOT NULL CHECK (score BETWEEN {V1_SCORES[0]} AND {V1_SCORES[1]}),
            comment VARCHAR,
            PRIMARY KEY (assessment_id, question)
        )""",
        # Derived, not user data: lever scores per assessment round (docs/figures.md), rewritten by
        # coinvest.derived (refresh_lever_rounds) on every write of assessments, so that the pages
        # read ~50 rows per project instead of every answer.
        f"""CREATE TABLE lever_round (
            project_id VARCHAR NOT NULL,
            viewpoint VARCHAR NOT NULL {check_in("viewpoint", V1_CODES["viewpoint"])},
            assessed_on DATE NOT NULL,
            lever VARCHAR NOT NULL {check_in("lever", V1_CODES["lever"])},
            score DOUBLE PRECISION NOT NULL CHECK (score BETWEEN 0 AND 100),
            is_first BOOLEAN NOT NULL,  -- the earliest round of this project and viewpoint
            is_latest BOOLEAN NOT NULL  -- the most recent one, when no period end is set
            -- (from version 9, is_latest: the most recent round that answered the lever)
        )""",
        f"""CREATE TABLE investment (
            investment_id VARCHAR PRIMARY KEY CHECK (length(trim(investment_id)) > 0),
            investor_org_id VARCHAR NOT NULL REFERENCES organisation (org_id),
            project_id VARCHAR NOT NULL REFERENCES project (project_id),
            date DATE NOT NULL,
            amount_eur DOUBLE PRECISION NOT NULL CHECK (amount_eur >= 0),
            instrument VARCHAR NOT NULL {check_in("instrument", V1_CODES["instrument"])},
            investor_lever VARCHAR {check_in("investor_lever", V1_CODES["investor_lever"], True)}
        )""",
        f"""CREATE TABLE contribution (
            contribution_id VARCHAR PRIMARY KEY CHECK (length(trim(contribution_id)) > 0),
            partner_org_id VARCHAR NOT NULL REFERENCES organisation (org_id),
            project_id VARCHAR NOT NULL REFERENCES project (project_id),
            date DATE NOT NULL,
            value_eur DOUBLE PRECISION NOT NULL CHECK (value_eur >= 0),
            kind VARCHAR NOT NULL {check_in("kind", V1_CODES["contribution_kind"])},
            partnership_type VARCHAR
                {check_in("partnership_type", V1_CODES["partnership_type"], True)}
        )""",
        """CREATE TABLE indicator (
            indicator_code VARCHAR PRIMARY KEY CHECK (length(trim(indicator_code)) > 0),
            name_fr VARCHAR NOT NULL,
            name_en VARCHAR,
            unit VARCHAR NOT NULL,
            theme VARCHAR,
            higher_is_better BOOLEAN NOT NULL,
            iris_code VARCHAR
        )""",
        f"""CREATE TABLE measurement (
            project_id VARCHAR NOT NULL REFERENCES project (project_id),
            indicator_code VARCHAR NOT NULL REFERENCES indicator (indicator_code),
            year INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 2100),
            value DOUBLE PRECISION NOT NULL CHECK (value >= 0),
            target DOUBLE PRECISION CHECK (target IS NULL OR target >= 0),
            source VARCHAR {check_in("source", V1_CODES["source"], True)},
            PRIMARY KEY (project_id, indicator_code, year)
        )""",
        "CREATE SEQUENCE scenario_seq START 1",
        """CREATE TABLE scenario (
            scenario_id INTEGER PRIMARY KEY DEFAULT nextval('scenario_seq'),
            name VARCHAR NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
            settings VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
        )""",
        f"""CREATE TABLE scenario_investment (
            scenario_id INTEGER NOT NULL REFERENCES scenario (scenario_id),
            line INTEGER NOT NULL,
            investor_org_id VARCHAR NOT NULL,
            project_id VARCHAR NOT NULL,
            amount_eur DOUBLE PRECISION NOT NULL CHECK (amount_eur >= 0),
            instrument VARCHAR NOT NULL {check_in("instrument", V1_CODES["instrument"])},
            PRIMARY KEY (scenario_id, line)
        )""",
        "CREATE SEQUENCE saved_view_seq START 1",
        """CREATE TABLE saved_view (
            view_id INTEGER PRIMARY KEY DEFAULT nextval('saved_view_seq'),
            name VARCHAR NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
            query VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
        )""",
        "CREATE SEQUENCE import_log_seq START 1",
        """CREATE TABLE import_log (
            import_id INTEGER PRIMARY KEY DEFAULT nextval('import_log_seq'),
            file_name VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL,
            imported_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            status VARCHAR NOT NULL CHECK (status IN ('loaded', 'refused')),
            counts VARCHAR NOT NULL
        )""",
    ]


def v1_data(cur: Cursor) -> None:
    cur.executemany("INSERT INTO region VALUES (?, ?)", [(r.code, r.name) for r in regions()])
    cur.executemany(
        "INSERT INTO department VALUES (?, ?, ?)",
        [(d.code, d.name, d.region_code) for d in departments()],
    )
    cur.execute(
        "INSERT INTO indicator VALUES (?, ?, ?, ?, ?, ?, ?)",
        [V1_BENEFICIARIES, "Bénéficiaires", "Beneficiaries", "personnes", "reach", True, None],
    )


# Version 2 rebuilds the tables that held FOREIGN KEY clauses, without them, and stores euros as
# exact decimals (cents). DuckDB turns an update of a row that another table references into a
# delete and an insert, which its foreign keys refuse ("key … is still referenced"): editing a
# project's phase or a cohort's name and re-importing crashed. References are checked by the
# importer against the file and the database before anything is written, and by the deletion step
# before a row goes; `coinvest.importer.dangling_references` checks a whole database.
_V2_REBUILT = (
    "project",
    "cohort",
    "cohort_member",
    "assessment",
    "assessment_answer",
    "investment",
    "contribution",
    "measurement",
    "scenario_investment",
)
MONEY = "DECIMAL(18, 2)"  # euros and cents, exact: sums do not depend on the order of the rows
_REFERENCES = re.compile(r"\s+REFERENCES\s+\w+\s*\(\w+\)")
_MONEY_COLUMN = re.compile(r"\b(amount_eur|value_eur) DOUBLE PRECISION\b")


def v2_definition(table: str) -> str:
    """The v1 CREATE TABLE of `table`, without REFERENCES clauses and with exact euros."""
    prefix = f"CREATE TABLE {table} ("
    ddl = next(s for s in v1_statements() if s.startswith(prefix))
    ddl = _REFERENCES.sub("", ddl)
    return _MONEY_COLUMN.sub(lambda m: f"{m.group(1)} {MONEY}", ddl)


def v2_statements() -> list[str]:
    statements = []
    for table in _V2_REBUILT:
        ddl = v2_definition(table).replace(f"CREATE TABLE {table} (", f"CREATE TABLE {table}_v2 (")
        statements += [ddl, f"INSERT INTO {table}_v2 SELECT * FROM {table}"]
    # children first: a table cannot be dropped while another one references it
    statements += [f"DROP TABLE {table}" for table in reversed(_V2_REBUILT)]
    statements += [f"ALTER TABLE {table}_v2 RENAME TO {table}" for table in _V2_REBUILT]
    return statements


# Version 3 adds the scores per question and round (derived, like lever_round): the needs of
# docs/figures.md "Needs" list the questions to work on for every project, and a national portfolio holds
# twenty million answers that no page should read.
# As version 3 filled it (a released migration never changes).
_V3_QUESTION_ROUND_FILL = """
INSERT INTO question_round (project_id, viewpoint, assessed_on, question, score, is_latest)
SELECT project_id, viewpoint, assessed_on, question, score,
       assessed_on = max(assessed_on) OVER (PARTITION BY project_id, viewpoint)
FROM (
    SELECT a.project_id, a.viewpoint, a.assessed_on, x.question, avg(CAST(x.score AS DOUBLE PRECISION))
           AS score
    FROM assessment a JOIN assessment_answer x ON x.assessment_id = a.assessment_id
    {where}
    GROUP BY a.project_id, a.viewpoint, a.assessed_on, x.question
) per_question
"""


def v3_statements() -> list[str]:
    return [
        f"""CREATE TABLE question_round (
            project_id VARCHAR NOT NULL,
            viewpoint VARCHAR NOT NULL {check_in("viewpoint", V1_CODES["viewpoint"])},
            assessed_on DATE NOT NULL,
            question VARCHAR NOT NULL {check_in("question", V1_CODES["question"])},
            score DOUBLE PRECISION NOT NULL CHECK (score BETWEEN {V1_SCORES[0]} AND {V1_SCORES[1]}),
            is_latest BOOLEAN NOT NULL  -- the project's latest round from this viewpoint
        )""",  # the mean of the assessors' answers of one date, 0–4
        _V3_QUESTION_ROUND_FILL.format(where=""),
        """CREATE TABLE question_latest (
            project_id VARCHAR NOT NULL,
            question VARCHAR NOT NULL,
            score DOUBLE PRECISION NOT NULL,  -- 0–4, the mean of the viewpoints' latest rounds
            viewpoints INTEGER NOT NULL
        )""",
        V3_QUESTION_LATEST,
    ]


V4_ROLES = ("admin", "investor", "support_body", "project")  # frozen, like V1_CODES


def v4_statements() -> list[str]:
    """Sign-in (docs/rules.md "Sign-in and scope"): who may see what, and whose scenarios and views are whose."""
    return [
        f"""CREATE TABLE membership (
            email VARCHAR PRIMARY KEY CHECK (email = lower(trim(email)) AND strpos(email, '@') > 1),
            org_id VARCHAR NOT NULL,  -- checked by the importer and `coinvest members add`
            role VARCHAR NOT NULL {check_in("role", V4_ROLES)},
            added_at TIMESTAMP NOT NULL DEFAULT current_timestamp
        )""",
        # the organisation a scenario or a saved view belongs to (NULL: made in local mode)
        "ALTER TABLE scenario ADD COLUMN org_id VARCHAR",
        "ALTER TABLE saved_view ADD COLUMN org_id VARCHAR",
    ]


def v5_statements() -> list[str]:
    """History (docs/rules.md "History"): every write's changes, append only; who made each import."""
    return [
        "CREATE SEQUENCE change_log_seq START 1",
        """CREATE TABLE change_log (
            change_id BIGINT NOT NULL DEFAULT nextval('change_log_seq'),  -- no index: cheap appends
            changed_at TIMESTAMP NOT NULL,  -- UTC
            who VARCHAR NOT NULL,  -- the signed-in person, cli:<os user>, or app:<os user>
            source VARCHAR NOT NULL,  -- import, revert, questionnaire, scenario, view, members
            import_id INTEGER,  -- the import (or revert) that made the change
            table_name VARCHAR NOT NULL,
            row_key VARCHAR NOT NULL,  -- the key's values, separated by chr(31)
            project_id VARCHAR,  -- the project the row belongs to, for its history
            column_name VARCHAR NOT NULL,
            action VARCHAR NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
            old_value VARCHAR,
            new_value VARCHAR
        )""",
        "ALTER TABLE import_log ADD COLUMN who VARCHAR",
        "ALTER TABLE import_log ADD COLUMN reverts INTEGER",  # the import a revert undid
    ]


def v6_statements() -> list[str]:
    """A shared server (docs/data.md "Two engines"): one number every write raises, read by the app instances
    on every run so that their caches follow another instance's import."""
    return [
        "CREATE TABLE data_version (version BIGINT NOT NULL)",
        "INSERT INTO data_version (version) VALUES (1)",
    ]
