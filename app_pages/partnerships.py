"""Partnerships & leverage (docs/pages.md): leverage per project and for the portfolio, the
public/private mix, partner diversity and the co-investor matrix."""

import pandas as pd
import streamlit as st

from coinvest import reference as ref
from coinvest.i18n import format_eur, format_number, format_pct, md_escape, t, tn
from ui.cache import M
from ui.charts import bar_chart, grouped_bars, heatmap
from ui.context import connection, current_filter, lang, no_match
from ui.header import header
from ui.show import chart, eur, leverage_tile, number, pct, table, unfolding

language = lang()
con = connection()
flt = current_filter()
header(con, flt, language, "partnerships.title", "partnerships.caption")
kpis = M.portfolio_kpis(con, flt)
if no_match(flt, kpis.projects, language):
    st.stop()

tiles = st.columns(5)
tiles[0].metric(
    t("kpi.resources", language),
    format_eur(kpis.resources_eur, lang=language, compact=True),
    help=t("kpi.resources.help", language),
)
if kpis.investor:
    tiles[1].metric(
        t("partnerships.own", language), format_eur(kpis.committed_eur, lang=language, compact=True)
    )
    tiles[2].metric(
        t("kpi.levered", language), format_eur(kpis.levered_eur, lang=language, compact=True)
    )
    leverage_tile(
        tiles[3],
        kpis.leverage,
        M.investor_benchmark(con, flt),
        language,
        t("partnerships.leverage.help", language),
    )
    tiles[4].metric(
        t("partnerships.leverage_financial", language),
        format_number(kpis.leverage_financial, 2, language),
        help=t("partnerships.leverage_financial.help", language),
    )
else:
    tiles[1].metric(
        t("kpi.committed", language), format_eur(kpis.invested_eur, lang=language, compact=True)
    )
    st.info(t("kpi.no_investor", language))

mix = M.resource_mix(con, flt)
sectors = ref.labels(ref.SECTORS, language)
left, right = st.columns(2, gap="large")
with left:
    if mix.empty:
        st.info(t("partnerships.no_money", language))
    else:
        mix["sector_label"] = mix["sector"].map(sectors)
        mix["what"] = t("kpi.resources", language)
        chart(
            grouped_bars(
                mix,
                category="what",
                value="eur",
                group="sector_label",
                category_title="",
                value_title=t("col.share", language),
                group_title=t("col.sector", language),
                title=t("partnerships.mix.title", language),
                description=t("partnerships.mix.description", language),
                lang=language,
                value_format=".0%",
                stacked=True,
            ),
            mix,
            {
                "sector_label": t("col.sector", language),
                "eur": "€",
                "share": t("col.share", language),
            },
            language,
            formats={"eur": eur(language), "share": pct(language)},
            key="pt_mix",
        )
        kinds = M.resources_by_kind(con, flt)
        kinds["kind_label"] = kinds["kind"].map(ref.labels(ref.ORG_KINDS, language))
        kinds["sector_label"] = kinds["sector"].map(sectors)
        kinds["nature"] = kinds["financial"].map(
            lambda f: t("partnerships.financial" if f else "partnerships.non_financial", language)
        )
        box, shown = unfolding(t("partnerships.by_kind", language), "pt_kinds_figures")
        with box:
            if shown:
                table(
                    kinds,
                    {
                        "kind_label": t("method.kinds", language),
                        "sector_label": t("col.sector", language),
                        "nature": t("partnerships.nature", language),
                        "eur": "€",
                    },
                    language,
                    formats={"eur": eur(language)},
                    key="pt_kinds",
                )
with right:
    diversity = M.diversity_summary(con, flt)
    if not diversity.empty:
        diversity["kinds_label"] = diversity["kinds"].astype(str)
        chart(
            bar_chart(
                diversity,
                category="kinds_label",
                value="projects",
                category_title=t("partnerships.kinds", language),
                value_title=t("col.projects", language),
                title=t("partnerships.diversity.title", language),
                description=t("partnerships.diversity.description", language),
                lang=language,
                sort=list(diversity["kinds_label"]),
            ),
            diversity,
            {
                "kinds": t("partnerships.kinds", language),
                "projects": t("col.projects", language),
                "mean_evenness": t("partnerships.evenness", language),
            },
            language,
            formats={"mean_evenness": number(2, language)},
            key="pt_diversity",
        )

if kpis.investor:
    st.header(t("partnerships.by_project", language))
    ranking = M.leverage_ranking(con, flt, 15)
    if ranking.empty:
        st.info(t("partnerships.no_own", language))
    else:
        ranking["label"] = ranking["name"] + " (" + ranking["project_id"] + ")"
        chart(
            bar_chart(
                ranking,
                category="label",
                value="leverage",
                category_title=t("col.project", language),
                value_title=t("kpi.leverage", language),
                title=t("partnerships.ranking.title", language),
                description=t("partnerships.ranking.description", language),
                lang=language,
                sort=list(ranking["label"]),
                pick="project_id",
            ),
            ranking,
            {
                "project_id": t("col.code", language),
                "name": t("col.project", language),
                "own_eur": t("partnerships.own", language),
                "resources_eur": t("kpi.resources", language),
                "leverage": t("kpi.leverage", language),
                "leverage_financial": t("partnerships.leverage_financial", language),
            },
            language,
            formats={
                "own_eur": eur(language),
                "resources_eur": eur(language),
                "leverage": number(2, language),
                "leverage_financial": number(2, language),
            },
            key="pt_ranking",
            pick_project=True,
            flt=flt,
        )

st.header(t("partnerships.coinvestment", language))
pairs = M.co_investment(con, flt)
if pairs.empty:
    st.info(t("partnerships.no_pair", language))
else:
    both = pd.concat(
        [
            pairs.rename(columns={"name_a": "row", "name_b": "column"}),
            pairs.rename(columns={"name_b": "row", "name_a": "column"}),
        ],
        ignore_index=True,
    )  # the matrix is symmetric: each pair shows in both cells
    order = sorted(set(both["row"]))
    chart(
        heatmap(
            both,
            x="column",
            y="row",
            value="projects",
            x_title=t("filter.investor", language),
            y_title=t("filter.investor", language),
            value_title=t("partnerships.shared_projects", language),
            title=t("partnerships.matrix.title", language),
            description=t("partnerships.matrix.description", language),
            lang=language,
            x_sort=order,
            y_sort=order,
        ),
        pairs,
        {
            "name_a": t("partnerships.investor_a", language),
            "name_b": t("partnerships.investor_b", language),
            "projects": t("partnerships.shared_projects", language),
            "eur_a": t("partnerships.eur_a", language),
            "eur_b": t("partnerships.eur_b", language),
        },
        language,
        formats={"eur_a": eur(language), "eur_b": eur(language)},
        key="pt_matrix",
    )
    top = pairs.iloc[0]
    st.caption(
        tn(
            "partnerships.top_pair",
            int(top["projects"]),
            language,
            a=md_escape(top["name_a"]),
            b=md_escape(top["name_b"]),
            n=format_number(top["projects"], lang=language),
            share=format_pct(top["projects"] / max(kpis.projects, 1), lang=language),
        )
    )
