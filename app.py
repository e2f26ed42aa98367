"""coinvest — the Streamlit entry point: page config, navigation and the global filter.

Run with `make run` (`python serve.py`: the libraries loaded as the server starts), or
`streamlit run app.py`, with COINVEST_DB set.
"""

from pathlib import Path

import streamlit as st

import ui.show  # noqa: F401 - the charts (Altair) and tables, loaded with the app, not at a first chart
from coinvest.i18n import t
from ui import freeze_loaded_modules
from ui.access import configuration_gate, gate
from ui.context import connection, follow_writes, lang, language_switch, sidebar_filter
from ui.header import app_style
from ui.tools import tools_for
from ui.url import fix_address_after_switch

HERE = Path(__file__).parent

freeze_loaded_modules()  # once per process: the modules just loaded leave the collector's watch

st.set_page_config(page_title="coinvest", page_icon="🧭", layout="wide")

language = lang()
st.html(app_style(language))


def page(file: str, title_key: str, icon: str, url_path: str, default: bool = False) -> st.Page:
    return st.Page(
        HERE / "app_pages" / file,
        title=t(title_key, language),
        icon=icon,
        url_path=url_path,
        default=default,
    )


pages = {
    t("app.section.territory", language): [
        page("overview.py", "overview.title", ":material/map:", "overview", default=True),
        page("utility.py", "utility.title", ":material/volunteer_activism:", "utility"),
        page("territories.py", "territories.title", ":material/location_on:", "territories"),
    ],
    t("app.section.projects", language): [
        page("compare.py", "compare.title", ":material/radar:", "compare"),
        page("viewpoints.py", "viewpoints.title", ":material/visibility:", "viewpoints"),
        page("cohorts.py", "cohorts.title", ":material/groups:", "cohorts"),
        page("project.py", "project.title", ":material/description:", "project"),
        page("needs.py", "needs.title", ":material/route:", "needs"),
    ],
    t("app.section.money", language): [
        page("partnerships.py", "partnerships.title", ":material/handshake:", "partnerships"),
        page("whatif.py", "whatif.title", ":material/tune:", "whatif"),
    ],
}
# a sign-in configuration that is incomplete or misspelt: one page saying what is missing
configuration_gate(language)
con = connection()  # a clear message, and a stop, when the database cannot be opened
follow_writes(con)  # another instance's import shows at this run
language_switch()
# shared mode: the sign-in page, or the no-access page, and a stop; else who is signed in
member = gate(con, language)
# the data tools a person may use, one page each (an admin's only for an admin)
pages[t("app.section.data", language)] = [
    *(page(file, f"data.tab.{name}", icon, path) for name, file, path, icon in tools_for(member)),
    page("method.py", "method.title", ":material/menu_book:", "method"),
]
# every page shown: the data tools would otherwise hide behind "Voir plus" (ten pages at most)
navigation = st.navigation(pages, expanded=True)
sidebar_filter()
fix_address_after_switch(navigation.url_path)
st.sidebar.caption(t("app.tagline", language))
navigation.run()
