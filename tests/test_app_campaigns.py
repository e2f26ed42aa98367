"""The Campaigns and "À remplir" pages (docs/campaigns.md), in AppTest, on the hand-written
portfolio of tests/portfolio.py with its members (tests/test_campaigns.py says who is expected)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from coinvest import access
from coinvest import campaigns as C
from coinvest.db import open_database
from tests.conftest import _fill_portfolio
from tests.test_app_access import person
from tests.test_campaigns import MEMBERS

REFERENCE = date(2025, 6, 30)
DEADLINE = date(2099, 7, 31)  # open whatever day the tests run


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "campaigns.duckdb"
    con = open_database(path)
    _fill_portfolio(con)
    for email, org, role in MEMBERS:
        access.add_member(con, email, org, role, who="test")
    con.close()
    return path


def _campaign(db: Path) -> C.Campaign:
    con = open_database(db)
    try:
        return C.create_campaign(
            con, "Tour de juin", REFERENCE, DEADLINE, project_ids=["P1", "P2", "P3"], who="test"
        )
    finally:
        con.close()


def _shown(element) -> list[dict]:
    return element.value.to_dict("records")


def test_the_campaigns_page_creates_a_campaign_and_shows_who_answered(open_page, db):
    at = open_page(db, "campaigns")
    assert any("Aucune campagne" in i.value for i in at.info)
    at.text_input(key="campaign_name").set_value("Tour de juin")
    at.date_input(key="campaign_reference").set_value(REFERENCE)
    at.date_input(key="campaign_deadline").set_value(DEADLINE)
    at.radio(key="campaign_source").set_value("filter")
    next(b for b in at.button if b.label == "Créer la campagne").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Campagne n° 1 « Tour de juin » créée." in s.value for s in at.success)
    tiles = {m.label: m.value for m in at.metric}
    assert tiles == {"Projets": "0 %", "Investissements": "0 %", "Écosystème": "0 %"}
    board = next(d for d in at.dataframe if "Attendus" in d.value.columns)
    assert len(board.value) == 8  # P1: 2 viewpoints; P2, P3: 3 each
    assert sum(int(v) for v in board.value["Attendus"]) == 9
    # who cannot answer: the holders H2 and H3, and SB2, have no member
    warning = " ".join(w.value for w in at.warning)
    for name in ("SCIC Roue Libre", "Association Les Amis de la santé", "Accélérateur"):
        assert name in warning
    reminders = next(d for d in at.dataframe if "État" in d.value.columns)
    assert len(reminders.value) == 7  # every member, for every project they answer on


def test_a_questionnaire_is_pre_filled_saved_and_sent_from_a_fill_in_page(open_page, db):
    made = _campaign(db)
    at = open_page(db, "to-fill")
    picker = at.selectbox(key="to_fill_pick")
    assert len(picker.options) == 9  # local mode: every expected questionnaire
    picker.set_value((made.campaign_id, "P1", "project", "H1")).run()
    assert any("A2" in c.value for c in at.caption)  # H1's previous assessment of P1
    con = open_database(db)
    try:
        previous = dict(
            con.execute(
                "SELECT question, score FROM assessment_answer WHERE assessment_id = 'A2'"
            ).fetchall()
        )
    finally:
        con.close()
    stem = f"fill_{made.campaign_id}_P1_project_H1"
    for question, score in previous.items():
        assert at.radio(key=f"{stem}_{question}").value == score
    at.radio(key=f"{stem}_ecosystem.needs").set_value(4)
    next(b for b in at.button if b.label == "Envoyer").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Questionnaire envoyé" in s.value for s in at.success)
    con = open_database(db)
    try:
        sent = dict(
            con.execute(
                "SELECT question, score FROM assessment_answer WHERE assessment_id = $a",
                {"a": C.assessment_id(made.campaign_id, "P1", "project", "H1")},
            ).fetchall()
        )
        dated = con.execute(
            "SELECT assessed_on FROM assessment WHERE assessment_id = $a",
            {"a": C.assessment_id(made.campaign_id, "P1", "project", "H1")},
        ).fetchone()[0]
    finally:
        con.close()
    assert sent == {**previous, "ecosystem.needs": 4}
    assert dated == REFERENCE


def test_a_member_fills_in_only_their_own_questionnaires(open_page, db):
    made = _campaign(db)
    user = person("alice", "alice@example.org", "Alice Martin")
    at = open_page(db, "to-fill", user=user)
    picker = at.selectbox(key="to_fill_pick")
    assert len(picker.options) == 2  # INV_A's investments: P1 and P3
    assert all("Investissements (Fonds public A)" in o for o in picker.options)
    board = open_page(db, "campaigns", user=user)
    rows = next(d for d in board.dataframe if "Attendus" in d.value.columns).value
    assert set(rows["Projet"]) == {"Épicerie des Lilas", "Maison de santé"}  # INV_A's: P1, P3
    assert not any(b.label == "Clore la campagne" for b in board.button)
    assert made.campaign_id == 1


def test_viewpoints_cohorts_and_needs_show_a_campaign_s_round(open_page, db):
    made = _campaign(db)
    con = open_database(db)
    try:
        for key, answers in (
            (("P1", "investment", "INV_A"), {"ecosystem.needs": 3, "ecosystem.stakes": 1}),
            (("P1", "project", "H1"), {"ecosystem.needs": 4}),
        ):
            C.save_questionnaire(con, made.campaign_id, *key, answers, send=True, who="test")
    finally:
        con.close()
    at = open_page(db, "viewpoints", {"campaign": str(made.campaign_id)})
    assert at.selectbox(key="round_campaign").value == made.campaign_id
    assert any("daté du 30/06/2025" in c.value for c in at.caption)
    means = next(d for d in at.dataframe if "Score moyen" in d.value.columns).value
    cells = {
        (str(v), str(lever)): float(s)
        for v, lever, s in zip(means["Regard"], means["Levier"], means["Score moyen"], strict=True)
    }
    # the campaign's round only: two viewpoints, one lever, (3 + 1) / 2 × 25 and 4 × 25
    assert len(cells) == 2
    assert set(cells.values()) == {50.0, 100.0}
    for page in ("cohorts", "needs"):
        other = open_page(db, page, {"campaign": str(made.campaign_id)})
        assert any("daté du 30/06/2025" in c.value for c in other.caption), page
    plain = open_page(db, "viewpoints")
    assert plain.selectbox(key="round_campaign").value is None
    assert not any("daté du" in c.value for c in plain.caption)


def test_an_empty_reminder_list_never_says_everyone_sent_when_some_cannot_answer(open_page, db):
    """P2 expects its holder H2 (no member), INV_B (bob) and SB (sb): once bob and sb have sent,
    nobody is left to remind, but H2's questionnaire is still to send."""
    con = open_database(db)
    try:
        made = C.create_campaign(con, "Tour P2", REFERENCE, DEADLINE, project_ids=["P2"], who="t")
        for key in (("P2", "investment", "INV_B"), ("P2", "ecosystem", "SB")):
            C.save_questionnaire(con, made.campaign_id, *key, {"ecosystem.needs": 2}, send=True)
    finally:
        con.close()
    at = open_page(db, "campaigns")
    captions = " ".join(c.value for c in at.caption)
    assert "Personne à relancer par e-mail" in captions
    assert "Tout le monde a envoyé" not in captions
