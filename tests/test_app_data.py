"""AppTest of the Data page: import through the page, validation report, questionnaire, exports."""

from __future__ import annotations

from pathlib import Path

import pytest

from coinvest.db import open_database
from tests.conftest import choose_tab
from tests.template import filled_template_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def data_page(new_db, open_page):
    path = new_db("data")
    open_database(path).close()
    return open_page(path, "import"), path


def _count(path: Path, table: str) -> int:
    con = open_database(path)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def test_template_uploaded_through_the_page_is_imported(data_page):
    at, path = data_page
    at.get("file_uploader")[0].set_value([("modele.xlsx", filled_template_xlsx(), XLSX)]).run()
    at.button(key="data_import").click().run()
    assert not at.exception
    assert "Données chargées" in at.success[0].value
    counts = next(d.value for d in at.dataframe if "Ajoutées" in d.value.columns)
    assert counts.set_index("Feuille").loc["Projets", "Ajoutées"] == 1  # headers in French
    assert _count(path, "project") == 1
    assert _count(path, "import_log") == 1


def test_a_bad_file_shows_the_report_and_writes_nothing(data_page):
    at, path = data_page
    bad = "project_id;name;holder_org_id;need;phase;department_code\nP1;X;NOBODY;weather;rnd;75\n"
    at.get("file_uploader")[0].set_value([("projects.csv", bad.encode(), "text/csv")]).run()
    at.button(key="data_import").click().run()
    assert not at.exception
    assert "Import refusé" in at.error[0].value
    report = next(d.value for d in at.dataframe if "Problème" in d.value.columns)
    assert list(report.columns) == [
        "Fichier",
        "Feuille",
        "Ligne",
        "Colonne",
        "Valeur",
        "Problème",
        "Gravité",
    ]
    assert set(report["Gravité"]) == {"Erreur (rien n'est importé)"}
    located = set(zip(report["Ligne"], report["Colonne"], report["Valeur"], strict=True))
    assert (2, "need", "weather") in located
    assert _count(path, "project") == 0
    assert _count(path, "import_log") == 0


def test_questionnaire_records_an_assessment(data_page):
    at, path = data_page
    at.get("file_uploader")[0].set_value([("modele.xlsx", filled_template_xlsx(), XLSX)]).run()
    at.button(key="data_import").click().run()
    choose_tab(at, "questionnaire")
    at.text_input(key="form_search").set_value("épicerie").run()
    assert at.selectbox(key="form_project").value == "PRJ-001"
    at.selectbox(key="form_viewpoint.fr").set_value("investment").run()
    at.radio(key="form_evaluation.utility").set_value(3)
    at.radio(key="form_evaluation.leverage").set_value(1)
    at.text_area(key="form_comment").set_value("Vu en comité")
    submit = next(b for b in at.get("form_submit_button") if "Enregistrer" in b.label)
    submit.click().run()
    assert not at.exception
    assert any("enregistrée" in s.value for s in at.success)
    con = open_database(path)
    try:
        rows = con.execute(
            "SELECT a.viewpoint, x.question, x.score FROM assessment a JOIN assessment_answer x "
            "USING (assessment_id) WHERE a.viewpoint = 'investment' ORDER BY x.question"
        ).fetchall()
        assert rows == [
            ("investment", "evaluation.leverage", 1),
            ("investment", "evaluation.utility", 3),
        ]
        assert con.execute(
            "SELECT score FROM lever_round WHERE viewpoint = 'investment'"
        ).fetchall() == [(50.0,)]
    finally:
        con.close()


def test_questionnaire_without_any_score_says_so(data_page):
    at, path = data_page
    at.get("file_uploader")[0].set_value([("modele.xlsx", filled_template_xlsx(), XLSX)]).run()
    at.button(key="data_import").click().run()
    choose_tab(at, "questionnaire")
    submit = next(b for b in at.get("form_submit_button") if "Enregistrer" in b.label)
    submit.click().run()
    assert not at.exception
    assert any("au moins une question" in e.value for e in at.error)
    assert _count(path, "assessment") == 1  # the template's own


def test_exports_are_offered(data_page):
    at, _ = data_page
    assert not at.get("download_button")  # the import tab is the one drawn
    choose_tab(at, "templates")
    buttons = {b.proto.label for b in at.get("download_button")}
    assert {"Télécharger le modèle Excel", "Télécharger le modèle en CSV (zip)"} <= buttons
    choose_tab(at, "export")
    at.button(key="data_table_prepare").click().run()
    buttons = {b.proto.label for b in at.get("download_button")}
    assert {"CSV pour Excel", "Excel (.xlsx)"} <= buttons
    at.button(key="data_figures_prepare").click().run()
    figures = next(b for b in at.get("download_button") if "chiffres calculés" in b.proto.label)
    assert figures.proto.label == "Télécharger les chiffres calculés (zip)"
    at.button(key="data_prepare").click().run()
    assert not at.exception
    buttons = {b.proto.label for b in at.get("download_button")}
    assert "Télécharger le classeur du portefeuille" in buttons
    assert not buttons & {"Télécharger le rapport de comité"}  # each prepared on its own
    at.button(key="data_report_prepare").click().run()
    assert not at.exception
    # the preparation is shown step by step, then said to be done
    assert [s.label for s in at.status] == ["Rapport de comité prêt"]
    steps = [m.value for m in at.status[0].markdown]
    assert steps == ["Chiffres et graphiques du rapport…", "Mise en page du PDF…"]
    buttons = {b.proto.label for b in at.get("download_button")}
    assert {
        "Télécharger le classeur du portefeuille",
        "Télécharger le rapport de comité",
        "Télécharger le rapport de comité (PDF)",
    } <= buttons


def _import_through_the_page(at, name: str, data: bytes, mime: str = "text/csv"):
    at.get("file_uploader")[0].set_value([(name, data, mime)]).run()
    at.button(key="data_import").click().run()
    assert not at.exception
    return at


def test_an_edited_project_re_imported_through_the_page_is_updated(data_page):
    at, path = data_page
    _import_through_the_page(at, "modele.xlsx", filled_template_xlsx(), XLSX)
    edited = (
        "project_id;name;holder_org_id;need;phase;department_code\n"
        "PRJ-001;Épicerie solidaire du quartier;ASSO-001;food;Déploiement;69\n"
    )
    _import_through_the_page(at, "projets.csv", edited.encode())
    assert "Données chargées" in at.success[0].value
    counts = next(d.value for d in at.dataframe if "Modifiées" in d.value.columns)
    assert counts.set_index("Feuille").loc["Projets", "Modifiées"] == 1
    con = open_database(path)
    try:
        assert con.execute("SELECT phase FROM project").fetchall() == [("scaling",)]
    finally:
        con.close()


def test_rows_missing_from_the_file_are_previewed_then_deleted_on_confirmation(data_page):
    at, path = data_page
    _import_through_the_page(at, "modele.xlsx", filled_template_xlsx(), XLSX)
    orgs = "org_id;name;kind\nASSO-001;Association Exemple;association\nNEW;Nouvelle;company\n"
    _import_through_the_page(at, "organisations.csv", orgs.encode())
    assert _count(path, "organisation") == 2
    # the file without NEW: the row stays, and the page says so with its id
    _import_through_the_page(
        at, "organisations.csv", orgs.replace("NEW;Nouvelle;company\n", "").encode()
    )
    assert _count(path, "organisation") == 2
    assert any("1 ligne de la base ne figure pas" in m.value for m in at.markdown)  # singular
    listed = [d.value for d in at.dataframe if "Identifiant" in d.value.columns]
    assert listed
    assert list(listed[0]["Identifiant"]) == ["NEW"]
    delete = at.button(key="data_missing_delete")
    assert delete.disabled  # not before the confirmation
    at.checkbox(key="data_missing_confirm").check().run()
    at.button(key="data_missing_delete").click().run()
    assert not at.exception
    assert _count(path, "organisation") == 1
    assert "supprimées" in at.success[0].value


def test_a_write_failure_is_a_message_on_the_page_not_a_traceback(data_page, monkeypatch):
    from coinvest.db import EngineError
    from coinvest.importer import write as importer_write

    def broken(*args, **kwargs):
        raise EngineError("Constraint Error: refused by the engine", constraint=True)

    monkeypatch.setattr(importer_write, "_upsert", broken)
    at, path = data_page
    _import_through_the_page(at, "modele.xlsx", filled_template_xlsx(), XLSX)
    assert any("rien n'a été écrit" in e.value for e in at.error)
    assert _count(path, "organisation") == 0


def test_the_journal_shows_the_import_and_undoes_it_after_confirmation(data_page):
    at, path = data_page
    at.get("file_uploader")[0].set_value([("modele.xlsx", filled_template_xlsx(), XLSX)]).run()
    at.button(key="data_import").click().run()
    assert _count(path, "project") == 1
    choose_tab(at, "log")
    imports = next(d.value for d in at.dataframe if "Fichiers" in d.value.columns)
    assert list(imports["Fichiers"]) == ["modele.xlsx"]
    assert imports["Par"].iloc[0].startswith("app:")  # local mode: the server's user
    journal = next(d.value for d in at.dataframe if "Avant" in d.value.columns)
    assert "Projets" in set(journal["Table"])
    assert {"ajout"} == set(journal["Changement"])
    # without the confirmation, nothing happens (a form's values go with its button)
    submit = "FormSubmitter:revert_form-Annuler l'import"
    at.selectbox(key="revert_choice").set_value(1)
    at.button(key=submit).click().run()
    assert any("cochez la confirmation" in w.value for w in at.warning)
    assert _count(path, "project") == 1
    at.selectbox(key="revert_choice").set_value(1)
    at.checkbox(key="revert_sure").check()
    at.button(key=submit).click().run()
    assert not at.exception
    assert any("Import 1 annulé" in message.value for message in at.success)
    assert _count(path, "project") == 0
    imports = next(d.value for d in at.dataframe if "Fichiers" in d.value.columns)
    assert list(imports["Annulation"]) == ["annule l'import 1", ""]
    # the journal narrows to a table
    at.selectbox(key="journal_table").set_value("project").run()
    journal = next(d.value for d in at.dataframe if "Avant" in d.value.columns)
    assert set(journal["Table"]) == {"Projets"}
    assert set(journal["Changement"]) == {"ajout", "suppression"}


def test_the_project_sheet_shows_its_history(data_page, open_page):
    at, path = data_page
    at.get("file_uploader")[0].set_value([("modele.xlsx", filled_template_xlsx(), XLSX)]).run()
    at.button(key="data_import").click().run()
    sheet = open_page(path, "project", {"project": "PRJ-001"})
    history = next(d.value for d in sheet.dataframe if "Avant" in d.value.columns)
    assert "Investissements" in set(history["Table"])
    assert "amount_eur" in set(history["Colonne"])
    assert set(history["N°"]) == {"1"} or set(history["N°"].astype(str)) == {"1"}
