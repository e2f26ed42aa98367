"""AppTests of issue [ux]: a link reproduces each page's view, tables show French figures with
French headers, and the questions users asked have answers on the pages."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from coinvest import derived, metrics
from coinvest.assessments import AssessmentInput, save_assessment
from coinvest.db import open_database
from coinvest.filters import PortfolioFilter
from coinvest.history import history
from coinvest.scenarios import Scenario, save_scenario
from tests.browser.harness import PAGES
from tests.portfolio import PORTFOLIO


@pytest.fixture(scope="module")
def small_db(engine, request, tmp_path_factory) -> str | Path:
    """The hand-written portfolio and a saved scenario, on the test's engine."""
    if engine == "duckdb":
        path: str | Path = tmp_path_factory.mktemp("views") / "small.duckdb"
    else:
        path = request.getfixturevalue("pg").create("views", template="coinvest_empty")
    con = open_database(path)
    for statement in PORTFOLIO:
        con.execute(statement)
    derived.refresh(con)  # what the write path does after a write of every table
    save_scenario(
        con,
        Scenario(name="Revue INV_A", filter=PortfolioFilter.create(investor="INV_A", scope=None)),
    )
    con.close()
    return path


def tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def shown(element) -> list[dict]:
    """The cells of a table as the reader sees them (the Styler's display values, if any)."""
    data = element.proto.arrow_data
    raw = data.styler.display_values if data.HasField("styler") else data.data
    return pa.ipc.open_stream(raw).read_all().to_pandas().to_dict("records")


def specs(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def param(at, name: str):
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) and len(value) == 1 else value


# --- 1. a link reproduces the view ---------------------------------------------------------------


def test_compare_takes_its_projects_chart_and_viewpoint_from_the_link(open_page, small_db):
    at = open_page(
        small_db,
        "compare",
        {"projects": ["P2", "P1"], "chart": "parallel", "viewpoint": "project"},
    )
    assert at.session_state["cmp_projects"] == ["P2", "P1"]
    assert at.session_state["cmp_view.fr"] == "parallel"
    assert at.session_state["cmp_viewpoint.fr"] == "project"
    spec = specs(at)[0]
    assert spec["title"] == "Scores des leviers — Projets"
    assert "labelExpr" in json.dumps(spec)  # the parallel coordinates, not the radar
    at.radio(key="cmp_view.fr").set_value("radar").run()
    assert "chart" not in at.query_params  # the default is not written
    assert at.query_params["projects"] == ["P2", "P1"]


def test_viewpoints_take_threshold_pair_lever_and_own_assessors_from_the_link(open_page, small_db):
    at = open_page(
        small_db,
        "viewpoints",
        {"first": "project", "second": "investment", "lever": "alliances", "threshold": "30"},
    )
    assert at.session_state["vp_threshold"] == 30
    figures = tiles(at)
    assert figures["Projets évalués des deux regards"] == "1"  # P2: project 50, investment 75
    assert figures["Écart moyen (premier − second)"] == "\u221225,0"
    largest = next(d for d in at.dataframe if {"Code", "Écart"} <= set(d.value.columns))
    assert [row["Code"] for row in shown(largest)] == ["P2"]
    assert param(at, "lever") == "alliances"
    assert param(at, "threshold") == "30"

    own = open_page(
        small_db,
        "viewpoints",
        {"investor": "INV_B", "lever": "ecosystem", "own": "1"},
    )
    assert own.session_state["vp_own"] is True
    assert any("Aucun projet filtré" in i.value for i in own.info)  # INV_B never assessed P1
    everyone = open_page(small_db, "viewpoints", {"investor": "INV_B", "lever": "ecosystem"})
    assert tiles(everyone)["Projets évalués des deux regards"] == "1"


def test_overview_takes_its_map_colouring_from_the_link(open_page, small_db):
    at = open_page(small_db, "overview", {"map": "committed_eur"})
    assert at.session_state["overview_map_measure.fr"] == "committed_eur"
    assert "committed_eur" in json.dumps(
        specs(at)[0]["encoding"] if "encoding" in specs(at)[0] else specs(at)[0]
    )


def test_cohorts_take_their_pick_from_the_link_and_a_support_body_sees_its_own(open_page, small_db):
    at = open_page(small_db, "cohorts", {"cohorts": "C1"})
    assert at.session_state["coh_pick"] == ["C1"]
    body = open_page(small_db, "cohorts", {"support_body": "SB2"})
    assert body.session_state["coh_pick"] == ["C2"]  # no other body's cohort by default
    options = body.multiselect(key="f_cohort").options
    assert all("Accélérateur" in option for option in options)  # the sidebar narrows too


def test_project_sheet_takes_its_project_and_lever_from_the_link(open_page, small_db):
    at = open_page(
        small_db, "project", {"project": "P1", "lever": "ecosystem", "investor": "INV_A"}
    )
    assert at.session_state["sheet_pick"] == "P1"
    assert at.session_state["sheet_trajectory.fr"] == "ecosystem"
    trajectory = next(s for s in specs(at) if "à chaque tour" in s["title"])
    assert trajectory["title"] == "Comprendre son écosystème à chaque tour, par regard"
    assert param(at, "investor") == "INV_A"  # the filter stays in the sheet's link


def test_whatif_takes_weights_threshold_and_scenario_with_its_filter_from_the_link(
    open_page, small_db
):
    at = open_page(small_db, "whatif", {"lw_digital": "3", "vw_project": "0.5", "threshold": "30"})
    assert at.session_state["wi_lever_digital"] == 3.0
    assert at.session_state["wi_vp_project"] == 0.5
    assert at.session_state["wi_threshold"] == 30
    slider = at.select_slider(key="wi_lever_digital")
    assert slider.format_func(slider.value) == "3,0"  # not 3.00
    assert param(at, "lw_digital") == "3"

    # a scenario reopened from its link brings the filter it was saved with
    scenario = open_page(small_db, "whatif", {"scenario": "Revue INV_A"})
    assert scenario.session_state["f_investor"] == "INV_A"
    assert param(scenario, "investor") == "INV_A"
    assert param(scenario, "scenario") == "Revue INV_A"
    con = open_database(small_db)
    try:
        expected = metrics.project_count(con, PortfolioFilter.create(investor="INV_A", scope=None))
    finally:
        con.close()
    assert expected == 2
    overview = scenario.switch_page("app_pages/overview.py").run()
    assert tiles(overview)["Projets"] == "2"
    # a filter written in the link wins over the scenario's
    other = open_page(small_db, "whatif", {"scenario": "Revue INV_A", "investor": "INV_B"})
    assert other.session_state["f_investor"] == "INV_B"


# --- 3. tables: French figures, French headers, the name pinned ---------------------------------

UNFORMATTED = re.compile(r"^-?\d{5,}$|^-?\d+\.\d+$|^(None|nan|NaN|<NA>)$")


@pytest.mark.parametrize("name", PAGES)
def test_every_table_shows_french_figures(open_page, app_demo_path, name):
    params = {"investor": "INV01"}
    if name == "project":
        params["project"] = "P000001"
    at = open_page(app_demo_path, name, params)
    for element in at.dataframe:
        rows = shown(element)
        for row in rows:
            for column, cell in row.items():
                assert not UNFORMATTED.match(str(cell)), (name, column, cell)
        config = json.loads(element.proto.columns or "{}")
        if element.proto.editing_mode:  # an editor: its headers are its columns' labels
            headers = [o["label"] for o in config.values() if not o.get("hidden")]
        else:
            headers = list(element.value.columns)
            for label, options in config.items():
                if label in ("Projet", "Indicateur", "Levier", "Département"):
                    assert options.get("pinned") is True, (name, label)
        # headers are words, not field names
        assert not any(re.fullmatch(r"[a-z_]+", str(c)) for c in headers), (name, headers)


# --- 4. the questions users asked ----------------------------------------------------------------


def test_project_sheet_sets_the_project_beside_its_portfolio_and_peers(open_page, small_db):
    at = open_page(small_db, "project", {"project": "P2"})
    bench = next(d for d in at.dataframe if "Ce projet" in d.value.columns)
    rows = {row["Levier"]: row for row in shown(bench)}
    # P2 consolidated ecosystem 75. The portfolio has 3 assessed projects, the peers (the
    # modelling phase) 2: medians over fewer than 5 projects are no comparison, hidden and said
    # (docs/rules.md "Sign-in and scope"), each column naming its count
    assert rows["Comprendre son écosystème"]["Ce projet"] == "75,0"
    assert rows["Comprendre son écosystème"]["Médiane du portefeuille (3 projets)"] == "—"
    assert rows["Comprendre son écosystème"]["Médiane des pairs (2 projets)"] == "—"
    assert rows["Maturité"]["Ce projet"] == "50,0"
    assert any("même phase (Modélisation)" in c.value for c in at.caption)
    assert any("moins de 5 projets" in c.value for c in at.caption)


def test_project_sheet_medians_over_enough_projects_are_shown_and_named(open_page, app_demo_path):
    from coinvest import metrics
    from coinvest.filters import PortfolioFilter
    from coinvest.i18n import format_number

    con = open_database(app_demo_path, read_only=True)
    try:
        project, phase = con.execute(
            "SELECT project_id, phase FROM project_maturity JOIN project USING (project_id) "
            "ORDER BY project_id LIMIT 1"
        ).fetchone()
        medians = metrics.lever_medians(con, PortfolioFilter(scope=None)).set_index("lever")
        peers = metrics.lever_medians(
            con, PortfolioFilter.create(phase=[phase], scope=None)
        ).set_index("lever")
    finally:
        con.close()
    at = open_page(app_demo_path, "project", {"project": project})
    bench = next(d for d in at.dataframe if "Ce projet" in d.value.columns)
    n_all = int(medians.loc["maturity", "projects"])
    n_peers = int(peers.loc["maturity", "projects"])
    assert n_peers >= 5
    rows = {row["Levier"]: row for row in shown(bench)}
    shown_median = rows["Maturité"][f"Médiane du portefeuille ({format_number(n_all)} projets)"]
    assert shown_median == format_number(medians.loc["maturity", "median_score"], 1)
    shown_peers = rows["Maturité"][f"Médiane des pairs ({format_number(n_peers)} projets)"]
    assert shown_peers == format_number(peers.loc["maturity", "median_score"], 1)


def test_project_sheet_shows_comments_and_indicator_names(open_page, small_db, tmp_path):
    con = open_database(small_db)
    try:
        con.execute(
            "UPDATE assessment SET comment = 'Gouvernance à renforcer' WHERE assessment_id = 'A2'"
        )
        con.execute(
            "UPDATE assessment_answer SET comment = 'Diagnostic partagé' "
            "WHERE assessment_id = 'A2' AND question = 'ecosystem.needs'"
        )
    finally:
        con.close()
    at = open_page(small_db, "project", {"project": "P1"})
    history = next(d for d in at.dataframe if "Commentaire" in d.value.columns)
    cells = shown(history)
    assert any(row["Commentaire"] == "Gouvernance à renforcer" for row in cells)
    assert any(
        "ecosystem.needs : Diagnostic partagé" in str(row["Commentaires par question"])
        for row in cells
    )
    indicators = next(d for d in at.dataframe if "Indicateur" in d.value.columns)
    assert {row["Indicateur"] for row in shown(indicators)} >= {"Repas servis", "Bénéficiaires"}


def test_project_sheet_draws_its_lists_when_opened(open_page, small_db):
    """The lists under a sheet's figures are drawn on request (docs/pages.md "Pages, by lens"):
    the first view names how many there are, opening one draws it."""
    con = open_database(small_db)
    try:
        project, viewpoint, assessor = con.execute(
            "SELECT project_id, viewpoint, assessor_org_id FROM assessment "
            "WHERE project_id = 'P1' LIMIT 1"
        ).fetchone()
        save_assessment(  # a write through the write path: the sheet's history has its rows
            con,
            AssessmentInput(project, viewpoint, assessor, date(2026, 11, 30), {"model.levers": 3}),
        )
        answered = con.execute(
            "SELECT count(*) FROM assessment WHERE project_id = 'P1'"
        ).fetchone()[0]
        changes = len(history(con, project_id="P1"))
        invested, contributed = con.execute(
            "SELECT (SELECT count(*) FROM investment WHERE project_id = 'P1'), "
            "(SELECT count(*) FROM contribution WHERE project_id = 'P1')"
        ).fetchone()
    finally:
        con.close()
    assert answered > 1
    assert changes > 1
    at = open_page(small_db, "project", {"project": "P1"}, unfolded=False)
    labels = [box.label for box in at.expander]
    assert f"Voir les {answered} évaluations" in labels
    assert f"Voir les {changes} derniers changements" in labels
    assert f"Voir les {invested} investissements" in labels
    assert any(label.startswith("Voir la contribution") for label in labels) == (contributed == 1)
    for column in ("Commentaire", "Avant", "Investisseur", "Partenaire"):
        assert not any(column in d.value.columns for d in at.dataframe), column
    for key in ("assessments", "history", "inv", "contrib"):
        at.session_state[f"sheet_{key}_open"] = True
    at.run()
    assert not at.exception
    assert len(next(d for d in at.dataframe if "Investisseur" in d.value.columns).value) == invested
    assert (
        len(next(d for d in at.dataframe if "Partenaire" in d.value.columns).value) == contributed
    )
    listed = next(d for d in at.dataframe if "Commentaire" in d.value.columns)
    assert len(listed.value) == answered
    logged = next(d for d in at.dataframe if "Avant" in d.value.columns)
    assert len(logged.value) == changes


def test_an_investors_leverage_is_set_beside_the_investors_median(open_page, small_db):
    at = open_page(small_db, "overview", {"investor": "INV_A"})
    leverage = next(m for m in at.metric if m.label == "Effet de levier")
    assert leverage.value == "0,17" or leverage.value == "0,18"
    # two investors (INV_A 0.175, INV_B 0.52): a median of two is no comparison (docs/rules.md "Sign-in and scope"),
    # so no "vs median", and the help says why
    assert not leverage.proto.delta
    assert "2 seulement" in leverage.help
    partnerships = open_page(small_db, "partnerships", {"investor": "INV_A"})
    assert not any("médiane" in (m.proto.delta or "") for m in partnerships.metric)


def test_an_investors_leverage_beside_the_median_of_five_investors_or_more(
    open_page, app_demo_path
):
    from coinvest import metrics
    from coinvest.filters import PortfolioFilter
    from coinvest.i18n import format_number

    con = open_database(app_demo_path, read_only=True)
    try:
        flt = PortfolioFilter.create(investor="INV02", scope=None)
        bench = metrics.investor_benchmark(con, flt)
        own = metrics.portfolio_kpis(con, flt).leverage
    finally:
        con.close()
    assert bench["leverage"].notna().sum() >= 5
    at = open_page(app_demo_path, "overview", {"investor": "INV02"})
    leverage = next(m for m in at.metric if m.label == "Effet de levier")
    difference = format_number(own - bench["median_leverage"].iloc[0], 2, signed=True)
    assert f"{difference} vs médiane des investisseurs" in leverage.proto.delta


# --- 5. exports for office users ------------------------------------------------------------------


def test_every_table_offers_xlsx_and_csv_for_excel(open_page, small_db):
    at = open_page(small_db, "utility", {"investor": "INV_A"})
    labels = [b.proto.label for b in at.get("download_button")]
    tables = len(at.dataframe)
    assert tables >= 2
    assert labels.count("Excel (.xlsx)") == tables
    assert labels.count("CSV pour Excel") == tables


def test_every_page_has_the_filter_in_words_and_the_copy_link(open_page, small_db):
    for name in PAGES:
        at = open_page(small_db, name, {"investor": "INV_B", "year_from": "2025"})
        text = re.sub(r"\\(.)", r"\1", " ".join(m.value for m in at.markdown))
        if name != "method":
            assert "Investisseur : Fondation B (INV_B)" in text, name
            assert "Période : depuis 2025" in text, name


def test_a_view_saved_elsewhere_with_off_scale_weights_opens(open_page, small_db):
    from coinvest.metrics import Weights
    from coinvest.scenarios import save_view

    con = open_database(small_db)
    try:
        save_view(
            con,
            "Hors échelle",
            PortfolioFilter(scope=None),
            Weights.create({"digital": 2.3, "model": 7}),
            25,
        )
    finally:
        con.close()
    at = open_page(small_db, "whatif", {"view": "Hors échelle"})
    assert at.session_state["wi_lever_digital"] == 2.5  # the sliders' nearest step
    assert at.session_state["wi_lever_model"] == 5.0


def test_prepared_exports_are_those_of_the_current_filter(open_page, small_db):
    at = open_page(small_db, "export", {"investor": "INV_A"})
    at.button(key="data_figures_prepare").click().run()
    assert any("chiffres calculés" in b.proto.label for b in at.get("download_button"))
    at.selectbox(key="f_investor").set_value("INV_B").run()
    assert not any("chiffres calculés" in b.proto.label for b in at.get("download_button"))


# --- issue [paths]: the Needs and paths page and the project's own path --------------------------


def test_needs_page_figures_and_its_threshold_in_the_link(open_page, small_db):
    at = open_page(small_db, "needs")
    figures = tiles(at)
    assert figures["Projets évalués"] == "3"
    assert figures["Projets avec un parcours recommandé"] == "2"  # P1 innovation, P2 digital
    invitees = [shown(d) for d in at.dataframe if "Porteur" in d.value.columns]
    # the card of the most recommended path opens first: innovation (P1) and digital (P2) tie
    # with one project each, and the lever order decides
    assert [[row["Code"] for row in rows] for rows in invitees] == [["P1"]]
    digital = open_page(small_db, "needs", {"path": "digital"})
    assert digital.session_state["needs_path.fr"] == "digital"
    invitees = [shown(d) for d in digital.dataframe if "Porteur" in d.value.columns]
    assert [[row["Code"] for row in rows] for rows in invitees] == [["P2"]]
    assert param(digital, "path") == "digital"
    lower = open_page(small_db, "needs", {"threshold": "25"})
    assert lower.session_state["needs_threshold"] == 25
    assert tiles(lower)["Projets avec un parcours recommandé"] == "3"  # and P3 evaluation 25
    assert param(lower, "threshold") == "25"
    assert not any("Accompagnés (n)" in d.value.columns for d in at.dataframe)  # on request
    helped = open_page(small_db, "needs", {"helped": "1"})
    rows = {
        row["Parcours"]: row
        for d in helped.dataframe
        if "Accompagnés (n)" in d.value.columns
        for row in shown(d)
    }
    # P1's first round made innovation a priority; its project team went from 25 to 62.5
    # (+37.5, computed by the metric layer), and P1 was in cohort C2 between its two rounds:
    # supported. A median over one project is no comparison: hidden, and said
    # (docs/rules.md "Sign-in and scope"); no difference without 5 projects on each side
    innovation = rows["Qualifier son innovation"]
    assert innovation["Accompagnés (n)"] == "1"
    assert innovation["Non accompagnés (n)"] == "0"
    assert innovation["Progression médiane des accompagnés (points)"] == "—"
    assert innovation["Écart accompagnés − non accompagnés (points)"] == "—"
    assert any("pas une preuve" in i.value for i in helped.info)
    assert any("moins de 5 projets" in i.value for i in helped.info)


def test_needs_page_names_the_most_needed_lever_and_invites_every_priority(open_page, small_db):
    # at 20: P1 innovation 50; P2 digital 58,3 and alliances 25 (its second priority);
    # P3 evaluation 25. Most needed, as the chart's shares: innovation, alliances, digital and
    # evaluation are each a priority for the one project assessed on them (100 %), ecosystem
    # for none of its two: the lever order decides the tie, as for the most recommended path
    at = open_page(small_db, "needs", {"threshold": "20", "path": "alliances"})
    figures = tiles(at)
    assert figures["Levier le plus nécessaire : Qualifier son innovation"] == "100,0\u00a0%"
    assert figures["Parcours le plus recommandé : Qualifier son innovation"] == "33,3\u00a0%"
    invitees = [shown(d) for d in at.dataframe if "Porteur" in d.value.columns]
    assert [[(row["Code"], row["Rang du levier"]) for row in rows] for rows in invitees] == [
        [("P2", "2")]
    ]
    assert invitees[0][0]["Département"] == "13"
    labels = at.radio(key="needs_path.fr").options
    assert any(label.endswith("· 1 projet") for label in labels)  # not "1 projets"


def test_project_sheet_shows_its_path_and_questions(open_page, small_db):
    at = open_page(small_db, "project", {"project": "P2"})
    text = " ".join(m.value for m in at.markdown)
    assert "Parcours recommandé : **Accélérer grâce au numérique** (besoin 58,3)" in text
    weak = next(
        d for d in at.dataframe if "Question" in d.value.columns and "Consolidé" in d.value.columns
    )
    rows = shown(weak)
    assert [row["Question"] for row in rows] == ["Quels usages ?"]
    assert rows[0]["Consolidé"] == "0,50"


def test_did_it_help_hides_a_median_over_fewer_than_five_projects(open_page, small_db):
    from coinvest import metrics
    from coinvest.filters import PortfolioFilter

    con = open_database(small_db, read_only=True)
    try:
        computed = metrics.did_it_help(con, PortfolioFilter(scope=None))
    finally:
        con.close()
    assert computed["projects"].sum() > 0  # the hand portfolio has paths followed up
    assert (computed["projects"] < 5).all()  # fewer than 5 each
    at = open_page(small_db, "needs", {"helped": "1"})
    helped = next(d for d in at.dataframe if "Progression médiane" in " ".join(d.value.columns))
    columns = [c for c in helped.value.columns if "Progression médiane" in c or "Écart" in c]
    assert len(columns) == 3  # each group's median and their difference
    assert all(row[c] == "—" for row in shown(helped) for c in columns)
    assert any("moins de 5 projets" in i.value for i in at.info)


def test_viewpoints_rank_projects_by_the_gap_over_all_levers_and_send_them_to_compare(
    open_page, small_db
):
    at = open_page(small_db, "viewpoints", {"first": "project", "second": "investment"})
    ranking = next(d for d in at.dataframe if "Plus grand écart" in d.value.columns)
    rows = shown(ranking)
    assert [row["Code"] for row in rows] == ["P1", "P2"]
    # P1: |100 − 50|, |62,5 − 50|, |50 − 100| over three levers; largest on ecosystem
    assert rows[0]["Écart moyen"] == "37,5"
    assert rows[0]["Plus grand écart"] == "50,0"
    assert rows[0]["Levier du plus grand écart"] == "Comprendre son écosystème"
    assert rows[1]["Levier du plus grand écart"] == "Apprendre à faire alliance"
    # the viewpoints are named by who answered
    assert "Équipe du projet" in at.selectbox(key="vp_first.fr").format_func("project")
    at.button(key="vp_send").click().run()
    assert at.session_state["cmp_projects"] == ["P1", "P2"]
    assert at.query_params["projects"] == ["P1", "P2"]

    reversed_ = open_page(small_db, "viewpoints", {"first": "investment", "second": "project"})
    assert param(reversed_, "first") == "investment"
    ranking = next(d for d in reversed_.dataframe if "Plus grand écart" in d.value.columns)
    difference = next(c for c in ranking.value.columns if c.startswith("Différence moyenne"))
    assert shown(ranking)[0][difference] == "\u22124,2"  # (−50 − 12,5 + 50) / 3


def _layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def _spec_titled(at, words: str) -> dict:
    for spec in specs(at):
        title = spec.get("title")
        text = title.get("text") if isinstance(title, dict) else title
        text = " ".join(text) if isinstance(text, list) else str(text)
        if words in text:
            return spec
    raise AssertionError(f"no chart titled {words!r}")


def test_smaller_things_that_misled(open_page, small_db):
    # What-if under equal weights: nobody moves, so no "biggest moves" are listed
    whatif = open_page(small_db, "whatif")
    assert any("Aucun projet ne change de rang" in i.value for i in whatif.info)
    only = {f"lw_{c}": "0" for c in ("innovation", "strategy", "model", "digital", "evaluation")}
    moved = open_page(small_db, "whatif", only)  # ecosystem and alliances only: all three move
    assert not any("Aucun projet ne change de rang" in i.value for i in moved.info)

    # the pair density draws every band of 10 points, those without a project too
    pair = open_page(small_db, "viewpoints", {"first": "project", "second": "investment"})
    density = _spec_titled(pair, "Comprendre son écosystème")
    cells = _layers(density)[0]["encoding"]
    assert len(cells["x"]["scale"]["domain"]) == 10
    assert len(cells["y"]["scale"]["domain"]) == 10

    # the needs matrix: the levers under their short names, every project's name on two lines
    # at most, none left out
    needs = open_page(small_db, "needs")
    matrix = _spec_titled(needs, "Besoin par levier")
    encoding = _layers(matrix)[0]["encoding"]
    assert encoding["x"]["scale"]["domain"][0] == "Écosystème"
    assert encoding["y"]["axis"]["labelOverlap"] is False
    assert "substring" in encoding["y"]["axis"]["labelExpr"]

    # the trajectory's first and last rounds stand clear of the axes
    sheet = open_page(small_db, "project", {"project": "P1"})
    trajectory = _spec_titled(sheet, "à chaque tour")
    line = _layers(trajectory)[0]["encoding"]
    assert line["x"]["scale"]["padding"] > 0
    assert line["y"]["scale"]["padding"] > 0


def _layout(table) -> list[tuple[str, dict]]:
    config = json.loads(table.proto.columns)
    return [(column, config.get(column, {})) for column in table.value.columns]


def _figures_follow_the_pinned_name(table, figures: int) -> None:
    """The naming column pinned and narrow, then `figures` figure columns (right-aligned)."""
    layout = _layout(table)
    name, first = layout[0]
    assert first.get("pinned") is True, name
    assert first.get("width", 999) <= 240, name
    assert [c.get("alignment") for _, c in layout[1 : 1 + figures]] == ["right"] * figures, layout
    assert not any(c.get("pinned") for _, c in layout[1:])  # one pinned column only


def test_figure_columns_come_first_after_the_pinned_name(open_page, small_db):
    compare = open_page(small_db, "compare", {"projects": ["P1", "P2"]})
    scores = next(d for d in compare.dataframe if "Maturité" in d.value.columns)
    assert list(scores.value.columns)[-1] == "Code"  # the code last
    _figures_follow_the_pinned_name(scores, len(scores.value.columns) - 2)  # levers, maturity
    assert list(scores.value.columns)[1] == "Écosystème"  # the lever's short name…
    assert _layout(scores)[1][1]["help"] == "Comprendre son écosystème"  # …its full name

    viewpoints = open_page(small_db, "viewpoints")
    spots = next(d for d in viewpoints.dataframe if {"Sens", "Projet"} <= set(d.value.columns))
    _figures_follow_the_pinned_name(spots, 3)  # self, others, difference

    sheet = open_page(small_db, "project", {"project": "P1"})
    money = [d for d in sheet.dataframe if "Montant (€)" in d.value.columns]
    assert money
    _figures_follow_the_pinned_name(money[0], 1)
    questions = next(d for d in sheet.dataframe if "Question" in d.value.columns)
    _figures_follow_the_pinned_name(questions, 4)  # consolidated, then each viewpoint

    needs = open_page(small_db, "needs", {"threshold": "20", "path": "alliances"})
    invitees = next(d for d in needs.dataframe if "Porteur" in d.value.columns)
    _figures_follow_the_pinned_name(invitees, 3)  # need, rank, priorities


def test_the_project_sheet_shows_a_measure_in_its_unit(open_page, small_db):
    sheet = open_page(small_db, "project", {"project": "P1"})
    indicators = next(d for d in sheet.dataframe if "Unité" in d.value.columns)
    rows = shown(indicators)
    assert rows
    for row in rows:  # a whole count is shown whole: "34", not "34,0"
        assert not re.fullmatch(r"\d[\d\u202f]*,0", row["Valeur"]), row
        assert row["Unité"]
