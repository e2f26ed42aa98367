"""coinvest — the Streamlit entry point: page config and navigation.

Run with `make run` (or `streamlit run app.py` with COINVEST_DB set).
"""

from pathlib import Path

import streamlit as st

from coinvest.i18n import t
from ui.context import lang

HERE = Path(__file__).parent

st.set_page_config(page_title="coinvest", page_icon="🧭", layout="wide")

language = lang()
pages = {
    t("app.section.territory", language): [
        st.Page(
            HERE / "app_pages" / "overview.py",
            title=t("overview.title", language),
            icon=":material/map:",
            url_path="overview",
            default=True,
        ),
    ],
    t("app.section.data", language): [
        st.Page(
            HERE / "app_pages" / "data.py",
            title=t("data.title", language),
            icon=":material/upload_file:",
            url_path="data",
        ),
    ],
    t("app.section.reference", language): [
        st.Page(
            HERE / "app_pages" / "method.py",
            title=t("method.title", language),
            icon=":material/menu_book:",
            url_path="method",
        ),
    ],
}
st.sidebar.caption(t("app.tagline", language))
st.navigation(pages).run()
