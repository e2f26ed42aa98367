"""Needs and paths (docs/figures.md "Needs"): what the filtered portfolio (or a cohort) needs per lever and per
question, one card per thematic path with its invitees, and whether the paths helped."""

import streamlit as st

from coinvest import metrics
from coinvest import reference as ref
from coinvest.i18n import format_number, format_pct, t, tn
from ui.cache import M
from ui.charts import bar_chart, heatmap
from ui.context import connection, current_filter, lang, lang_key, no_match
from ui.header import header
from ui.rounds import campaign_round
from ui.show import chart, number, pct, table
from ui.url import bound, keep, one_of, slider

THRESHOLDS = (10, 90, 5)
MATRIX_PROJECTS = 40
INVITEES = 200

language = lang()
con = connection()
flt = current_filter()
header(con, flt, language, "needs.title", "needs.caption")
flt = campaign_round(con, flt, language)  # a campaign's round, when one is picked
if no_match(flt, M.project_count(con, flt), language):
    st.stop()

default = int(metrics.DEFAULT_NEED_THRESHOLD)
threshold = slider(
    st,
    t("needs.threshold", language),
    "needs_threshold",
    "threshold",
    THRESHOLDS,
    default,
    t("needs.threshold.help", language),
)

lever_names = ref.labels(ref.LEVERS, language)
levers = [lever_names[c] for c in ref.LEVER_CODES]
overview = M.needs_overview(con, flt, threshold, MATRIX_PROJECTS, INVITEES)
by_lever = overview["by_lever"]
if not by_lever["assessed"].any():
    st.info(t("needs.none", language))
    st.stop()
assessed = int((by_lever["assessed"] + by_lever["not_assessed"]).max())
with_path = int(by_lever["path"].sum())
# ties: the first lever in the method's order
top = by_lever.iloc[int(by_lever["path"].to_numpy().argmax())]
# the most-needed lever: the highest share of priority, as the chart below draws it
needed = by_lever.iloc[int(by_lever["share"].fillna(0).to_numpy().argmax())]
tiles = st.columns(2)
tiles[0].metric(t("needs.assessed", language), format_number(assessed, lang=language))
tiles[1].metric(
    t("needs.with_path", language),
    format_number(with_path, lang=language),
    help=t("needs.with_path.help", language, threshold=threshold),
)
# the two headlines side by side, each naming its lever (a row of their own: room for names)
tiles = st.columns(2)
tiles[0].metric(
    t("needs.top_need", language, lever=lever_names[needed["lever"]])
    if needed["priority"]
    else t("needs.top_need.none", language),
    format_pct(needed["share"] if needed["priority"] else None, lang=language),
    help=t("needs.top_need.help", language, threshold=threshold),
)
tiles[1].metric(
    t("needs.top_path", language, lever=lever_names[top["lever"]])
    if top["path"]
    else t("needs.top_path.none", language),
    format_pct(top["path"] / assessed if assessed and top["path"] else None, lang=language),
    help=t("needs.top_path.help", language),
)

by_lever["lever_label"] = by_lever["lever"].map(lever_names)
by_lever["percent"] = by_lever["share"] * 100
chart(
    bar_chart(
        by_lever.fillna({"percent": 0}),
        category="lever_label",
        value="percent",
        category_title=t("col.lever", language),
        value_title=t("needs.share", language),
        title=t("needs.share.title", language, threshold=threshold),
        description=t("needs.share.description", language, threshold=threshold),
        lang=language,
        sort=levers,
    ),
    by_lever,
    {
        "lever_label": t("col.lever", language),
        "assessed": t("needs.col.assessed", language),
        "priority": t("needs.col.priority", language),
        "share": t("needs.share", language),
        "path": t("needs.col.path", language),
        "median_need": t("needs.col.median_need", language),
        "not_assessed": t("needs.col.not_assessed", language),
    },
    language,
    formats={
        "assessed": number(0, language),
        "priority": number(0, language),
        "share": pct(language),
        "path": number(0, language),
        "median_need": number(1, language),
        "not_assessed": number(0, language),
    },
    key="needs_share",
)
missing = by_lever[by_lever["not_assessed"] > 0]
if not missing.empty:
    st.caption(
        t(
            "needs.not_assessed",
            language,
            levers=", ".join(
                f"{lever_names[row.lever]} ({format_number(row.not_assessed, lang=language)})"
                for row in missing.itertuples()
            ),
        )
    )
matrix = overview["matrix"].copy()
# the columns under the levers' short names (a phone's width holds seven); the tooltips and the
# table under the chart name them in full
short_names = {lever.code: lever.short_label(language) for lever in ref.LEVERS}
matrix["lever_label"] = matrix["lever"].map(short_names)
matrix["lever_name"] = matrix["lever"].map(lever_names)
matrix["project"] = matrix["name"] + " (" + matrix["project_id"] + ")"
order = list(dict.fromkeys(matrix["project"]))
st.header(t("needs.matrix", language))
st.caption(
    tn(
        "needs.matrix.caption",
        assessed,
        language,
        shown=format_number(len(order), lang=language),
        total=format_number(assessed, lang=language),
    )
)
chart(
    heatmap(
        matrix,
        x="lever_label",
        y="project",
        value="need",
        x_title=t("col.lever", language),
        y_title=t("col.project", language),
        value_title=t("needs.col.need", language),
        title=t("needs.matrix.title", language),
        description=t("needs.matrix.description", language, n=len(order)),
        lang=language,
        x_sort=[short_names[c] for c in ref.LEVER_CODES],
        y_sort=order,
        domain=[0, 100],
        cell_height=28,
        y_axis_title=False,
    ),
    matrix,
    {
        "project": t("col.project", language),
        "need": t("needs.col.need", language),
        "lever_name": t("col.lever", language),
    },
    language,
    formats={"need": number(1, language)},
    key="needs_matrix",
)

# --- one card per thematic path -------------------------------------------------------------------
st.header(t("needs.paths", language))
st.caption(t("needs.paths.caption", language))
questions = M.needs_by_question(con, flt)
paths = by_lever.set_index("lever")
default_path = str(top["lever"])  # the most recommended path opens first
bound(lang_key("needs_path"), "path", one_of(ref.LEVER_CODES), default_path)
chosen = st.radio(
    t("needs.path.pick", language),
    ref.LEVER_CODES,
    format_func=lambda code: tn(
        "needs.path.title",
        int(paths.loc[code, "priority"]),
        language,
        number=ref.LEVER_CODES.index(code) + 1,
        lever=lever_names[code],
        n=format_number(paths.loc[code, "priority"], lang=language),
    ),
    key=lang_key("needs_path"),
)
keep("path", chosen, default_path)
lever = next(item for item in ref.LEVERS if item.code == chosen)
count = int(paths.loc[chosen, "priority"])  # every project for which the lever is a priority
with st.container(border=True):  # the card of the chosen path
    st.subheader(lever_names[chosen])
    guide, weak = st.columns(2, gap="large")
    with guide:
        st.markdown(f"**{t('needs.path.questions', language)}**")
        st.markdown("\n".join(f"- {q.label(language)}" for q in lever.questions))
    with weak:
        st.markdown(f"**{t('needs.path.weakest', language)}**")
        own = questions[questions["lever"] == chosen].copy()
        if own.empty:
            st.caption("—")
        else:
            own["label"] = own["question"].map({q.code: q.label(language) for q in lever.questions})
            table(
                own.sort_values(["share", "question"], ascending=[False, True]),
                {
                    "label": t("col.question", language),
                    "share": t("needs.col.weak_share", language, weak=ref.WEAK_ANSWER),
                    "projects": t("needs.col.scored", language),
                },
                language,
                formats={"share": pct(language), "projects": number(0, language)},
                key="needs_weak",
                title=f"{t('needs.path.weakest', language)} {lever_names[chosen]}",
                wide=False,
                download=False,
            )
    st.markdown(f"**{t('needs.path.invitees', language)}**")
    invitees = overview["invitees"][overview["invitees"]["lever"] == chosen].copy()
    if invitees.empty:
        st.caption(t("needs.path.no_invitee", language))
    else:
        if count > len(invitees):
            st.caption(
                t(
                    "needs.path.first",
                    language,
                    shown=format_number(len(invitees), lang=language),
                    total=format_number(count, lang=language),
                )
            )
        invitees["phase_label"] = invitees["phase"].map(ref.labels(ref.PHASES, language))
        table(
            invitees,
            {
                "name": t("col.project", language),
                "need": t("needs.col.need", language),
                "rank": t("needs.col.rank", language),
                "priorities": t("needs.col.priorities", language),
                "department_code": t("col.department", language),
                "holder": t("needs.col.holder", language),
                "phase_label": t("col.phase", language),
                "project_id": t("col.code", language),
            },
            language,
            formats={
                "need": number(1, language),
                "rank": number(0, language),
                "priorities": number(0, language),
            },
            key="needs_invitees",
            select=True,
            title=t("needs.path.file", language, lever=lever_names[chosen]),
            flt=flt,
        )

# --- did it help? (computed on request: it reads every project's first and latest rounds) ------
st.header(t("needs.helped", language))
st.caption(t("needs.helped.caption", language, threshold=threshold))
bound("needs_helped_on", "helped", lambda values: values[-1] == "1" or None, False)
shown_helped = st.toggle(t("needs.helped.show", language), key="needs_helped_on")
keep("helped", "1" if shown_helped else None)
if shown_helped:
    side = M.did_it_help_compared(con, flt, threshold)
    side["lever_label"] = side["lever"].map(lever_names)
    st.info(t("needs.helped.not_proof", language, minimum=ref.PEER_MIN), icon=":material/info:")
    table(
        side,
        {
            "lever_label": t("needs.col.path_name", language),
            "supported_projects": t("needs.col.supported_projects", language),
            "supported_median": t("needs.col.supported_median", language),
            "unsupported_projects": t("needs.col.unsupported_projects", language),
            "unsupported_median": t("needs.col.unsupported_median", language),
            "difference": t("needs.col.helped_difference", language),
        },
        language,
        formats={
            "supported_projects": number(0, language),
            "supported_median": number(1, language, signed=True),
            "unsupported_projects": number(0, language),
            "unsupported_median": number(1, language, signed=True),
            "difference": number(1, language, signed=True),
        },
        key="needs_helped",
        title=t("needs.helped", language),
    )
