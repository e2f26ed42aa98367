"""Shared mode in a real browser (docs/rules.md "Sign-in and scope"): people sign in through an OpenID Connect provider
(`oidc-provider-mock`, started here on 127.0.0.1), and each sees what their membership allows.

- two members of two investors see different figures, each their own;
- a URL naming another investor does not widen a member's scope;
- a member removed (from an admin's Data page while the app runs; with `coinvest members remove`
  while it is stopped, as DuckDB's single writer requires) loses access at the next page load,
  though their login cookie is still valid;
- sign-out works; the sign-in and no-access pages pass axe-core.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import urllib.request
import warnings
from pathlib import Path

import pytest

from coinvest import access, metrics
from coinvest.db import open_database
from coinvest.filters import PortfolioFilter
from coinvest.i18n import format_number
from coinvest.metrics import Hypothetical
from coinvest.scenarios import Scenario, save_scenario
from tests.browser.harness import ROOT, free_port, make_demo, running_app, wait_for_page

# sign-in flows through a provider, several app instances: `make test-slow` (CI runs it); `make test` keeps test_browser.py
pytestmark = pytest.mark.slow

# sub → (e-mail, name): the people of the provider
PEOPLE = {
    "alice": ("alice@example.org", "Alice Martin"),
    "bob": ("bob@example.org", "Bob Durand"),
    "boss": ("boss@example.org", "Camille Admin"),
    "dora": ("dora@example.org", "Dora Sansaccès"),
    "kate": ("kate@example.org", "Kate Admin"),
    "team": ("team@example.org", "Équipe Projet"),
}
# accounts that claim someone else's address (issue #29): sub → claims
ATTACKERS = {
    "mallory-string": {"email": "boss@example.org", "email_verified": "false", "name": "M1"},
    "mallory-zero": {"email": "boss@example.org", "email_verified": 0, "name": "M2"},
    "mallory-absent": {"email": "boss@example.org", "name": "M3"},
    "mallory-verified": {"email": "boss@example.org", "email_verified": True, "name": "M4"},
    "mallory-nbsp": {"email": "boss@example.org\u00a0", "email_verified": True, "name": "M5"},
    # a Kelvin sign for Kate's k (an admin): `.lower()` would fold it to "kate@…"
    "mallory-kelvin": {"email": "\u212aate@example.org", "email_verified": True, "name": "M6"},
}
MEMBERS = (
    ("alice@example.org", "INV01", "investor"),
    ("bob@example.org", "INV02", "investor"),
    ("boss@example.org", "SB1", "admin"),
    ("kate@example.org", "SB1", "admin"),
)


@pytest.fixture(scope="module")
def provider():
    """A local OpenID Connect provider over plain HTTP (hence AUTHLIB_INSECURE_TRANSPORT, for
    it and for the app started below; a real provider is HTTPS)."""
    # Authlib's notices about its own modules (it sets them to "always" when first imported,
    # hence its import before the filter)
    import authlib.deprecate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)
        import oidc_provider_mock

    previous = os.environ.get("AUTHLIB_INSECURE_TRANSPORT")
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    try:
        with oidc_provider_mock.run_server_in_thread(port=0) as server:
            base = f"http://localhost:{server.server_port}"
            people = {
                sub: {"email": email, "email_verified": True, "name": name}
                for sub, (email, name) in PEOPLE.items()
            }
            for sub, claims in {**people, **ATTACKERS}.items():
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


def build_instance(folder: Path, provider: str) -> dict:
    """The demo with its members, the figures each should see (read before the app holds the
    file), and how to start the app over it in shared mode (on a port of its own)."""
    db = make_demo(folder / "shared.duckdb", projects=150)
    con = open_database(db)
    for email, org, role in MEMBERS:
        access.add_member(con, email, org, role)
    # a project team: the holder of one of Bob's projects (INV02), whose only project it is
    holder, project = con.execute(
        """SELECT p.holder_org_id, min(p.project_id) FROM project p
           WHERE p.project_id IN (SELECT project_id FROM investment WHERE investor_org_id = 'INV02')
           GROUP BY p.holder_org_id HAVING count(*) = 1
              AND (SELECT count(*) FROM project q WHERE q.holder_org_id = p.holder_org_id) = 1
           ORDER BY 1 LIMIT 1"""
    ).fetchone()
    access.add_member(con, "team@example.org", holder, "project")
    # Bob's scenario on that project: what-if work of his organisation, never the team's to see
    bob_member = access.find_member(con, "bob@example.org")
    save_scenario(
        con,
        Scenario("Projet secret", lines=(Hypothetical("INV02", project, 77_777.0, "grant"),)),
        member=bob_member,
    )
    alice, bob = (access.find_member(con, e) for e in ("alice@example.org", "bob@example.org"))
    assert alice is not None
    assert bob is not None
    figures = {
        "alice": metrics.project_count(
            con, PortfolioFilter.create(investor="INV01", scope=None).within(alice.scope)
        ),
        "bob": metrics.project_count(
            con, PortfolioFilter.create(investor="INV02", scope=None).within(bob.scope)
        ),
        "bob_in_alice": metrics.project_count(
            con, PortfolioFilter.create(investor="INV02", scope=None).within(alice.scope)
        ),
        "bob_alone": metrics.project_count(
            con, PortfolioFilter.create(investor="INV02", scope=None)
        ),
    }
    figures["team_project"] = project
    con.close()
    port = free_port()
    secrets = folder / "secrets.toml"
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

    @contextlib.contextmanager
    def serve():
        with running_app(db, port=port, secrets=secrets) as base:
            yield base

    return {"db": db, "figures": figures, "serve": serve}


@pytest.fixture(scope="module")
def instance(tmp_path_factory, provider):
    return build_instance(tmp_path_factory.mktemp("shared"), provider)


@pytest.fixture(scope="module")
def shared_server(instance):
    with instance["serve"]() as base:
        yield base


def sign_in(page, base: str, sub: str, path: str = "") -> None:
    """Open the app, press "Se connecter", choose who signs in at the provider, come back (then
    open `path`)."""
    page.goto(f"{base}/")
    wait_for_page(page)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_selector("input[name=sub]", timeout=30_000)
    page.fill("input[name=sub]", sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{base}/**", timeout=30_000)
    wait_for_page(page)
    if path:  # the provider sends people back to the app's home page
        page.goto(f"{base}/{path}")
        wait_for_page(page)


def projects_tile(page) -> str:
    tile = page.locator("[data-testid=stMetric]").filter(has_text="Projets").first
    return tile.locator("[data-testid=stMetricValue]").inner_text().strip()


def title(page) -> str:
    return page.locator("h1").first.inner_text().strip()


def new_tab(chrome):
    context = chrome.new_context(viewport={"width": 1440, "height": 1800}, locale="fr-FR")
    return context, context.new_page()


def test_the_sign_in_page_comes_first_and_shows_no_data(chrome, shared_server):
    context, page = new_tab(chrome)
    try:
        page.goto(f"{shared_server}/partnerships?investor=INV01")
        wait_for_page(page)
        assert title(page) == "Connexion à coinvest"
        assert page.locator("[data-testid=stMetric]").count() == 0
        assert page.locator(".vega-embed").count() == 0
        from axe_playwright_python.sync_playwright import Axe

        found = [
            v["id"]
            for v in Axe().run(page).response["violations"]
            if v["id"] not in ("list", "listitem")  # Streamlit's own markup
        ]
        assert not found, found
    finally:
        context.close()


def test_two_investors_see_different_figures_each_their_own(chrome, shared_server, instance):
    figures = instance["figures"]
    alice_context, alice = new_tab(chrome)
    bob_context, bob = new_tab(chrome)
    try:
        sign_in(alice, shared_server, "alice")
        sign_in(bob, shared_server, "bob")
        assert projects_tile(alice) == format_number(figures["alice"])
        assert projects_tile(bob) == format_number(figures["bob"])
        assert figures["alice"] != figures["bob"]
        sidebar = alice.locator("[data-testid=stSidebar]").inner_text()
        assert "Alice Martin" in sidebar
        assert "Investisseur" in sidebar
        assert "Bob" not in sidebar
    finally:
        alice_context.close()
        bob_context.close()


def test_a_url_naming_another_investor_does_not_widen_the_scope(chrome, shared_server, instance):
    figures = instance["figures"]
    context, page = new_tab(chrome)
    try:
        sign_in(page, shared_server, "alice")
        page.goto(f"{shared_server}/?investor=INV02")
        wait_for_page(page)
        shown = projects_tile(page)
        # Bob's projects among Alice's, never Bob's whole portfolio
        assert shown in (format_number(figures["bob_in_alice"]), format_number(figures["alice"]))
        assert shown != format_number(figures["bob_alone"])
    finally:
        context.close()


def test_a_person_without_membership_sees_whom_to_ask(chrome, shared_server):
    context, page = new_tab(chrome)
    try:
        sign_in(page, shared_server, "dora")
        assert title(page) == "Pas encore d'accès"
        body = page.locator("[data-testid=stMain]").inner_text()
        assert "dora@example.org" in body
        assert "boss@example.org" in body
        assert page.locator("[data-testid=stMetric]").count() == 0
    finally:
        context.close()


def test_sign_out_works(chrome, shared_server):
    context, page = new_tab(chrome)
    try:
        sign_in(page, shared_server, "bob")
        page.get_by_role("button", name="Se déconnecter").click()
        # Streamlit ends the provider's session too (its end_session endpoint), which asks to
        # confirm, then comes back to the app
        page.wait_for_url("**/oauth2/end_session**", timeout=30_000)
        page.get_by_role("button", name="End session").click()
        page.wait_for_url(f"{shared_server}/**", timeout=30_000)
        wait_for_page(page)
        assert title(page) == "Connexion à coinvest"
        page.goto(f"{shared_server}/cohorts")
        wait_for_page(page)
        assert title(page) == "Connexion à coinvest"  # the login cookie is gone
    finally:
        context.close()


def test_a_removed_member_loses_access_at_the_next_page_load(chrome, provider, tmp_path):
    """An admin removes Bob from the Data page while the app runs; then, the app stopped,
    `coinvest members remove` removes Alice. Both still hold a valid login cookie."""
    instance = build_instance(tmp_path, provider)
    alice_context, alice = new_tab(chrome)
    bob_context, bob = new_tab(chrome)
    boss_context, boss = new_tab(chrome)
    try:
        with instance["serve"]() as base:
            sign_in(alice, base, "alice")
            sign_in(bob, base, "bob")
            assert projects_tile(bob)
            sign_in(boss, base, "boss", "members")
            form = boss.locator("[data-testid=stForm]").filter(has_text="Retirer un membre")
            form.locator("[data-testid=stSelectbox]").click()
            boss.get_by_role("option", name="bob@example.org").click()
            form.get_by_text("Je confirme").click()
            form.get_by_role("button", name="Retirer un membre").click()
            boss.get_by_text("bob@example.org n'a plus accès").wait_for(timeout=30_000)
            wait_for_page(boss)
            assert (
                "bob@example.org n'a plus accès"
                in boss.locator("[data-testid=stMain]").inner_text()
            )
            bob.reload()
            wait_for_page(bob)
            assert title(bob) == "Pas encore d'accès"
            assert bob.locator("[data-testid=stMetric]").count() == 0
        removed = subprocess.run(
            [
                sys.executable,
                "-m",
                "coinvest",
                "members",
                "remove",
                "alice@example.org",
                "--db",
                str(instance["db"]),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
        assert removed.returncode == 0, removed.stderr
        with instance["serve"]() as base:
            alice.goto(f"{base}/")
            wait_for_page(alice)
            assert title(alice) == "Pas encore d'accès"
            assert alice.locator("[data-testid=stMetric]").count() == 0
    finally:
        for context in (alice_context, bob_context, boss_context):
            context.close()


def test_the_readme_example_of_secrets_is_what_the_tests_use():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for key in (
        "[auth]",
        "redirect_uri",
        "cookie_secret",
        "client_id",
        "client_secret",
        "server_metadata_url",
        "coinvest members add",
    ):
        assert key in readme, key
    assert Path(ROOT / ".streamlit" / "secrets.toml").exists() is False  # never committed


# --- attacks that must fail (issue #29) ------------------------------------------------------


def test_no_account_claiming_the_admin_s_address_gets_in(chrome, shared_server):
    """The admin signs in first (their issuer and subject are recorded); then accounts of the
    same provider claim the admin's address unverified ("false", 0, absent), verified but as
    another subject, or with a no-break space or a Kelvin sign: none sees any data."""
    context, page = new_tab(chrome)
    try:
        sign_in(page, shared_server, "boss")
        assert projects_tile(page)
    finally:
        context.close()
    for sub in ATTACKERS:
        context, page = new_tab(chrome)
        try:
            sign_in(page, shared_server, sub)
            assert title(page) == "Pas encore d'accès", sub
            assert page.locator("[data-testid=stMetric]").count() == 0, sub
            assert page.locator(".vega-embed").count() == 0, sub
            page.goto(f"{shared_server}/import")
            wait_for_page(page)
            assert title(page) == "Pas encore d'accès", sub
        finally:
            context.close()


@pytest.mark.parametrize(
    ("secrets", "missing"),
    [
        ("[Auth]\n{body}", "[auth]"),
        ('[auth]\nredirect_uri = "{redirect}"\n', "[auth] cookie_secret"),
    ],
)
def test_a_misspelt_or_incomplete_sign_in_configuration_opens_nothing(
    chrome, provider, tmp_path, secrets, missing
):
    db = make_demo(tmp_path / "closed.duckdb", projects=30)
    port = free_port()
    redirect = f"http://127.0.0.1:{port}/oauth2callback"
    body = (
        f'redirect_uri = "{redirect}"\ncookie_secret = "a-long-random-secret-for-tests"\n'
        f'client_id = "coinvest"\nclient_secret = "coinvest-test"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    file = tmp_path / "secrets.toml"
    file.write_text(secrets.format(body=body, redirect=redirect), encoding="utf-8")
    context, page = new_tab(chrome)
    try:
        with running_app(db, port=port, secrets=file) as base:
            for path in ("", "import", "partnerships?investor=INV01"):
                page.goto(f"{base}/{path}")
                wait_for_page(page)
                assert title(page) == "Connexion mal configurée", path
                main = page.locator("[data-testid=stMain]").inner_text()
                assert missing in main
                assert "Traceback" not in main
                assert page.locator("[data-testid=stMetric]").count() == 0
                assert page.locator("[data-testid=stFileUploader]").count() == 0
                assert page.get_by_role("tab").count() == 0
    finally:
        context.close()


def test_a_project_team_sees_no_other_organisation_s_scenario_and_peer_figures_say_theirs(
    chrome, shared_server, instance
):
    """Bob saved a what-if scenario naming the team's project; the team opens its project
    sheet: its history has no scenario line (no author, investor nor amount), and its peer
    figures say they are over its own project, hidden below five."""
    project = instance["figures"]["team_project"]
    context, page = new_tab(chrome)
    try:
        sign_in(page, shared_server, "team", f"project?project={project}")
        main = page.locator("[data-testid=stMain]")
        main.get_by_text("Médiane de votre projet (1)").first.wait_for(
            state="attached", timeout=30_000
        )
        wait_for_page(page)
        # the history is a list drawn when opened: opened, as the team would
        opener = main.get_by_text(re.compile(r"^Voir (le changement|les \S+ derniers changements)"))
        if opener.count():
            opener.first.click()
            main.locator("[data-testid=stDataFrame]").last.wait_for(timeout=30_000)
            wait_for_page(page)
        text = main.inner_text()
        assert "bob@example.org" not in text
        assert "77" not in text.split("Historique")[-1]  # the scenario's 77 777 €
        assert "scenario" not in text.split("Historique")[-1]
        assert "moins de 5 projets" in text
    finally:
        context.close()


def test_local_mode_served_beyond_this_machine_says_so_on_every_page(chrome, tmp_path):
    db = make_demo(tmp_path / "open.duckdb", projects=30)
    log = tmp_path / "open.log"
    context, page = new_tab(chrome)
    try:
        # listening on every interface (the test only talks to 127.0.0.1)
        with running_app(db, address="0.0.0.0", log_path=log) as base:
            for path in ("", "import", "method"):
                page.goto(f"{base}/{path}")
                wait_for_page(page)
                text = page.locator("[data-testid=stMain]").inner_text()
                assert "Mode local ouvert au réseau" in text, path
        assert "local mode open to the network" in log.read_text(encoding="utf-8")
    finally:
        context.close()


def test_an_admin_demoted_while_the_tab_is_open_keeps_nothing_prepared(chrome, provider, tmp_path):
    """Boss prepares the projects table as admin; Kate, another admin, makes Boss an investor
    of INV01; Boss's open tab, at its next run, holds no download prepared as admin."""
    instance = build_instance(tmp_path, provider)
    boss_context, boss = new_tab(chrome)
    kate_context, kate = new_tab(chrome)
    try:
        with instance["serve"]() as base:
            sign_in(boss, base, "boss", "export")
            boss.get_by_role("button", name="Préparer l'export de cette table").click()
            boss.locator(".st-key-dl_table_csv").wait_for(timeout=60_000)  # prepared as admin
            sign_in(kate, base, "kate", "members")
            form = kate.locator("[data-testid=stForm]").filter(
                has_text="Ajouter ou modifier un membre"
            )
            form.get_by_label("E-mail").fill("boss@example.org")
            form.locator("[data-testid=stSelectbox]").nth(0).click()
            kate.keyboard.type("(INV01)")  # the list is long: typed to narrow it
            kate.get_by_role("option", name=re.compile(r"\(INV01\)")).first.click()
            form.locator("[data-testid=stSelectbox]").nth(1).click()
            kate.get_by_role("option", name="Investisseur").click()
            form.get_by_role("button", name="Ajouter ou modifier un membre").click()
            # the change has landed once the page says so (the address was listed before)
            kate.get_by_text("boss@example.org : accès mis à jour").wait_for(timeout=30_000)
            wait_for_page(kate)
            # Boss's tab, still open, runs again: to another page and back, in the same session
            nav = boss.locator("[data-testid=stSidebarNav]")
            nav.get_by_role("link", name="Modèles").click()
            wait_for_page(boss)
            nav.get_by_role("link", name="Exporter").click()
            wait_for_page(boss)
            # the tab is drawn again (its button is there), without the admin's download
            boss.get_by_role("button", name="Préparer l'export de cette table").wait_for(
                timeout=60_000
            )
            wait_for_page(boss)
            assert boss.locator(".st-key-dl_table_csv").count() == 0
            assert "Investisseur" in boss.locator("[data-testid=stSidebar]").inner_text()
    finally:
        boss_context.close()
        kate_context.close()


def test_an_unreachable_database_shows_visitors_no_server_detail(chrome, provider, tmp_path):
    """A shared instance whose PostgreSQL server does not answer: the page says so, and names
    no user, host, port or database (the log has the detail)."""
    port = free_port()
    file = tmp_path / "secrets.toml"
    file.write_text(
        f'[auth]\nredirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-long-random-secret-for-tests"\nclient_id = "coinvest"\n'
        'client_secret = "coinvest-test"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    unreachable = f"postgresql://coinvest_admin:s3cret@127.0.0.1:{free_port()}/coinvest_prod"
    log = tmp_path / "app.log"
    context, page = new_tab(chrome)
    try:
        with running_app(unreachable, port=port, secrets=file, log_path=log) as base:
            page.goto(f"{base}/")
            page.get_by_text("ne répond pas").wait_for(timeout=60_000)  # no title on that page
            text = page.locator("[data-testid=stMain]").inner_text()
            for detail in ("coinvest_admin", "s3cret", "127.0.0.1", "coinvest_prod", "Traceback"):
                assert detail not in text, detail
    finally:
        context.close()
