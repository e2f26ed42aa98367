"""The metric layer (docs/figures.md): every figure the pages and exports show is computed here.

Each public function takes the connection and a PortfolioFilter (plus, where they matter, the
lever and viewpoint weights and the blind-spot threshold), runs one parameterised SQL query
aggregated in the database and returns a small frame. The SQL is written in the subset DuckDB and
PostgreSQL share: CTEs, window functions, `FILTER`, `percentile_cont … WITHIN GROUP`,
`= ANY(list)`, `split_part`, `least`, `ln`. Identifiers come only from the fixed lists of the
reference model; every value travels as a bound parameter.

`METRICS` describes every figure (code, labels, definition); the Method page is generated from it.
"""

from coinvest.metrics.assessments import (
    blind_spot_counts,
    blind_spots,
    consolidated_levers,
    gaps_by_lever,
    lever_profiles,
    lever_scores,
    lever_viewpoint_means,
    maturity,
    progress,
    ranked_projects,
    round_maturity,
    viewpoint_gaps,
    viewpoint_overview,
)
from coinvest.metrics.benchmarks import (
    MATURITY,
    investor_benchmark,
    lever_medians,
    viewpoint_gap_ranking,
    viewpoint_pair,
)
from coinvest.metrics.cohorts import (
    cohort_figures,
    cohort_maturity_spread,
    cohort_phases,
    cohort_progress,
)
from coinvest.metrics.definitions import (
    AGGREGATES,
    METRICS,
    SETTLED_POINTS,
    MetricDef,
    settled,
)
from coinvest.metrics.money import (
    co_investment,
    diversity_summary,
    leverage,
    leverage_ranking,
    partner_diversity,
    resource_mix,
    resources_by_kind,
)
from coinvest.metrics.needs import (
    DEFAULT_NEED_THRESHOLD,
    HELPED_GROUPS,
    did_it_help,
    did_it_help_compared,
    needs_by_lever,
    needs_by_question,
    needs_matrix,
    needs_overview,
    path_invitations,
    path_projects,
    project_needs,
    project_questions,
)
from coinvest.metrics.portfolio import (
    PortfolioKpis,
    portfolio_kpis,
    portfolio_summary,
    project_count,
    project_summary,
    projects_by,
    projects_by_department,
)
from coinvest.metrics.query import (
    ACHIEVEMENT_CAP,
    DEFAULT_BLIND_SPOT_THRESHOLD,
    EQUAL,
    MAX_WEIGHT,
    Hypothetical,
    Weights,
)
from coinvest.metrics.territories import (
    DEFAULT_N_MIN,
    territory_bodies,
    territory_support,
)
from coinvest.metrics.utility import (
    achievements,
    cost_extremes,
    cost_per_beneficiary,
    cost_ranking,
    indicator_summary,
    utility,
    utility_by_year,
    utility_histogram,
    utility_overview,
)
from coinvest.metrics.whatif import (
    reweighting,
    reweighting_overview,
    reweighting_summary,
    scenario_figures,
)
from coinvest.reference import SCORE_SCALE

__all__ = [
    "ACHIEVEMENT_CAP",
    "AGGREGATES",
    "DEFAULT_BLIND_SPOT_THRESHOLD",
    "DEFAULT_NEED_THRESHOLD",
    "DEFAULT_N_MIN",
    "EQUAL",
    "HELPED_GROUPS",
    "MATURITY",
    "MAX_WEIGHT",
    "METRICS",
    "SCORE_SCALE",
    "SETTLED_POINTS",
    "Hypothetical",
    "MetricDef",
    "PortfolioKpis",
    "Weights",
    "achievements",
    "blind_spot_counts",
    "blind_spots",
    "co_investment",
    "cohort_figures",
    "cohort_maturity_spread",
    "cohort_phases",
    "cohort_progress",
    "consolidated_levers",
    "cost_extremes",
    "cost_per_beneficiary",
    "cost_ranking",
    "did_it_help",
    "did_it_help_compared",
    "diversity_summary",
    "gaps_by_lever",
    "indicator_summary",
    "investor_benchmark",
    "lever_medians",
    "lever_profiles",
    "lever_scores",
    "lever_viewpoint_means",
    "leverage",
    "leverage_ranking",
    "maturity",
    "needs_by_lever",
    "needs_by_question",
    "needs_matrix",
    "needs_overview",
    "partner_diversity",
    "path_invitations",
    "path_projects",
    "portfolio_kpis",
    "portfolio_summary",
    "progress",
    "project_count",
    "project_needs",
    "project_questions",
    "project_summary",
    "projects_by",
    "projects_by_department",
    "ranked_projects",
    "resource_mix",
    "resources_by_kind",
    "reweighting",
    "reweighting_overview",
    "reweighting_summary",
    "round_maturity",
    "scenario_figures",
    "settled",
    "territory_bodies",
    "territory_support",
    "utility",
    "utility_by_year",
    "utility_histogram",
    "utility_overview",
    "viewpoint_gap_ranking",
    "viewpoint_gaps",
    "viewpoint_overview",
    "viewpoint_pair",
]
