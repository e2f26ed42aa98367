"""Overview (docs/pages.md): KPI tiles, the department map, projects by phase and by need."""

import streamlit as st

from coinvest.charts import labelled
from coinvest.i18n import t
from coinvest.report import headline_tiles
from ui.cache import M
from ui.charts import department_map, projects_by_chart
from ui.context import connection, current_filter, lang, lang_key
from ui.header import header
from ui.show import altair, eur, leverage_tile, map_shape, number, pct, table, unfolding
from ui.url import bound, keep, one_of

MEASURES = ("projects", "committed_eur")

language = lang()
con = connection()
flt = current_filter()

header(con, flt, language, "overview.title", "overview.caption")

kpis = M.portfolio_kpis(con, flt)
if kpis.projects == 0:
    st.info(t("overview.empty" if flt.is_empty else "overview.no_match", language))
    st.stop()

# the figures and their labels are the committee report's (coinvest.report.headline_tiles)
headline = headline_tiles(kpis, language)
tiles = st.columns(6)
tiles[0].metric(*headline[0][:2])
tiles[1].metric(*headline[1][:2], help=t("kpi.committed.help", language))
if kpis.investor:
    tiles[2].metric(*headline[2][:2])
    leverage_tile(tiles[3], kpis.leverage, M.investor_benchmark(con, flt), language)
else:
    tiles[2].metric(*headline[2][:2], help=t("kpi.resources.help", language))
    tiles[3].metric(*headline[3][:2], help=t("kpi.no_investor", language))
tiles[4].metric(*headline[4][:2], help=t("kpi.beneficiaries.help", language))
tiles[5].metric(*headline[5][:2], help=t("kpi.fragile.help", language))
if not kpis.investor:
    st.caption(t("kpi.no_investor", language))

left, right = st.columns([3, 2], gap="large")
with left:
    bound(lang_key("overview_map_measure"), "map", one_of(MEASURES), "projects")
    measure = st.radio(
        t("map.measure", language),
        options=MEASURES,
        format_func=lambda m: t(
            "map.measure.projects" if m == "projects" else "map.measure.eur", language
        ),
        horizontal=True,
        key=lang_key("overview_map_measure"),
    )
    keep("map", measure, "projects")
    shape = map_shape("overview_map_shape", language)
    by_dep = M.projects_by_department(con, flt)
    altair(department_map(by_dep, measure, language, shape), width="content", key="ov_map")
    box, shown = unfolding(t("chart.show_table", language), "ov_map_figures")
    with box:
        if shown:
            table(
                by_dep[by_dep["projects"] > 0],
                {
                    "department_name": t("col.department", language),
                    "department_code": t("col.code", language),
                    "region_name": t("col.region", language),
                    "projects": t("col.projects", language),
                    "committed_eur": t("col.committed_eur", language),
                },
                language,
                formats={"projects": number(0, language), "committed_eur": eur(language)},
                key="ov_map_table",
                title=t("map.title", language),
            )

with right:
    for column in ("phase", "need"):
        frame = labelled(M.projects_by(con, flt, column), column, language)
        altair(projects_by_chart(frame, column, language), width="stretch", key=f"ov_{column}")
        box, shown = unfolding(t("chart.show_table", language), f"ov_{column}_figures")
        with box:
            if shown:
                table(
                    frame,
                    {
                        "label": t(f"col.{column}", language),
                        "projects": t("col.projects", language),
                        "share": t("col.share", language),
                    },
                    language,
                    formats={"projects": number(0, language), "share": pct(language)},
                    key=f"ov_{column}_table",
                    title=t(f"chart.{column}.title", language),
                )
