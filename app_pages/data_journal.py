"""The journal (docs/rules.md "History"): the imports and their undo, then every change,
filterable and exportable."""

from datetime import datetime

import pandas as pd
import streamlit as st

from coinvest.audit import ORDER, author
from coinvest.errors import CoinvestError
from coinvest.history import history, imports
from coinvest.i18n import t
from coinvest.importer.revert import revert
from ui.show import day, history_table, number, table
from ui.show import table_label as show_table_label
from ui.tools import open_tool

JOURNAL_ROWS = 2000  # the journal's newest changes shown; `coinvest history` writes them all
LAST_IMPORT = "data_last_import"  # the import page's last report, history once undone

tool = open_tool("log")
language, con, member, locked = tool.language, tool.con, tool.member, tool.locked


def table_label(name: str) -> str:
    return show_table_label(name, language)


# imports and their undo (docs/rules.md "History"), then every change, filterable and exportable
if "revert_flash" in st.session_state:
    st.success(st.session_state.pop("revert_flash"))
done = imports(con, limit=200)
if done.empty:
    st.info(t("data.log.empty", language))
else:
    done["kind"] = [
        t("data.log.revert_of", language, id=int(r)) if pd.notna(r) else "" for r in done["reverts"]
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
st.header(t("data.journal.title", language))
left, middle, right = st.columns(3)
journal_table = left.selectbox(
    t("data.journal.table", language),
    list(ORDER),
    index=None,
    format_func=table_label,
    placeholder=t("data.journal.all", language),
    key="journal_table",
)
journal_project = middle.text_input(t("data.journal.project", language), key="journal_project")
journal_since = right.date_input(
    t("data.journal.since", language),
    value=None,
    format="DD/MM/YYYY",
    key="journal_since",
)
journal = history(
    con,
    project_id=journal_project.strip() or None,
    since=None if journal_since is None else datetime.combine(journal_since, datetime.min.time()),
    table=journal_table,
    limit=JOURNAL_ROWS,
)
if journal.empty:
    st.info(t("data.journal.empty", language))
else:
    if len(journal) == JOURNAL_ROWS:
        st.caption(t("data.journal.capped", language, n=JOURNAL_ROWS))
    history_table(journal, language, key="data_journal", title=t("data.journal.title", language))
