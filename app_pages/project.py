"""The project sheet: one project's levers by viewpoint, its rounds over time, its investments,
contributions and indicators. Opened from any project table, or by picking a project here."""

import pandas as pd
import streamlit as st

from coinvest import lookups
from coinvest import reference as ref
from coinvest.charts import heatmap, line_chart
from coinvest.filters import PortfolioFilter
from coinvest.i18n import format_eur, format_number, md_escape, t
from ui.cache import M
from ui.context import connection, current_filter, lang
from ui.show import SHEET_PROJECT, chart, day, eur, number, pct, table

language = lang()
con = connection()
flt = current_filter()
st.title(t("project.title", language))

if SHEET_PROJECT not in st.session_state and st.query_params.get("project"):
    st.session_state[SHEET_PROJECT] = st.query_params.get("project")
search = st.text_input(t("project.search", language), key="sheet_search")
found = lookups.search_projects(con, flt, search or "", limit=50)
current = st.session_state.get(SHEET_PROJECT)
options = list(dict.fromkeys(([current] if current else []) + list(found["project_id"])))
names = lookups.project_names(con, options)
options = [pid for pid in options if pid in names]
if not options:
    st.info(t("project.none", language))
    st.stop()
project_id = st.selectbox(
    t("col.project", language),
    options,
    index=options.index(current) if current in options else 0,
    format_func=lambda pid: f"{names[pid]} ({pid})",
    key="sheet_pick",
)
st.session_state[SHEET_PROJECT] = project_id
st.query_params["project"] = project_id
card = lookups.project_card(con, project_id)

st.header(md_escape(f"{card['name']} ({project_id})"))
flags = [
    label
    for flag, label in (("qpv", "QPV"), ("rural_revitalisation", t("filter.rural", language)))
    if card[flag]
]
st.write(
    t(
        "project.card",
        language,
        holder=md_escape(card["holder_name"]),
        need=ref.labels(ref.NEEDS, language)[card["need"]],
        phase=ref.labels(ref.PHASES, language)[card["phase"]],
        department=f"{card['department_name']} ({card['department_code']})",
        region=card["region_name"],
        status=ref.labels(ref.STATUSES, language)[card["status"]],
        start="—" if pd.isna(card["start_year"]) else int(card["start_year"]),
    )
)
if flags:
    st.caption(" · ".join(flags))

# the sheet keeps the filter's period, not its project selection
period = PortfolioFilter.create(year_from=flt.year_from, year_to=flt.year_to)
picked = [project_id]
lever_names = ref.labels(ref.LEVERS, language)
viewpoint_names = ref.labels(ref.VIEWPOINTS, language)
scores = M.lever_scores(con, period, "latest", project_ids=picked)
if scores.empty:
    st.info(t("project.no_assessment", language))
else:
    consolidated = M.lever_profiles(con, period, picked, "consolidated")
    consolidated["viewpoint_label"] = t("compare.consolidated", language)
    scores["viewpoint_label"] = scores["viewpoint"].map(viewpoint_names)
    grid = pd.concat(
        [
            scores[["lever", "viewpoint_label", "score"]],
            consolidated[["lever", "viewpoint_label", "score"]],
        ],
        ignore_index=True,
    )
    grid["lever_label"] = grid["lever"].map(lever_names)
    present = scores["viewpoint"].nunique()
    if present == 1:
        st.info(
            t(
                "project.one_viewpoint",
                language,
                viewpoint=viewpoint_names[scores["viewpoint"].iloc[0]],
            )
        )
    chart(
        heatmap(
            grid,
            x="viewpoint_label",
            y="lever_label",
            value="score",
            x_title=t("col.viewpoint", language),
            y_title=t("col.lever", language),
            value_title="Score",
            title=t("project.levers.title", language),
            description=t("project.levers.description", language),
            lang=language,
            x_sort=[viewpoint_names[v] for v in ref.VIEWPOINT_CODES]
            + [t("compare.consolidated", language)],
            y_sort=[lever_names[c] for c in ref.LEVER_CODES],
            domain=[0, 100],
        ),
        grid,
        {
            "lever_label": t("col.lever", language),
            "viewpoint_label": t("col.viewpoint", language),
            "score": "Score",
        },
        language,
        formats={"score": number(1, language)},
        key="sheet_levers",
        stretch=False,
    )
    rounds = M.round_maturity(con, period, picked)
    rounds["viewpoint_label"] = rounds["viewpoint"].map(viewpoint_names)
    chart(
        line_chart(
            rounds,
            x="assessed_on",
            y="maturity",
            series="viewpoint_label",
            x_title=t("project.date", language),
            y_title=t("col.maturity", language),
            series_title=t("col.viewpoint", language),
            title=t("project.rounds.title", language),
            description=t("project.rounds.description", language),
            lang=language,
        ),
        rounds,
        {
            "assessed_on": t("project.date", language),
            "viewpoint_label": t("col.viewpoint", language),
            "maturity": t("col.maturity", language),
        },
        language,
        formats={"assessed_on": day(language), "maturity": number(1, language)},
        key="sheet_rounds",
    )

investments, contributions = lookups.project_money_rows(con, project_id)
money = M.leverage(con, period, investor=flt.investor, project_ids=picked).set_index("project_id")
st.subheader(t("project.money", language))
if project_id in money.index:
    row = money.loc[project_id]
    line = t(
        "project.resources", language, resources=format_eur(row["resources_eur"], lang=language)
    )
    if flt.investor:
        line += " " + t(
            "project.leverage", language, leverage=format_number(row["leverage"], 2, language)
        )
    st.write(line)
left, right = st.columns(2, gap="large")
with left:
    st.markdown(f"**{t('project.investments', language)}**")
    if investments.empty:
        st.caption("—")
    else:
        investments["instrument_label"] = investments["instrument"].map(
            ref.labels(ref.INSTRUMENTS, language)
        )
        table(
            investments,
            {
                "date": t("project.date", language),
                "investor": t("filter.investor", language),
                "instrument_label": t("project.instrument", language),
                "amount_eur": "€",
            },
            language,
            formats={"date": day(language), "amount_eur": eur(language)},
            key="sheet_investments",
        )
with right:
    st.markdown(f"**{t('project.contributions', language)}**")
    if contributions.empty:
        st.caption("—")
    else:
        contributions["kind_label"] = contributions["kind"].map(
            ref.labels(ref.CONTRIBUTION_KINDS, language)
        )
        table(
            contributions,
            {
                "date": t("project.date", language),
                "partner": t("project.partner", language),
                "kind_label": t("partnerships.nature", language),
                "value_eur": "€",
            },
            language,
            formats={"date": day(language), "value_eur": eur(language)},
            key="sheet_contributions",
        )

st.subheader(t("project.indicators", language))
achieved = M.achievements(con, period, project_ids=picked)
if achieved.empty:
    st.caption(t("project.no_indicator", language))
else:
    table(
        achieved,
        {
            "indicator_code": t("utility.indicator", language),
            "year": t("col.year", language),
            "value": t("project.value", language),
            "target": t("project.target", language),
            "achievement": t("utility.achievement", language),
        },
        language,
        formats={
            "value": number(1, language),
            "target": number(1, language),
            "achievement": pct(language),
        },
        key="sheet_indicators",
    )
