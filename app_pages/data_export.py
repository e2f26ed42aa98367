"""Exports (docs/import.md "Exports"): one table of the filtered portfolio, every figure, the
whole portfolio as an importable workbook and the committee report, each prepared on request."""

import streamlit as st

from coinvest.errors import CoinvestError
from coinvest.export import export_zip
from coinvest.i18n import format_number, t, tn
from coinvest.interchange import SHEETS
from coinvest.people import file_slug, interchange_for_people, interchange_sheet_name
from coinvest.report import committee_report, file_name, report_pdf
from coinvest.workbook import export_portfolio_xlsx, frame_to_csv, frame_to_xlsx, table_frame
from ui.context import lang_key
from ui.tools import open_tool

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Downloads prepared on this page belong to who asked and for what (docs/rules.md "Sign-in and scope"): a
# change of filter, language, role, organisation or person drops them, so a member demoted
# while the tab stays open never keeps what they prepared as an admin.
PREPARED = (
    "data_table",
    "data_figures_zip",
    "data_portfolio_xlsx",
    "data_report_html",
    "data_report_pdf",
)

tool = open_tool("export")
language, con, flt, member = tool.language, tool.con, tool.flt, tool.member
prepared_for = (
    flt,
    language,
    None if member is None else (member.email, member.role, member.org_id),
)
if st.session_state.get("data_prepared_key") != prepared_for:
    for name in PREPARED:
        st.session_state.pop(name, None)
    st.session_state["data_prepared_key"] = prepared_for

st.write(t("data.export.intro", language))
sheet_name = st.selectbox(
    t("data.export.table", language),
    [s.name for s in SHEETS if s.portfolio],
    format_func=lambda name: t(f"sheet.{name}", language),
    key=lang_key("data_export_table"),
)
# the table is read only when asked for: at national scale it holds a lot of rows
if st.button(t("data.export.table_prepare", language), key="data_table_prepare"):
    # a file for people: headers and codes in the reader's language (docs/import.md "Exports")
    frame = interchange_for_people(table_frame(con, sheet_name, flt), sheet_name, language)
    label = interchange_sheet_name(sheet_name, language)
    st.session_state["data_table"] = (
        sheet_name,
        len(frame),
        frame_to_csv(frame),
        frame_to_xlsx(frame, label),
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
        file_name=f"coinvest-{file_slug(interchange_sheet_name(sheet_name, language))}.csv",
        mime="text/csv",
        key="dl_table_csv",
    )
    right.download_button(
        t("table.download.xlsx", language),
        data=prepared[3],
        file_name=f"coinvest-{file_slug(interchange_sheet_name(sheet_name, language))}.xlsx",
        mime=XLSX,
        key="dl_table_xlsx",
    )
st.divider()
st.write(t("data.export.figures", language))
if st.button(t("data.export.figures_prepare", language), key="data_figures_prepare"):
    st.session_state["data_figures_zip"] = (flt, export_zip(con, flt, language))
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
    with st.spinner(t("data.export.preparing_workbook", language)):
        st.session_state["data_portfolio_xlsx"] = (flt, export_portfolio_xlsx(con, flt))
workbook = st.session_state.get("data_portfolio_xlsx")
if workbook and workbook[0] == flt:
    st.download_button(
        t("data.export.workbook", language),
        data=workbook[1],
        file_name=f"coinvest-{t('data.export.workbook_file', language)}.xlsx",
        mime=XLSX,
        key="dl_portfolio",
    )
st.divider()
st.write(t("data.export.report_intro", language))
if st.button(t("data.export.report_prepare", language), key="data_report_prepare"):
    # the report is in a language: prepared for this filter and this language only
    with st.status(t("data.export.report_preparing", language), expanded=True) as status:
        st.write(t("data.export.report_step.figures", language))
        document = committee_report(con, flt, language)
        st.session_state["data_report_html"] = (flt, language, document)
        st.write(t("data.export.report_step.pdf", language))
        try:
            pdf: bytes | CoinvestError = report_pdf(document)
        except CoinvestError as exc:
            pdf = exc
        st.session_state["data_report_pdf"] = (flt, language, pdf)
        status.update(
            label=t("data.export.report_ready", language), state="complete", expanded=False
        )
report = st.session_state.get("data_report_html")
if report and report[:2] == (flt, language):
    st.download_button(
        t("data.export.report", language),
        data=report[2].encode("utf-8"),
        file_name=file_name(language, "html"),
        mime="text/html",
        key="dl_report",
    )
    pdf_prepared = st.session_state.get("data_report_pdf")
    pdf = pdf_prepared[2] if pdf_prepared else None
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
