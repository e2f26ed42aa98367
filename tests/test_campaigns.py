"""Assessment campaigns (docs/campaigns.md), on the hand-written portfolio of tests/portfolio.py
and both engines. Who is expected, by hand from that portfolio, at a reference date of
30 June 2025:
- P1: its holder H1; INV_A and INV_B (investments of 2024); no support body (it left C2 on
  15 January 2025);
- P2: H2; INV_B (January 2025); SB (C1 since 15 January 2025);
- P3: H3; INV_A (2023); SB2 (C2 since 2024).
Members: alice (INV_A), bob (INV_B), sb (SB) and two of H1's team; nobody for H2, H3 or SB2.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from coinvest import access
from coinvest import campaigns as C
from coinvest.errors import CoinvestError
from coinvest.history import history
from coinvest.importer import import_files

REFERENCE = date(2025, 6, 30)
DEADLINE = date(2025, 7, 31)
DURING = date(2025, 7, 10)  # a day before the deadline

EXPECTED = {
    ("P1", "project", "H1"),
    ("P1", "investment", "INV_A"),
    ("P1", "investment", "INV_B"),
    ("P2", "project", "H2"),
    ("P2", "investment", "INV_B"),
    ("P2", "ecosystem", "SB"),
    ("P3", "project", "H3"),
    ("P3", "investment", "INV_A"),
    ("P3", "ecosystem", "SB2"),
}
MEMBERS = (
    ("alice@example.org", "INV_A", "investor"),
    ("bob@example.org", "INV_B", "investor"),
    ("sb@example.org", "SB", "support_body"),
    ("team1@example.org", "H1", "project"),
    ("team2@example.org", "H1", "project"),
)


@pytest.fixture
def con(portfolio_con):
    for email, org, role in MEMBERS:
        access.add_member(portfolio_con, email, org, role, who="test")
    return portfolio_con


def member(con, email: str) -> access.Member:
    found = access.find_member(con, email)
    assert found is not None
    return found


def campaign(con, **kw) -> C.Campaign:
    return C.create_campaign(
        con, "Tour de juin", REFERENCE, DEADLINE, project_ids=["P1", "P2", "P3"], who="test", **kw
    )


def test_the_expected_answerers_come_from_holders_investments_and_cohorts(con):
    made = campaign(con)
    rows = C.expected(con, made)
    assert set(zip(rows["project_id"], rows["viewpoint"], rows["org_id"], strict=True)) == EXPECTED
    members = dict(zip(rows["org_id"], rows["members"], strict=False))
    assert members == {"H1": 2, "INV_A": 1, "INV_B": 1, "H2": 0, "SB": 1, "H3": 0, "SB2": 0}
    assert set(rows["state"]) == {C.NOT_STARTED}
    board = C.board(con, made)
    cells = {
        (p, v): (e, d, s, m)
        for p, v, e, d, s, m in zip(
            board["project_id"],
            board["viewpoint"],
            board["expected"],
            board["draft"],
            board["sent"],
            board["missing_membership"],
            strict=True,
        )
    }
    assert cells[("P1", "investment")] == (2, 0, 0, 0)
    assert cells[("P3", "ecosystem")] == (1, 0, 0, 1)  # SB2 has no member
    assert cells[("P2", "project")] == (1, 0, 0, 1)
    assert ("P1", "ecosystem") not in cells
    shares = C.shares(board).set_index("viewpoint")
    assert shares.loc["project", "expected"] == 3
    assert shares.loc["investment", "expected"] == 4
    assert shares.loc["ecosystem", "expected"] == 2
    assert shares["sent"].sum() == 0
    assert C.shares_of(con, made).equals(C.shares(board))  # the same, summed in SQL
    missing = C.missing_memberships(con, made)
    assert set(zip(missing["org_id"], missing["viewpoint"], strict=True)) == {
        ("H2", "project"),
        ("H3", "project"),
        ("SB2", "ecosystem"),
    }


def test_the_reference_date_decides_who_is_expected(con):
    """On 30 June 2024 P1 was in SB2's cohort and P2 had neither its investment nor its cohort."""
    made = C.create_campaign(
        con, "Tour 2024", date(2024, 6, 30), DEADLINE, project_ids=["P1", "P2"], who="test"
    )
    rows = C.expected(con, made)
    assert set(zip(rows["project_id"], rows["viewpoint"], rows["org_id"], strict=True)) == {
        ("P1", "project", "H1"),
        ("P1", "investment", "INV_A"),
        ("P1", "investment", "INV_B"),
        ("P1", "ecosystem", "SB2"),
        ("P2", "project", "H2"),
    }


def test_a_campaign_makes_one_round_dated_at_its_reference_date(con):
    made = campaign(con)
    alice, team, sb = (
        member(con, e) for e in ("alice@example.org", "team1@example.org", "sb@example.org")
    )
    # each answers on another day: the round is dated at the reference date all the same
    C.save_questionnaire(
        con,
        made.campaign_id,
        "P1",
        "investment",
        "INV_A",
        {"ecosystem.needs": 3},
        send=True,
        member=alice,
        today=date(2025, 7, 1),
    )
    assert (
        C.save_questionnaire(
            con,
            made.campaign_id,
            "P1",
            "project",
            "H1",
            {"ecosystem.needs": 1, "strategy.state": 2},
            member=team,
            today=date(2025, 7, 2),
        )
        == C.DRAFT
    )
    C.save_questionnaire(
        con,
        made.campaign_id,
        "P1",
        "project",
        "H1",
        {"ecosystem.needs": 2, "strategy.state": 2},
        send=True,
        member=team,
        today=date(2025, 7, 5),
    )
    C.save_questionnaire(
        con,
        made.campaign_id,
        "P2",
        "ecosystem",
        "SB",
        {"model.levers": 4},
        send=True,
        member=sb,
        today=DURING,
    )
    sent = con.execute(
        "SELECT assessment_id, project_id, viewpoint, assessor_org_id, assessed_on "
        "FROM assessment WHERE assessment_id LIKE 'C%' ORDER BY 1"
    ).fetchall()
    assert sent == [
        (f"C{made.campaign_id}-P1-investment-INV_A", "P1", "investment", "INV_A", REFERENCE),
        (f"C{made.campaign_id}-P1-project-H1", "P1", "project", "H1", REFERENCE),
        (f"C{made.campaign_id}-P2-ecosystem-SB", "P2", "ecosystem", "SB", REFERENCE),
    ]
    answers = con.execute(
        "SELECT question, score FROM assessment_answer WHERE assessment_id = $a ORDER BY 1",
        {"a": f"C{made.campaign_id}-P1-project-H1"},
    ).fetchall()
    assert answers == [("ecosystem.needs", 2), ("strategy.state", 2)]  # the sent ones
    # the derived rounds follow: one round at the reference date per viewpoint answered
    rounds = con.execute(
        "SELECT DISTINCT project_id, viewpoint FROM lever_round WHERE assessed_on = $d ORDER BY 1, 2",
        {"d": REFERENCE},
    ).fetchall()
    assert rounds == [("P1", "investment"), ("P1", "project"), ("P2", "ecosystem")]
    board = C.board(con, made).set_index(["project_id", "viewpoint"])
    assert tuple(board.loc[("P1", "investment"), ["expected", "draft", "sent"]]) == (2, 0, 1)
    assert tuple(board.loc[("P1", "project"), ["expected", "draft", "sent"]]) == (1, 0, 1)
    shares = C.shares(C.board(con, made)).set_index("viewpoint")
    assert shares.loc["project", "share"] == pytest.approx(1 / 3)
    assert shares.loc["investment", "share"] == pytest.approx(1 / 4)
    assert shares.loc["ecosystem", "share"] == pytest.approx(1 / 2)


def test_sending_again_replaces_the_answers_and_a_sent_one_is_not_a_draft_again(con):
    made = campaign(con)
    alice = member(con, "alice@example.org")
    key = (made.campaign_id, "P3", "investment", "INV_A")
    C.save_questionnaire(
        con, *key, {"ecosystem.needs": 1, "digital.uses": 3}, send=True, member=alice, today=DURING
    )
    C.save_questionnaire(con, *key, {"ecosystem.needs": 4}, send=True, member=alice, today=DURING)
    answers = con.execute(
        "SELECT question, score FROM assessment_answer WHERE assessment_id = $a ORDER BY 1",
        {"a": C.assessment_id(*key)},
    ).fetchall()
    assert answers == [("ecosystem.needs", 4)]
    with pytest.raises(CoinvestError) as refused:
        C.save_questionnaire(con, *key, {"ecosystem.needs": 2}, member=alice, today=DURING)
    assert refused.value.key == "campaign.already_sent"
    with pytest.raises(CoinvestError) as refused:
        C.save_questionnaire(con, *key, {}, send=True, member=alice, today=DURING)
    assert refused.value.key == "questionnaire.no_score"


def test_a_questionnaire_opens_with_the_previous_round_of_its_organisation(con):
    made = campaign(con)
    # H1's latest assessment of P1 before the reference date: A2 (10 January 2025)
    team = C.questionnaire(con, made, "P1", "project", "H1")
    assert team.state == C.NOT_STARTED
    assert team.prefilled_from == "A2"
    stored = dict(
        con.execute(
            "SELECT question, score FROM assessment_answer WHERE assessment_id = 'A2'"
        ).fetchall()
    )
    assert team.scores == stored
    assert C.questionnaire(con, made, "P1", "investment", "INV_A").prefilled_from == "A3"
    bob = C.questionnaire(con, made, "P1", "investment", "INV_B")  # never assessed P1
    assert (bob.prefilled_from, bob.scores) == (None, {})
    # once saved, it opens as saved, a blanked answer staying blank
    kept = {q: s for q, s in team.scores.items() if q != "ecosystem.needs"}
    C.save_questionnaire(
        con, made.campaign_id, "P1", "project", "H1", kept, "à revoir", today=DURING
    )
    again = C.questionnaire(con, made, "P1", "project", "H1")
    assert (again.state, again.scores, again.comment, again.prefilled_from) == (
        C.DRAFT,
        kept,
        "à revoir",
        None,
    )


def test_members_see_their_scope_and_answer_only_their_own(con):
    made = campaign(con)
    alice = member(con, "alice@example.org")  # INV_A: P1 and P3
    listed = C.list_campaigns(con, alice.scope)
    assert list(listed["projects"]) == [2]
    rows = C.expected(con, made, alice.scope)
    assert set(rows["project_id"]) == {"P1", "P3"}
    assert set(C.board(con, made, alice.scope)["project_id"]) == {"P1", "P3"}
    mine = C.to_answer(con, alice, today=DURING)
    assert set(zip(mine["project_id"], mine["viewpoint"], mine["org_id"], strict=True)) == {
        ("P1", "investment", "INV_A"),
        ("P3", "investment", "INV_A"),
    }
    for key, rule in (
        (("P1", "investment", "INV_B"), "campaign.not_yours"),  # Bob's organisation
        (("P1", "project", "H1"), "campaign.not_yours"),  # another viewpoint
        (("P2", "investment", "INV_A"), "campaign.not_expected"),  # INV_A did not fund P2
    ):
        with pytest.raises(CoinvestError) as refused:
            C.save_questionnaire(
                con, made.campaign_id, *key, {"ecosystem.needs": 1}, member=alice, today=DURING
            )
        assert refused.value.key == rule, key
    # the team of H3 has no membership and no campaign of theirs; an admin's list holds all
    everything = C.to_answer(con, None, today=DURING)
    assert len(everything) == len(EXPECTED)
    first = C.to_answer(con, None, today=DURING, limit=2)  # the first ones of each campaign
    assert list(zip(first["project_id"], first["viewpoint"], strict=True)) == [
        ("P1", "project"),
        ("P1", "investment"),
    ]


def test_an_empty_reminder_list_says_why(con):
    totals = pd.DataFrame(
        {
            "viewpoint": ["project", "investment", "ecosystem"],
            "expected": [1, 2, 0],
            "sent": [1, 2, 0],
        }
    )
    assert C.nobody_to_remind(totals) == C.ALL_SENT
    assert C.nobody_to_remind(totals.assign(sent=[1, 1, 0])) == C.NO_MEMBER_LEFT
    assert C.nobody_to_remind(totals.assign(expected=0, sent=0)) == C.NOTHING_EXPECTED


def test_the_reminder_list_names_every_member_still_to_answer(con):
    made = campaign(con)
    team = member(con, "team1@example.org")
    C.save_questionnaire(
        con,
        made.campaign_id,
        "P1",
        "project",
        "H1",
        {"ecosystem.needs": 2},
        member=team,
        today=DURING,
    )
    C.save_questionnaire(
        con,
        made.campaign_id,
        "P1",
        "investment",
        "INV_A",
        {"ecosystem.needs": 2},
        send=True,
        member=member(con, "alice@example.org"),
        today=DURING,
    )
    # a name given in a members sheet (its French header) names the person in the list
    sheet = "courriel;org_id;role;nom\r\nbob@example.org;INV_B;investor;Bob Durand\r\n"
    report = import_files(con, [("utilisateurs.csv", sheet.encode())], who="test")
    assert report.counts["membership"]["updated"] == 1, report.problems
    rows = C.reminders(con, made)
    named = rows[rows["name"].notna()]
    assert set(zip(named["email"], named["name"], strict=True)) == {
        ("bob@example.org", "Bob Durand")
    }
    assert list(
        zip(rows["email"], rows["project_id"], rows["viewpoint"], rows["state"], strict=True)
    ) == [
        ("alice@example.org", "P3", "investment", C.NOT_STARTED),
        ("bob@example.org", "P1", "investment", C.NOT_STARTED),
        ("bob@example.org", "P2", "investment", C.NOT_STARTED),
        ("sb@example.org", "P2", "ecosystem", C.NOT_STARTED),
        ("team1@example.org", "P1", "project", C.DRAFT),
        ("team2@example.org", "P1", "project", C.DRAFT),
    ]
    # a scoped reader's list holds the people of their projects only
    assert set(C.reminders(con, made, member(con, "sb@example.org").scope)["project_id"]) == {"P2"}


def test_a_closed_campaign_keeps_what_was_sent_and_takes_nothing_more(con):
    made = campaign(con)
    alice = member(con, "alice@example.org")
    C.save_questionnaire(
        con,
        made.campaign_id,
        "P1",
        "investment",
        "INV_A",
        {"ecosystem.needs": 2},
        send=True,
        member=alice,
        today=DURING,
    )
    C.save_questionnaire(
        con,
        made.campaign_id,
        "P3",
        "investment",
        "INV_A",
        {"ecosystem.needs": 1},
        member=alice,
        today=DURING,
    )
    # past its deadline, a campaign takes nothing
    with pytest.raises(CoinvestError) as refused:
        C.save_questionnaire(
            con,
            made.campaign_id,
            "P3",
            "investment",
            "INV_A",
            {"ecosystem.needs": 3},
            member=alice,
            today=date(2025, 8, 1),
        )
    assert refused.value.key == "campaign.closed"
    with pytest.raises(CoinvestError) as refused:
        C.close_campaign(con, made.campaign_id, alice)  # an investor does not close it
    assert refused.value.key == "campaign.not_allowed"
    closed = C.close_campaign(con, made.campaign_id, who="test")
    assert closed.closed_at is not None
    assert not closed.is_open(DURING)
    with pytest.raises(CoinvestError) as refused:
        C.save_questionnaire(
            con,
            made.campaign_id,
            "P3",
            "investment",
            "INV_A",
            {"ecosystem.needs": 3},
            member=alice,
            today=DURING,
        )
    assert refused.value.key == "campaign.closed"
    with pytest.raises(CoinvestError) as refused:
        C.close_campaign(con, made.campaign_id, who="test")
    assert refused.value.key == "campaign.already_closed"
    states = dict(
        zip(
            C.expected(con, made)["org_id"] + C.expected(con, made)["project_id"],
            C.expected(con, made)["state"],
            strict=True,
        )
    )
    assert states["INV_AP1"] == C.SENT
    assert states["INV_AP3"] == C.DRAFT
    assert C.to_answer(con, alice, today=DURING).empty
    # every step is in the history, with who took it
    logged = history(con)
    steps = logged[logged["table_name"].str.startswith("campaign")]
    assert set(steps["table_name"]) == {
        "campaign",
        "campaign_project",
        "campaign_response",
        "campaign_answer",
    }
    closing = steps[(steps["table_name"] == "campaign") & (steps["column_name"] == "closed_at")]
    assert list(closing["action"]) == ["update"]
    assert list(closing["who"]) == ["test"]


def test_who_may_create_a_campaign_and_over_what(con):
    sb = member(con, "sb@example.org")
    made = C.create_campaign(con, "Promo 2025", REFERENCE, DEADLINE, cohort_id="C1", member=sb)
    assert made.owner_org_id == "SB"
    assert set(C.expected(con, made)["project_id"]) == {"P2"}
    for kwargs, rule in (
        ({"cohort_id": "C2", "member": sb}, "campaign.unknown_cohort"),  # SB2's cohort
        ({"project_ids": ["P1"], "member": sb}, "campaign.unknown_projects"),  # out of its scope
        ({"project_ids": ["P9"]}, "campaign.unknown_projects"),
        ({"project_ids": []}, "campaign.no_project"),
        ({"cohort_id": "C1", "project_ids": ["P2"]}, "campaign.cohort_or_projects"),
        ({"cohort_id": "C1", "member": member(con, "alice@example.org")}, "campaign.not_allowed"),
    ):
        with pytest.raises(CoinvestError) as refused:
            C.create_campaign(con, "X", REFERENCE, DEADLINE, **kwargs)
        assert refused.value.key == rule, kwargs
    with pytest.raises(CoinvestError) as refused:
        C.create_campaign(con, "  ", REFERENCE, DEADLINE, project_ids=["P1"])
    assert refused.value.key == "campaign.no_name"
    # C2 on the reference date holds P3 only (P1 left it in January)
    admin_made = C.create_campaign(con, "C2", REFERENCE, DEADLINE, cohort_id="C2", who="test")
    assert set(C.expected(con, admin_made)["project_id"]) == {"P3"}
    assert admin_made.campaign_id == made.campaign_id + 1
    with pytest.raises(CoinvestError) as refused:
        C.get_campaign(con, admin_made.campaign_id, sb.scope)  # SB sees nothing of it
    assert refused.value.key == "campaign.unknown"


def test_the_command_line_creates_reports_and_closes_a_campaign(tmp_path, capsys):
    """`coinvest campaign create|status|close` (DuckDB: the command runs the package's code)."""
    from coinvest.cli import main
    from coinvest.db import open_database
    from tests.conftest import _fill_portfolio

    db = tmp_path / "cli.duckdb"
    con = open_database(db)
    _fill_portfolio(con)
    for email, org, role in MEMBERS:
        access.add_member(con, email, org, role, who="test")
    con.close()
    base = ["--db", str(db)]
    assert (
        main(
            [
                "campaign",
                "create",
                "Tour de juin",
                "--reference-date",
                "2025-06-30",
                "--deadline",
                "2099-07-31",
                "--need",
                "food",
                *base,
            ]
        )
        == 0
    )
    out = capsys.readouterr()
    assert "Campagne 1 créée : 2 projet(s), 6 questionnaire(s) attendu(s)." in out.out  # P1, P2
    reminders = tmp_path / "relances.csv"
    assert main(["campaign", "status", "1", "--reminders", str(reminders), *base]) == 0
    out = capsys.readouterr()
    assert "ouverte, tour du 2025-06-30" in out.out
    assert "Projets: 0/2 (0 %)" in out.out
    assert "Sans membre pour répondre : SCIC Roue Libre (H2), regard Projets" in out.err
    text = reminders.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0].split(";")[:2] == ["name", "email"]
    assert len(text.splitlines()) == 1 + 6  # team1, team2, alice, bob (P1); bob, sb (P2)
    assert (
        main(
            [
                "campaign",
                "create",
                "Promo",
                "--reference-date",
                "2025-06-30",
                "--deadline",
                "2099-07-31",
                "--members-of",
                "C1",
                *base,
            ]
        )
        == 0
    )
    assert "Campagne 2 créée : 1 projet(s), 3 questionnaire(s)" in capsys.readouterr().out
    assert main(["campaign", "close", "1", *base]) == 0
    assert "Campagne 1 close" in capsys.readouterr().out
    assert main(["campaign", "close", "1", *base]) == 1
    assert "déjà close" in capsys.readouterr().err
    assert (
        main(
            [
                "campaign",
                "create",
                "X",
                "--reference-date",
                "30/06/2025",
                "--deadline",
                "2025-07-31",
                *base,
            ]
        )
        == 1
    )
    assert "Date invalide" in capsys.readouterr().err


def test_a_campaign_filter_reads_its_projects_and_its_round(con):
    """The pages that show rounds, filtered by a campaign: its projects, and its round as the
    latest (a lever is the mean of its answered questions × 25)."""
    from coinvest import metrics
    from coinvest.filters import PortfolioFilter

    made = C.create_campaign(
        con, "Tour de juin", REFERENCE, DEADLINE, project_ids=["P1", "P3"], who="test"
    )
    answers = {"ecosystem.needs": 3, "ecosystem.stakes": 1, "strategy.state": 4}
    C.save_questionnaire(
        con, made.campaign_id, "P1", "investment", "INV_A", answers, send=True, today=DURING
    )
    C.save_questionnaire(
        con,
        made.campaign_id,
        "P1",
        "project",
        "H1",
        {"ecosystem.needs": 4},
        send=True,
        today=DURING,
    )
    flt = PortfolioFilter.create(scope=None, campaign=made.campaign_id)
    assert metrics.project_count(con, flt) == 2  # P1 and P3
    latest = metrics.lever_scores(con, flt, "latest")
    assert set(latest["assessed_on"]) == {REFERENCE}  # one date: the campaign's
    assert {
        (p, v, lever): s
        for p, v, lever, s in zip(
            latest["project_id"], latest["viewpoint"], latest["lever"], latest["score"], strict=True
        )
    } == {
        ("P1", "investment", "ecosystem"): 50.0,  # (3 + 1) / 2 × 25
        ("P1", "investment", "strategy"): 100.0,
        ("P1", "project", "ecosystem"): 100.0,
    }
    # the first rounds stay the earliest ones (the cohorts' progress runs from them)
    first = metrics.lever_scores(con, flt, "first")
    assert REFERENCE not in set(first["assessed_on"])
    assert set(first["project_id"]) == {"P1", "P3"}  # the campaign's projects only (P2 has rounds)
    # without the campaign, P1's other levers keep the latest round that answered them
    stored = metrics.lever_scores(con, PortfolioFilter.create(scope=None), "latest")
    p1 = stored[(stored["project_id"] == "P1") & (stored["viewpoint"] == "investment")]
    assert len(p1) > 2
    assert set(p1["assessed_on"]) == {REFERENCE, date(2025, 2, 1)}


def test_a_campaign_closed_while_a_questionnaire_was_open_takes_nothing(con, monkeypatch):
    """Closed by someone else between the page's read and the write: read again under the
    write lock, and refused with nothing written."""
    made = campaign(con)
    C.close_campaign(con, made.campaign_id, who="test")
    monkeypatch.setattr(C, "get_campaign", lambda *_args, **_kw: made)  # the page's stale read
    with pytest.raises(CoinvestError) as refused:
        C.save_questionnaire(
            con, made.campaign_id, "P1", "project", "H1", {"ecosystem.needs": 2}, today=DURING
        )
    assert refused.value.key == "campaign.closed"
    assert con.execute("SELECT count(*) FROM campaign_response").fetchone()[0] == 0
