"""Overview (DESIGN §5.1): KPI tiles, the department map, projects by phase and by need."""

import streamlit as st

from coinvest.charts import department_map, projects_by_chart
from coinvest.i18n import format_eur, format_number, format_pct, t
from ui.cache import M
from ui.context import connection, current_filter, lang, lang_key

language = lang()
con = connection()
flt = current_filter()

st.title(t("overview.title", language))
st.caption(t("overview.caption", language))

kpis = M.portfolio_kpis(con, flt)
if kpis.projects == 0:
    st.info(t("overview.empty" if flt.is_empty else "overview.no_match", language))
    st.stop()

tiles = st.columns(6)
tiles[0].metric(t("kpi.projects", language), format_number(kpis.projects, lang=language))
tiles[1].metric(
    t("kpi.committed", language),
    format_eur(kpis.committed_eur, lang=language, compact=True),
    help=t("kpi.committed.help", language),
)
if kpis.investor:
    tiles[2].metric(
        t("kpi.levered", language), format_eur(kpis.levered_eur, lang=language, compact=True)
    )
    tiles[3].metric(t("kpi.leverage", language), format_number(kpis.leverage, 2, language))
else:
    tiles[2].metric(
        t("kpi.resources", language),
        format_eur(kpis.resources_eur, lang=language, compact=True),
        help=t("kpi.resources.help", language),
    )
    tiles[3].metric(t("kpi.leverage", language), "—", help=t("kpi.no_investor", language))
tiles[4].metric(
    t("kpi.beneficiaries", language),
    format_number(kpis.beneficiaries, lang=language),
    help=t("kpi.beneficiaries.help", language),
)
tiles[5].metric(
    t("kpi.fragile", language),
    format_pct(kpis.fragile_share, lang=language),
    help=t("kpi.fragile.help", language),
)
if not kpis.investor:
    st.caption(t("kpi.no_investor", language))

left, right = st.columns([3, 2], gap="large")
with left:
    measure = st.radio(
        t("map.measure", language),
        options=["projects", "committed_eur"],
        format_func=lambda m: t(
            "map.measure.projects" if m == "projects" else "map.measure.eur", language
        ),
        horizontal=True,
        key=lang_key("overview_map_measure"),
    )
    by_dep = M.projects_by_department(con, flt)
    st.altair_chart(department_map(by_dep, measure, language), width="content")
    with st.expander(t("chart.show_table", language)):
        table = by_dep[by_dep["projects"] > 0][
            ["department_code", "department_name", "region_name", "projects", "committed_eur"]
        ]
        st.dataframe(
            table.rename(
                columns={
                    "department_code": t("col.code", language),
                    "department_name": t("col.department", language),
                    "region_name": t("col.region", language),
                    "projects": t("col.projects", language),
                    "committed_eur": t("col.committed_eur", language),
                }
            ),
            hide_index=True,
        )

with right:
    for column in ("phase", "need"):
        frame = M.projects_by(con, flt, column)
        st.altair_chart(projects_by_chart(frame, column, language), width="stretch")
        with st.expander(t("chart.show_table", language)):
            st.dataframe(
                frame[["label", "projects", "share"]].rename(
                    columns={
                        "label": t(f"col.{column}", language),
                        "projects": t("col.projects", language),
                        "share": t("col.share", language),
                    }
                ),
                hide_index=True,
                column_config={
                    t("col.share", language): st.column_config.NumberColumn(format="percent")
                },
            )
