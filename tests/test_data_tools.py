"""The questionnaire, filtered table exports and the committee report."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest

from coinvest import metrics
from coinvest.assessments import (
    AssessmentInput,
    find_projects,
    related_organisations,
    save_assessment,
)
from coinvest.errors import CoinvestError
from coinvest.filters import PortfolioFilter
from coinvest.report import committee_report, file_name, report_pdf
from coinvest.workbook import frame_to_csv, table_frame


def test_questionnaire_saves_in_one_go_and_every_figure_sees_it(portfolio_con):
    scores = {"digital.uses": 4, "digital.solutions": 2, "digital.timing": None}
    saved = save_assessment(
        portfolio_con,
        AssessmentInput(
            "P3", "project", "H3", date(2026, 1, 15), scores, "Première auto-évaluation"
        ),
    )
    assert saved == "Q-20260115-P3-project"
    latest = metrics.lever_scores(portfolio_con, PortfolioFilter(scope=None)).query(
        "project_id == 'P3'"
    )
    assert latest.set_index(["viewpoint", "lever"]).loc[("project", "digital"), "score"] == 75.0
    # P3 now has two viewpoints: a gap on no lever in common, a maturity for the team
    m = metrics.maturity(portfolio_con, PortfolioFilter(scope=None)).set_index("project_id")
    assert m.loc["P3", "maturity_project"] == 75.0
    again = save_assessment(
        portfolio_con,
        AssessmentInput("P3", "project", "H3", date(2026, 1, 15), {"digital.uses": 1}),
    )
    assert again == "Q-20260115-P3-project-2"


@pytest.mark.parametrize(
    ("item", "key"),
    [
        (
            AssessmentInput("P9", "project", "H1", date(2026, 1, 1), {"digital.uses": 1}),
            "questionnaire.unknown_project",
        ),
        (
            AssessmentInput("P1", "project", "NOBODY", date(2026, 1, 1), {"digital.uses": 1}),
            "questionnaire.unknown_assessor",
        ),
        (
            AssessmentInput("P1", "neighbour", "H1", date(2026, 1, 1), {"digital.uses": 1}),
            "questionnaire.bad_viewpoint",
        ),
        (
            AssessmentInput("P1", "project", "H1", date(2026, 1, 1), {"digital.uses": 5}),
            "questionnaire.bad_score",
        ),
        (
            AssessmentInput("P1", "project", "H1", date(2026, 1, 1), {"digital.weather": 1}),
            "questionnaire.bad_question",
        ),
        (
            AssessmentInput("P1", "project", "H1", date(2026, 1, 1), {"digital.uses": None}),
            "questionnaire.no_score",
        ),
    ],
)
def test_questionnaire_refuses_bad_input_and_writes_nothing(portfolio_con, item, key):
    before = portfolio_con.execute("SELECT count(*) FROM assessment").fetchone()[0]
    with pytest.raises(CoinvestError) as err:
        save_assessment(portfolio_con, item)
    assert err.value.key == key
    assert portfolio_con.execute("SELECT count(*) FROM assessment").fetchone()[0] == before


def test_project_finder_and_related_organisations(portfolio_con):
    assert find_projects(portfolio_con, "EPICERIE", scope=None)["project_id"].tolist() == ["P1"]
    everyone = portfolio_con.execute("SELECT project_id FROM project ORDER BY name, project_id")
    first = [row[0] for row in everyone.fetchall()]
    assert len(first) == 3
    # no text: the first names in order (no name folded), cut at the limit
    assert find_projects(portfolio_con, "  ", scope=None)["project_id"].tolist() == first
    assert find_projects(portfolio_con, "", scope=None, limit=2)["project_id"].tolist() == first[:2]
    orgs = set(related_organisations(portfolio_con, "P1", None)["org_id"])
    assert orgs == {"H1", "INV_A", "INV_B", "PARTNER", "SB2"}


def test_filtered_table_export(portfolio_con):
    flt = PortfolioFilter.create(need=["food"], scope=None)
    investments = table_frame(portfolio_con, "investments", flt)
    assert sorted(investments["investment_id"]) == ["I1", "I2", "I3"]
    assessments = table_frame(portfolio_con, "assessments", flt)
    assert set(assessments["project_id"]) == {"P1", "P2"}
    assert "ecosystem.needs" in assessments.columns
    text = frame_to_csv(investments).decode("utf-8")
    assert text.startswith("\ufeffinvestment_id;investor_org_id;project_id;date;amount_eur")
    assert "2024-03-01" in text


def test_committee_report_is_self_contained(portfolio_con):
    page = committee_report(
        portfolio_con,
        PortfolioFilter.create(investor="INV_A", scope=None),
        "fr",
        date(2026, 11, 26),
    )
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page
    # map, phases, needs, levers × viewpoints: drawn as images by the chart engine itself, so no
    # reader's font can push an axis label or a title out of its box; each one described
    assert page.count('<img src="data:image/png;base64,') == 4
    assert "<svg" not in page
    assert page.count('alt="') == 4
    assert 'alt=""' not in page
    assert "Fonds public A (INV_A)" in page
    assert "26/11/2026" in page
    assert "Épicerie des Lilas" in page
    assert "trop confiant" in page  # P1's blind spot on the ecosystem lever
    assert "0,17" in page or "0,18" in page  # leverage 7 000 / 40 000


def test_committee_report_escapes_user_text(portfolio_con):
    portfolio_con.execute(
        "UPDATE project SET name = '<script>alert(1)</script>' WHERE project_id = 'P1'"
    )
    page = committee_report(portfolio_con, PortfolioFilter(scope=None), "en")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_committee_report_for_a_filter_matching_nothing(portfolio_con):
    page = committee_report(portfolio_con, PortfolioFilter.create(search="zzz", scope=None), "en")
    assert "No project matches this filter" in page


def test_committee_report_reads_levers_by_viewpoints_and_its_scope(portfolio_con):
    page = committee_report(
        portfolio_con,
        PortfolioFilter.create(investor="INV_A", year_from=2024, year_to=2025, scope=None),
        "fr",
        date(2026, 11, 26),
    )
    assert "Périmètre : 2 projets" in page
    assert "<li>Investisseur : Fonds public A (INV_A)</li>" in page
    assert "<li>Période : 2024–2025</li>" in page
    assert "Leviers × regards" in page
    assert "Besoins et parcours" in page  # P1's innovation: a priority for 1 of 1 assessed
    assert '<td class="n">100,0\u00a0%</td>' in page
    # P1's ecosystem lever from the project viewpoint (100) and P1 and P3 have no other score
    assert '<td class="n">100,0</td>' in page
    assert file_name("fr", "pdf") == "coinvest-revue-comite.pdf"
    assert file_name("en", "html") == "coinvest-committee-review.html"


def test_committee_report_prints_to_a_pdf(portfolio_con):
    from pypdf import PdfReader

    page = committee_report(
        portfolio_con, PortfolioFilter.create(investor="INV_A", scope=None), "fr"
    )
    pdf = report_pdf(page)
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    text = " ".join(p.extract_text() for p in reader.pages)
    for expected in ("Revue de portefeuille", "Leviers × regards", "Épicerie des Lilas"):
        assert expected in text
    assert reader.pages[0].mediabox.width == pytest.approx(595, abs=1)  # A4 portrait


def test_committee_pdf_has_no_near_empty_page_and_the_screens_headline_figures(demo_con):
    from pypdf import PdfReader

    from coinvest import metrics
    from coinvest.report import headline_tiles

    flt = PortfolioFilter.create(investor="INV02", scope=None)
    page = committee_report(demo_con, flt, "fr", date(2026, 12, 3))
    reader = PdfReader(io.BytesIO(report_pdf(page)))
    texts = [p.extract_text() for p in reader.pages]
    assert len(texts) <= 6
    for number, text in enumerate(texts, start=1):
        # a page holds more than a heading or a footer (charts are images: a page of charts
        # still has their section's heading and captions)
        assert len(text.strip()) > 200, (number, text)
    # the headline figures are the Overview's: with an investor, its levered euros and its
    # leverage, as the tiles show them
    tiles = headline_tiles(metrics.portfolio_kpis(demo_con, flt), "fr")
    labels = [label for label, _, _ in tiles]
    assert {"Effet de levier", "€ levés"} <= set(labels)
    for label, value, _ in tiles:
        assert f"<div>{label}</div><div class='v'>{value}</div>" in page.replace("&#x27;", "'")


def test_a_table_exported_for_people_speaks_their_language(portfolio_con):
    """The Export page's Table: headers and codes in the reader's language (the portfolio
    workbook and the machine CSV keep the interchange format's)."""
    from coinvest.people import interchange_for_people

    projects = table_frame(portfolio_con, "projects", PortfolioFilter(scope=None))
    french = interchange_for_people(projects, "projects", "fr").set_index("Identifiant du projet")
    assert french.loc["P1", "Phase"] == "R&D, expérimentation"
    assert french.loc["P1", "Besoin sociétal"] == "Alimentation"
    assert french.loc["P1", "QPV"] == "oui"
    assert french.loc["P2", "QPV"] == "non"
    assert french.loc["P1", "Département"] == "75"
    english = interchange_for_people(projects, "projects", "en")
    assert "Project id" in english.columns
    assert set(english["Phase"]) == {"R&D, experimentation", "Modelling"}
    text = frame_to_csv(interchange_for_people(projects, "projects", "fr")).decode("utf-8")
    assert text.startswith("\ufeffIdentifiant du projet;Nom;Porteur (identifiant);")

    assessments = table_frame(portfolio_con, "assessments", PortfolioFilter(scope=None))
    shown = interchange_for_people(assessments, "assessments", "fr")
    questions = [c for c in shown.columns if " · " in c]
    assert len(questions) == 23  # each question by its lever and its words, none as a code
    assert questions[0].startswith("Écosystème · ")
    assert not any("." in c for c in shown.columns)
    assert set(shown["Regard"]) == {"Écosystème", "Projets", "Investissements"}
    contributions = table_frame(portfolio_con, "contributions", PortfolioFilter(scope=None))
    assert "Nature" in interchange_for_people(contributions, "contributions", "fr").columns
