"""Import (docs/import.md): the user's files validated whole, then written in one transaction or
not at all; rows missing from the file deleted only in a second, confirmed step."""

import sys

import pandas as pd
import streamlit as st

from coinvest.audit import author
from coinvest.errors import CoinvestError
from coinvest.i18n import t, tn
from coinvest.importer import import_files, max_import_bytes
from ui.header import name_uploader
from ui.show import number, table
from ui.show import table_label as show_table_label
from ui.tools import open_tool

LAST_IMPORT = "data_last_import"  # (files, report, deletion done) of this session's last import

tool = open_tool("import")
language, con, member, locked = tool.language, tool.con, tool.member, tool.locked


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


st.write(t("data.import.intro", language, limit=round(max_import_bytes() / 1024 / 1024)))
uploads = st.file_uploader(
    t("data.import.files", language),
    type=["xlsx", "csv", "zip", "txt"],
    accept_multiple_files=True,
    key="data_upload",
    disabled=locked,
)
name_uploader(language)
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
        st.success(t("data.import.deleted" if deletion else "data.import.success", language))
        show_counts(report)
    else:
        st.error(tn("import.refused", len(report.errors), language))
    if report.problems:
        st.header(t("data.import.report", language))
        show_problems(report)
    if report.loaded and report.not_in_file and not deletion:
        # docs/import.md "Rules": rows missing from the file stay; deleting them is a separate,
        # confirmed step, previewed here with their counts and ids
        st.header(t("data.missing.title", language))
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
                again = import_files(con, files, delete_missing=True, who=author(member))
            except CoinvestError as exc:
                st.error(exc.message(language, markdown=True))
            else:
                st.session_state[LAST_IMPORT] = (files, again, True)
                if again.loaded:
                    st.cache_data.clear()
                st.rerun()
