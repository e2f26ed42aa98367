"""Per-process and per-session state of the app: the connection, the language and the filter.

The global portfolio filter lives in the sidebar and in the URL. On the first run of a session
the widgets are seeded from the URL (a shared link restores the view); afterwards the widgets are
the truth and the URL is rewritten from them on every run, which also puts the parameters back
after a page switch (Streamlit clears the query string when the page changes).
"""

from __future__ import annotations

import os

import streamlit as st

from coinvest import lookups
from coinvest import reference as ref
from coinvest.db import open_database, resolve_db_path
from coinvest.errors import CoinvestError
from coinvest.filters import PortfolioFilter
from coinvest.i18n import LANGS, normalise_lang, t
from coinvest.scenarios import load_view
from coinvest.territory import departments, regions

FILTER_KEYS = (
    "investor",
    "support_body",
    "cohort",
    "region",
    "department",
    "phase",
    "need",
    "qpv",
    "rural",
    "year_from",
    "year_to",
    "search",
)
STATE_FILTER = "portfolio_filter"
PENDING_VIEW = "pending_view"  # a saved view opened from the URL, for the What-if page's weights


@st.cache_resource(show_spinner=False)
def _connection(path: str, read_only: bool):
    """One DuckDB connection per process; every query runs on its own cursor."""
    return open_database(path, read_only=read_only)


def lang_key(name: str) -> str:
    """A widget key for a widget whose options are labelled in the UI language.

    Streamlit keeps a keyed widget's value as its *formatted* option, so a widget relabelled in
    another language would lose its value; a key per language gives a fresh widget instead.
    """
    return f"{name}.{lang()}"


def lang() -> str:
    """The UI language: the sidebar switch, else the URL (`lang=en`), French by default."""
    if "ui_lang" in st.session_state:
        return normalise_lang(st.session_state["ui_lang"])
    return normalise_lang(st.query_params.get("lang"))


def read_only() -> bool:
    """Shared viewing (COINVEST_READ_ONLY=1): the database is opened read-only."""
    return os.environ.get("COINVEST_READ_ONLY", "") == "1"


def connection():
    """The process's connection, or a clear message and a stop when it cannot be opened."""
    path = str(resolve_db_path())
    try:
        return _connection(path, read_only())
    except CoinvestError as exc:
        st.error(exc.message(lang(), markdown=True))
        st.stop()


def _url_filter() -> PortfolioFilter:
    params = {key: st.query_params.get_all(key) for key in FILTER_KEYS if key in st.query_params}
    return PortfolioFilter.from_query_params(params)


def current_filter() -> PortfolioFilter:
    """The global portfolio filter of this run (the sidebar's, else the URL's)."""
    return st.session_state.get(STATE_FILTER) or _url_filter()


@st.cache_data(ttl=300, show_spinner=False)
def _options(path: str) -> dict:
    con = _connection(path, read_only())
    return {
        "investors": lookups.investors(con),
        "support_bodies": lookups.support_bodies(con),
        "cohorts": lookups.cohorts(con),
        "years": lookups.year_span(con),
    }


def _seed_from_url(options: dict) -> None:
    """First run of a session: the widgets start from the URL (unknown values dropped).

    `?view=NAME` opens a saved view: its filter here, its weights on the What-if page.
    """
    flt = _url_filter()
    name = st.query_params.get("view")
    if name:
        view = load_view(connection(), name)
        st.session_state[PENDING_VIEW] = view if view is not None else name
        if view is not None:
            flt = view.filter
        del st.query_params["view"]
    _seed(flt, options)
    st.session_state.update(ui_lang=normalise_lang(st.query_params.get("lang")), f_seeded=True)


def _seed(flt: PortfolioFilter, options: dict) -> None:
    """Put a filter's values into the sidebar widgets' state."""
    investors = set(options["investors"]["org_id"])
    bodies = set(options["support_bodies"]["org_id"])
    cohort_ids = set(options["cohorts"]["cohort_id"])
    st.session_state.update(
        {
            "f_investor": flt.investor if flt.investor in investors else None,
            "f_support_body": [b for b in flt.support_body if b in bodies],
            "f_cohort": [c for c in flt.cohort if c in cohort_ids],
            "f_region": list(flt.region),
            "f_department": list(flt.department),
            lang_key("f_phase"): list(flt.phase),
            lang_key("f_need"): list(flt.need),
            "f_qpv": flt.qpv,
            "f_rural": flt.rural,
            "f_year_from": flt.year_from,
            "f_year_to": flt.year_to,
            "f_search": flt.search,
        }
    )


def _sync_url(flt: PortfolioFilter, language: str) -> None:
    wanted = flt.to_query_params()
    if language != "fr":
        wanted["lang"] = language
    for key in (*FILTER_KEYS, "lang"):
        current = st.query_params.get_all(key)
        value = wanted.get(key)
        target = [] if value is None else (value if isinstance(value, list) else [value])
        if current != target:
            if target:
                st.query_params[key] = target if len(target) > 1 else target[0]
            else:
                del st.query_params[key]


def _reset() -> None:
    for key in ("f_support_body", "f_cohort", "f_region", "f_department"):
        st.session_state[key] = []
    st.session_state[lang_key("f_phase")] = []
    st.session_state[lang_key("f_need")] = []
    st.session_state.update(
        f_investor=None, f_qpv=False, f_rural=False, f_year_from=None, f_year_to=None, f_search=""
    )


def sidebar_filter() -> PortfolioFilter:
    """Draw the language switch and the global filter in the sidebar; return the filter."""
    options = _options(str(resolve_db_path()))
    if "f_seeded" not in st.session_state:
        _seed_from_url(options)
    sb = st.sidebar
    sb.radio(
        "Langue / Language",
        options=list(LANGS),
        format_func=lambda code: {"fr": "Français", "en": "English"}[code],
        key="ui_lang",
        horizontal=True,
        label_visibility="collapsed",
    )
    language = lang()
    if st.session_state.get("f_lang") not in (None, language) and STATE_FILTER in st.session_state:
        # relabelled widgets start afresh: give them back the filter they had
        _seed(st.session_state[STATE_FILTER], options)
    st.session_state["f_lang"] = language
    sb.subheader(t("filter.title", language))
    names = dict(zip(options["investors"]["org_id"], options["investors"]["name"], strict=True))
    sb.selectbox(
        t("filter.investor", language),
        options=list(names),
        format_func=lambda oid: names.get(oid, oid),
        index=None,
        placeholder=t("filter.any_investor", language),
        key="f_investor",
        help=t("filter.investor.help", language),
    )
    sb.text_input(
        t("filter.search", language), key="f_search", help=t("filter.search.help", language)
    )
    sb.multiselect(
        t("filter.phase", language),
        placeholder=t("filter.choose", language),
        options=list(ref.PHASE_CODES),
        format_func=lambda c: ref.labels(ref.PHASES, language)[c],
        key=lang_key("f_phase"),
    )
    sb.multiselect(
        t("filter.need", language),
        placeholder=t("filter.choose", language),
        options=list(ref.NEED_CODES),
        format_func=lambda c: ref.labels(ref.NEEDS, language)[c],
        key=lang_key("f_need"),
    )
    region_names = {r.code: r.name for r in regions()}
    sb.multiselect(
        t("filter.region", language),
        placeholder=t("filter.choose", language),
        options=list(region_names),
        format_func=lambda c: region_names[c],
        key="f_region",
    )
    chosen_regions = set(st.session_state.get("f_region") or [])
    deps = [d for d in departments() if not chosen_regions or d.region_code in chosen_regions]
    keep = {d.code for d in deps} | set(st.session_state.get("f_department") or [])
    dep_names = {d.code: f"{d.code} {d.name}" for d in departments() if d.code in keep}
    sb.multiselect(
        t("filter.department", language),
        placeholder=t("filter.choose", language),
        options=list(dep_names),
        format_func=lambda c: dep_names[c],
        key="f_department",
    )
    left, right = sb.columns(2)
    left.checkbox("QPV", key="f_qpv", help=t("filter.qpv.help", language))
    right.checkbox(
        t("filter.rural", language), key="f_rural", help=t("filter.rural.help", language)
    )
    bodies = dict(
        zip(options["support_bodies"]["org_id"], options["support_bodies"]["name"], strict=True)
    )
    sb.multiselect(
        t("filter.support_body", language),
        placeholder=t("filter.choose", language),
        options=list(bodies),
        format_func=lambda oid: bodies.get(oid, oid),
        key="f_support_body",
    )
    cohort_frame = options["cohorts"]
    cohort_names = dict(
        zip(
            cohort_frame["cohort_id"],
            cohort_frame["name"] + " — " + cohort_frame["support_body_name"],
            strict=True,
        )
    )
    sb.multiselect(
        t("filter.cohort", language),
        placeholder=t("filter.choose", language),
        options=list(cohort_names),
        format_func=lambda c: cohort_names.get(c, c),
        key="f_cohort",
    )
    span = options["years"]
    if span:
        years = list(range(span[0], span[1] + 1))
        for key in ("f_year_from", "f_year_to"):
            if st.session_state.get(key) not in (None, *years):
                years = sorted({*years, st.session_state[key]})
        left, right = sb.columns(2)
        left.selectbox(
            t("filter.year_from", language),
            options=years,
            index=None,
            key="f_year_from",
            placeholder="—",
        )
        right.selectbox(
            t("filter.year_to", language),
            options=years,
            index=None,
            key="f_year_to",
            placeholder="—",
        )
    flt = PortfolioFilter.create(
        investor=st.session_state.get("f_investor"),
        support_body=st.session_state.get("f_support_body"),
        cohort=st.session_state.get("f_cohort"),
        region=st.session_state.get("f_region"),
        department=st.session_state.get("f_department"),
        phase=st.session_state.get(lang_key("f_phase")),
        need=st.session_state.get(lang_key("f_need")),
        qpv=st.session_state.get("f_qpv"),
        rural=st.session_state.get("f_rural"),
        year_from=st.session_state.get("f_year_from"),
        year_to=st.session_state.get("f_year_to"),
        search=st.session_state.get("f_search") or "",
    )
    if not flt.is_empty:
        sb.button(t("filter.reset", language), on_click=_reset, key="f_reset")
    st.session_state[STATE_FILTER] = flt
    _sync_url(flt, language)
    return flt


def no_match(flt: PortfolioFilter, projects: int, language: str) -> bool:
    """Say so and return True when the filter keeps no project (the page then stops)."""
    if projects:
        return False
    st.info(t("overview.empty" if flt.is_empty else "overview.no_match", language))
    return True
