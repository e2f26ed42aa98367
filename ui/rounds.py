"""A campaign's round on the pages that show rounds (docs/campaigns.md): Viewpoints, Cohorts and
Needs offer the campaigns the reader may see; one picked keeps its projects and makes its round
the latest, and the page says the round's date."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from coinvest import campaigns
from coinvest.db import Connection
from coinvest.filters import PortfolioFilter
from coinvest.i18n import md_escape, t
from ui.url import bound, keep

KEY = "round_campaign"  # one choice for the three pages: it follows the reader from one to the next
PARAM = "campaign"


def campaign_round(con: Connection, flt: PortfolioFilter, language: str) -> PortfolioFilter:
    """The filter with the campaign picked (URL `campaign=`), or as it is when none is picked
    or the reader may see no campaign."""
    listed = campaigns.list_campaigns(con, flt.scope)
    if listed.empty:
        return flt
    rows = {int(row["campaign_id"]): row for _, row in listed.iterrows()}

    def parse(values: list[str]) -> int | None:
        try:
            value = int(values[-1])
        except (IndexError, ValueError):
            return None
        return value if value in rows else None

    bound(KEY, PARAM, parse, None)
    if st.session_state.get(KEY) not in rows:
        st.session_state[KEY] = None
    picked = st.selectbox(
        t("rounds.campaign", language),
        [None, *rows],
        format_func=lambda c: (
            t("rounds.campaign.none", language)
            if c is None
            else f"{rows[c]['name']} — {pd.Timestamp(rows[c]['reference_date']):%d/%m/%Y}"
        ),
        help=t("rounds.campaign.help", language),
        key=KEY,
    )
    keep(PARAM, picked)
    if picked is None:
        return flt
    row = rows[picked]
    st.caption(
        t(
            "rounds.campaign.round",
            language,
            name=md_escape(row["name"]),
            date=f"{pd.Timestamp(row['reference_date']):%d/%m/%Y}",
        )
    )
    return replace(flt, campaign=picked)
