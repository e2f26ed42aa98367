"""A campaign end to end in a real browser (docs/campaigns.md), on DuckDB and PostgreSQL: an
admin creates it, three members sign in through an OpenID Connect provider and send their
questionnaires, a fourth is on the reminder list, and the Viewpoints page shows the round with
its one date."""

from __future__ import annotations

import contextlib
import json
import os
import urllib.request
import warnings
from pathlib import Path

import pytest

from coinvest import access
from coinvest import campaigns as C
from coinvest.db import open_database
from tests.browser.harness import free_port, make_demo, running_app, wait_for_page
from tests.browser.test_access import new_tab, sign_in
from tests.browser.test_views import STREAMLIT_OWN

pytestmark = pytest.mark.slow

# sub → e-mail: the people of the provider (their organisations are chosen from the demo)
PEOPLE = {
    "boss": "boss@example.org",
    "team": "team@example.org",
    "inv1": "inv1@example.org",
    "inv2": "inv2@example.org",
    "sb": "sb@example.org",
}
INV2_NAME = "Inès Vidal"


@pytest.fixture(scope="module")
def provider():
    """A local OpenID Connect provider over plain HTTP (as in test_access.py)."""
    import authlib.deprecate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)
        import oidc_provider_mock

    previous = os.environ.get("AUTHLIB_INSECURE_TRANSPORT")
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    try:
        with oidc_provider_mock.run_server_in_thread(port=0) as server:
            base = f"http://localhost:{server.server_port}"
            for sub, email in PEOPLE.items():
                claims = {"email": email, "email_verified": True, "name": sub.title()}
                request = urllib.request.Request(
                    f"{base}/users/{sub}",
                    data=json.dumps(claims).encode(),
                    method="PUT",
                    headers={"Content-Type": "application/json"},
                )
                urllib.request.urlopen(request, timeout=10).read()
            yield base
    finally:
        if previous is None:
            os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)
        else:
            os.environ["AUTHLIB_INSECURE_TRANSPORT"] = previous


def _instance(engine: str, request, folder: Path) -> tuple[str, dict]:
    """The demo on the engine, a project with two investors and a support body today, and the
    members who answer for them."""
    if engine == "duckdb":
        db: str = str(make_demo(folder / "campaign.duckdb", projects=60))
    else:
        db = request.getfixturevalue("pg").create("campaign", template="coinvest_empty")
        make_demo(db, projects=60)
    con = open_database(db)
    try:
        today = C.utc_today()
        project, name, holder = con.execute(
            """SELECT p.project_id, p.name, p.holder_org_id FROM project p
               WHERE p.project_id IN (SELECT i.project_id FROM investment i WHERE i.date <= $d
                                      GROUP BY i.project_id
                                      HAVING count(DISTINCT i.investor_org_id) >= 2)
                 AND p.project_id IN (SELECT m.project_id FROM cohort_member m
                                      WHERE m.entry_date <= $d
                                        AND (m.exit_date IS NULL OR m.exit_date >= $d))
               ORDER BY p.project_id LIMIT 1""",
            {"d": today},
        ).fetchall()[0]
        investors = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT investor_org_id FROM investment WHERE project_id = $p "
                "AND date <= $d ORDER BY 1",
                {"p": project, "d": today},
            ).fetchall()
        ]
        body = con.execute(
            """SELECT c.support_body_org_id FROM cohort_member m
               JOIN cohort c ON c.cohort_id = m.cohort_id
               WHERE m.project_id = $p AND m.entry_date <= $d
                 AND (m.exit_date IS NULL OR m.exit_date >= $d)
               ORDER BY 1 LIMIT 1""",
            {"p": project, "d": today},
        ).fetchall()[0][0]
        organisations = {
            "boss": (holder, "admin"),
            "team": (holder, "project"),
            "inv1": (investors[0], "investor"),
            "inv2": (investors[1], "investor"),
            "sb": (body, "support_body"),
        }
        for sub, (org, role) in organisations.items():
            # the one who never signs in is named by the admin; the others by their provider
            named = INV2_NAME if sub == "inv2" else None
            access.add_member(con, PEOPLE[sub], org, role, who="test", name=named)
        names = {
            sub: con.execute(
                "SELECT name FROM organisation WHERE org_id = $o", {"o": org}
            ).fetchall()[0][0]
            for sub, (org, _) in organisations.items()
        }
    finally:
        con.close()
    return db, {"project": project, "name": name, "today": today, "organisations": names}


def _axe_violations(page) -> list:
    """What axe-core finds of the app's own on the page (Streamlit's own markup left out, as in
    test_views.py)."""
    from axe_playwright_python.sync_playwright import Axe

    found = []
    for violation in Axe().run(page).response["violations"]:
        owner = STREAMLIT_OWN.get(violation["id"], "app")
        if owner is None:
            continue
        nodes = [n for n in violation["nodes"] if owner == "app" or owner not in n["html"]]
        found += [(violation["id"], n["target"], n["failureSummary"]) for n in nodes]
    return found


def _choose(page, label: str, text: str) -> list[str]:
    """Pick the option holding `text` in the select box labelled `label`; returns every
    option's text."""
    main = page.locator("[data-testid=stMain]")
    main.locator("[data-testid=stSelectbox]").filter(has_text=label).first.click()
    options = page.get_by_role("option")
    options.first.wait_for()
    listed = options.all_inner_texts()
    options.filter(has_text=text).first.click()
    wait_for_page(page)
    return listed


def _answer_and_send(chrome, base: str, sub: str, project_name: str, organisation: str) -> None:
    """A member opens "À remplir", where only their organisation's questionnaires are listed,
    picks the project's, scores a question and sends it."""
    context, page = new_tab(chrome)
    try:
        sign_in(page, base, sub, "to-fill")
        listed = _choose(page, "Questionnaire", project_name)
        assert listed, sub
        assert all(f"({organisation})" in option for option in listed), (sub, listed)
        form = page.locator("[data-testid=stForm]")
        if sub == "team":  # the page a member fills in, as axe-core reads it
            assert _axe_violations(page) == []
        group = form.get_by_role("radiogroup").first
        group.get_by_text("3", exact=True).click()
        page.get_by_role("button", name="Envoyer").click()
        page.get_by_text("Questionnaire envoyé").first.wait_for(timeout=30_000)
    finally:
        context.close()


def test_a_campaign_runs_end_to_end(chrome, provider, engine, request, tmp_path):
    db, facts = _instance(engine, request, tmp_path)
    port = free_port()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        f"""[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "a-long-random-secret-for-the-test-cookies-only"
client_id = "coinvest"
client_secret = "coinvest-test"
server_metadata_url = "{provider}/.well-known/openid-configuration"
""",
        encoding="utf-8",
    )
    day = f"{facts['today']:%d/%m/%Y}"
    with running_app(db, port=port, secrets=secrets, log_path=tmp_path / "app.log") as base:
        # the admin creates the campaign over the projects of a filter (the project's name)
        context, page = new_tab(chrome)
        try:
            sign_in(page, base, "boss", f"campaigns?search={facts['name']}")
            page.get_by_label("Nom").fill("Tour d'hiver")
            page.get_by_text("projets du filtre").first.click()
            page.get_by_role("button", name="Créer la campagne").click()
            page.get_by_text("Campagne n° 1 « Tour d'hiver » créée.").wait_for(timeout=30_000)
        finally:
            context.close()
        # three members answer, each for their organisation
        for sub in ("team", "inv1", "sb"):
            _answer_and_send(chrome, base, sub, facts["name"], facts["organisations"][sub])
        # the board: the fourth member is on the reminder list
        context, page = new_tab(chrome)
        try:
            sign_in(page, base, "boss", "campaigns")
            assert _axe_violations(page) == []
            with page.expect_download() as download:
                page.get_by_role("button", name="Liste de relance").click()
            lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
            for_project = [line for line in lines if facts["name"] in line]
            assert any(f"{INV2_NAME};{PEOPLE['inv2']}" in line for line in for_project), lines
            for sub in ("team", "inv1", "sb"):
                assert not any(PEOPLE[sub] in line for line in for_project), (sub, lines)
            # the round on the Viewpoints page, with its one date
            page.goto(f"{base}/viewpoints?campaign=1")
            wait_for_page(page)
            main = page.locator("[data-testid=stMain]").inner_text()
            assert f"Tour de la campagne « Tour d'hiver », daté du {day}" in main
            assert "Traceback" not in main
        finally:
            context.close()
    con = open_database(db)
    try:
        names = dict(con.execute("SELECT email, name FROM membership").fetchall())
        sent = con.execute(
            "SELECT viewpoint, assessed_on FROM assessment WHERE project_id = $p "
            "AND assessment_id LIKE 'C1-%' ORDER BY 1",
            {"p": facts["project"]},
        ).fetchall()
    finally:
        con.close()
    assert sent == [(v, facts["today"]) for v in ("ecosystem", "investment", "project")]
    # the names: the provider's, recorded at each first sign-in; the admin's for inv2
    assert names == {
        **{PEOPLE[sub]: sub.title() for sub in ("boss", "team", "inv1", "sb")},
        PEOPLE["inv2"]: INV2_NAME,
    }
    with contextlib.suppress(FileNotFoundError):
        (tmp_path / "app.log").unlink()
