"""Data (DESIGN §5.8): import with validation, templates, exports, the assessment questionnaire,
the committee report and the import log."""

import sys
from datetime import date, datetime

import pandas as pd
import streamlit as st

from coinvest import reference as ref
from coinvest.access import add_member, list_members, remove_member
from coinvest.assessments import (
    AssessmentInput,
    find_projects,
    related_organisations,
    save_assessment,
)
from coinvest.audit import ORDER, author
from coinvest.errors import CoinvestError
from coinvest.export import export_zip
from coinvest.history import history, imports
from coinvest.i18n import format_number, md_escape, t, tn
from coinvest.importer import import_files, max_import_bytes
from coinvest.importer.revert import revert
from coinvest.interchange import SHEETS
from coinvest.lookups import organisation_names
from coinvest.report import committee_report, file_name, report_pdf
from coinvest.workbook import (
    build_template_xlsx,
    build_template_zip,
    export_portfolio_xlsx,
    frame_to_csv,
    frame_to_xlsx,
    table_frame,
)
from ui.access import current_member
from ui.context import connection, current_filter, lang, lang_key, read_only
from ui.show import day, history_table, number, table
from ui.show import table_label as show_table_label
from ui.view import header


@st.cache_data(show_spinner=False)
def template_xlsx() -> bytes:
    return build_template_xlsx()


@st.cache_data(show_spinner=False)
def template_zip() -> bytes:
    return build_template_zip()


language = lang()
con = connection()
flt = current_filter()
member = current_member()  # None in local mode
admin = member is None or member.is_admin  # imports and members are an admin's (DESIGN §10)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JOURNAL_ROWS = 2000  # the journal's newest changes shown; `coinvest history` writes them all
LAST_IMPORT = "data_last_import"  # (files, report, deletion done) of this session's last import

# Downloads prepared on this page belong to who asked and for what (DESIGN §10): a change of
# filter, language, role, organisation or person drops them, so a member demoted while the tab
# stays open never keeps what they prepared as an admin.
PREPARED = (
    "data_table",
    "data_figures_zip",
    "data_prepared_for",
    "data_portfolio_xlsx",
    "data_report_html",
    "data_report_pdf",
)
prepared_for = (
    flt,
    language,
    None if member is None else (member.email, member.role, member.org_id),
)
if st.session_state.get("data_prepared_key") != prepared_for:
    for name in PREPARED:
        st.session_state.pop(name, None)
    st.session_state["data_prepared_key"] = prepared_for

header(con, flt, language, "data.title", "data.caption")


def table_label(name: str) -> str:
    return show_table_label(name, language)


def show_counts(report) -> None:
    counts = report.counts_frame()
    counts["table_label"] = counts["table"].map(table_label)
    columns = {"table_label": t("data.counts.table", language)}
    columns.update(
        {
            c: t(f"data.counts.{c}", language)
            for c in counts.columns
            if c not in ("table", "table_label")
        }
    )
    table(
        counts,
        columns,
        language,
        formats={c: number(0, language) for c in columns if c != "table_label"},
        key="data_counts",
        title=t("data.counts.title", language),
    )


def show_problems(report) -> None:
    problems = report.problems_frame(language)
    problems["sheet_label"] = problems["sheet"].map(
        lambda v: table_label(v) if isinstance(v, str) and v else v
    )
    problems["severity_label"] = problems["severity"].map(lambda v: t(f"severity.{v}", language))
    table(
        problems,
        {
            "file": t("data.problems.file", language),
            "sheet_label": t("data.problems.sheet", language),
            "row": t("data.problems.row", language),
            "column": t("data.problems.column", language),
            "value": t("data.problems.value", language),
            "rule": t("data.problems.rule", language),
            "severity_label": t("data.problems.severity", language),
        },
        language,
        formats={"row": number(0, language)},
        key="data_problems",
        title=t("data.import.report", language),
    )


def report_progress(status, stage: str, detail: str) -> None:
    """Each import stage in the page and on the server's terminal."""
    line = f"{t('import.stage.' + stage, language)} — {detail}"
    status.write(line)
    print(f"coinvest import: {line}", file=sys.stderr, flush=True)


# imports, their log and the members are an admin's (DESIGN §10); the members tab exists only
# in shared mode, where people sign in
shown_tabs = [
    name
    for name in ("import", "templates", "export", "questionnaire", "log", "members")
    if (admin or name in ("templates", "export", "questionnaire"))
    and (name != "members" or member is not None)
]
# only the chosen tab is drawn (a rerun when another is chosen): the questionnaire's 23
# questions, the journal and the members are not drawn behind the tab the reader looks at
tabs = dict(
    zip(
        shown_tabs,
        st.tabs(
            [t(f"data.tab.{name}", language) for name in shown_tabs],
            key="data_tab",
            on_change="rerun",
        ),
        strict=True,
    )
)
tab_import, tab_log, tab_members = tabs.get("import"), tabs.get("log"), tabs.get("members")
tab_templates, tab_export, tab_form = tabs["templates"], tabs["export"], tabs["questionnaire"]

locked = read_only()
if locked:
    st.info(t("readonly.no_import", language))
if not admin:
    st.caption(t("data.member_only", language))

if tab_import is not None:
    with tab_import:
        if tab_import.open is not False:  # the chosen tab only
            st.write(
                t("data.import.intro", language, limit=round(max_import_bytes() / 1024 / 1024))
            )
            uploads = st.file_uploader(
                t("data.import.files", language),
                type=["xlsx", "csv", "zip", "txt"],
                accept_multiple_files=True,
                key="data_upload",
                disabled=locked,
            )
            if st.button(
                t("data.import.run", language),
                type="primary",
                disabled=locked or not uploads,
                key="data_import",
            ):
                files = [(u.name, u.getvalue()) for u in uploads]
                st.session_state.pop(LAST_IMPORT, None)
                with st.status(t("data.import.running", language), expanded=True) as status:
                    try:
                        report = import_files(
                            con,
                            files,
                            who=author(member),
                            progress=lambda stage, detail: report_progress(status, stage, detail),
                        )
                    except CoinvestError as exc:
                        status.update(label=t("data.import.refused", language), state="error")
                        st.error(exc.message(language, markdown=True))
                    else:
                        status.update(
                            label=t(
                                "data.import.loaded" if report.loaded else "data.import.refused",
                                language,
                            ),
                            state="complete" if report.loaded else "error",
                        )
                        st.session_state[LAST_IMPORT] = (files, report, False)
                        if report.loaded:
                            st.cache_data.clear()
            if LAST_IMPORT in st.session_state:
                files, report, deletion = st.session_state[LAST_IMPORT]
                if report.loaded:
                    st.success(
                        t("data.import.deleted" if deletion else "data.import.success", language)
                    )
                    show_counts(report)
                else:
                    st.error(tn("import.refused", len(report.errors), language))
                if report.problems:
                    st.subheader(t("data.import.report", language))
                    show_problems(report)
                if report.loaded and report.not_in_file and not deletion:
                    # DESIGN §6.2: rows missing from the file stay; deleting them is a separate,
                    # confirmed step, previewed here with their counts and ids
                    st.subheader(t("data.missing.title", language))
                    st.write(tn("data.missing.intro", report.not_in_file, language))
                    for table_name, ids in report.missing.items():
                        count = report.counts[table_name]["not_in_file"]
                        with st.expander(
                            tn("data.missing.table", count, language, table=table_label(table_name))
                        ):
                            table(
                                pd.DataFrame({"id": ids}),
                                {"id": t("data.missing.ids", language)},
                                language,
                                key=f"data_missing_{table_name}",
                                title=f"{t('data.missing.ids', language)} {table_label(table_name)}",
                            )
                    confirmed = st.checkbox(
                        tn("data.missing.confirm", report.not_in_file, language),
                        key="data_missing_confirm",
                        disabled=locked,
                    )
                    if st.button(
                        tn("data.missing.delete", report.not_in_file, language),
                        disabled=locked or not confirmed,
                        key="data_missing_delete",
                    ):
                        try:
                            again = import_files(
                                con, files, delete_missing=True, who=author(member)
                            )
                        except CoinvestError as exc:
                            st.error(exc.message(language, markdown=True))
                        else:
                            st.session_state[LAST_IMPORT] = (files, again, True)
                            if again.loaded:
                                st.cache_data.clear()
                            st.rerun()

with tab_templates:
    if tab_templates.open is not False:  # the chosen tab only
        st.write(t("data.templates.intro", language))
        st.download_button(
            t("data.templates.xlsx", language),
            data=template_xlsx(),
            file_name="coinvest-modele.xlsx",
            mime=XLSX,
            key="dl_template_xlsx",
        )
        st.download_button(
            t("data.templates.zip", language),
            data=template_zip(),
            file_name="coinvest-modele-csv.zip",
            mime="application/zip",
            key="dl_template_zip",
        )

with tab_export:
    if tab_export.open is not False:  # the chosen tab only
        st.write(t("data.export.intro", language))
        sheet_name = st.selectbox(
            t("data.export.table", language),
            [s.name for s in SHEETS if s.portfolio],
            format_func=lambda name: t(f"sheet.{name}", language),
            key=lang_key("data_export_table"),
        )
        # the table is read only when asked for: at national scale it holds a lot of rows
        if st.button(t("data.export.table_prepare", language), key="data_table_prepare"):
            frame = table_frame(con, sheet_name, flt)
            st.session_state["data_table"] = (
                sheet_name,
                len(frame),
                frame_to_csv(frame),
                frame_to_xlsx(frame, sheet_name),
            )
        prepared = st.session_state.get("data_table")
        if prepared and prepared[0] == sheet_name:
            st.caption(
                tn(
                    "data.export.rows",
                    prepared[1],
                    language,
                    n=format_number(prepared[1], lang=language),
                )
            )
            left, right = st.columns(2)
            left.download_button(
                t("table.download.csv", language),
                data=prepared[2],
                file_name=f"{sheet_name}.csv",
                mime="text/csv",
                key="dl_table_csv",
            )
            right.download_button(
                t("table.download.xlsx", language),
                data=prepared[3],
                file_name=f"{sheet_name}.xlsx",
                mime=XLSX,
                key="dl_table_xlsx",
            )
        st.divider()
        st.write(t("data.export.figures", language))
        if st.button(t("data.export.figures_prepare", language), key="data_figures_prepare"):
            st.session_state["data_figures_zip"] = (flt, export_zip(con, flt))
        figures = st.session_state.get("data_figures_zip")
        if figures and figures[0] == flt:  # prepared for this filter, not an earlier one
            st.download_button(
                t("data.export.figures_download", language),
                data=figures[1],
                file_name=f"coinvest-{t('data.export.figures_file', language)}.zip",
                mime="application/zip",
                key="dl_figures",
            )
        st.divider()
        st.write(t("data.export.portfolio", language))
        if st.button(t("data.export.prepare", language), key="data_prepare"):
            st.session_state["data_prepared_for"] = (flt, language)  # the report is in a language
            st.session_state["data_portfolio_xlsx"] = export_portfolio_xlsx(con, flt)
            document = committee_report(con, flt, language)
            st.session_state["data_report_html"] = document
            try:
                st.session_state["data_report_pdf"] = report_pdf(document)
            except CoinvestError as exc:
                st.session_state["data_report_pdf"] = exc
        if "data_portfolio_xlsx" in st.session_state and st.session_state.get(
            "data_prepared_for"
        ) == (
            flt,
            language,
        ):
            st.download_button(
                t("data.export.workbook", language),
                data=st.session_state["data_portfolio_xlsx"],
                file_name=f"coinvest-{t('data.export.workbook_file', language)}.xlsx",
                mime=XLSX,
                key="dl_portfolio",
            )
            st.download_button(
                t("data.export.report", language),
                data=st.session_state["data_report_html"].encode("utf-8"),
                file_name=file_name(language, "html"),
                mime="text/html",
                key="dl_report",
            )
            pdf = st.session_state.get("data_report_pdf")
            if isinstance(pdf, bytes):
                st.download_button(
                    t("data.export.report_pdf", language),
                    data=pdf,
                    file_name=file_name(language, "pdf"),
                    mime="application/pdf",
                    key="dl_report_pdf",
                )
            elif isinstance(pdf, CoinvestError):
                st.warning(pdf.message(language, markdown=True))

with tab_form:
    if tab_form.open is not False:  # the chosen tab only
        st.write(t("data.form.intro", language))
        search = st.text_input(t("data.form.search", language), key="form_search")
        matches = find_projects(con, search or "", limit=50, scope=flt.scope)
        if matches.empty:
            st.info(t("data.form.no_project", language))
        else:
            project_id = st.selectbox(
                t("data.form.project", language),
                list(matches["project_id"]),
                format_func=lambda pid: (
                    f"{dict(zip(matches['project_id'], matches['name'], strict=True))[pid]} ({pid})"
                ),
                key="form_project",
            )
            viewpoint_names = ref.labels(ref.VIEWPOINTS, language)
            if admin:
                viewpoint = st.selectbox(
                    t("data.form.viewpoint", language),
                    list(ref.VIEWPOINT_CODES),
                    format_func=lambda v: viewpoint_names[v],
                    key=lang_key("form_viewpoint"),
                )
                orgs = related_organisations(con, project_id, flt.scope)
                assessor = st.selectbox(
                    t("data.form.assessor", language),
                    list(orgs["org_id"]),
                    format_func=lambda oid: dict(zip(orgs["org_id"], orgs["name"], strict=True))[
                        oid
                    ],
                    key="form_assessor",
                )
            else:
                # a member answers for their organisation, from their role's viewpoint (DESIGN §10)
                assert member is not None
                assert member.viewpoint is not None
                viewpoint, assessor = member.viewpoint, member.org_id
                st.markdown(
                    t(
                        "data.form.as_member",
                        language,
                        organisation=md_escape(member.org_name),
                        viewpoint=viewpoint_names[viewpoint],
                    )
                )
            scale = " · ".join(
                f"{level} {ref.maturity_label(level, language)}" for level in ref.MATURITY_SCALE
            )
            with st.form("questionnaire", clear_on_submit=False):
                assessed_on = st.date_input(
                    t("data.form.date", language),
                    value=date.today(),
                    format="DD/MM/YYYY",
                    key="form_date",
                )
                scores: dict[str, int | None] = {}
                for lever in ref.LEVERS:
                    st.markdown(f"**{lever.label(language)}**")
                    for question in lever.questions:
                        scores[question.code] = st.radio(
                            question.label(language),
                            options=[None, 0, 1, 2, 3, 4],
                            format_func=lambda s: "—" if s is None else str(s),
                            horizontal=True,
                            help=f"{question.code} · {question.label(language)} — {scale}",
                            key=f"form_{question.code}",
                        )
                comment = st.text_area(t("data.form.comment", language), key="form_comment")
                submitted = st.form_submit_button(
                    t("data.form.save", language), type="primary", disabled=locked
                )
            if submitted and not locked:
                try:
                    saved = save_assessment(
                        con,
                        AssessmentInput(
                            project_id, viewpoint, assessor, assessed_on, scores, comment
                        ),
                        member,
                    )
                except CoinvestError as exc:
                    st.error(exc.message(language, markdown=True))
                else:
                    st.cache_data.clear()
                    st.success(t("data.form.saved", language, id=md_escape(saved)))

if tab_log is not None:
    with tab_log:
        if tab_log.open is not False:  # the chosen tab only
            # imports and their undo (DESIGN §11), then every change, filterable and exportable
            if "revert_flash" in st.session_state:
                st.success(st.session_state.pop("revert_flash"))
            done = imports(con, limit=200)
            if done.empty:
                st.info(t("data.log.empty", language))
            else:
                done["kind"] = [
                    t("data.log.revert_of", language, id=int(r)) if pd.notna(r) else ""
                    for r in done["reverts"]
                ]
                table(
                    done,
                    {
                        "import_id": t("data.log.id", language),
                        "imported_at": t("data.log.when", language),
                        "who": t("data.log.who", language),
                        "file_name": t("data.log.files", language),
                        "counts": t("data.log.counts", language),
                        "kind": t("data.log.kind", language),
                    },
                    language,
                    formats={"imported_at": day(language), "import_id": number(0, language)},
                    key="data_log",
                    title=t("data.tab.log", language),
                )
                with st.form("revert_form"):
                    st.markdown(f"**{t('data.revert.title', language)}**")
                    chosen = st.selectbox(
                        t("data.revert.choose", language),
                        [int(i) for i in done["import_id"]],
                        index=None,
                        format_func=lambda i: t("data.revert.option", language, id=i),
                        placeholder=t("filter.choose", language),
                        key="revert_choice",
                    )
                    sure = st.checkbox(t("data.revert.confirm", language), key="revert_sure")
                    if st.form_submit_button(t("data.revert.run", language), disabled=locked):
                        if chosen is None or not sure:
                            st.warning(t("data.revert.confirm_first", language))
                        else:
                            try:
                                undone = revert(con, chosen, author(member))
                            except CoinvestError as exc:
                                st.error(exc.message(language, markdown=True))
                            else:
                                st.cache_data.clear()
                                st.session_state.pop(LAST_IMPORT, None)  # its report is history now
                                st.session_state["revert_flash"] = t(
                                    "data.revert.done", language, id=chosen, revert=undone.import_id
                                )
                                st.rerun()
            st.subheader(t("data.journal.title", language))
            left, middle, right = st.columns(3)
            journal_table = left.selectbox(
                t("data.journal.table", language),
                list(ORDER),
                index=None,
                format_func=table_label,
                placeholder=t("data.journal.all", language),
                key="journal_table",
            )
            journal_project = middle.text_input(
                t("data.journal.project", language), key="journal_project"
            )
            journal_since = right.date_input(
                t("data.journal.since", language),
                value=None,
                format="DD/MM/YYYY",
                key="journal_since",
            )
            journal = history(
                con,
                project_id=journal_project.strip() or None,
                since=None
                if journal_since is None
                else datetime.combine(journal_since, datetime.min.time()),
                table=journal_table,
                limit=JOURNAL_ROWS,
            )
            if journal.empty:
                st.info(t("data.journal.empty", language))
            else:
                if len(journal) == JOURNAL_ROWS:
                    st.caption(t("data.journal.capped", language, n=JOURNAL_ROWS))
                history_table(
                    journal, language, key="data_journal", title=t("data.journal.title", language)
                )

if tab_members is not None:
    with tab_members:
        if tab_members.open is not False:  # the chosen tab only
            # the instance's members; a change here holds at the person's next page load (the CLI's
            # `coinvest members` and a `members` sheet do the same while the app is stopped)
            st.write(t("data.members.intro", language))
            if "member_flash" in st.session_state:  # what the last change did, before its rerun
                st.success(st.session_state.pop("member_flash"))
            role_names = ref.labels(ref.ROLES, language)
            members = list_members(con)
            members["role_label"] = members["role"].map(role_names)
            table(
                members,
                {
                    "email": t("data.members.email", language),
                    "org_name": t("data.members.organisation", language),
                    "org_id": t("data.members.org_id", language),
                    "role_label": t("data.members.role", language),
                    "added_at": t("data.members.added", language),
                },
                language,
                formats={"added_at": day(language)},
                key="data_members",
                title=t("data.tab.members", language),
            )
            add_col, remove_col = st.columns(2)
            with add_col.form("member_add", clear_on_submit=True):
                st.markdown(f"**{t('data.members.add', language)}**")
                email = st.text_input(t("data.members.email", language), key="member_email")
                organisations = organisation_names(con)
                org_id = st.selectbox(
                    t("data.members.organisation", language),
                    list(organisations),
                    index=None,
                    format_func=lambda oid: f"{organisations[oid]} ({oid})",
                    placeholder=t("filter.choose", language),
                    key="member_org",
                )
                role = st.selectbox(
                    t("data.members.role", language),
                    list(ref.ROLE_CODES),
                    format_func=lambda code: role_names[code],
                    key=lang_key("member_role"),
                )
                if st.form_submit_button(t("data.members.add", language), disabled=locked):
                    try:
                        added, replaced = add_member(con, email, org_id or "", role, author(member))
                    except CoinvestError as exc:
                        st.error(exc.message(language, markdown=True))
                    else:
                        key = "data.members.replaced" if replaced else "data.members.added_one"
                        st.session_state["member_flash"] = t(
                            key, language, email=md_escape(added.email)
                        )
                        st.rerun()
            with remove_col.form("member_remove"):
                st.markdown(f"**{t('data.members.remove', language)}**")
                gone = st.selectbox(
                    t("data.members.email", language),
                    list(members["email"]),
                    index=None,
                    placeholder=t("filter.choose", language),
                    key="member_gone",
                )
                sure = st.checkbox(t("data.members.confirm", language), key="member_sure")
                if st.form_submit_button(t("data.members.remove", language), disabled=locked):
                    if gone and sure:
                        remove_member(con, gone, author(member))
                        st.session_state["member_flash"] = t(
                            "data.members.removed", language, email=md_escape(gone)
                        )
                        st.rerun()
                    else:
                        st.warning(t("data.members.confirm_first", language))
