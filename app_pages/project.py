"""The project sheet: one project's levers by viewpoint, its rounds over time, its investments,
contributions and indicators. Opened from any project table, or by picking a project here."""

import pandas as pd
import streamlit as st

from coinvest import lookups, metrics
from coinvest import reference as ref
from coinvest.charts import viewpoint_colours
from coinvest.history import history
from coinvest.i18n import format_eur, format_number, md_escape, t, tn
from coinvest.metrics import MATURITY
from ui.cache import M
from ui.charts import heatmap, line_chart
from ui.context import connection, current_filter, lang, lang_key
from ui.header import header
from ui.show import (
    SHEET_PROJECT,
    chart,
    day,
    eur,
    history_table,
    measure,
    number,
    pct,
    table,
    unfolding,
    who_answered,
)
from ui.url import bound, keep, one_of

TRAJECTORIES = (MATURITY, *ref.LEVER_CODES)
HISTORY_ROWS = 500  # the project's newest changes; the Data page's journal filters them all


def listed(key: str, rows: pd.DataFrame, language: str) -> str:
    """The label of a list drawn when opened, with how many rows it holds (`Voir les 5
    évaluations`): the sheet's first view draws its figures, the lists on request (a GPU-less
    browser spends 60–100 ms on each table it mounts; docs/pages.md "Pages, by lens")."""
    return tn(key, len(rows), language, n=format_number(len(rows), 0, language))


language = lang()
con = connection()
flt = current_filter()
header(con, flt, language, "project.title", None)

if SHEET_PROJECT not in st.session_state and st.query_params.get("project"):
    st.session_state[SHEET_PROJECT] = st.query_params.get("project")
search = st.text_input(t("project.search", language), key="sheet_search")
found = lookups.search_projects(con, flt, search or "", limit=50)
current = st.session_state.get(SHEET_PROJECT)
options = list(dict.fromkeys(([current] if current else []) + list(found["project_id"])))
names = lookups.project_names(con, options, flt.scope)
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
keep("project", project_id)
card = lookups.project_card(con, project_id, flt.scope)

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
period = flt.period_only()
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
            y_axis_title=False,
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
    )
    who_answered(language)
    # the project beside its portfolio (the filter) and its peers (the same phase in it)
    st.subheader(t("project.benchmark", language))
    own = consolidated.set_index("lever")["score"].to_dict()
    own[MATURITY] = M.maturity(con, period, project_ids=picked)["maturity_consolidated"].iloc[0]
    # peer figures name their scope and hide below PEER_MIN projects (docs/rules.md "Sign-in and scope"): a project
    # member's portfolio is their own project, whose "median" is itself
    portfolio_medians = M.lever_medians(con, flt).set_index("lever")
    peer_medians = M.lever_medians(con, flt.with_(phase=(card["phase"],))).set_index("lever")

    def sized(medians: pd.DataFrame) -> tuple[pd.Series, int]:
        n = int(medians["projects"].get(MATURITY, 0)) if not medians.empty else 0
        kept = (
            medians["median_score"] if n >= ref.PEER_MIN else medians["median_score"] * float("nan")
        )
        return kept, n

    portfolio, n_portfolio = sized(portfolio_medians)
    peers, n_peers = sized(peer_medians)
    scoped = flt.scope is not None
    bench = pd.DataFrame({"lever": [*list(TRAJECTORIES[1:]), MATURITY]})
    bench["label"] = bench["lever"].map(
        lambda c: t("col.maturity", language) if c == MATURITY else lever_names[c]
    )
    bench["project"] = bench["lever"].map(own)
    bench["portfolio"] = bench["lever"].map(portfolio)
    bench["peers"] = bench["lever"].map(peers)
    bench["difference"] = bench["project"] - bench["peers"]
    table(
        bench,
        {
            "label": t("col.lever", language),
            "project": t("project.benchmark.project", language),
            "portfolio": tn(
                "project.benchmark.portfolio_yours" if scoped else "project.benchmark.portfolio",
                int(n_portfolio),
                language,
                n=format_number(n_portfolio, lang=language),
            ),
            "peers": tn(
                "project.benchmark.peers",
                int(n_peers),
                language,
                n=format_number(n_peers, lang=language),
            ),
            "difference": t("project.benchmark.difference", language),
        },
        language,
        formats={
            "project": number(1, language),
            "portfolio": number(1, language),
            "peers": number(1, language),
            "difference": number(1, language),
        },
        key="sheet_benchmark",
        title=t("project.benchmark", language),
        wide=False,
    )
    st.caption(
        t(
            "project.benchmark.caption",
            language,
            phase=ref.labels(ref.PHASES, language)[card["phase"]],
        )
    )
    if min(n_portfolio, n_peers) < ref.PEER_MIN:
        st.caption(t("project.benchmark.too_few", language, minimum=ref.PEER_MIN))

    # its own thematic path (docs/figures.md "Needs"): priority levers in order, the questions to work on
    st.subheader(t("project.path", language))
    need_threshold = metrics.DEFAULT_NEED_THRESHOLD
    own_needs = M.project_needs(con, period, need_threshold, project_ids=picked)
    priorities = own_needs[own_needs["priority"].fillna(False)].sort_values("rank")
    if priorities.empty:
        st.write(t("project.path.none", language, threshold=int(need_threshold)))
    else:
        first = priorities.iloc[0]
        st.markdown(
            t(
                "project.path.recommended",
                language,
                lever=lever_names[first["lever"]],
                need=format_number(first["need"], 1, language),
                levers=", ".join(
                    f"{lever_names[r.lever]} ({format_number(r.need, 1, language)})"
                    for r in priorities.itertuples()
                ),
            )
        )
    st.caption(t("project.path.threshold", language, threshold=int(need_threshold)))
    own_questions = M.project_questions(con, period, project_id)
    weak = own_questions[own_questions["weak"]].copy()
    st.markdown(f"**{t('project.questions', language, weak=ref.WEAK_ANSWER)}**")
    if weak.empty:
        st.caption(t("project.questions.none", language, weak=ref.WEAK_ANSWER))
    else:
        question_names = {q.code: q.label(language) for q in ref.QUESTIONS}
        weak["label"] = weak["question"].map(question_names)
        weak["lever_label"] = weak["lever"].map(lever_names)
        table(
            weak,
            {
                "label": t("col.question", language),
                "score": t("compare.consolidated", language),
                **{v: viewpoint_names[v] for v in ref.VIEWPOINT_CODES},
                "lever_label": t("col.lever", language),
            },
            language,
            formats={c: number(2, language) for c in (*ref.VIEWPOINT_CODES, "score")},
            key="sheet_questions",
            title=t("project.path", language),
        )

    st.subheader(t("project.rounds.title", language))
    bound(lang_key("sheet_trajectory"), "lever", one_of(TRAJECTORIES), MATURITY)
    trajectory = st.selectbox(
        t("project.trajectory", language),
        TRAJECTORIES,
        format_func=lambda c: (
            t("project.trajectory.maturity", language) if c == MATURITY else lever_names[c]
        ),
        key=lang_key("sheet_trajectory"),
    )
    keep("lever", trajectory, MATURITY)
    if trajectory == MATURITY:
        rounds = M.round_maturity(con, period, picked).rename(columns={"maturity": "value"})
        value_title = t("col.maturity", language)
    else:
        rounds = M.lever_scores(con, period, "all", project_ids=picked)
        rounds = rounds[rounds["lever"] == trajectory].rename(columns={"score": "value"})
        value_title = lever_names[trajectory]
    rounds["viewpoint_label"] = rounds["viewpoint"].map(viewpoint_names)
    chart(
        line_chart(
            rounds,
            x="assessed_on",
            y="value",
            series="viewpoint_label",
            x_title=t("project.date", language),
            y_title=value_title,
            series_title=t("col.viewpoint", language),
            title=t("project.rounds.chart", language, what=value_title),
            description=t("project.rounds.description", language),
            lang=language,
            colours=viewpoint_colours(language),
            order=[viewpoint_names[v] for v in ref.VIEWPOINT_CODES],
        ),
        rounds,
        {
            "assessed_on": t("project.date", language),
            "viewpoint_label": t("col.viewpoint", language),
            "value": value_title,
        },
        language,
        formats={"assessed_on": day(language), "value": number(1, language)},
        key="sheet_rounds",
    )

investments, contributions = lookups.project_money_rows(con, project_id, flt.scope)
money = M.leverage(con, period, investor=flt.investor, project_ids=picked).set_index("project_id")
st.header(t("project.money", language))
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
    st.subheader(t("project.investments", language))
    if investments.empty:
        st.caption("—")
    else:
        box, shown = unfolding(
            listed("project.investments.show", investments, language), "sheet_inv_open"
        )
        with box:
            if shown:
                investments["instrument_label"] = investments["instrument"].map(
                    ref.labels(ref.INSTRUMENTS, language)
                )
                table(
                    investments,
                    {
                        "investor": t("filter.investor", language),
                        "amount_eur": t("col.amount", language),
                        "date": t("project.date", language),
                        "instrument_label": t("project.instrument", language),
                    },
                    language,
                    formats={"date": day(language), "amount_eur": eur(language)},
                    key="sheet_investments",
                    wide=False,
                )
with right:
    st.subheader(t("project.contributions", language))
    if contributions.empty:
        st.caption("—")
    else:
        box, shown = unfolding(
            listed("project.contributions.show", contributions, language), "sheet_contrib_open"
        )
        with box:
            if shown:
                contributions["kind_label"] = contributions["kind"].map(
                    ref.labels(ref.CONTRIBUTION_KINDS, language)
                )
                table(
                    contributions,
                    {
                        "partner": t("project.partner", language),
                        "value_eur": t("project.value_eur", language),
                        "date": t("project.date", language),
                        "kind_label": t("partnerships.nature", language),
                    },
                    language,
                    formats={"date": day(language), "value_eur": eur(language)},
                    key="sheet_contributions",
                    wide=False,
                )

st.header(t("project.indicators", language))
achieved = M.achievements(con, period, project_ids=picked)
if achieved.empty:
    st.caption(t("project.no_indicator", language))
else:
    achieved["indicator"] = (
        achieved["indicator_code"]
        .map(lookups.indicator_names(con, language))
        .fillna(achieved["indicator_code"])
    )
    # each value in its indicator's unit (`906` and `€`, `34` and `personnes`)
    achieved["unit"] = achieved["indicator_code"].map(lookups.indicator_units(con))
    table(
        achieved,
        {
            "indicator": t("utility.indicator", language),
            "value": t("project.value", language),
            "target": t("project.target", language),
            "unit": t("utility.unit", language),
            "achievement": t("utility.achievement", language),
            "year": t("col.year", language),
        },
        language,
        formats={
            "value": measure(language),
            "target": measure(language),
            "achievement": pct(language),
        },
        key="sheet_indicators",
        title=t("project.indicators", language),
    )

st.header(t("project.assessments", language))
assessments = lookups.project_assessments(con, project_id, flt.scope)
if assessments.empty:
    st.caption(t("project.no_assessment", language))
else:
    box, shown = unfolding(
        listed("project.assessments.show", assessments, language), "sheet_assessments_open"
    )
    with box:
        if shown:
            assessments["viewpoint_label"] = assessments["viewpoint"].map(viewpoint_names)
            table(
                assessments,
                {
                    "assessed_on": t("project.date", language),
                    "viewpoint_label": t("col.viewpoint", language),
                    "assessor": t("project.assessor", language),
                    "answers": t("project.answers", language),
                    "comment": t("project.comment", language),
                    "answer_comments": t("project.answer_comments", language),
                },
                language,
                formats={"assessed_on": day(language), "answers": number(0, language)},
                key="sheet_assessments",
                title=t("project.assessments", language),
            )

# who changed which score or amount of this project, when, from which import (docs/rules.md "History")
st.header(t("project.history", language))
changes = history(con, project_id=project_id, limit=HISTORY_ROWS)
if changes.empty:
    st.caption(t("project.no_history", language))
else:
    box, shown = unfolding(listed("project.history.show", changes, language), "sheet_history_open")
    with box:
        if shown:
            history_table(
                changes, language, key="sheet_history", title=t("project.history", language)
            )
