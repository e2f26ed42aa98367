"""Societal utility (docs/pages.md): indicators, achievement against targets, cost per beneficiary."""

import streamlit as st

from coinvest.i18n import format_eur, format_number, t
from ui.cache import M
from ui.charts import bar_chart, histogram
from ui.context import connection, current_filter, lang, no_match
from ui.header import header
from ui.show import chart, eur, number, pct, table

BAND = 20.0

language = lang()
con = connection()
flt = current_filter()
header(con, flt, language, "utility.title", "utility.caption")
if no_match(flt, M.project_count(con, flt), language):
    st.stop()

figures = M.utility_figures(con, flt, 10)  # the tiles and the cost table's two ends
overview = figures["overview"]
tiles = st.columns(4)
tiles[0].metric(
    t("utility.median_index", language),
    format_number(overview["median_utility"], 0, language),
    help=t("utility.median_index.help", language),
)
tiles[1].metric(
    t("utility.measured", language), format_number(overview["projects_with_index"], lang=language)
)
tiles[2].metric(
    t("kpi.beneficiaries", language),
    format_number(overview["beneficiaries"], lang=language),
    help=t("kpi.beneficiaries.help", language),
)
tiles[3].metric(
    t("utility.median_cost", language),
    format_eur(overview["median_cost_per_beneficiary"], lang=language),
    help=t(
        "utility.median_cost.help" if flt.investor else "utility.median_cost.help_all", language
    ),
)

indicators = M.indicator_summary(con, flt)
if indicators.empty:
    st.info(t("utility.no_measurement", language))
    st.stop()
indicators["label"] = indicators["name_en" if language == "en" else "name_fr"].fillna(
    indicators["name_fr"]
)
targeted = indicators.dropna(subset=["mean_achievement"])
left, right = st.columns(2, gap="large")
with left:
    chart(
        bar_chart(
            targeted.assign(percent=targeted["mean_achievement"] * 100),
            category="label",
            value="percent",
            category_title=t("utility.indicator", language),
            value_title=t("utility.achievement", language),
            title=t("utility.achievement.title", language),
            description=t("utility.achievement.description", language),
            lang=language,
        ),
        indicators,
        {
            "label": t("utility.indicator", language),
            "unit": t("utility.unit", language),
            "projects": t("col.projects", language),
            "measurements": t("utility.measurements", language),
            "with_target": t("utility.with_target", language),
            "mean_achievement": t("utility.achievement", language),
            "share_met": t("utility.share_met", language),
        },
        language,
        formats={
            "projects": number(0, language),
            "measurements": number(0, language),
            "with_target": number(0, language),
            "mean_achievement": pct(language),
            "share_met": pct(language),
        },
        key="ut_indicators",
    )
with right:
    bands = M.utility_histogram(con, flt, BAND)
    if bands.empty:
        st.info(t("utility.no_index", language))
    else:
        chart(
            histogram(
                bands,
                start="band_start",
                count="projects",
                width=BAND,
                start_title=t("utility.index", language),
                count_title=t("col.projects", language),
                title=t("utility.histogram.title", language),
                description=t("utility.histogram.description", language, band=int(BAND)),
                lang=language,
            ),
            bands,
            {"band_start": t("utility.band", language), "projects": t("col.projects", language)},
            language,
            formats={"band_start": number(0, language)},
            key="ut_histogram",
        )

st.header(t("utility.cost", language))
st.caption(t("utility.cost.caption" if flt.investor else "utility.cost.caption_all", language))
columns = {
    "name": t("col.project", language),
    "project_id": t("col.code", language),
    "eur": t("utility.eur", language),
    "beneficiaries": t("kpi.beneficiaries", language),
    "cost_per_beneficiary": t("utility.cost_per_beneficiary", language),
}
formats = {
    "eur": eur(language),
    "beneficiaries": number(0, language),
    "cost_per_beneficiary": eur(language),
}
for side, key in (("highest", "ut_cost_high"), ("lowest", "ut_cost_low")):
    heading = t(f"utility.cost.{side}", language)
    st.subheader(heading)
    table(
        figures[side],
        columns,
        language,
        formats,
        key=key,
        select=True,
        title=heading,
        flt=flt,
    )
