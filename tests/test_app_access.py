"""AppTests of shared mode (docs/rules.md "Sign-in and scope"): the sign-in and no-access pages, what each member sees
and may do, and a removal that holds at the next run. Local mode is every other app test."""

from __future__ import annotations

from pathlib import Path

import pytest

from coinvest import access, lookups, metrics
from coinvest.db import open_database
from coinvest.demo import generate
from coinvest.filters import PortfolioFilter, projects_of
from coinvest.i18n import format_number
from coinvest.scope import Scope
from tests.browser.harness import PAGES
from tests.conftest import choose_tab
from ui.tools import tools_for

ISSUER = "http://127.0.0.1:9"  # the provider of TEST_AUTH (never reached by an AppTest)


def person(sub: str, email: str, name: str) -> dict:
    """A signed-in person as the provider's claims say (`st.user`): a verified e-mail, the
    issuer and the subject."""
    return {
        "is_logged_in": True,
        "email": email,
        "name": name,
        "email_verified": True,
        "iss": ISSUER,
        "sub": sub,
    }


ALICE = person("alice", "alice@example.org", "Alice Martin")
BOSS = person("boss", "boss@example.org", "Boss")
HOLDER = person("team", "team@example.org", "Équipe")
NOBODY = person("nobody", "nobody@example.org", "Nobody")
SIGNED_OUT = {"is_logged_in": False}


def _quiet(_: str) -> None:
    pass


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> tuple[Path, dict]:
    """The demo with three members, and figures from the metric layer read before the app holds
    the file."""
    path = tmp_path_factory.mktemp("shared_app") / "shared.duckdb"
    con = open_database(path)
    generate(con, n_projects=120, seed=7, progress=_quiet)
    access.add_member(con, "alice@example.org", "INV03", "investor")
    access.add_member(con, "boss@example.org", "SB1", "admin")
    access.add_member(con, "team@example.org", "H000057", "project")
    alice = Scope("investor", "INV03")
    own = PortfolioFilter.create(investor="INV03", scope=None).within(alice)
    outside = con.execute(
        f"SELECT project_id FROM project WHERE project_id NOT IN ({projects_of(alice)[0]}) "
        "ORDER BY 1 LIMIT 1",
        {"scope_org": "INV03"},
    ).fetchone()[0]
    figures = {
        "alice_projects": metrics.project_count(con, own),
        "alice_and_inv02": metrics.project_count(con, own.with_(investor="INV02")),
        "inv02_alone": metrics.project_count(
            con, PortfolioFilter.create(investor="INV02", scope=None)
        ),
        "all_projects": metrics.project_count(con, PortfolioFilter(scope=None)),
        "alice_investors": set(lookups.investors(con, alice)["org_id"]),
        "outside": outside,
    }
    con.close()
    return path, figures


@pytest.fixture
def shared_db(shared) -> Path:
    return shared[0]


@pytest.fixture
def expected(shared) -> dict:
    return shared[1]


def tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_a_person_not_signed_in_gets_the_sign_in_page_and_no_data(open_page, shared_db):
    at = open_page(shared_db, user=SIGNED_OUT)
    assert [x.value for x in at.title] == ["Connexion à coinvest"]
    assert [b.label for b in at.button] == ["Se connecter"]
    assert not at.metric
    assert not at.get("vega_lite_chart")
    english = open_page(shared_db, params={"lang": "en"}, user=SIGNED_OUT)
    assert [x.value for x in english.title] == ["Sign in to coinvest"]
    assert [b.label for b in english.button] == ["Sign in"]


def test_a_person_without_membership_is_told_whom_to_ask_and_sees_no_data(open_page, shared_db):
    at = open_page(shared_db, user=NOBODY)
    assert [x.value for x in at.title] == ["Pas encore d'accès"]
    assert "nobody@example" in at.warning[0].value
    assert any("boss@example" in m.value for m in at.markdown)
    assert not at.metric
    assert [b.label for b in at.button] == ["Se déconnecter"]
    # nor through another page's address
    for name in ("project", "data_import", "partnerships"):
        at.switch_page(f"app_pages/{name}.py").run()
        assert not at.exception
        assert not at.metric
        assert [x.value for x in at.title] == ["Pas encore d'accès"]


def test_an_address_the_provider_did_not_verify_is_not_let_in(open_page, shared_db):
    at = open_page(shared_db, user={**ALICE, "email_verified": False})
    assert "n'a pas confirmé" in at.warning[0].value
    assert not at.metric


def test_an_investor_member_sees_their_projects_and_their_own_leverage(
    open_page, shared_db, expected
):
    at = open_page(shared_db, user=ALICE)
    shown = tiles(at)
    assert shown["Projets"] == format_number(expected["alice_projects"])
    assert expected["alice_projects"] < expected["all_projects"]
    assert shown["Effet de levier"] != "—"  # the filter starts on their own organisation
    identity = " ".join(m.value for m in at.sidebar.markdown)
    assert "Alice Martin" in identity
    assert "Investisseur" in identity
    assert "Se déconnecter" in [b.label for b in at.sidebar.button]
    # the investor picker offers the investors of their projects only
    picker = at.sidebar.selectbox(key="f_investor")
    assert picker.value == "INV03"
    assert len(picker.options) == len(expected["alice_investors"])


def test_a_url_naming_another_investor_does_not_widen_the_scope(open_page, shared_db, expected):
    at = open_page(shared_db, params={"investor": "INV02"}, user=ALICE)
    shown = tiles(at)
    # INV02's projects inside Alice's scope, never INV02's whole portfolio
    assert shown["Projets"] == format_number(expected["alice_and_inv02"])
    assert expected["alice_and_inv02"] < expected["inv02_alone"]


def test_a_project_outside_the_scope_does_not_open(open_page, shared_db, expected):
    at = open_page(shared_db, "project", {"project": expected["outside"]}, user=ALICE)
    assert expected["outside"] not in " ".join(h.value for h in at.header)
    assert at.selectbox(key="sheet_pick").value != expected["outside"]


@pytest.mark.parametrize("name", [p for p in PAGES if p not in ("import", "journal")])
def test_every_page_renders_for_a_project_member(open_page, shared_db, name):
    at = open_page(shared_db, name, user=HOLDER)
    assert at.title
    assert not at.error


def test_only_an_admin_imports_and_manages_members(open_page, shared_db):
    # the navigation lists a member's tools only; an admin's, everything
    con = open_database(shared_db, read_only=True)
    try:
        holder = access.find_member(con, HOLDER["email"])
        boss = access.find_member(con, BOSS["email"])
    finally:
        con.close()
    assert [name for name, *_ in tools_for(holder)] == [
        "templates",
        "export",
        "questionnaire",
        "to_fill",
        "campaigns",
    ]
    assert [name for name, *_ in tools_for(boss)] == [
        "import",
        "templates",
        "export",
        "questionnaire",
        "to_fill",
        "campaigns",
        "log",
        "members",
    ]
    assert "members" not in [name for name, *_ in tools_for(None)]  # local mode: nobody signs in
    member = open_page(shared_db, "templates", user=HOLDER)
    assert "tout votre périmètre" in member.markdown[0].value  # not "the whole portfolio"
    # an admin's page is no page of theirs: not in their navigation, so not reachable
    for page in ("data_import", "data_members", "data_journal"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            member.switch_page(f"app_pages/{page}.py")
    choose_tab(member, "questionnaire")
    # the questionnaire answers for the member's organisation, from the project viewpoint
    assert any(
        "Vous répondez au nom de **Association" in m.value and "« Projets »" in m.value
        for m in member.markdown
    )
    # no choice of assessor or viewpoint: theirs are fixed
    keys = [box.key for box in member.selectbox]
    assert "form_assessor" not in keys
    assert not [k for k in keys if k and k.startswith("form_viewpoint")]
    admin = open_page(shared_db, "import", user=BOSS)
    assert [x.value for x in admin.title] == ["Importer"]
    assert admin.get("file_uploader")
    choose_tab(admin, "members")
    assert [x.value for x in admin.title] == ["Membres"]
    emails = " ".join(str(v) for v in admin.dataframe[-1].value.iloc[:, 0])
    assert "alice@example.org" in emails


def test_a_removed_member_loses_access_at_the_next_run(open_page, tmp_path):
    path = tmp_path / "removal.duckdb"
    con = open_database(path)
    generate(con, n_projects=30, seed=5, progress=_quiet)
    access.add_member(con, "alice@example.org", "INV01", "investor")
    con.close()
    at = open_page(path, user=ALICE)
    assert at.metric
    # another writer in the same process (the Data page of an admin's session)
    writer = open_database(path)
    assert access.remove_member(writer, "alice@example.org")
    at.run()
    assert not at.exception
    assert [x.value for x in at.title] == ["Pas encore d'accès"]
    assert not at.metric


def test_an_admin_names_a_member_and_a_sign_in_names_the_others(open_page, tmp_path):
    """docs/campaigns.md "Reminders": the members page takes a name; an admin's sign-in records
    the provider's name while none is known, and the members' table shows both."""
    path = tmp_path / "names.duckdb"
    con = open_database(path)
    generate(con, n_projects=30, seed=5, progress=_quiet)
    access.add_member(con, "boss@example.org", "INV01", "admin")
    con.close()
    at = choose_tab(open_page(path, "import", user=BOSS), "members")
    at.text_input(key="member_email").input("Claire@Example.org")
    at.text_input(key="member_name").input("  Claire   Martin ")
    at.selectbox(key="member_org").select("INV02")
    next(b for b in at.button if b.label == "Ajouter ou modifier un membre").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == []
    assert any("claire@example" in s.value for s in at.success), [s.value for s in at.success]
    shown = at.dataframe[-1].value
    assert dict(zip(shown["E-mail"], shown["Nom"], strict=True)) == {
        "boss@example.org": "Boss",
        "claire@example.org": "Claire Martin",
    }


def test_a_project_member_s_peer_figures_name_their_scope_and_hide_below_five(open_page, shared_db):
    """docs/rules.md "Sign-in and scope": a project member's portfolio is their own project; its "median" would be
    itself (every gap 0). The column says "your projects (1)" and the figure is hidden."""
    from tests.test_app_views import shown

    at = open_page(shared_db, "project", user=HOLDER)
    bench = next(d for d in at.dataframe if "Ce projet" in d.value.columns)
    columns = list(bench.value.columns)
    yours = [c for c in columns if c.startswith("Médiane de vos projets (")]
    assert yours, columns
    rows = shown(bench)
    assert all(row[yours[0]] == "—" for row in rows)
    assert any("moins de 5 projets" in c.value for c in at.caption)
