"""Viewpoints (DESIGN §5.3): lever × viewpoint heatmap, gaps between viewpoints, blind spots."""

import streamlit as st

from coinvest import metrics
from coinvest import reference as ref
from coinvest.charts import grouped_bars, heatmap
from coinvest.i18n import format_number, t, tn
from ui.cache import M
from ui.context import connection, current_filter, lang, no_match
from ui.show import chart, number, table

MAX_LISTED = 200

language = lang()
con = connection()
flt = current_filter()
st.title(t("viewpoints.title", language))
st.caption(t("viewpoints.caption", language))
if no_match(flt, M.project_count(con, flt), language):
    st.stop()

lever_names = ref.labels(ref.LEVERS, language)
viewpoint_names = ref.labels(ref.VIEWPOINTS, language)
levers = [lever_names[c] for c in ref.LEVER_CODES]
viewpoints = [viewpoint_names[c] for c in ref.VIEWPOINT_CODES]

threshold = st.session_state.get("vp_threshold", int(metrics.DEFAULT_BLIND_SPOT_THRESHOLD))
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
    stretch=False,
)

threshold = st.slider(
    t("viewpoints.threshold", language),
    min_value=5,
    max_value=50,
    value=int(metrics.DEFAULT_BLIND_SPOT_THRESHOLD),
    step=5,
    help=t("viewpoints.threshold.help", language),
    key="vp_threshold",
)

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

st.subheader(t("viewpoints.list", language))
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
            "project_id": t("col.code", language),
            "name": t("col.project", language),
            "lever_label": t("col.lever", language),
            "self_score": t("report.col.self", language),
            "others_score": t("report.col.others", language),
            "difference": t("col.difference", language),
            "kind_label": t("col.direction", language),
        },
        language,
        formats={c: number(1, language) for c in ("self_score", "others_score", "difference")},
        key="vp_spots",
        select=True,
    )
