"""Territoires (docs/pages.md "Territories"): which departments have projects with strong needs,
no support and little money — the under-served index on a map, the ranked departments, and
"Où agir", the ten to act in first, beside the public reference layers."""

import streamlit as st

from coinvest import metrics
from coinvest import reference as ref
from coinvest.charts import CLASS_LIMITS
from coinvest.errors import CoinvestError
from coinvest.i18n import format_number, t
from coinvest.metrics.territories import COMPONENTS, RATES
from ui.cache import M
from ui.charts import department_choropleth
from ui.context import connection, current_filter, lang, lang_key, no_match
from ui.header import header
from ui.show import chart, eur, map_shape, number, pct, table
from ui.url import bound, keep, one_of, slider

COLOURS = ("underserved_index", *RATES)
THRESHOLDS = (10, 90, 5)
N_MIN = (1, 20, 1)
WEIGHTS = (0.0, 5.0, 0.5)
TOP = 10
SHARES = {"coverage", "unmet_share", "fragile_share", "capacity_deficit", "ref_qpv_share"}

language = lang()
con = connection()
flt = current_filter()
header(con, flt, language, "territories.title", "territories.caption")
if no_match(flt, M.project_count(con, flt), language):
    st.stop()

# --- the settings, every one in the URL -------------------------------------------------------
settings = st.expander(t("territories.settings", language), expanded=False)
with settings:
    left, middle, right = st.columns(3)
    threshold = slider(
        left,
        t("needs.threshold", language),
        "ter_threshold",
        "need_threshold",
        THRESHOLDS,
        int(metrics.DEFAULT_NEED_THRESHOLD),
        t("needs.threshold.help", language),
    )
    n_min = slider(
        left,
        t("territories.n_min", language),
        "ter_n_min",
        "n_min",
        N_MIN,
        metrics.DEFAULT_N_MIN,
        t("territories.n_min.help", language),
    )
    weights = [
        float(
            slider(
                box,
                t(f"territories.weight.{component}", language),
                f"ter_w_{component}",
                f"w_{component}",
                WEIGHTS,
                1.0,
                t(f"territories.weight.{component}.help", language),
            )
        )
        for box, component in zip((middle, middle, right), COMPONENTS, strict=True)
    ]

try:
    frame = M.territory_support(con, flt, float(threshold), int(n_min), tuple(weights))
except CoinvestError as exc:  # every weight at 0
    st.warning(exc.message(language))
    st.stop()
bodies = M.territory_bodies(con, flt)

lever_names = ref.labels(ref.LEVERS, language)
yes, no = t("territories.yes", language), t("territories.no", language)
frame["path_label"] = frame["recommended_path"].map(lambda c: lever_names.get(c, "") if c else "")
frame["white_label"] = frame["white_zone"].map({True: yes, False: no})
frame["status"] = [
    t("territories.not_indexed", language) if not indexed else "" for indexed in frame["indexed"]
]

# --- the headline figures -----------------------------------------------------------------------
headline = (
    ("indexed", int(frame["indexed"].sum()), {"n_min": n_min}),
    ("white_zones", int(frame["white_zone"].sum()), {}),
    ("unmet", int(frame["unmet_priority"].sum()), {"threshold": threshold}),
    ("not_assessed", int(frame["not_assessed"].sum()), {}),
)
for box, (code, value, quoted) in zip(st.columns(len(headline)), headline, strict=True):
    box.metric(
        t(f"territories.{code}", language),
        format_number(value, lang=language),
        help=t(f"territories.{code}.help", language, **quoted),
    )

# --- the map ------------------------------------------------------------------------------------
names = {code: t(f"territories.col.{code}", language) for code in COLOURS}
left, right = st.columns([3, 2], gap="large")
with left:
    bound(lang_key("ter_map_color"), "map_color", one_of(COLOURS), "underserved_index")
    colour = st.selectbox(
        t("territories.map_color", language),
        options=COLOURS,
        format_func=lambda c: names[c],
        key=lang_key("ter_map_color"),
    )
    keep("map_color", colour, "underserved_index")
    shape = map_shape("ter_map_shape", language)
    is_index = colour == "underserved_index"
    value_format = ",.1f" if is_index else ".0%" if colour in SHARES else ",.2f"
    spec = department_choropleth(
        frame,
        colour,
        names[colour],
        t("territories.map.title", language, measure=names[colour]),
        t(
            "territories.map.description",
            language,
            measure=names[colour].lower(),
            indexed=int(frame["indexed"].sum()),
            white=int(frame["white_zone"].sum()),
        ),
        language,
        value_format,
        shape=shape,
        classes=CLASS_LIMITS if is_index else None,
        marked="white_zone",
        marked_title=t("territories.white_zone", language),
        extra_tooltips=(
            ("projects", t("col.projects", language), ",.0f"),
            ("unmet_priority", t("territories.col.unmet_priority", language), ",.0f"),
            ("path_label", t("territories.col.recommended_path", language), None),
        ),
    )
    chart(
        spec,
        frame,
        {
            "department_name": t("col.department", language),
            colour: names[colour],
            "status": t("territories.col.status", language),
            "white_label": t("territories.white_zone", language),
            "department_code": t("col.code", language),
        },
        language,
        formats={colour: pct(language) if colour in SHARES else number(2, language)},
        key="ter_map",
        stretch=False,
    )
    st.caption(t("territories.map.legend", language))

# --- where to act ------------------------------------------------------------------------------
with right:
    st.header(t("territories.act.title", language))
    st.caption(t("territories.act.caption", language))
    top = frame[frame["rank"].notna()].head(TOP).copy()
    if top.empty:
        st.info(t("territories.act.none", language, n_min=n_min))
    else:
        elsewhere = bodies.groupby("department_code")["name"].agg(", ".join)
        top["elsewhere"] = [elsewhere.get(code, "—") for code in top["department_code"]]
        table(
            top,
            {
                "rank": t("territories.col.rank", language),
                "department_name": t("col.department", language),
                "underserved_index": t("territories.col.underserved_index", language),
                "unmet_priority": t("territories.col.unmet_priority", language),
                "ref_posts_per_10k_qpv": t("territories.col.ref_posts_per_10k_qpv", language),
                "ref_qpv_share": t("territories.col.ref_qpv_share", language),
                "ref_te_entries": t("territories.col.ref_te_entries", language),
                "path_label": t("territories.col.recommended_path", language),
                "white_label": t("territories.white_zone", language),
                "elsewhere": t("territories.col.elsewhere", language),
            },
            language,
            formats={
                "rank": number(0, language),
                "underserved_index": number(1, language),
                "unmet_priority": number(0, language),
                "ref_posts_per_10k_qpv": number(1, language),
                "ref_qpv_share": pct(language),
                "ref_te_entries": number(0, language),
            },
            key="ter_act",
            title=t("territories.act.title", language),
            wide=False,
        )

# --- every department, ranked ------------------------------------------------------------------
st.header(t("territories.ranked.title", language))
st.caption(t("territories.ranked.caption", language))
table(
    frame,
    {
        "rank": t("territories.col.rank", language),
        "department_name": t("col.department", language),
        "department_code": t("col.code", language),
        "region_name": t("col.region", language),
        "underserved_index": t("territories.col.underserved_index", language),
        "status": t("territories.col.status", language),
        "white_label": t("territories.white_zone", language),
        "population": t("territories.col.population", language),
        "projects": t("col.projects", language),
        "not_assessed": t("territories.col.not_assessed", language),
        "projects_priority_need": t("territories.col.projects_priority_need", language),
        "projects_supported": t("territories.col.projects_supported", language),
        "unmet_priority": t("territories.col.unmet_priority", language),
        "support_bodies": t("territories.col.support_bodies", language),
        "cohort_places": t("territories.col.cohort_places", language),
        "committed_eur": t("col.committed_eur", language),
        "projects_per_100k": names["projects_per_100k"],
        "eur_per_inhabitant": names["eur_per_inhabitant"],
        "places_per_10k": names["places_per_10k"],
        "coverage": names["coverage"],
        "unmet_share": names["unmet_share"],
        "fragile_share": names["fragile_share"],
        "capacity_deficit": names["capacity_deficit"],
        "path_label": t("territories.col.recommended_path", language),
        "ref_posts_per_10k_qpv": names["ref_posts_per_10k_qpv"],
        "ref_qpv_share": names["ref_qpv_share"],
        "ref_te_entries": t("territories.col.ref_te_entries", language),
    },
    language,
    formats={
        "rank": number(0, language),
        "underserved_index": number(1, language),
        "population": number(0, language),
        "projects": number(0, language),
        "not_assessed": number(0, language),
        "projects_priority_need": number(0, language),
        "projects_supported": number(0, language),
        "unmet_priority": number(0, language),
        "support_bodies": number(0, language),
        "cohort_places": number(0, language),
        "committed_eur": eur(language),
        "projects_per_100k": number(2, language),
        "eur_per_inhabitant": number(2, language),
        "places_per_10k": number(2, language),
        "coverage": pct(language),
        "unmet_share": pct(language),
        "fragile_share": pct(language),
        "capacity_deficit": pct(language),
        "ref_posts_per_10k_qpv": number(1, language),
        "ref_qpv_share": pct(language),
        "ref_te_entries": number(0, language),
    },
    key="ter_ranked",
    title=t("territories.ranked.title", language),
)
st.caption(t("territories.limits", language))
