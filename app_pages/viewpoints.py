"""Viewpoints (docs/pages.md): lever × viewpoint heatmap, gaps between viewpoints, blind spots."""

import streamlit as st

from coinvest import metrics
from coinvest import reference as ref
from coinvest.i18n import format_number, t, tn
from ui.cache import M
from ui.charts import grouped_bars, heatmap
from ui.context import connection, current_filter, lang, lang_key, no_match
from ui.header import header
from ui.rounds import campaign_round
from ui.show import chart, compare_projects, number, table, who_answered
from ui.url import bound, keep, number_in, one_of

MAX_LISTED = 200
PAIR_LISTED = 20
COMPARE_MAX = 6  # the Compare page's limit
COMPARE_DEFAULT = 4
THRESHOLDS = (5, 50, 5)

language = lang()
con = connection()
flt = current_filter()
header(con, flt, language, "viewpoints.title", "viewpoints.caption")
flt = campaign_round(con, flt, language)  # a campaign's round, when one is picked
if no_match(flt, M.project_count(con, flt), language):
    st.stop()

lever_names = ref.labels(ref.LEVERS, language)
viewpoint_names = ref.labels(ref.VIEWPOINTS, language)
levers = [lever_names[c] for c in ref.LEVER_CODES]
viewpoints = [viewpoint_names[c] for c in ref.VIEWPOINT_CODES]

default_threshold = int(metrics.DEFAULT_BLIND_SPOT_THRESHOLD)
bound("vp_threshold", "threshold", number_in(*THRESHOLDS, integer=True), default_threshold)
threshold = st.session_state["vp_threshold"]
overview = M.viewpoint_overview(con, flt, threshold)
means = overview["means"]
if means.empty:
    st.info(t("viewpoints.no_scores", language))
    st.stop()
means["lever_label"] = means["lever"].map(lever_names)
means["viewpoint_label"] = means["viewpoint"].map(viewpoint_names)
chart(
    heatmap(
        means,
        x="viewpoint_label",
        y="lever_label",
        value="mean_score",
        x_title=t("col.viewpoint", language),
        y_title=t("col.lever", language),
        value_title=t("col.mean_score", language),
        title=t("viewpoints.heatmap.title", language),
        description=t("viewpoints.heatmap.description", language),
        lang=language,
        x_sort=viewpoints,
        y_sort=levers,
        domain=[0, 100],
        y_axis_title=False,
    ),
    means,
    {
        "lever_label": t("col.lever", language),
        "viewpoint_label": t("col.viewpoint", language),
        "mean_score": t("col.mean_score", language),
        "projects": t("col.projects", language),
    },
    language,
    formats={"mean_score": number(1, language)},
    key="vp_heatmap",
)
who_answered(language)

threshold = st.slider(
    t("viewpoints.threshold", language),
    min_value=THRESHOLDS[0],
    max_value=THRESHOLDS[1],
    step=THRESHOLDS[2],
    help=t("viewpoints.threshold.help", language),
    key="vp_threshold",
)
keep("threshold", threshold, default_threshold)

left, right = st.columns(2, gap="large")
with left:
    gaps = overview["gaps"].copy()
    if gaps.empty:
        st.info(t("viewpoints.no_gap", language))
    else:
        gaps["lever_label"] = gaps["lever"].map(lever_names)
        gaps["series"] = t("col.mean_gap", language)
        chart(
            grouped_bars(
                gaps,
                category="lever_label",
                value="mean_gap",
                group="series",
                category_title=t("col.lever", language),
                value_title=t("col.mean_gap", language),
                group_title="",
                title=t("viewpoints.gaps.title", language),
                description=t("viewpoints.gaps.description", language),
                lang=language,
                sort=levers,
            ),
            gaps,
            {
                "lever_label": t("col.lever", language),
                "mean_gap": t("col.mean_gap", language),
                "projects": t("viewpoints.col.two_viewpoints", language),
                "large_gaps": t("viewpoints.col.large_gaps", language, threshold=threshold),
            },
            language,
            formats={"mean_gap": number(1, language)},
            key="vp_gaps",
        )
with right:
    counts = overview["blind"].copy()
    if counts.empty:
        st.info(t("viewpoints.no_blind_spot", language))
    else:
        counts["lever_label"] = counts["lever"].map(lever_names)
        counts["kind_label"] = counts["kind"].map(lambda k: t(f"blind.{k}", language))
        chart(
            grouped_bars(
                counts,
                category="lever_label",
                value="spots",
                group="kind_label",
                category_title=t("col.lever", language),
                value_title=t("col.blind_spots", language),
                group_title=t("col.direction", language),
                title=t("viewpoints.blind.title", language),
                description=t("viewpoints.blind.description", language, threshold=threshold),
                lang=language,
                sort=levers,
                value_format=",.0f",
            ),
            counts,
            {
                "lever_label": t("col.lever", language),
                "kind_label": t("col.direction", language),
                "spots": t("col.blind_spots", language),
            },
            language,
            key="vp_blind_counts",
        )

# --- two viewpoints of one lever: "my officers' view against the project's own" -------------
st.header(t("viewpoints.pair", language))
st.caption(t("viewpoints.pair.caption", language))
who = ref.viewpoint_who(language)
pick = st.columns([1, 1, 1], vertical_alignment="bottom")
for position, (param, default) in enumerate((("first", "project"), ("second", "investment"))):
    bound(lang_key(f"vp_{param}"), param, one_of(ref.VIEWPOINT_CODES), default)
    pick[position].selectbox(
        t(f"viewpoints.pair.{param}", language),
        ref.VIEWPOINT_CODES,
        format_func=who.get,
        key=lang_key(f"vp_{param}"),
    )
    keep(param, st.session_state[lang_key(f"vp_{param}")], default)
first, second = st.session_state[lang_key("vp_first")], st.session_state[lang_key("vp_second")]
bound("vp_own", "own", lambda values: values[-1] == "1" or None, False)
own = pick[2].checkbox(
    t("viewpoints.pair.own", language),
    key="vp_own",
    disabled=not flt.investor or "investment" not in (first, second),
    help=t("viewpoints.pair.own.help", language),
)
keep("own", "1" if own else None)
own_short = f" ({t('viewpoints.pair.own_short', language)})"
# a viewpoint by who answered, "my officers only" said where it applies
first_label, second_label = (
    who[code] + (own_short if own and code == "investment" else "") for code in (first, second)
)

# --- the same pair over all levers: which projects to talk about first ----------------------
if first != second:
    st.subheader(t("viewpoints.ranking", language))
    ranked = M.viewpoint_gap_ranking(con, flt, first, second, own_assessors=own, limit=PAIR_LISTED)
    ranking = ranked["ranking"].copy()
    if ranking.empty:
        st.info(t("viewpoints.ranking.none", language))
    else:
        st.caption(
            tn(
                "viewpoints.ranking.caption",
                int(ranked["summary"]["projects"].iloc[0]),
                language,
                n=format_number(ranked["summary"]["projects"].iloc[0], lang=language),
                shown=format_number(len(ranking), lang=language),
            )
        )
        ranking["largest_lever_label"] = ranking["largest_lever"].map(lever_names)
        table(
            ranking,
            {
                "name": t("col.project", language),
                "mean_gap": t("viewpoints.col.mean_gap", language),
                "largest_gap": t("viewpoints.col.largest_gap", language),
                "largest_lever_label": t("viewpoints.col.largest_lever", language),
                "mean_difference": t("viewpoints.col.mean_difference", language)
                + f" ({first_label} − {second_label})",
                "levers": t("viewpoints.col.levers", language),
                "project_id": t("col.code", language),
            },
            language,
            formats={
                "mean_gap": number(1, language),
                "largest_gap": number(1, language),
                "mean_difference": number(1, language, signed=True),
                "levers": number(0, language),
            },
            key="vp_ranking",
            select=True,
            title=t("viewpoints.ranking", language),
            flt=flt,
        )
        most = min(COMPARE_MAX, len(ranking))
        if most >= 2:
            count_box, send_box = st.columns([1, 2], vertical_alignment="bottom")
            if st.session_state.get("vp_send_count", 0) > most:  # a shorter list than before
                st.session_state["vp_send_count"] = most
            sent = count_box.number_input(
                t("viewpoints.ranking.send_count", language),
                min_value=2,
                max_value=most,
                value=min(COMPARE_DEFAULT, most),
                step=1,
                key="vp_send_count",
            )
            if send_box.button(
                t("viewpoints.ranking.send", language, n=int(sent)),
                help=t("viewpoints.ranking.send.help", language),
                key="vp_send",
                icon=":material/compare_arrows:",
            ):
                compare_projects(list(ranking["project_id"].head(int(sent))), flt, language)

st.subheader(t("viewpoints.one_lever", language))
bound(lang_key("vp_lever"), "lever", one_of(ref.LEVER_CODES), ref.LEVER_CODES[0])
lever = st.selectbox(
    t("col.lever", language), ref.LEVER_CODES, format_func=lever_names.get, key=lang_key("vp_lever")
)
keep("lever", lever, ref.LEVER_CODES[0])
if first == second:
    st.info(t("viewpoints.pair_same", language))
else:
    pair = M.viewpoint_pair(
        con, flt, first, second, lever, own_assessors=own, threshold=threshold, limit=PAIR_LISTED
    )
    summary = pair["summary"].iloc[0]
    if not summary["projects"]:
        st.info(t("viewpoints.pair.none", language))
    else:
        tiles = st.columns(4)
        tiles[0].metric(
            t("viewpoints.pair.projects", language),
            format_number(summary["projects"], lang=language),
        )
        tiles[1].metric(first_label, format_number(summary["mean_first"], 1, language))
        tiles[2].metric(second_label, format_number(summary["mean_second"], 1, language))
        tiles[3].metric(
            t("viewpoints.pair.mean_difference", language),
            format_number(summary["mean_difference"], 1, language, signed=True),
            help=t("viewpoints.pair.mean_difference.help", language),
        )
        st.write(
            tn(
                "viewpoints.pair.reading",
                int(summary["first_higher"]),
                language,
                first=first_label,
                second=second_label,
                higher=format_number(summary["first_higher"], lang=language),
                lower=format_number(summary["second_higher"], lang=language),
                large=format_number(summary["large"], lang=language),
                threshold=threshold,
            )
        )
        density = pair["density"].copy()
        bands = [f"{b}–{b + 10}" for b in range(0, 100, 10)]
        density["first_band"] = density["band_first"].map(lambda b: f"{b}–{b + 10}")
        density["second_band"] = density["band_second"].map(lambda b: f"{b}–{b + 10}")
        chart(
            heatmap(
                density,
                x="first_band",
                y="second_band",
                value="projects",
                x_title=first_label,
                y_title=second_label,
                value_title=t("viewpoints.pair.count", language),
                title=t("viewpoints.pair.density.title", language, lever=lever_names[lever]),
                description=t(
                    "viewpoints.pair.density.description",
                    language,
                    first=first_label,
                    second=second_label,
                    lever=lever_names[lever],
                ),
                lang=language,
                x_sort=bands,
                y_sort=list(reversed(bands)),
                cell_height=24,
            ),
            density,
            {
                "first_band": first_label,
                "second_band": second_label,
                "projects": t("viewpoints.pair.count", language),
            },
            language,
            key="vp_pair_density",
        )
        st.subheader(t("viewpoints.pair.largest", language))
        table(
            pair["largest"],
            {
                "name": t("col.project", language),
                "first_score": first_label,
                "second_score": second_label,
                "difference": t("col.difference", language),
                "project_id": t("col.code", language),
            },
            language,
            formats={
                "first_score": number(1, language),
                "second_score": number(1, language),
                "difference": number(1, language),
            },
            key="vp_pair_largest",
            select=True,
            title=t("viewpoints.pair.largest", language),
            flt=flt,
        )

st.header(t("viewpoints.list", language))
total = int(overview["blind"]["spots"].sum())
spots = M.blind_spots(con, flt, threshold, limit=MAX_LISTED)
if spots.empty:
    st.info(t("viewpoints.no_blind_spot", language))
else:
    st.caption(
        tn(
            "viewpoints.list.caption",
            total,
            language,
            n=format_number(total, lang=language),
            shown=format_number(len(spots), lang=language),
        )
    )
    listed = spots.copy()
    listed["lever_label"] = listed["lever"].map(lever_names)
    listed["kind_label"] = listed["kind"].map(lambda k: t(f"blind.{k}", language))
    table(
        listed,
        {
            "name": t("col.project", language),
            "self_score": t("report.col.self", language),
            "others_score": t("report.col.others", language),
            "difference": t("col.difference", language),
            "kind_label": t("col.direction", language),
            "lever_label": t("col.lever", language),
            "project_id": t("col.code", language),
        },
        language,
        formats={c: number(1, language) for c in ("self_score", "others_score", "difference")},
        key="vp_spots",
        select=True,
        title=t("viewpoints.list", language),
        flt=flt,
    )
