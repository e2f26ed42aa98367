"""Method (docs/pages.md): generated from the reference model and the metric layer's definitions."""

import pandas as pd
import streamlit as st

from coinvest import reference as ref
from coinvest.i18n import t
from coinvest.metrics import METRICS
from ui.context import lang
from ui.header import header
from ui.show import unfolding

language = lang()

header(None, None, language, "method.title", "method.caption")


def listing(frame: pd.DataFrame) -> None:
    """A reference list as shown (its columns are already named in the language): a plain
    table, read, not sorted or searched, which a browser draws in no time (docs/rules.md
    "Speed")."""
    st.table(frame, hide_index=True, border="horizontal")


st.header(t("method.levers", language))
st.write(t("method.levers.intro", language))
for number, lever in enumerate(ref.LEVERS, start=1):
    box, shown = unfolding(
        f"{number}. {lever.label(language)}", f"method_{lever.code}_open", expanded=number == 1
    )
    with box:
        if shown:
            listing(
                pd.DataFrame(
                    {
                        t("col.code", language): [q.code for q in lever.questions],
                        t("col.question", language): [q.label(language) for q in lever.questions],
                    }
                )
            )

st.header(t("method.viewpoints", language))
st.write(t("method.viewpoints.intro", language))
listing(
    pd.DataFrame(
        {
            t("col.code", language): [v.code for v in ref.VIEWPOINTS],
            t("col.label", language): [v.label(language) for v in ref.VIEWPOINTS],
            t("col.who", language): [v.assessors(language) for v in ref.VIEWPOINTS],
        }
    )
)

st.header(t("method.phases", language))
st.write(t("method.phases.intro", language))
listing(
    pd.DataFrame(
        {
            t("col.code", language): [p.code for p in ref.PHASES],
            t("col.label", language): [p.label(language) for p in ref.PHASES],
        }
    )
)

st.subheader(t("method.phase_weights", language))
st.write(t("method.phase_weights.intro", language, wmax=ref.PHASE_WEIGHT_MAX))
listing(
    pd.DataFrame(
        {
            t("col.phase", language): [p.label(language) for p in ref.PHASES],
            **{
                lever.label(language): [ref.PHASE_WEIGHTS[p.code][lever.code] for p in ref.PHASES]
                for lever in ref.LEVERS
            },
        }
    )
)

st.header(t("method.scale", language))
listing(
    pd.DataFrame(
        {
            t("col.level", language): list(ref.MATURITY_SCALE),
            t("col.label", language): [
                ref.maturity_label(level, language) for level in ref.MATURITY_SCALE
            ],
        }
    )
)

st.header(t("method.figures", language))
for metric in METRICS:
    st.markdown(f"**{metric.name(language)}** — {metric.definition(language)}")

st.header(t("method.lists", language))
yes, no = t("yes", language), t("no", language)
sectors = ref.labels(ref.SECTORS, language)
tables = (
    (
        "method.instruments",
        ref.INSTRUMENTS,
        {t("col.financial", language): [yes if i.financial else no for i in ref.INSTRUMENTS]},
    ),
    (
        "method.kinds",
        ref.ORG_KINDS,
        {t("col.sector", language): [sectors[k.sector] for k in ref.ORG_KINDS]},
    ),
    ("method.investor_levers", ref.INVESTOR_LEVERS, {}),
    ("method.partnership_types", ref.PARTNERSHIP_TYPES, {}),
    ("method.needs", ref.NEEDS, {}),
)
for key, items, extra in tables:
    st.subheader(t(key, language))
    listing(
        pd.DataFrame(
            {
                t("col.code", language): [i.code for i in items],
                t("col.label", language): [i.label(language) for i in items],
                **extra,
            }
        )
    )
