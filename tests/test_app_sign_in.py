"""Who a person is, and failing closed (docs/rules.md "Sign-in and scope", issue #29): only a verified e-mail counts,
the first sign-in binds the membership to the provider's issuer and subject, addresses are
folded in ASCII only, and a sign-in configuration that is incomplete or misspelt shows one page
naming what is missing — never local mode, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from coinvest import access
from coinvest.cells import normalise_email
from coinvest.db import open_database
from coinvest.demo import generate
from tests.conftest import TEST_AUTH
from tests.test_app_access import ISSUER, person


def _quiet(_: str) -> None:
    pass


@pytest.fixture
def shared_db(tmp_path) -> Path:
    path = tmp_path / "signin.duckdb"
    con = open_database(path)
    generate(con, n_projects=20, seed=3, progress=_quiet)
    access.add_member(con, "boss@example.org", "SB1", "admin")
    access.add_member(con, "alice@example.org", "INV01", "investor")
    con.close()
    return path


BOSS = person("boss-sub", "boss@example.org", "Camille Admin")


def _shows_data(at) -> bool:
    return bool(at.metric) or bool(at.get("vega_lite_chart"))


@pytest.mark.parametrize("verified", ["false", "true", 0, 1, None, "absent"])
def test_only_a_json_true_email_verified_lets_a_person_in(open_page, shared_db, verified):
    user = {**BOSS}
    if verified == "absent":
        del user["email_verified"]
    else:
        user["email_verified"] = verified
    at = open_page(shared_db, user=user)
    assert [x.value for x in at.title] == ["Pas encore d'accès"]
    assert "n'a pas confirmé" in at.warning[0].value
    assert not _shows_data(at)


def test_a_sign_in_without_issuer_or_subject_is_refused(open_page, shared_db):
    at = open_page(shared_db, user={**BOSS, "sub": ""})
    assert [x.value for x in at.title] == ["Pas encore d'accès"]
    assert not _shows_data(at)


def test_the_first_sign_in_binds_the_membership_and_another_account_is_refused(
    open_page, shared_db
):
    at = open_page(shared_db, user=BOSS)
    assert _shows_data(at)
    # another account at the provider claiming the same (verified) address: refused
    intruder = open_page(shared_db, user={**BOSS, "sub": "someone-else"})
    assert [x.value for x in intruder.title] == ["Pas encore d'accès"]
    assert "autre compte" in intruder.warning[0].value
    assert not _shows_data(intruder)
    # the same account again: let in
    again = open_page(shared_db, user=BOSS)
    assert _shows_data(again)
    import streamlit as st

    st.cache_resource.clear()  # the app's connection lets the file go
    con = open_database(shared_db, read_only=True)
    try:
        bound = con.execute(
            "SELECT issuer, subject FROM membership WHERE email = 'boss@example.org'"
        ).fetchall()
        logged = con.execute(
            "SELECT count(*) FROM change_log WHERE source = 'sign-in' AND column_name = 'subject'"
        ).fetchone()[0]
    finally:
        con.close()
    assert bound == [(ISSUER, "boss-sub")]
    assert logged == 1  # in the history like every write


def test_admit_refuses_an_issuer_that_is_not_the_configured_providers(shared_db):
    con = open_database(shared_db)
    try:
        claims = {
            "email": "alice@example.org",
            "email_verified": True,
            "iss": "https://evil.example",
            "sub": "a",
        }
        member, why = access.admit(con, claims, frozenset({ISSUER}))
        assert member is None
        assert why == access.OTHER_PROVIDER
        member, why = access.admit(con, {**claims, "iss": ISSUER}, frozenset({ISSUER}))
        assert member is not None
        assert why is None
    finally:
        con.close()


@pytest.mark.parametrize(
    "typed",
    [
        "boss@example.org\u00a0",  # a trailing no-break space
        "\u212aoss@example.org".replace("\u212aoss", "bo\u212a"),
        "BOSS@EXAMPLE.ORG\u2003",
    ],
)
def test_an_address_that_differs_beyond_ascii_case_and_spaces_is_another_address(
    open_page, shared_db, typed
):
    assert normalise_email(typed) != "boss@example.org"
    at = open_page(shared_db, user=person("mallory", typed, "Mallory"))
    assert not _shows_data(at)
    assert [x.value for x in at.title] == ["Pas encore d'accès"]


def test_ascii_case_and_spaces_still_fold():
    assert normalise_email("  Boss@Example.ORG\t") == "boss@example.org"


def _open_with_secrets(monkeypatch, db: Path, secrets: dict):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import APP

    monkeypatch.setenv("COINVEST_DB", str(db))
    monkeypatch.delenv("COINVEST_READ_ONLY", raising=False)
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in secrets.items():
        at.secrets[key] = value
    at.run()
    return at


@pytest.mark.parametrize(
    ("secrets", "named"),
    [
        ({"Auth": TEST_AUTH}, "[auth]"),  # a misspelt section
        ({"auth": {}}, "[auth] cookie_secret"),
        ({"auth": {k: v for k, v in TEST_AUTH.items() if k != "cookie_secret"}}, "cookie_secret"),
        ({"cookie_secret": "x", "client_id": "y"}, "[auth]"),  # keys outside their section
        ({"auth": {**TEST_AUTH, "redirect_uri": "http://127.0.0.1:8501/"}}, "/oauth2callback"),
        (
            {
                "auth": {
                    "redirect_uri": TEST_AUTH["redirect_uri"],
                    "cookie_secret": "s",
                    "google": {"client_id": "g"},
                }
            },
            "[auth.google] client_secret",
        ),
    ],
)
def test_an_incomplete_sign_in_configuration_shows_what_is_missing_and_no_data(
    monkeypatch, clear_streamlit_caches, shared_db, secrets, named
):
    at = _open_with_secrets(monkeypatch, shared_db, secrets)
    assert not at.exception
    assert [x.value for x in at.title] == ["Connexion mal configurée"]
    assert named in at.code[0].value
    assert not _shows_data(at)
    assert not at.button  # no sign-in, no tabs, nothing to press


def test_a_shared_instance_whose_database_is_unreachable_names_no_server(
    monkeypatch, clear_streamlit_caches, tmp_path
):
    url = "postgresql://coinvest_user:secret@127.0.0.1:9/coinvest_prod"
    at = _open_with_secrets(monkeypatch, url, {"auth": TEST_AUTH})  # type: ignore[arg-type]
    assert not at.exception
    shown = " ".join(e.value for e in at.error)
    assert "ne répond pas" in shown
    for secret in ("coinvest_user", "127.0.0.1", "coinvest_prod", "secret"):
        assert secret not in shown


def test_a_demoted_admin_keeps_no_download_prepared_as_admin(open_page, shared_db):
    """docs/rules.md "Sign-in and scope": prepared downloads are keyed by scope and role, and dropped when either
    changes (the tab stays open, the membership changes underneath)."""
    import streamlit as st

    from ui.context import _connection

    at = open_page(shared_db, "export", user=BOSS)
    at.button(key="data_table_prepare").click().run()
    assert not at.exception
    rows_as_admin = [c.value for c in at.caption if "ligne" in c.value]
    assert rows_as_admin, [c.value for c in at.caption]
    # an admin (from another session) makes Boss an investor of INV01: a narrower scope
    con = _connection(str(shared_db), False)
    access.add_member(con, "boss@example.org", "INV01", "investor")
    st.cache_data.clear()
    at.run()
    assert not at.exception
    assert "data_table" not in at.session_state
    assert not [c.value for c in at.caption if c.value in rows_as_admin]


def test_local_mode_reachable_beyond_this_machine_says_so_on_every_page(
    open_page, shared_db, capsys
):
    from streamlit import config

    previous = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    try:
        for name in ("overview", "import", "method"):
            at = open_page(shared_db, name)
            warned = [w.value for w in at.warning if "Mode local ouvert au réseau" in w.value]
            assert warned, (name, [w.value for w in at.warning])
    finally:
        config.set_option("server.address", previous)
    at = open_page(shared_db)
    assert not [w.value for w in at.warning if "Mode local ouvert au réseau" in w.value]
