"""The framework's floor: a bare Streamlit app with the elements of a typical coinvest page.

A sidebar filter, four metrics, two small Altair charts and a 20-row table, on data computed
in no time (no database, no package of ours), plus a page of static text. `bench/bench.py`
walks it with the same browser harness and in the same run as the app, so that every page of
coinvest can be read as a ratio to what Streamlit itself costs on this machine (issue #33).

Run alone with `streamlit run bench/floor/app.py`.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

st.set_page_config(page_title="floor", layout="wide")

LEVERS = ("L1", "L2", "L3", "L4", "L5", "L6", "L7")
REGIONS = ("Île-de-France", "Occitanie", "Bretagne", "Grand Est", "Normandie")


def typical(seed: int) -> None:
    """Four metrics, two small charts and a 20-row table, like a page of the app."""
    regions = st.session_state.get("floor_regions") or list(REGIONS)
    st.title(f"Page {seed}")
    st.caption("The same elements as a typical page, on data computed in no time.")
    columns = st.columns(4)
    for i, column in enumerate(columns):
        column.metric(f"Figure {i + 1}", f"{(seed * 37 + i * 11) % 97:,}", delta=f"{i - 1}")
    levers = pd.DataFrame(
        {"lever": LEVERS, "score": [(seed * 13 + i * 7) % 5 + 1 for i in range(len(LEVERS))]}
    )
    by_region = pd.DataFrame(
        {"region": regions, "projects": [(seed * 5 + i * 17) % 40 + 3 for i in range(len(regions))]}
    )
    left, right = st.columns(2)
    left.altair_chart(
        alt.Chart(levers).mark_bar().encode(x="score:Q", y=alt.Y("lever:N", sort=None)),
        use_container_width=True,
    )
    right.altair_chart(
        alt.Chart(by_region).mark_bar().encode(x="projects:Q", y=alt.Y("region:N", sort="-x")),
        use_container_width=True,
    )
    table = pd.DataFrame(
        {
            "project": [f"Projet {seed}-{i}" for i in range(20)],
            "region": [regions[i % len(regions)] for i in range(20)],
            "score": [round(((seed + i) * 7) % 50 / 10, 1) for i in range(20)],
            "euros": [(seed + i) * 1_250 for i in range(20)],
        }
    )
    st.dataframe(table, hide_index=True, use_container_width=True)


def static() -> None:
    st.title("Method")
    for part in range(6):
        st.subheader(f"Part {part + 1}")
        st.markdown("Static text, as on the app's Method page. " * 12)


def make(seed: int):
    def run() -> None:
        typical(seed)

    run.__name__ = f"page_{seed}"
    return run


pages = [
    st.Page(make(1), title="One", url_path="one", default=True),
    st.Page(make(2), title="Two", url_path="two"),
    st.Page(make(3), title="Three", url_path="three"),
    st.Page(make(4), title="Four", url_path="four"),
    st.Page(static, title="Method", url_path="method"),
]
navigation = st.navigation(pages, expanded=True)
st.sidebar.multiselect("Region", REGIONS, key="floor_regions")
navigation.run()
