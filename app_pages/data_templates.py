"""Templates (docs/import.md): the import workbook and its CSV files, each sheet with its columns,
their rules and an example row."""

import streamlit as st

from coinvest.i18n import t
from coinvest.workbook import build_template_xlsx, build_template_zip
from ui.tools import open_tool

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@st.cache_data(show_spinner=False)
def template_xlsx() -> bytes:
    return build_template_xlsx()


@st.cache_data(show_spinner=False)
def template_zip() -> bytes:
    return build_template_zip()


language = open_tool("templates").language

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
