"""What every figure means: the Method page is generated from METRICS, whose names and
definitions are texts of the catalogues (`metric.<code>.name`, `metric.<code>.definition`,
and the settled points of docs/figures.md "Settled points" as `metric.settled.<point>`)."""

from __future__ import annotations

from dataclasses import dataclass

from coinvest import reference as ref
from coinvest.i18n import t
from coinvest.metrics.query import ACHIEVEMENT_CAP, DEFAULT_BLIND_SPOT_THRESHOLD
from coinvest.metrics.territories import DEFAULT_N_MIN
from coinvest.reference import SCORE_SCALE

# The constants the definitions quote, from the code that uses them.
QUOTED = {
    "need_thr": int(ref.DEFAULT_NEED_THRESHOLD),
    "weak": ref.WEAK_ANSWER,
    "wmax": ref.PHASE_WEIGHT_MAX,
    "score_max": ref.SCORE_MAX,
    "scale": int(SCORE_SCALE),
    "thr": int(DEFAULT_BLIND_SPOT_THRESHOLD),
    "cap": f"{ACHIEVEMENT_CAP:g}",
    "n_min": DEFAULT_N_MIN,
}


@dataclass(frozen=True)
class MetricDef:
    code: str
    function: str  # the function of the metric layer that computes it
    # the settled points (docs/figures.md "Settled points") stated with it
    settled: tuple[str, ...] = ()
    defined: bool = True  # False: the settled points are the whole definition

    def name(self, lang: str = "fr") -> str:
        return t(f"metric.{self.code}.name", lang)

    def definition(self, lang: str = "fr") -> str:
        parts = [t(f"metric.{self.code}.definition", lang, **QUOTED)] if self.defined else []
        parts += [settled(point, lang) for point in self.settled]
        return " ".join(parts)


def settled(point: str, lang: str = "fr") -> str:
    """A settled point of docs/figures.md "Settled points" as the Method page states it."""
    return t(f"metric.settled.{point}", lang)


SETTLED_POINTS = (
    "blind_spot_missing",
    "zero_target",
    "utility_year",
    "non_financial",
    "investor_period",
    "exact_money",
    "latest_per_lever",
    "leverage_period",
    "own_contributions",
    "empty_portfolio",
    "qpv_rural",
    "never_assessed_need",
    "territory_absence",
    "territory_coverage",
)

METRICS: tuple[MetricDef, ...] = (
    MetricDef("lever_score", "lever_scores", ("latest_per_lever",)),
    MetricDef("maturity", "maturity"),
    MetricDef("consolidated", "consolidated_levers"),
    MetricDef("gap", "viewpoint_gaps"),
    MetricDef("blind_spot", "blind_spots", ("blind_spot_missing",)),
    MetricDef("progress", "progress"),
    MetricDef("achievement", "achievements", ("zero_target",)),
    MetricDef("utility_index", "utility", ("utility_year",)),
    MetricDef("cost_per_beneficiary", "cost_per_beneficiary"),
    MetricDef("resources", "leverage", ("exact_money", "empty_portfolio")),
    MetricDef("leverage", "leverage", ("leverage_period", "non_financial", "own_contributions")),
    MetricDef("investor_period", "portfolio_kpis", ("investor_period",), defined=False),
    MetricDef("resource_mix", "resource_mix"),
    MetricDef("fragile_share", "portfolio_kpis", ("qpv_rural",)),
    MetricDef("partner_diversity", "partner_diversity"),
    MetricDef("co_investment", "co_investment"),
    MetricDef("portfolio_maturity", "reweighting_summary"),
    MetricDef("cohort", "cohort_figures"),
    MetricDef("benchmark", "lever_medians"),
    MetricDef("investor_benchmark", "investor_benchmark"),
    MetricDef("viewpoint_pair", "viewpoint_pair"),
    MetricDef("need", "project_needs", ("never_assessed_need",)),
    MetricDef("path", "project_needs"),
    MetricDef("question_to_work_on", "project_questions"),
    MetricDef("did_it_help", "did_it_help"),
    MetricDef("territory_inputs", "territory_support"),
    MetricDef("support_capacity", "territory_support"),
    MetricDef(
        "underserved_index",
        "territory_support",
        ("territory_absence", "territory_coverage"),
    ),
    MetricDef("white_zone", "territory_support"),
    MetricDef("reference_layers", "territory_support"),
)


# Functions that only regroup figures defined above (for a page, an export or a chart), with the
# figure each one regroups: the Method page's definitions cover them too.
AGGREGATES: dict[str, str] = {
    "project_count": "fragile_share",
    "projects_by": "fragile_share",
    "projects_by_department": "resources",
    "portfolio_summary": "leverage",
    "project_summary": "maturity",
    "round_maturity": "maturity",
    "lever_profiles": "consolidated",
    "ranked_projects": "consolidated",
    "lever_viewpoint_means": "lever_score",
    "gaps_by_lever": "gap",
    "blind_spot_counts": "blind_spot",
    "viewpoint_overview": "gap",
    "utility_by_year": "utility_index",
    "utility_histogram": "utility_index",
    "utility_overview": "utility_index",
    "utility_figures": "utility_index",
    "indicator_summary": "achievement",
    "cost_extremes": "cost_per_beneficiary",
    "cost_ranking": "cost_per_beneficiary",
    "leverage_ranking": "leverage",
    "resources_by_kind": "resource_mix",
    "diversity_summary": "partner_diversity",
    "cohort_progress": "cohort",
    "cohort_phases": "cohort",
    "cohort_maturity_spread": "cohort",
    "reweighting": "portfolio_maturity",
    "reweighting_overview": "portfolio_maturity",
    "scenario_figures": "leverage",
    "needs_by_lever": "need",
    "needs_matrix": "need",
    "needs_overview": "need",
    "path_projects": "path",
    "path_invitations": "path",
    "did_it_help_compared": "did_it_help",
    "viewpoint_gap_ranking": "gap",
    "needs_by_question": "question_to_work_on",
    "territory_bodies": "territory_inputs",
}
