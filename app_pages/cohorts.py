"""Cohorts (docs/pages.md): 2–4 cohorts side by side, distributions and progress between rounds."""

import streamlit as st

from coinvest import reference as ref
from coinvest.i18n import md_escape, t
from ui.cache import M
from ui.charts import box_plot, grouped_bars
from ui.context import connection, current_filter, lang, no_match
from ui.header import header
from ui.rounds import campaign_round
from ui.show import chart, number, pct, table
from ui.url import keep, many_of, seed

language = lang()
con = connection()
flt = current_filter()
header(con, flt, language, "cohorts.title", "cohorts.caption")
flt = campaign_round(con, flt, language)  # a campaign's round, when one is picked
if no_match(flt, M.project_count(con, flt), language):
    st.stop()

figures = M.cohort_figures(con, flt)
if figures.empty:
    st.info(t("cohorts.none", language))
    st.stop()
labels = dict(
    zip(figures["cohort_id"], figures["name"] + " (" + figures["cohort_id"] + ")", strict=True)
)
seed("coh_pick", "cohorts", many_of(labels, limit=4))
if "coh_pick" not in st.session_state or not set(st.session_state["coh_pick"]) <= set(labels):
    st.session_state["coh_pick"] = list(figures["cohort_id"])[:3]
picked = st.multiselect(
    t("cohorts.pick", language),
    placeholder=t("filter.choose", language),
    options=list(labels),
    format_func=labels.get,
    max_selections=4,
    select_all=False,  # at most four: picking them all is no choice
    key="coh_pick",
)
keep("cohorts", picked)
if not picked:
    st.info(t("cohorts.pick_one", language))
    st.stop()
if len(picked) == 1:
    st.caption(t("cohorts.one", language))
shown = figures[figures["cohort_id"].isin(picked)].copy()
shown["label"] = shown["cohort_id"].map(labels)
small = shown[shown["size"] == 1]
if not small.empty:
    st.info(
        t(
            "cohorts.single_project",
            language,
            cohorts=", ".join(md_escape(label) for label in small["label"]),
        )
    )

columns = {
    "label": t("col.cohort", language),
    "year": t("col.year", language),
    "size": t("col.projects", language),
    "median_maturity_first": t("cohorts.col.first", language),
    "median_maturity_latest": t("cohorts.col.latest", language),
    "median_utility": t("cohorts.col.utility", language),
}
if flt.investor:
    columns["median_leverage"] = t("cohorts.col.leverage", language)
else:
    st.caption(t("kpi.no_investor", language))
table(
    shown,
    columns,
    language,
    formats={
        "median_maturity_first": number(1, language),
        "median_maturity_latest": number(1, language),
        "median_utility": number(0, language),
        "median_leverage": number(2, language),
    },
    key="coh_figures",
    title=t("cohorts.title", language),
)

spread = M.cohort_maturity_spread(con, flt)
spread = spread[spread["cohort_id"].isin(picked)].copy()
spread["label"] = spread["cohort_id"].map(labels)
spread["round_label"] = spread["round"].map(lambda r: t(f"cohorts.round.{r}", language))
lever_names = ref.labels(ref.LEVERS, language)
left, right = st.columns(2, gap="large")
with left:
    if spread.empty:
        st.info(t("cohorts.no_scores", language))
    else:
        chart(
            box_plot(
                spread,
                category="label",
                group="round_label",
                category_title=t("col.cohort", language),
                group_title=t("col.round", language),
                value_title=t("cohorts.maturity", language),
                title=t("cohorts.spread.title", language),
                description=t("cohorts.spread.description", language),
                lang=language,
            ),
            spread,
            {
                "label": t("col.cohort", language),
                "round_label": t("col.round", language),
                "projects": t("col.projects", language),
                "min": t("col.min", language),
                "q1": t("col.q1", language),
                "median": t("col.median", language),
                "q3": t("col.q3", language),
                "max": t("col.max", language),
            },
            language,
            formats={c: number(1, language) for c in ("min", "q1", "median", "q3", "max")},
            key="coh_spread",
        )
with right:
    progress = M.cohort_progress(con, flt)
    progress = progress[progress["cohort_id"].isin(picked)].copy()
    if progress.empty:
        st.info(t("cohorts.no_progress", language))
    else:
        progress["label"] = progress["cohort_id"].map(labels)
        progress["lever_label"] = progress["lever"].map(lever_names)
        chart(
            grouped_bars(
                progress,
                category="lever_label",
                value="median_progress",
                group="label",
                category_title=t("col.lever", language),
                value_title=t("cohorts.progress", language),
                group_title=t("col.cohort", language),
                title=t("cohorts.progress.title", language),
                description=t("cohorts.progress.description", language),
                lang=language,
                sort=[lever_names[c] for c in ref.LEVER_CODES],
            ),
            progress,
            {
                "label": t("col.cohort", language),
                "lever_label": t("col.lever", language),
                "median_progress": t("cohorts.progress", language),
                "projects": t("col.projects", language),
            },
            language,
            formats={"median_progress": number(1, language)},
            key="coh_progress",
        )

phases = M.cohort_phases(con, flt)
phases = phases[phases["cohort_id"].isin(picked)].copy()
phases["label"] = phases["cohort_id"].map(labels)
phase_names = ref.labels(ref.PHASES, language)
phases["phase_label"] = phases["phase"].map(phase_names)
chart(
    grouped_bars(
        phases,
        category="label",
        value="share",
        group="phase_label",
        category_title=t("col.cohort", language),
        value_title=t("col.share", language),
        group_title=t("col.phase", language),
        title=t("cohorts.phases.title", language),
        description=t("cohorts.phases.description", language),
        lang=language,
        value_format=".0%",
        stacked=True,
        groups=[phase_names[c] for c in ref.PHASE_CODES],  # the process order
    ),
    phases,
    {
        "label": t("col.cohort", language),
        "phase_label": t("col.phase", language),
        "projects": t("col.projects", language),
        "share": t("col.share", language),
    },
    language,
    formats={"share": pct(language)},
    key="coh_phases",
)
