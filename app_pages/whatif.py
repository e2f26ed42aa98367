"""What-if (docs/pages.md): lever and viewpoint weights, hypothetical investments, every figure
recomputed against the real baseline, named scenarios and saved views. Real tables are never
written."""

import pandas as pd
import streamlit as st

from coinvest import lookups, metrics
from coinvest import reference as ref
from coinvest.errors import CoinvestError
from coinvest.i18n import format_eur, format_number, format_pct, md_escape, t
from coinvest.scenarios import (
    Scenario,
    delete_scenario,
    delete_view,
    list_scenarios,
    list_views,
    load_scenario,
    save_scenario,
    save_view,
    validate_lines,
)
from ui.access import current_member
from ui.cache import M
from ui.context import (
    PENDING_VIEW,
    connection,
    current_filter,
    lang,
    no_match,
    read_only,
    set_filter,
)
from ui.header import header
from ui.show import number, table, text
from ui.url import from_url, keep, number_in

language = lang()
con = connection()
flt = current_filter()
member = current_member()  # scenarios and views are their organisation's (None: local mode)
LINE_COLUMNS = ["investor_org_id", "project_id", "amount_eur", "instrument"]
WEIGHTS = [step / 2 for step in range(11)]  # 0, 0.5 … 5
THRESHOLDS = (5, 50, 5)

header(con, flt, language, "whatif.title", "whatif.caption")


def weight_label(value: float) -> str:
    return format_number(value, 1, language)


def on_scale(weight: float) -> float:
    """A saved weight on the sliders' scale (a view written elsewhere may hold 2.3 or 7)."""
    return min(WEIGHTS, key=lambda option: abs(option - float(weight)))


def apply(scenario: Scenario, with_lines: bool, with_filter: bool = True) -> None:
    """Put a scenario's (or view's) weights, threshold and lines into the page's widgets; a
    scenario brings its filter too (its figures are those of that filter)."""
    for code, weight in scenario.weights.lever_map().items():
        st.session_state[f"wi_lever_{code}"] = on_scale(weight)
    for code, weight in scenario.weights.viewpoint_map().items():
        st.session_state[f"wi_vp_{code}"] = on_scale(weight)
    st.session_state["wi_threshold"] = round(scenario.threshold)
    if with_lines:
        st.session_state["wi_lines"] = pd.DataFrame(
            [vars(line) for line in scenario.lines], columns=LINE_COLUMNS
        )
        st.session_state["wi_editor"] = st.session_state.get("wi_editor", 0) + 1
        st.session_state["wi_scenario"] = scenario.name
        if with_filter:  # from a button's callback, before the sidebar is drawn
            set_filter(scenario.filter)
    st.session_state["wi_message"] = (
        "success",
        t("whatif.opened", language, name=md_escape(scenario.name)),
    )


def reset_weights() -> None:
    apply(Scenario(name="—"), with_lines=False)
    st.session_state.pop("wi_message", None)
    st.session_state.pop("wi_scenario", None)


def open_scenario(name: str) -> None:
    scenario = load_scenario(con, name, member)
    if scenario is None:
        st.session_state["wi_message"] = (
            "error",
            t("whatif.unknown_name", language, name=md_escape(name)),
        )
    else:
        apply(scenario, with_lines=True)


def remove(kind: str, name: str) -> None:
    (delete_scenario if kind == "scenario" else delete_view)(con, name, member)
    st.session_state["wi_message"] = (
        "success",
        t("whatif.deleted", language, name=md_escape(name)),
    )


# a scenario or a view named in the URL opens once per session (the sidebar has already taken
# the scenario's filter); weights and threshold written in the link then win over its own
if "wi_url_done" not in st.session_state:
    st.session_state["wi_url_done"] = True
    if st.query_params.get("scenario"):
        named = load_scenario(con, st.query_params.get("scenario"), member)
        if named is None:
            open_scenario(st.query_params.get("scenario"))
        else:
            apply(named, with_lines=True, with_filter=False)
    pending = st.session_state.pop(PENDING_VIEW, None)
    if isinstance(pending, Scenario):
        apply(pending, with_lines=False)
    elif isinstance(pending, str):
        st.session_state["wi_message"] = (
            "error",
            t("whatif.unknown_name", language, name=md_escape(pending)),
        )
    written = [(f"lw_{c}", f"wi_lever_{c}") for c in ref.LEVER_CODES]
    written += [(f"vw_{c}", f"wi_vp_{c}") for c in ref.VIEWPOINT_CODES]
    for param, key in written:
        weight = from_url(param, number_in(0, 5, 0.5))
        if weight is not None:
            st.session_state[key] = weight
    linked_threshold = from_url("threshold", number_in(*THRESHOLDS, integer=True))
    if linked_threshold is not None:
        st.session_state["wi_threshold"] = linked_threshold
for code in ref.LEVER_CODES:
    st.session_state.setdefault(f"wi_lever_{code}", 1.0)
for code in ref.VIEWPOINT_CODES:
    st.session_state.setdefault(f"wi_vp_{code}", 1.0)
st.session_state.setdefault("wi_threshold", int(metrics.DEFAULT_BLIND_SPOT_THRESHOLD))
st.session_state.setdefault("wi_lines", pd.DataFrame(columns=LINE_COLUMNS))
st.session_state.setdefault("wi_editor", 0)

message = st.session_state.pop("wi_message", None)
if message:
    getattr(st, message[0])(message[1])
if no_match(flt, M.project_count(con, flt), language):
    st.stop()

tab_weights, tab_lines, tab_saved = st.tabs(
    [
        t("whatif.tab.weights", language),
        t("whatif.tab.investments", language),
        t("whatif.tab.scenarios", language),
    ]
)


def show(key: str, value) -> str:
    """A scenario figure in the UI's number format."""
    if value is None:
        return "—"
    if key.endswith("_eur") or key == "median_cost_per_beneficiary":
        return format_eur(value, lang=language)
    if key.endswith("_share"):
        return format_pct(value, lang=language)
    if key.startswith("leverage"):
        return format_number(value, 2, language)
    return format_number(value, lang=language)


# --- weights --------------------------------------------------------------------------------------
with tab_weights:
    lever_col, vp_col = st.columns([3, 2], gap="large")
    with lever_col:
        st.markdown(f"**{t('whatif.levers', language)}**")
        for lever in ref.LEVERS:
            st.select_slider(
                lever.label(language),
                options=WEIGHTS,
                format_func=weight_label,
                key=f"wi_lever_{lever.code}",
                help=t("whatif.weights.help", language),
            )
    with vp_col:
        st.markdown(f"**{t('whatif.viewpoints', language)}**")
        for viewpoint in ref.VIEWPOINTS:
            st.select_slider(
                viewpoint.who_label(language),  # named by who answered
                options=WEIGHTS,
                format_func=weight_label,
                key=f"wi_vp_{viewpoint.code}",
                help=t("whatif.weights.help", language),
            )
        st.slider(
            t("whatif.threshold", language),
            THRESHOLDS[0],
            THRESHOLDS[1],
            step=THRESHOLDS[2],
            key="wi_threshold",
        )
        st.button(t("whatif.reset", language), on_click=reset_weights, key="wi_reset")

weights_error = None
try:
    weights = metrics.Weights.create(
        {c: st.session_state[f"wi_lever_{c}"] for c in ref.LEVER_CODES},
        {c: st.session_state[f"wi_vp_{c}"] for c in ref.VIEWPOINT_CODES},
    )
except CoinvestError as exc:
    weights, weights_error = None, exc.message(language)
threshold = float(st.session_state["wi_threshold"])
# the link carries the weights, the threshold and the scenario opened (docs/pages.md)
for code in ref.LEVER_CODES:
    keep(f"lw_{code}", st.session_state[f"wi_lever_{code}"], 1.0)
for code in ref.VIEWPOINT_CODES:
    keep(f"vw_{code}", st.session_state[f"wi_vp_{code}"], 1.0)
keep("threshold", int(threshold), int(metrics.DEFAULT_BLIND_SPOT_THRESHOLD))
keep("scenario", st.session_state.get("wi_scenario"))

with tab_weights:
    if weights_error:
        st.error(weights_error)
    else:
        top, movers, summary = M.reweighting_overview(con, flt, weights, 20)
        spots = M.blind_spot_counts(con, flt, threshold)["spots"].sum()
        tiles = st.columns(4)
        tiles[0].metric(
            t("whatif.maturity_equal", language),
            format_number(summary["maturity_equal"], 1, language),
        )
        delta = None
        if summary["maturity_weighted"] is not None and summary["maturity_equal"] is not None:
            delta = format_number(
                summary["maturity_weighted"] - summary["maturity_equal"], 1, language
            )
        tiles[1].metric(
            t("whatif.maturity_weighted", language),
            format_number(summary["maturity_weighted"], 1, language),
            delta=delta,
        )
        tiles[2].metric(t("whatif.moved", language), format_number(summary["moved"], lang=language))
        tiles[3].metric(t("whatif.blind_spots", language), format_number(spots, lang=language))
        columns = {
            "rank_weighted": t("whatif.col.rank_weighted", language),
            "rank_equal": t("whatif.col.rank_equal", language),
            "rank_change": t("whatif.col.change", language),
            "project_id": t("col.code", language),
            "name": t("col.project", language),
            "maturity_weighted": t("whatif.col.maturity_weighted", language),
            "maturity_equal": t("whatif.col.maturity_equal", language),
        }
        formats = {
            "rank_weighted": number(0, language),
            "rank_equal": number(0, language),
            "maturity_weighted": number(1, language),
            "maturity_equal": number(1, language),
            "rank_change": text(lambda v: f"{v:+d}" if v else "="),
        }
        ordered = {"name": columns.pop("name"), **columns}
        for heading, frame, key in (
            (t("whatif.ranking", language), top, "wi_rank"),
            (t("whatif.movers", language), movers, "wi_movers"),
        ):
            st.header(heading)
            if frame.empty and key == "wi_movers":  # equal weights, or weights moving nobody
                st.info(t("whatif.movers.none", language))
                continue
            table(frame, ordered, language, formats, key=key, select=True, title=heading, flt=flt)

# --- hypothetical investments -------------------------------------------------------------------
investors = lookups.investors(con, flt.scope)
investor_names = dict(zip(investors["org_id"], investors["name"], strict=True))
instrument_names = ref.labels(ref.INSTRUMENTS, language)
with tab_lines:
    st.write(t("whatif.lines.intro", language))
    search = st.text_input(t("whatif.lines.search", language), key="wi_search")
    if search:
        table(
            lookups.search_projects(con, flt, search, 10),
            {"name": t("col.project", language), "project_id": t("col.code", language)},
            language,
            key="wi_found",
            download=False,
        )
    edited = st.data_editor(
        st.session_state["wi_lines"],
        num_rows="dynamic",
        hide_index=True,
        key=f"wi_editor_{st.session_state['wi_editor']}",
        column_config={
            "investor_org_id": st.column_config.SelectboxColumn(
                t("col.investor", language),
                options=list(investor_names),
                format_func=lambda oid: investor_names.get(oid, oid),
                required=True,
            ),
            "project_id": st.column_config.TextColumn(
                t("col.project", language),
                help=t("whatif.lines.project_help", language),
                required=True,
            ),
            "amount_eur": st.column_config.NumberColumn(
                t("col.amount", language), min_value=0, step=1000
            ),
            "instrument": st.column_config.SelectboxColumn(
                t("col.instrument", language),
                options=list(ref.INSTRUMENT_CODES),
                format_func=lambda code: instrument_names.get(code, code),
                default="grant",
            ),
        },
    )
    lines, problems = validate_lines(con, edited.to_dict("records"), flt.scope)
    if problems:
        st.error(t("whatif.lines.invalid", language))
        for problem in problems:
            st.caption(
                t(
                    "whatif.line_problem",
                    language,
                    line=problem.line,
                    message=t(problem.key, language, value=md_escape(problem.value)),
                )
            )
    elif not lines:
        st.info(t("whatif.lines.none", language))
    else:
        baseline = M.scenario_figures(con, flt)
        scenario = M.scenario_figures(con, flt, lines)
        if not flt.investor:
            st.caption(t("kpi.no_investor", language))
        rows = []
        for key in baseline:
            before, after = baseline[key], scenario[key]
            diff = None if before is None or after is None else after - before
            rows.append(
                {
                    "metric": t(f"whatif.fig.{key}", language),
                    "baseline": show(key, before),
                    "scenario": show(key, after),
                    "difference": "—"
                    if diff is None
                    else ("=" if diff == 0 else ("+" if diff > 0 else "") + show(key, diff)),
                }
            )
        table(
            pd.DataFrame(rows),
            {
                "metric": t("whatif.compare.metric", language),
                "baseline": t("whatif.compare.baseline", language),
                "scenario": t("whatif.compare.scenario", language),
                "difference": t("whatif.compare.difference", language),
            },
            language,
            key="wi_compare",
            title=t("whatif.tab.investments", language),
        )

# --- scenarios and views ----------------------------------------------------------------------------
with tab_saved:
    locked = read_only()
    if locked:
        st.info(t("readonly.no_save", language))
    name = st.text_input(t("whatif.save.name", language), key="wi_name", disabled=locked)
    overwrite = st.checkbox(t("whatif.overwrite", language), key="wi_overwrite", disabled=locked)
    if st.button(
        t("whatif.save", language),
        key="wi_save",
        disabled=locked or bool(weights_error) or bool(problems),
    ):
        try:
            save_scenario(
                con,
                Scenario(name=name, weights=weights, threshold=threshold, lines=lines, filter=flt),
                overwrite=overwrite,
                member=member,
            )
        except CoinvestError as exc:
            st.error(exc.message(language, markdown=True))
        else:
            st.success(t("whatif.saved", language, name=md_escape(name.strip())))
    st.subheader(t("whatif.scenarios", language))
    saved = list_scenarios(con, member)
    if saved.empty:
        st.caption(t("whatif.no_scenario", language))
    else:
        for row in saved.itertuples():
            cols = st.columns([4, 1, 1])
            cols[0].markdown(f"**{md_escape(row.name)}** — {row.lines}")
            cols[1].button(
                t("whatif.open", language),
                key=f"wi_open_{row.Index}",
                on_click=open_scenario,
                args=(row.name,),
            )
            cols[2].button(
                t("whatif.delete", language),
                key=f"wi_del_{row.Index}",
                on_click=remove,
                args=("scenario", row.name),
                disabled=locked,
            )
        if len(saved) >= 2:
            st.subheader(t("whatif.compare", language))
            st.caption(t("whatif.compare.caption", language))
            pick = st.columns(2)
            first = pick[0].selectbox("A", list(saved["name"]), index=0, key="wi_cmp_a")
            second = pick[1].selectbox("B", list(saved["name"]), index=1, key="wi_cmp_b")
            figures = {"baseline": M.scenario_figures(con, flt)}
            for label, chosen in (("A", first), ("B", second)):
                loaded = load_scenario(con, chosen, member)
                figures[label] = M.scenario_figures(con, flt, loaded.lines if loaded else ())
            keys = list(figures["baseline"])
            table(
                pd.DataFrame(
                    {
                        "metric": [t(f"whatif.fig.{k}", language) for k in keys],
                        "baseline": [show(k, figures["baseline"][k]) for k in keys],
                        "a": [show(k, figures["A"][k]) for k in keys],
                        "b": [show(k, figures["B"][k]) for k in keys],
                    }
                ),
                {
                    "metric": t("whatif.compare.metric", language),
                    "baseline": t("whatif.compare.baseline", language),
                    "a": f"A — {first}",
                    "b": f"B — {second}",
                },
                language,
                key="wi_cmp",
                title=t("whatif.compare", language),
            )
    st.subheader(t("whatif.views", language))
    view_name = st.text_input(t("whatif.view.name", language), key="wi_view_name", disabled=locked)
    if st.button(
        t("whatif.view.save", language), key="wi_view_save", disabled=locked or bool(weights_error)
    ):
        try:
            save_view(con, view_name, flt, weights, threshold, overwrite=overwrite, member=member)
        except CoinvestError as exc:
            st.error(exc.message(language, markdown=True))
        else:
            st.success(t("whatif.view.saved", language, name=md_escape(view_name.strip())))
    views = list_views(con, member)
    if views.empty:
        st.caption(t("whatif.no_view", language))
    else:
        for row in views.itertuples():
            cols = st.columns([5, 1])
            cols[0].markdown(f"**{md_escape(row.name)}**")
            cols[1].button(
                t("whatif.delete", language),
                key=f"wi_vdel_{row.Index}",
                on_click=remove,
                args=("view", row.name),
                disabled=locked,
            )
