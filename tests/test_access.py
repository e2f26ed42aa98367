"""Members and scopes (docs/rules.md "Sign-in and scope").

The central proof: for an investor, a support body and a project member, every public metric
function, every lookup and every export gives on the shared database exactly what it gives on a
copy of the database that holds only that member's projects. No figure, name or list leaks.
"""

from __future__ import annotations

import inspect
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from coinvest import access, lookups, metrics
from coinvest import reference as ref
from coinvest.assessments import (
    AssessmentInput,
    find_projects,
    related_organisations,
    save_assessment,
)
from coinvest.db import open_database
from coinvest.demo import generate
from coinvest.derived import DERIVED_TABLES
from coinvest.errors import CoinvestError
from coinvest.export import export_frames, machine_csv
from coinvest.filters import PortfolioFilter, projects_of
from coinvest.report import committee_report
from coinvest.scenarios import (
    Scenario,
    delete_scenario,
    list_scenarios,
    list_views,
    load_scenario,
    load_view,
    save_scenario,
    save_view,
)
from coinvest.schema import V4_ROLES
from coinvest.scope import Scope
from coinvest.workbook import export_portfolio_xlsx, table_frame

# An investor, a support body and a holder of the demo (seed 7, 120 projects).
SCOPES = {
    "investor": Scope("investor", "INV03"),
    "support_body": Scope("support_body", "SB2"),
    "project": Scope("project", "H000057"),
}
# Tables holding rows of a project (children first), and derived per-project tables.
# the rows of a project, in every table that has them (every derived table does)
PROJECT_ROWS = (
    "assessment_answer",
    "assessment",
    "cohort_member",
    "investment",
    "contribution",
    "measurement",
    *DERIVED_TABLES,
    "scenario_investment",
    "project",
)


def _quiet(_: str) -> None:
    pass


@pytest.fixture(scope="module")
def shared_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("shared") / "shared.duckdb"
    con = open_database(path)
    generate(con, n_projects=120, seed=7, progress=_quiet)
    con.close()
    return path


def _scope_copy(shared_path: Path, scope: Scope, folder: Path) -> Path:
    """A copy of the database holding only the scope's projects, and only the organisations and
    cohorts their rows refer to."""
    path = folder / f"only-{scope.role}.duckdb"
    shutil.copy(shared_path, path)
    con = open_database(path)
    projects, params = projects_of(scope)
    con.execute(f"CREATE TEMP TABLE kept AS {projects}", params)
    for table in PROJECT_ROWS:
        if table == "assessment_answer":
            con.execute(
                "DELETE FROM assessment_answer WHERE assessment_id IN (SELECT assessment_id "
                "FROM assessment WHERE project_id NOT IN (SELECT project_id FROM kept))"
            )
        else:
            con.execute(
                f"DELETE FROM {table} WHERE project_id NOT IN (SELECT project_id FROM kept)"
            )
    con.execute("DELETE FROM cohort WHERE cohort_id NOT IN (SELECT cohort_id FROM cohort_member)")
    con.execute(
        """DELETE FROM organisation WHERE org_id NOT IN (
            SELECT holder_org_id FROM project UNION SELECT investor_org_id FROM investment
            UNION SELECT partner_org_id FROM contribution UNION SELECT assessor_org_id FROM assessment
            UNION SELECT support_body_org_id FROM cohort)"""
    )
    con.close()
    return path


@pytest.fixture(scope="module")
def pairs(shared_path, tmp_path_factory):
    """Per role: (the shared database, a copy holding only the scope's projects)."""
    folder = tmp_path_factory.mktemp("copies")
    shared = open_database(shared_path, read_only=True)
    copies = {
        role: open_database(_scope_copy(shared_path, scope, folder), read_only=True)
        for role, scope in SCOPES.items()
    }
    yield shared, copies
    shared.close()
    for con in copies.values():
        con.close()


def _ids(con, scope: Scope) -> tuple[list[str], list[str]]:
    """Some of the scope's projects, and some outside it (for pickers that name projects)."""
    projects, params = projects_of(scope)
    inside = [r[0] for r in con.execute(f"{projects} ORDER BY 1 LIMIT 3", params).fetchall()]
    outside = [
        r[0]
        for r in con.execute(
            f"SELECT project_id FROM project WHERE project_id NOT IN ({projects}) "
            "ORDER BY 1 LIMIT 2",
            params,
        ).fetchall()
    ]
    return inside, outside


def _calls(inside: list[str], outside: list[str], investor: str) -> dict[str, list[tuple]]:
    """Every public metric function with the arguments it is tried with (projects outside the
    scope included wherever a function takes project ids)."""
    picked = inside + outside
    weights = metrics.Weights.create({"ecosystem": 3, "finance": 0}, {"project": 2})
    hypothetical = (
        metrics.Hypothetical(investor, inside[0], 50_000.0),
        metrics.Hypothetical(investor, outside[0], 80_000.0),
    )
    lever = ref.LEVER_CODES[1]
    return {
        "achievements": [(), (picked,)],
        "blind_spot_counts": [(), (10.0,)],
        "blind_spots": [(), (10.0, 5)],
        "co_investment": [()],
        "cohort_figures": [(), (weights,)],
        "cohort_maturity_spread": [()],
        "cohort_phases": [()],
        "cohort_progress": [()],
        "consolidated_levers": [(), (weights,)],
        "cost_per_beneficiary": [()],
        "cost_extremes": [(), (5,)],
        "cost_ranking": [(), (5, False)],
        "did_it_help": [(), (30.0,)],
        "did_it_help_compared": [(), (30.0, 1)],
        "diversity_summary": [()],
        "gaps_by_lever": [()],
        "indicator_summary": [()],
        "investor_benchmark": [()],
        "lever_medians": [()],
        "lever_profiles": [(picked,), (picked, "project", weights)],
        "lever_scores": [(), ("first",), ("latest", picked)],
        "lever_viewpoint_means": [()],
        "leverage": [(), (investor,), (investor, picked), (investor, None, hypothetical)],
        "leverage_ranking": [()],
        "maturity": [(), (weights,), (metrics.EQUAL, picked)],
        "needs_by_lever": [(), (20.0,)],
        "needs_by_question": [()],
        "needs_matrix": [()],
        "needs_overview": [()],
        "partner_diversity": [()],
        "path_projects": [(lever,)],
        "path_invitations": [(), (30.0,)],
        "portfolio_kpis": [(), (hypothetical,)],
        "portfolio_summary": [()],
        "progress": [()],
        "project_count": [()],
        "project_needs": [(), (40.0, picked)],
        "project_questions": [(inside[0],), (outside[0],)],
        "project_summary": [(), (weights, 10.0)],
        "projects_by": [("phase",), ("need",)],
        "projects_by_department": [()],
        "ranked_projects": [(), (weights, 5, False)],
        "resource_mix": [(), (True,), (False, hypothetical)],
        "resources_by_kind": [()],
        "reweighting": [(weights,), (weights, 5, True)],
        "reweighting_overview": [(weights,)],
        "reweighting_summary": [(weights,)],
        "round_maturity": [(picked,)],
        "scenario_figures": [(hypothetical,)],
        "territory_bodies": [()],
        "territory_support": [(), (30.0, 2, (1.0, 2.0, 0.5))],
        "utility": [()],
        "utility_by_year": [()],
        "utility_histogram": [()],
        "utility_overview": [(), (hypothetical,)],
        "utility_figures": [(), (5,), (5, hypothetical)],
        "viewpoint_gaps": [()],
        "viewpoint_overview": [()],
        "viewpoint_pair": [
            ("project", "investment", lever),
            ("investment", "ecosystem", lever, True, 10.0),
        ],
        "viewpoint_gap_ranking": [("project", "investment"), ("investment", "ecosystem", True, 5)],
    }


def _equal(left, right, where: str) -> None:
    if isinstance(left, pd.DataFrame):
        pd.testing.assert_frame_equal(
            left.reset_index(drop=True), right.reset_index(drop=True), obj=where
        )
    elif isinstance(left, dict):
        assert left.keys() == right.keys(), where
        for key in left:
            _equal(left[key], right[key], f"{where}[{key}]")
    elif isinstance(left, tuple) and not hasattr(left, "_fields"):
        assert len(left) == len(right), where
        for i, (a, b) in enumerate(zip(left, right, strict=True)):
            _equal(a, b, f"{where}[{i}]")
    elif left is None or right is None:
        assert left is right, where
    else:
        both_missing = pd.api.types.is_scalar(left) and pd.isna(left) and pd.isna(right)
        assert both_missing or left == right, where


def test_every_public_metric_function_is_tried():
    names = {
        n for n in metrics.__all__ if inspect.isfunction(getattr(metrics, n)) and n != "settled"
    }
    assert names == set(_calls(["a"], ["b"], "i"))


NARROWING = {
    "none": {},
    "narrowed": {"phase": ["modelling", "scaling", "experimentation"], "year_to": 2024},
}


@pytest.mark.parametrize("narrowing", sorted(NARROWING))
@pytest.mark.parametrize("role", sorted(SCOPES))
def test_a_scoped_member_sees_what_a_database_of_only_their_projects_holds(pairs, role, narrowing):
    shared, copies = pairs
    scope = SCOPES[role]
    copy = copies[role]
    inside, outside = _ids(shared, scope)
    assert inside
    assert outside
    # an investor member sees its own leverage; the others read the whole of their scope
    fields = dict(NARROWING[narrowing])
    if role == "investor":
        fields["investor"] = scope.org_id
    plain = PortfolioFilter.create(**fields, scope=None)
    scoped = plain.within(scope)
    # what-if lines are drawn up with the investors the member's pickers offer
    investor = lookups.investors(shared, scope)["org_id"].iloc[0]
    # the scope keeps fewer projects than the instance holds
    everyone = metrics.project_count(shared, plain.with_(investor=None))
    assert 0 < metrics.project_count(shared, scoped) < everyone
    for name, argument_sets in _calls(inside, outside, investor).items():
        function = getattr(metrics, name)
        for arguments in argument_sets:
            where = f"{role}/{narrowing}: {name}{arguments!r}"[:200]
            _equal(function(shared, scoped, *arguments), function(copy, plain, *arguments), where)


@pytest.mark.parametrize("role", sorted(SCOPES))
def test_pickers_project_rows_and_exports_stay_inside_the_scope(pairs, role):
    shared, copies = pairs
    scope = SCOPES[role]
    copy = copies[role]
    inside, outside = _ids(shared, scope)
    for name in ("investors", "support_bodies", "cohorts", "year_span"):
        _equal(getattr(lookups, name)(shared, scope), getattr(lookups, name)(copy, None), name)
    for project in (*inside, *outside):
        _equal(
            lookups.project_card(shared, project, scope),
            lookups.project_card(copy, project, None),
            "card",
        )
        _equal(
            lookups.project_money_rows(shared, project, scope),
            lookups.project_money_rows(copy, project, None),
            "money rows",
        )
        _equal(
            lookups.project_assessments(shared, project, scope),
            lookups.project_assessments(copy, project, None),
            "assessments",
        )
        _equal(
            related_organisations(shared, project, scope),
            related_organisations(copy, project, None),
            "related organisations",
        )
    _equal(
        lookups.project_names(shared, inside + outside, scope),
        lookups.project_names(copy, inside + outside, None),
        "names",
    )
    _equal(
        find_projects(shared, "", limit=500, scope=scope),
        find_projects(copy, "", limit=500, scope=None),
        "find",
    )
    flt = PortfolioFilter(scope=None).within(scope)
    _equal(
        lookups.search_projects(shared, flt, "", 500),
        lookups.search_projects(copy, PortfolioFilter(scope=None), "", 500),
        "search",
    )
    # an organisation or cohort from outside the scope gets no name (a URL naming another one)
    known = {r[0] for r in copy.execute("SELECT org_id FROM organisation").fetchall()}
    investors = {r[0] for r in shared.execute("SELECT investor_org_id FROM investment").fetchall()}
    stranger = sorted(investors - known)[0]
    cohorts = {r[0] for r in shared.execute("SELECT cohort_id FROM cohort").fetchall()}
    known_cohorts = {r[0] for r in copy.execute("SELECT cohort_id FROM cohort").fetchall()}
    far_cohort = sorted(cohorts - known_cohorts)[0]
    named = lookups.filter_value_names(shared, flt.with_(investor=stranger, cohort=[far_cohort]))
    assert named["investor"](stranger) == stranger
    assert named["cohort"](far_cohort) == far_cohort
    # the figures export, the committee report and the portfolio workbook
    _equal(export_frames(shared, flt), export_frames(copy, PortfolioFilter(scope=None)), "export")
    today = date(2026, 11, 27)
    # (the SVG renderer numbers its gradients and clip paths across a process)
    ids = re.compile(r"(gradient_|clip)\d+")
    assert ids.sub("#", committee_report(shared, flt, "fr", today)) == ids.sub(
        "#", committee_report(copy, PortfolioFilter(scope=None), "fr", today)
    )
    for sheet in ("organisations", "projects", "cohorts", "cohort_members", "assessments"):
        _equal(
            table_frame(shared, sheet, flt),
            table_frame(copy, sheet, PortfolioFilter(scope=None)),
            sheet,
        )
    assert export_portfolio_xlsx(shared, flt) == export_portfolio_xlsx(
        copy, PortfolioFilter(scope=None)
    )


def test_the_scope_never_comes_from_the_url_and_the_filter_only_narrows_it(demo_con):
    scope = Scope("investor", "INV03")
    from_url = PortfolioFilter.from_query_params(
        {"scope": "admin", "investor": "INV03"}, scope=None
    )
    assert from_url.scope is None
    assert "scope" not in PortfolioFilter(scope=None).within(scope).to_query_params()
    with pytest.raises(TypeError):
        PortfolioFilter.create(scope="INV03")
    scoped = PortfolioFilter(scope=None).within(scope)
    # changing the filter keeps the scope; naming another investor narrows, never widens
    other = scoped.with_(investor="INV12")
    assert other.scope == scope
    both = metrics.project_count(demo_con, other)
    alone = metrics.project_count(demo_con, PortfolioFilter.create(investor="INV12", scope=None))
    assert both <= metrics.project_count(demo_con, scoped)
    assert both <= alone
    # a scoped filter is not "empty" for the SQL, though the person narrowed nothing
    assert scoped.is_empty
    assert not scoped.keeps_all


def test_role_codes_of_the_schema_match_the_reference_model():
    assert V4_ROLES == ref.ROLE_CODES


# --- memberships ------------------------------------------------------------------------------


@pytest.fixture
def con(tmp_path):
    con = open_database(tmp_path / "members.duckdb")
    generate(con, n_projects=40, seed=3, progress=_quiet)
    yield con
    con.close()


@pytest.fixture
def any_con(new_db):
    """The same small demo on the test's engine (DuckDB, then PostgreSQL)."""
    con = open_database(new_db("members"))
    generate(con, n_projects=40, seed=3, progress=_quiet)
    yield con
    con.close()


def test_the_first_sign_in_binds_a_membership_on_both_engines(any_con):
    """docs/rules.md "Sign-in and scope": issuer and subject recorded at the first sign-in, required after; only a
    JSON true `email_verified` counts."""
    con = any_con
    access.add_member(con, "alice@example.org", "INV01", "investor")
    claims = {
        "email": "Alice@Example.org ",
        "email_verified": True,
        "iss": "https://sso.example.org",
        "sub": "alice-1",
    }
    member, why = access.admit(con, claims)
    assert member is not None
    assert why is None
    assert con.execute(
        "SELECT issuer, subject FROM membership WHERE email = 'alice@example.org'"
    ).fetchall() == [("https://sso.example.org", "alice-1")]
    assert access.admit(con, claims)[0] is not None  # the same account again
    assert access.admit(con, {**claims, "sub": "alice-2"}) == (None, access.OTHER_IDENTITY)
    assert access.admit(con, {**claims, "iss": "https://other.example"}) == (
        None,
        access.OTHER_IDENTITY,
    )
    for verified in ("true", "false", 1, 0, None):
        assert access.admit(con, {**claims, "email_verified": verified}) == (
            None,
            access.UNVERIFIED,
        )
    # removed and added again: the next sign-in binds anew
    access.remove_member(con, "alice@example.org")
    access.add_member(con, "alice@example.org", "INV01", "investor")
    assert access.admit(con, {**claims, "sub": "alice-2"})[0] is not None


def _names(con) -> dict[str, object]:
    return dict(con.execute("SELECT email, name FROM membership ORDER BY email").fetchall())


def test_a_member_s_name_is_given_by_an_admin_or_recorded_at_sign_in(any_con):
    """docs/campaigns.md "Reminders": the reminder list names people. An admin's name is kept; while
    none is known, the provider's `name` claim is recorded at a sign-in of the bound account, and
    never by another account claiming the address."""
    con = any_con
    access.add_member(con, "alice@example.org", "INV01", "investor")
    access.add_member(con, "bob@example.org", "INV01", "investor", name="  Bob   Durand ")
    claims = {"email_verified": True, "iss": "https://sso.example.org"}
    alice = {**claims, "email": "alice@example.org", "sub": "alice-1", "name": "Alice Martin"}
    bob = {**claims, "email": "bob@example.org", "sub": "bob-1", "name": "Robert D."}
    assert access.admit(con, alice)[0] is not None
    assert access.admit(con, bob)[0] is not None
    assert _names(con) == {"alice@example.org": "Alice Martin", "bob@example.org": "Bob Durand"}
    # a later sign-in with another name changes nothing: the name is known
    assert access.admit(con, {**alice, "name": "A. M."})[0] is not None
    assert _names(con)["alice@example.org"] == "Alice Martin"
    # replaced without a name: the name stays; with one: it changes
    access.add_member(con, "alice@example.org", "INV02", "investor")
    assert _names(con)["alice@example.org"] == "Alice Martin"
    access.add_member(con, "alice@example.org", "INV02", "investor", name="Alice M.")
    assert _names(con)["alice@example.org"] == "Alice M."
    # a member bound before names existed gets the claim's name at the next sign-in, once
    access.add_member(con, "carol@example.org", "INV01", "investor")
    carol = {**claims, "email": "carol@example.org", "sub": "carol-1"}
    assert access.admit(con, carol)[0] is not None  # no name claim: nothing to record
    assert _names(con)["carol@example.org"] is None
    # another account claiming the address is refused and writes nothing
    assert access.admit(con, {**carol, "sub": "mallory", "name": "Mallory"}) == (
        None,
        access.OTHER_IDENTITY,
    )
    assert _names(con)["carol@example.org"] is None
    assert access.admit(con, {**carol, "name": "Carol\tDupont\n"})[0] is not None
    assert _names(con)["carol@example.org"] == "Carol Dupont"
    assert access.person_name("x" * 500) == "x" * access.NAME_LENGTH
    assert access.person_name("   ") is None
    assert access.person_name(42) is None
    listed = access.list_members(con)
    assert list(listed["name"]) == ["Bob Durand", "Carol Dupont", "Alice M."]  # by organisation


def test_members_are_added_found_listed_and_removed(con):
    member, replaced = access.add_member(con, "  Claire.Martin@Example.ORG ", "INV01", "investor")
    assert not replaced
    assert member.email == "claire.martin@example.org"
    assert member.scope == Scope("investor", "INV01")
    assert member.viewpoint == "investment"
    found = access.find_member(con, "CLAIRE.MARTIN@example.org")
    assert found == member
    assert (
        found.org_name
        == con.execute("SELECT name FROM organisation WHERE org_id = 'INV01'").fetchone()[0]
    )
    # adding the address again changes its role
    again, replaced = access.add_member(con, "claire.martin@example.org", "SB1", "support_body")
    assert replaced
    assert again.viewpoint == "ecosystem"
    access.add_member(con, "boss@example.org", "SB1", "admin")
    listed = access.list_members(con)
    assert list(listed["email"]) == ["boss@example.org", "claire.martin@example.org"]
    assert list(listed["role"]) == ["admin", "support_body"]
    assert list(access.admins(con)["email"]) == ["boss@example.org"]
    assert access.find_member(con, "boss@example.org").scope is None
    assert access.remove_member(con, "Claire.Martin@example.org")
    assert access.find_member(con, "claire.martin@example.org") is None
    assert not access.remove_member(con, "claire.martin@example.org")


@pytest.mark.parametrize(
    ("email", "org", "role", "key"),
    [
        ("not an address", "INV01", "investor", "members.bad_email"),
        ("a@b", "INV01", "investor", "members.bad_email"),
        ("a@example.org", "NOPE", "investor", "members.unknown_org"),
        ("a@example.org", "INV01", "owner", "members.bad_role"),
    ],
)
def test_a_bad_membership_is_refused_with_its_reason(con, email, org, role, key):
    with pytest.raises(CoinvestError) as err:
        access.add_member(con, email, org, role)
    assert err.value.key == key
    assert access.list_members(con).empty
    assert err.value.message("fr") != key  # a sentence in both languages
    assert err.value.message("en") != err.value.message("fr")


def test_a_member_records_assessments_only_as_their_organisation_and_role(con):
    holder, project = con.execute(
        "SELECT holder_org_id, project_id FROM project ORDER BY project_id LIMIT 1"
    ).fetchone()
    other = con.execute(
        "SELECT project_id FROM project WHERE holder_org_id <> $h ORDER BY 1 LIMIT 1",
        {"h": holder},
    ).fetchone()[0]
    member, _ = access.add_member(con, "team@example.org", holder, "project")
    scores = {ref.QUESTION_CODES[0]: 3}
    saved = save_assessment(
        con, AssessmentInput(project, "project", holder, date(2026, 1, 5), scores), member
    )
    assert con.execute(
        "SELECT viewpoint, assessor_org_id FROM assessment WHERE assessment_id = $id",
        {"id": saved},
    ).fetchone() == ("project", holder)
    refused = [
        AssessmentInput(project, "investment", holder, date(2026, 1, 6), scores),  # not its role
        AssessmentInput(project, "project", "INV01", date(2026, 1, 6), scores),  # not its org
        AssessmentInput(other, "project", holder, date(2026, 1, 6), scores),  # not its project
    ]
    for item in refused:
        with pytest.raises(CoinvestError):
            save_assessment(con, item, member)
    assert (
        con.execute("SELECT count(*) FROM assessment WHERE assessed_on = '2026-01-06'").fetchone()[
            0
        ]
        == 0
    )
    # an admin records any viewpoint, for any organisation
    boss, _ = access.add_member(con, "boss@example.org", "SB1", "admin")
    save_assessment(
        con, AssessmentInput(other, "investment", "INV01", date(2026, 1, 7), scores), boss
    )


def test_scenarios_and_views_belong_to_their_authors_organisation(any_con):
    con = any_con
    alice, _ = access.add_member(con, "alice@example.org", "INV01", "investor")
    bob, _ = access.add_member(con, "bob@example.org", "INV02", "investor")
    boss, _ = access.add_member(con, "boss@example.org", "SB1", "admin")
    save_scenario(con, Scenario("Plan A"), member=alice)
    save_view(con, "Vue A", PortfolioFilter(scope=None), member=alice)
    assert list(list_scenarios(con, alice)["name"]) == ["Plan A"]
    assert list_scenarios(con, bob).empty
    assert list_views(con, bob).empty
    assert load_scenario(con, "Plan A", bob) is None
    assert load_view(con, "Vue A", bob) is None
    assert not delete_scenario(con, "Plan A", bob)
    # names are unique per organisation (docs/rules.md "Sign-in and scope"): Bob's "Plan A" is his own, and saving it
    # neither refuses nor reveals Alice's
    save_scenario(
        con, Scenario("Plan A", weights=metrics.Weights.create({"digital": 3})), member=bob
    )
    assert list(list_scenarios(con, bob)["name"]) == ["Plan A"]
    assert load_scenario(con, "Plan A", alice).weights == metrics.Weights()
    assert load_scenario(con, "Plan A", bob).weights == metrics.Weights.create({"digital": 3})
    with pytest.raises(CoinvestError) as err:  # twice in one organisation: taken
        save_scenario(con, Scenario("Plan A"), member=bob)
    assert err.value.key == "whatif.name_taken"
    # an admin and local mode see every one
    assert list(list_scenarios(con, boss)["name"]) == ["Plan A", "Plan A"]
    assert list(list_scenarios(con, None)["name"]) == ["Plan A", "Plan A"]
    assert load_scenario(con, "Plan A", alice) is not None
    assert delete_scenario(con, "Plan A", alice)
    assert load_scenario(con, "Plan A", alice) is None
    assert load_scenario(con, "Plan A", bob) is not None


def test_a_scenario_reaches_a_member_only_when_every_line_is_in_their_scope(any_con):
    con = any_con
    # two members of INV01: Alice as its investor (the projects INV01 funds), Carol as a
    # project-holder member of the same organisation (the projects INV01 holds: none here)
    alice, _ = access.add_member(con, "alice@example.org", "INV01", "investor")
    carol, _ = access.add_member(con, "carol@example.org", "INV01", "project")
    funded = con.execute(
        f"SELECT project_id FROM project WHERE project_id IN ({projects_of(alice.scope)[0]}) "
        "ORDER BY 1 LIMIT 1",
        projects_of(alice.scope)[1],
    ).fetchone()[0]
    save_scenario(
        con,
        Scenario("Plan", lines=(metrics.Hypothetical("INV01", funded, 1000.0, "grant"),)),
        member=alice,
    )
    save_scenario(con, Scenario("Weights only"), member=alice)
    assert list(list_scenarios(con, alice)["name"]) == ["Plan", "Weights only"]
    # Carol is of the same organisation, but the line names a project outside her scope
    assert list(list_scenarios(con, carol)["name"]) == ["Weights only"]
    assert load_scenario(con, "Plan", carol) is None
    assert not delete_scenario(con, "Plan", carol)
    assert load_scenario(con, "Plan", alice) is not None


def test_scenario_lines_appear_in_no_project_s_history(any_con):
    con = any_con
    from coinvest.history import history

    bob, _ = access.add_member(con, "bob@example.org", "INV02", "investor")
    project = con.execute(
        f"SELECT project_id FROM project WHERE project_id IN ({projects_of(bob.scope)[0]}) LIMIT 1",
        projects_of(bob.scope)[1],
    ).fetchone()[0]
    save_scenario(
        con,
        Scenario("Secret", lines=(metrics.Hypothetical("INV02", project, 5000.0, "grant"),)),
        member=bob,
    )
    shown = history(con, project_id=project)
    assert not set(shown["table_name"]) & {"scenario", "scenario_investment"}
    assert "bob@example.org" not in set(shown["who"])
    journal = history(con, table="scenario_investment")
    assert len(journal) > 0
    assert journal["project_id"].isna().all()


# --- the command line ---------------------------------------------------------------------------


def _cli(*args: str, lang: str = "en") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "coinvest", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COINVEST_LANG": lang},
        timeout=300,
    )


@pytest.fixture
def cli_db(new_db):
    """A demo for the command line, on both engines (a file or a PostgreSQL URL)."""
    path = new_db("cli")
    con = open_database(path)
    generate(con, n_projects=60, seed=11, progress=_quiet)
    con.close()
    return path


def test_members_add_list_and_remove_from_the_command_line(cli_db):
    db = ("--db", str(cli_db))
    added = _cli("members", "add", "Alice@Example.org", "INV01", "investor", *db)
    assert added.returncode == 0, added.stderr
    assert "alice@example.org added" in added.stdout
    assert "Investor" in added.stdout
    again = _cli(
        "members",
        "add",
        "alice@example.org",
        "INV02",
        "investor",
        "--name",
        "Alice Martin",
        *db,
        lang="fr",
    )
    assert "mis à jour" in again.stdout
    listed = _cli("members", "list", *db)
    assert listed.returncode == 0
    assert "alice@example.org" in listed.stdout
    assert "Alice Martin" in listed.stdout
    assert "INV02" in listed.stdout
    removed = _cli("members", "remove", "alice@example.org", *db)
    assert removed.returncode == 0
    assert "no longer has access" in removed.stdout
    missing = _cli("members", "remove", "alice@example.org", *db)
    assert missing.returncode == 1
    assert "is not a member" in missing.stderr
    empty = _cli("members", "list", *db)
    assert "No member" in empty.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("bob@example.org", "INV01", "boss"), "Unknown role “boss”"),
        (("bob@example.org", "NOBODY", "investor"), "no organisation “NOBODY”"),
        (("bob", "INV01", "investor"), "“bob” is not an e-mail address"),
    ],
)
def test_a_bad_member_is_one_clear_line(cli_db, args, says):
    result = _cli("members", "add", *args, "--db", str(cli_db))
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert says in lines[0]


def test_export_as_a_member_writes_exactly_what_they_see(cli_db, tmp_path):
    db = ("--db", str(cli_db))
    assert _cli("members", "add", "sb@example.org", "SB1", "support_body", *db).returncode == 0
    assert _cli("members", "add", "boss@example.org", "SB1", "admin", *db).returncode == 0
    member_out, admin_out, all_out = tmp_path / "m", tmp_path / "a", tmp_path / "all"
    assert _cli("export", *db, "--out", str(member_out), "--as", "SB@example.org").returncode == 0
    assert _cli("export", *db, "--out", str(admin_out), "--as", "boss@example.org").returncode == 0
    assert _cli("export", *db, "--out", str(all_out)).returncode == 0
    con = open_database(cli_db, read_only=True)
    try:
        flt = PortfolioFilter(scope=None).within(Scope("support_body", "SB1"))
        expected = export_frames(con, flt)
        in_scope = {
            row[0]
            for row in con.execute(
                projects_of(Scope("support_body", "SB1"))[0], {"scope_org": "SB1"}
            ).fetchall()
        }
    finally:
        con.close()
    summary = pd.read_csv(member_out / "project_summary.csv")
    assert set(summary["project_id"]) == in_scope
    for name, frame in expected.items():
        assert (member_out / f"{name}.csv").read_bytes() == machine_csv(frame), name
    for name in ("project_summary", "portfolio", "project_levers", "project_needs"):
        # an admin sees what the instance holds; a member only their scope
        assert (admin_out / f"{name}.csv").read_bytes() == (all_out / f"{name}.csv").read_bytes()
    assert (member_out / "portfolio.csv").read_bytes() != (all_out / "portfolio.csv").read_bytes()
    unknown = _cli("export", *db, "--out", str(tmp_path / "x"), "--as", "who@example.org")
    assert unknown.returncode == 1
    assert "is not a member" in unknown.stderr
    assert not (tmp_path / "x").exists()
