"""Compare projects (docs/pages.md): 2–6 projects on the seven levers, radar or parallel
coordinates, per viewpoint or consolidated, with the table beside the chart."""

import streamlit as st

from coinvest import lookups
from coinvest import reference as ref
from coinvest.i18n import md_escape, t, tn
from ui.cache import M
from ui.charts import parallel_chart, radar_chart
from ui.context import connection, current_filter, lang, lang_key, no_match
from ui.header import header
from ui.show import COMPARED, altair, number, table
from ui.url import bound, keep, many_of, one_of, seed

CHARTS = ("radar", "parallel")
VIEWS = ("consolidated", *ref.VIEWPOINT_CODES)

language = lang()
con = connection()
flt = current_filter()
header(con, flt, language, "compare.title", "compare.caption")
if no_match(flt, M.project_count(con, flt), language):
    st.stop()

# the projects compared live in the link; else start from the three most mature projects
seed(COMPARED, "projects", many_of(limit=6))
if COMPARED not in st.session_state:
    st.session_state[COMPARED] = list(M.ranked_projects(con, flt, limit=3)["project_id"])
search = st.text_input(t("compare.search", language), key="cmp_search")
found = lookups.search_projects(con, flt, search or "", limit=50)
chosen = list(st.session_state[COMPARED])
names = lookups.project_names(
    con, list(dict.fromkeys(chosen + list(found["project_id"]))), flt.scope
)
options = list(dict.fromkeys(chosen + list(found["project_id"])))
picked = st.multiselect(
    t("compare.projects", language),
    placeholder=t("filter.choose", language),
    options=options,
    format_func=lambda pid: f"{names.get(pid, pid)} ({pid})",
    max_selections=6,
    select_all=False,  # at most six: picking them all is no choice
    key=COMPARED,
)
keep("projects", picked)
if len(picked) < 2:
    st.info(t("compare.pick_two", language))
    st.stop()

left, right = st.columns(2)
bound(lang_key("cmp_view"), "chart", one_of(CHARTS), "radar")
view = left.radio(
    t("compare.view", language),
    CHARTS,
    format_func=lambda v: t(f"compare.view.{v}", language),
    horizontal=True,
    key=lang_key("cmp_view"),
)
keep("chart", view, "radar")
bound(lang_key("cmp_viewpoint"), "viewpoint", one_of(VIEWS), "consolidated")
viewpoint = right.radio(
    t("compare.viewpoint", language),
    VIEWS,
    format_func=lambda v: (
        t("compare.consolidated", language)
        if v == "consolidated"
        else ref.viewpoint_who(language)[v]  # named by who answered
    ),
    horizontal=True,
    key=lang_key("cmp_viewpoint"),
)
keep("viewpoint", viewpoint, "consolidated")

profiles = M.lever_profiles(con, flt, picked, viewpoint)
lever_names = ref.labels(ref.LEVERS, language)
levers = [lever_names[c] for c in ref.LEVER_CODES]
missing = [pid for pid in picked if pid not in set(profiles["project_id"])]
if missing:
    st.warning(
        t(
            "compare.missing",
            language,
            projects=", ".join(md_escape(f"{names.get(p, p)} ({p})") for p in missing),
        )
    )
if profiles.empty:
    st.stop()
profiles["lever_label"] = profiles["lever"].map(lever_names)
profiles["project"] = profiles["name"] + " (" + profiles["project_id"] + ")"
view_label = (
    t("compare.consolidated", language)
    if viewpoint == "consolidated"
    else ref.labels(ref.VIEWPOINTS, language)[viewpoint]
)
builder = radar_chart if view == "radar" else parallel_chart
spec = builder(
    profiles[["project", "lever_label", "score"]],
    levers=levers,
    series="project",
    series_title=t("col.project", language),
    title=t("compare.chart.title", language, view=view_label),
    description=tn("compare.chart.description", len(picked), language, view=view_label),
    lang=language,
)
altair(spec, width="stretch" if view == "parallel" else "content", key="cmp_chart")

wide = profiles.pivot_table(
    index=["project_id", "name"], columns="lever", values="score"
).reset_index()
scores = M.maturity(con, flt, project_ids=picked).set_index("project_id")
maturity_column = (
    "maturity_consolidated" if viewpoint == "consolidated" else f"maturity_{viewpoint}"
)
wide["maturity"] = wide["project_id"].map(scores[maturity_column])
# the figures first after the name, each lever under a short header (its full name in the help)
short = {lever.code: lever.short_label(language) for lever in ref.LEVERS}
columns = {"name": t("col.project", language)}
columns.update({c: short[c] for c in ref.LEVER_CODES if c in wide.columns})
columns["maturity"] = t("col.maturity", language)
columns["project_id"] = t("col.code", language)
st.header(t("compare.table", language))
table(
    wide,
    columns,
    language,
    formats={c: number(1, language) for c in [*ref.LEVER_CODES, "maturity"]},
    key="cmp_table",
    helps=lever_names,
    select=True,
    title=t("compare.table", language),
    flt=flt,
)
