"""Per-process and per-session state of the app: the connection, the language and the filter.

The global portfolio filter lives in the sidebar and in the URL. On the first run of a session
the widgets are seeded from the URL (a shared link restores the view); afterwards the widgets are
the truth and the URL is rewritten from them on every run, which also puts the parameters back
after a page switch (Streamlit clears the query string when the page changes).
"""

from __future__ import annotations

import sys

import streamlit as st

from coinvest import lookups, settings
from coinvest.db import (
    EngineError,
    data_version,
    open_database,
    resolve_db,
)
from coinvest.errors import CoinvestError
from coinvest.filters import FIELDS, FILTER_KEYS, FilterField, PortfolioFilter
from coinvest.i18n import CATALOG, LANGS, normalise_lang, t
from coinvest.scenarios import load_scenario, load_view
from coinvest.scope import Scope
from coinvest.territory import departments
from ui.access import current_member, shared_mode
from ui.language import lang, lang_key, select_all

STATE_FILTER = "portfolio_filter"
PENDING_VIEW = "pending_view"  # a saved view opened from the URL, for the What-if page's weights


@st.cache_resource(show_spinner=False, on_release=lambda con: con.close())
def _connection(target: str, read_only: bool):
    """One connection per process (a DuckDB file, or a pool of PostgreSQL connections); every
    query runs on its own cursor."""
    limit = settings.get("COINVEST_MEMORY_LIMIT")
    return open_database(target, read_only=read_only, memory_limit=limit)


def read_only() -> bool:
    """Shared viewing (COINVEST_READ_ONLY=1): the database is opened read-only."""
    return bool(settings.get("COINVEST_READ_ONLY"))


def connection():
    """The process's connection, or a clear message and a stop when it cannot be opened."""
    try:
        return _connection(resolve_db(), read_only())
    except CoinvestError as exc:
        if shared_mode():  # visitors of a shared instance learn no user, host or database name
            print(f"coinvest: {exc.message('en')}", file=sys.stderr, flush=True)
            st.error(t("db.unavailable", lang()))
        else:
            st.error(exc.message(lang(), markdown=True))
        st.stop()


DATA_VERSION = "data_version"


def follow_writes(con) -> int:
    """Once per run: the database's data version (docs/data.md "Two engines"), which keys every cached figure,
    so that a write by another instance sharing the database shows at this one's next run."""
    try:
        version = data_version(con)
    except EngineError as exc:
        if shared_mode():  # no server detail for the visitors of a shared instance
            print(f"coinvest: {exc}", file=sys.stderr, flush=True)
            st.error(t("db.unavailable", lang()))
        else:
            st.error(t("db.lost", lang(), detail=str(exc)))
        st.stop()
    st.session_state[DATA_VERSION] = version
    return version


def current_data_version() -> int:
    return int(st.session_state.get(DATA_VERSION, 0))


def _url_filter() -> PortfolioFilter:
    params = {key: st.query_params.get_all(key) for key in FILTER_KEYS if key in st.query_params}
    return PortfolioFilter.from_query_params(params, scope())


def scope() -> Scope | None:
    """What the signed-in member may see (None: everything, in local mode and for an admin)."""
    member = current_member()
    return member.scope if member is not None else None


def current_filter() -> PortfolioFilter:
    """The global portfolio filter of this run (the sidebar's, else the URL's), inside the
    member's scope."""
    flt = st.session_state.get(STATE_FILTER) or _url_filter()
    return flt.within(scope())


@st.cache_data(ttl=300, show_spinner=False)
def _options(target: str, scope: Scope | None, version: int) -> dict:
    """What the pickers offer: only what lies in the member's scope (the cache is keyed by it,
    and by the data version)."""
    con = _connection(target, read_only())
    return {
        "investors": lookups.investors(con, scope),
        "support_bodies": lookups.support_bodies(con, scope),
        "cohorts": lookups.cohorts(con, scope),
        "years": lookups.year_span(con, scope),
    }


def picker_options() -> dict:
    """The investors, support bodies, cohorts and years the pickers offer this member."""
    return _options(resolve_db(), scope(), current_data_version())


def language_switch() -> str:
    """The language switch at the top of the sidebar (the URL's `lang=` on a first run)."""
    if "ui_lang" not in st.session_state:
        st.session_state["ui_lang"] = normalise_lang(st.query_params.get("lang"))
    st.sidebar.radio(
        "Langue / Language",
        options=list(LANGS),
        format_func=lambda code: {"fr": "Français", "en": "English"}[code],
        key="ui_lang",
        horizontal=True,
        label_visibility="collapsed",
        persist_state="session",
    )
    return lang()


def _seed_from_url(options: dict) -> None:
    """First run of a session: the widgets start from the URL (unknown values dropped).

    `?view=NAME` opens a saved view: its filter here, its weights on the What-if page.
    `?scenario=NAME` opens a scenario with the filter it was saved with (its figures depend on
    it), unless the link names a filter of its own.
    """
    flt = _url_filter()
    member = current_member()
    name = st.query_params.get("view")
    if name:
        view = load_view(connection(), name, member)
        st.session_state[PENDING_VIEW] = view if view is not None else name
        if view is not None:
            flt = view.filter
        del st.query_params["view"]
    scenario_name = st.query_params.get("scenario")
    if scenario_name and flt.is_empty:
        scenario = load_scenario(connection(), scenario_name, member)
        if scenario is not None:
            flt = scenario.filter
    if flt.is_empty and member is not None and member.role == "investor":
        flt = flt.with_(investor=member.org_id)  # an investor's own leverage, to start with
    _seed(flt, options)
    st.session_state["f_seeded"] = True


# Widgets whose option labels follow the language get a key per language (see lang_key).
TRANSLATED = ("phase", "need")


def _key(field: FilterField) -> str:
    """The session-state key of a filter field's sidebar widget."""
    name = f"f_{field.name}"
    return lang_key(name) if field.name in TRANSLATED else name


def _empty(field: FilterField) -> object:
    if field.is_list:
        return []
    return {"flag": False, "text": ""}.get(field.kind)


def _known_ids(options: dict) -> dict[str, set[str]]:
    """The ids the pickers offer: a URL naming another one is not put into a widget."""
    return {
        "investor": set(options["investors"]["org_id"]),
        "support_body": set(options["support_bodies"]["org_id"]),
        "cohort": set(options["cohorts"]["cohort_id"]),
    }


def _seed(flt: PortfolioFilter, options: dict) -> None:
    """Put a filter's values into the sidebar widgets' state."""
    known = _known_ids(options)
    for field in FIELDS:
        value = getattr(flt, field.name)
        if field.name in known:
            if field.is_list:
                value = [v for v in value if v in known[field.name]]
            elif value not in known[field.name]:
                value = None
        st.session_state[_key(field)] = list(value) if field.is_list else value


def set_filter(flt: PortfolioFilter) -> None:
    """Put a filter into the sidebar (a scenario opened on the What-if page brings its own);
    call it from a widget's callback, before the sidebar is drawn."""
    _seed(flt, picker_options())


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
    for field in FIELDS:
        st.session_state[_key(field)] = _empty(field)


def _choices(field: FilterField, options: dict, language: str) -> tuple[list, dict]:
    """A picker's options and their names, for the fields that offer a list."""
    if field.name == "investor":
        frame = options["investors"]
        return list(frame["org_id"]), dict(zip(frame["org_id"], frame["name"], strict=True))
    if field.name == "support_body":
        frame = options["support_bodies"]
        return list(frame["org_id"]), dict(zip(frame["org_id"], frame["name"], strict=True))
    if field.name == "cohort":
        # a support body chosen: its cohorts only (and any already chosen)
        frame = options["cohorts"]
        bodies = set(st.session_state.get("f_support_body") or [])
        picked = set(st.session_state.get("f_cohort") or [])
        if bodies:
            frame = frame[
                frame["support_body_org_id"].isin(bodies) | frame["cohort_id"].isin(picked)
            ]
        names = frame["name"] + " — " + frame["support_body_name"]
        return list(frame["cohort_id"]), dict(zip(frame["cohort_id"], names, strict=True))
    if field.name == "department":
        # the departments of the chosen regions, and any already chosen
        chosen = set(st.session_state.get("f_region") or [])
        picked = set(st.session_state.get("f_department") or [])
        every = field.value_names(language) if field.value_names else {}
        names = {
            d.code: every[d.code]
            for d in departments()
            if not chosen or d.region_code in chosen or d.code in picked
        }
        return list(names), names
    if field.value_names is not None:  # the reference model's codes, in their order
        names = field.value_names(language)
        return list(names), names
    raise KeyError(field.name)


def _help(field: FilterField, language: str) -> str | None:
    key = f"filter.{field.name}.help"
    return t(key, language) if key in CATALOG[language] else None


def _widget(box, field: FilterField, options: dict, language: str) -> None:
    """The sidebar widget of one filter field, by its kind."""
    label, key, help_ = t(f"filter.{field.name}", language), _key(field), _help(field, language)
    # the filter outlives a page switch, st.switch_page's too (it resets other widgets)
    keep: dict = {"persist_state": "session"}
    if field.kind == "text":
        box.text_input(label, key=key, help=help_, **keep)
    elif field.kind == "flag":
        box.checkbox(label, key=key, help=help_, **keep)
    elif field.kind == "year":
        years = options["year_choices"]
        box.selectbox(
            label, options=years, index=None, key=key, placeholder="—", help=help_, **keep
        )
    else:
        values, names = _choices(field, options, language)
        common = {"format_func": lambda v: names.get(v, v), "key": key, "help": help_, **keep}
        if field.kind == "id":
            box.selectbox(
                label,
                options=values,
                index=None,
                placeholder=t(f"filter.any_{field.name}", language),
                **common,
            )
        else:
            box.multiselect(
                label,
                options=values,
                placeholder=t("filter.choose", language),
                select_all=select_all(language),
                **common,
            )


def _year_choices(options: dict) -> list[int]:
    span = options["years"]
    years = list(range(span[0], span[1] + 1)) if span else []
    for field in FIELDS:
        value = st.session_state.get(_key(field)) if field.kind == "year" else None
        if value is not None and value not in years:
            years = sorted({*years, value})
    return years


def sidebar_filter() -> PortfolioFilter:
    """Draw the global filter in the sidebar (under the language switch); return the filter,
    inside the member's scope."""
    options = picker_options()
    if "f_seeded" not in st.session_state:
        _seed_from_url(options)
    sb = st.sidebar
    language = lang()
    if st.session_state.get("f_lang") not in (None, language) and STATE_FILTER in st.session_state:
        # relabelled widgets start afresh: give them back the filter they had
        _seed(st.session_state[STATE_FILTER], options)
    st.session_state["f_lang"] = language
    sb.subheader(t("filter.title", language))
    options = {**options, "year_choices": _year_choices(options)}
    # flags and years go two by two on one line; years only when the data has some
    shown = [f for f in FIELDS if f.kind != "year" or options["years"]]
    position = 0
    while position < len(shown):
        field = shown[position]
        follower = shown[position + 1] if position + 1 < len(shown) else None
        if field.kind in ("flag", "year") and follower is not None and follower.kind == field.kind:
            left, right = sb.columns(2)
            _widget(left, field, options, language)
            _widget(right, follower, options, language)
            position += 2
        else:
            _widget(sb, field, options, language)
            position += 1
    flt = PortfolioFilter.create(
        **{f.name: st.session_state.get(_key(f)) for f in FIELDS}, scope=scope()
    )
    if not flt.is_empty:
        sb.button(t("filter.reset", language), on_click=_reset, key="f_reset")
    st.session_state[STATE_FILTER] = flt
    _sync_url(flt, language)
    return flt.within(scope())


def no_match(flt: PortfolioFilter, projects: int, language: str) -> bool:
    """Say so and return True when the filter keeps no project (the page then stops)."""
    if projects:
        return False
    st.info(t("overview.empty" if flt.is_empty else "overview.no_match", language))
    return True
