"""The metric layer (DESIGN §4): every figure the pages and exports show is computed here.

Each public function takes the connection and a PortfolioFilter (plus, where they matter, the
lever and viewpoint weights and the blind-spot threshold), runs one parameterised SQL query
aggregated in the database and returns a small frame. The SQL is written in the subset DuckDB and
PostgreSQL share: CTEs, window functions, `FILTER`, `percentile_cont … WITHIN GROUP`,
`= ANY(list)`, `split_part`, `least`, `ln`. Identifiers come only from the fixed lists of the
reference model; every value travels as a bound parameter.

`METRICS` describes every figure (code, labels, definition); the Method page is generated from it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from coinvest import reference as ref
from coinvest.db import query
from coinvest.errors import CoinvestError
from coinvest.filters import PortfolioFilter

SCORE_SCALE = 100 / ref.SCORE_MAX  # a 0–4 answer becomes 0–100: × 25
DEFAULT_BLIND_SPOT_THRESHOLD = 25.0
ACHIEVEMENT_CAP = 2.0
MAX_WEIGHT = 100.0

# --- exact sums -----------------------------------------------------------------------------------
# Floating-point addition is not associative, and both engines add in whatever order their
# threads finish: a plain sum or avg of doubles changes in its last digits from run to run
# (DESIGN §4.1: the same database must give byte-identical exports). Every sum of doubles is
# therefore taken over exact decimals — each term rounded once, to 1e-9, which is order-free —
# and divided as doubles at the end. Euros are stored as exact decimals already.
EXACT = "DECIMAL(18, 9)"  # scores × weights stay under 10^5, achievements under 2
EXACT_WIDE = "DECIMAL(38, 6)"  # measurement values (beneficiaries) summed over a portfolio


def _sum(expr: str, wide: bool = False) -> str:
    """An exact sum of a double expression (SQL text from this module, never user input)."""
    return f"sum(CAST({expr} AS {EXACT_WIDE if wide else EXACT}))"


def _ratio(numerator: str, denominator: str) -> str:
    """numerator / denominator as doubles; missing when the denominator is 0 or missing."""
    return (
        f"CAST({numerator} AS DOUBLE PRECISION) / "
        f"nullif(CAST({denominator} AS DOUBLE PRECISION), 0)"
    )


def _mean(expr: str) -> str:
    """The mean of the non-missing values of a double expression, order-free."""
    return _ratio(_sum(expr), f"count({expr})")


def _wmean(value: str, weight: str) -> str:
    """Σ value × weight / Σ weight, order-free."""
    return _ratio(_sum(f"{value} * {weight}"), _sum(weight))


# --- weights ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Weights:
    """Lever and viewpoint weights, in the reference model's order; equal by default."""

    levers: tuple[float, ...] = (1.0,) * len(ref.LEVER_CODES)
    viewpoints: tuple[float, ...] = (1.0,) * len(ref.VIEWPOINT_CODES)

    @classmethod
    def create(
        cls,
        levers: Mapping[str, float] | None = None,
        viewpoints: Mapping[str, float] | None = None,
    ) -> Weights:
        """Weights from code → weight maps (missing codes weigh 1).

        Raises CoinvestError for a negative, non-finite or absurd weight, or a set that is all zero.
        """

        def build(codes: tuple[str, ...], given: Mapping[str, float] | None, key: str):
            values = []
            for code in codes:
                raw = (given or {}).get(code, 1.0)
                try:
                    value = float(raw)
                except (TypeError, ValueError):
                    raise CoinvestError("weights.invalid", code=code, value=raw) from None
                if not math.isfinite(value) or value < 0 or value > MAX_WEIGHT:
                    raise CoinvestError("weights.invalid", code=code, value=raw)
                values.append(value)
            if not any(values):
                raise CoinvestError(key)
            return tuple(values)

        return cls(
            levers=build(ref.LEVER_CODES, levers, "weights.levers_all_zero"),
            viewpoints=build(ref.VIEWPOINT_CODES, viewpoints, "weights.viewpoints_all_zero"),
        )

    def lever_map(self) -> dict[str, float]:
        return dict(zip(ref.LEVER_CODES, self.levers, strict=True))

    def viewpoint_map(self) -> dict[str, float]:
        return dict(zip(ref.VIEWPOINT_CODES, self.viewpoints, strict=True))

    @property
    def is_default(self) -> bool:
        return self == Weights()


EQUAL = Weights()

# --- the query builder ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Hypothetical:
    """An investment that does not exist (what-if): counted in the period, never written."""

    investor_org_id: str
    project_id: str
    amount_eur: float
    instrument: str = "grant"


@dataclass
class _Query:
    """Common table expressions added in dependency order, with their bound parameters."""

    flt: PortfolioFilter
    weights: Weights = EQUAL
    projects: list[str] | None = None  # a pick of projects inside the filter (Compare page)
    hypothetical: tuple[Hypothetical, ...] = ()  # what-if investments, never written
    in_cohorts: bool = False  # only the filtered projects that are in a (chosen) cohort
    ctes: list[tuple[str, str, bool]] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.hypothetical:
            rows = ", ".join(
                f"(CAST($h_inv_{i} AS VARCHAR), CAST($h_prj_{i} AS VARCHAR), "
                f"CAST($h_eur_{i} AS DECIMAL(18, 2)), CAST($h_ins_{i} AS VARCHAR))"
                for i in range(len(self.hypothetical))
            )
            params: dict[str, Any] = {}
            for i, line in enumerate(self.hypothetical):
                params.update(
                    {
                        f"h_inv_{i}": line.investor_org_id,
                        f"h_prj_{i}": line.project_id,
                        f"h_eur_{i}": str(round(float(line.amount_eur), 2)),
                        f"h_ins_{i}": line.instrument,
                    }
                )
            self.add(
                "hyp",
                f"SELECT * FROM (VALUES {rows}) AS h (investor_org_id, project_id, amount_eur, "
                "instrument)",
                **params,
            )
        sql, params = self.flt.project_scope()
        if self.hypothetical and self.flt.investor:
            # a project the investor would fund in the scenario joins its portfolio
            base, base_params = self.flt.with_(investor=None).project_scope()
            sql = (
                f"SELECT project_id FROM ({sql}) funded UNION "
                f"SELECT h.project_id FROM hyp h JOIN ({base}) eligible "
                "ON eligible.project_id = h.project_id WHERE h.investor_org_id = $f_investor"
            )
            params = {**params, **base_params, "f_investor": self.flt.investor}
        if self.projects is not None:
            sql = f"SELECT project_id FROM ({sql}) picked WHERE project_id = ANY($f_projects)"
            params = {**params, "f_projects": list(self.projects)}
        if self.in_cohorts:
            # cohort figures need only the cohorts' projects: computing every project's
            # maturity first would be wasted on a national portfolio
            chosen = " WHERE cm.cohort_id = ANY($f_cohort)" if self.flt.cohort else ""
            sql = (
                f"SELECT project_id FROM ({sql}) filtered WHERE project_id IN "
                f"(SELECT cm.project_id FROM cohort_member cm{chosen})"
            )
            if self.flt.cohort:
                params = {**params, "f_cohort": list(self.flt.cohort)}
        self.add("scope", sql, materialized=True, **params)

    def has(self, name: str) -> bool:
        return any(n == name for n, _, _ in self.ctes)

    def add(self, name: str, sql: str, materialized: bool = False, **params: Any) -> None:
        if self.has(name):
            return
        self.ctes.append((name, sql, materialized))
        self.params.update(params)

    def join_scope(self, alias: str) -> str:
        """`JOIN scope …` restricting `alias` to the filtered projects; nothing when every
        project is kept (the join would only cost time)."""
        if (
            self.flt.is_empty
            and self.projects is None
            and not self.hypothetical
            and not self.in_cohorts
        ):
            return ""
        return f"JOIN scope s ON s.project_id = {alias}.project_id"

    def text(self, select: str) -> str:
        parts = [
            f"{name} AS {'MATERIALIZED ' if mat else ''}({sql})" for name, sql, mat in self.ctes
        ]
        return "WITH " + ",\n".join(parts) + "\n" + select

    def run(self, con, select: str) -> pd.DataFrame:
        return query(con, self.text(select), self.params)


def _values_table(name: str, codes: tuple[str, ...], column: str, weights: tuple[float, ...]):
    """A VALUES table of fixed codes with bound weights."""
    rows = ", ".join(f"('{code}', CAST($w_{name}_{i} AS DOUBLE))" for i, code in enumerate(codes))
    sql = f"SELECT * FROM (VALUES {rows}) AS t ({column}, weight)"
    return sql, {f"w_{name}_{i}": w for i, w in enumerate(weights)}


def _weights(q: _Query, weights: Weights | None = None, tag: str = "") -> None:
    """The lever and viewpoint weight tables (`tag` names a second set, for comparisons)."""
    weights = weights or q.weights
    sql, params = _values_table(f"lever{tag}", ref.LEVER_CODES, "lever", weights.levers)
    q.add(f"lever_weight{tag}", sql, **params)
    sql, params = _values_table(f"vp{tag}", ref.VIEWPOINT_CODES, "viewpoint", weights.viewpoints)
    q.add(f"viewpoint_weight{tag}", sql, **params)


# Lever score per round (DESIGN §4): several assessors of one viewpoint on one date are first
# averaged per question, then the answered questions of each lever are averaged and scaled to
# 0–100. The result is kept in `lever_round`, rewritten for the projects concerned by every write
# of assessments (demo, import, questionnaire), so that pages never aggregate raw answers.
_LEVER_ROUND_SQL = """
INSERT INTO lever_round (project_id, viewpoint, assessed_on, lever, score, is_first, is_latest)
SELECT project_id, viewpoint, assessed_on, lever, score,
       assessed_on = min(assessed_on) OVER (PARTITION BY project_id, viewpoint),
       assessed_on = max(assessed_on) OVER (PARTITION BY project_id, viewpoint)
FROM (
    SELECT project_id, viewpoint, assessed_on, split_part(question, '.', 1) AS lever,
           {lever_mean} * $score_scale AS score
    FROM (
        SELECT a.project_id, a.viewpoint, a.assessed_on, x.question, avg(x.score) AS score
        FROM assessment a JOIN assessment_answer x ON x.assessment_id = a.assessment_id
        {where}
        GROUP BY a.project_id, a.viewpoint, a.assessed_on, x.question
    ) per_question
    GROUP BY project_id, viewpoint, assessed_on, split_part(question, '.', 1)
) per_lever
"""


def refresh_lever_rounds(cur, project_ids: list[str] | None = None) -> None:
    """Recompute the lever scores per round, for some projects or (None) for all.

    Call it inside the transaction that wrote the assessments.
    """
    if project_ids is None:
        cur.execute("DELETE FROM lever_round")
        cur.execute(
            _LEVER_ROUND_SQL.format(where="", lever_mean=_mean("score")),
            {"score_scale": SCORE_SCALE},
        )
        return
    ids = sorted(set(project_ids))
    if not ids:
        return
    cur.execute("DELETE FROM lever_round WHERE project_id = ANY($ids)", {"ids": ids})
    cur.execute(
        _LEVER_ROUND_SQL.format(where="WHERE a.project_id = ANY($ids)", lever_mean=_mean("score")),
        {"score_scale": SCORE_SCALE, "ids": ids},
    )


def _rounds(q: _Query) -> None:
    """Lever scores per round, flagged first and latest per project and viewpoint.

    "Latest" is as of the end of the period: with an end year, it is recomputed over the rounds
    dated up to then; without one, the stored flag serves.
    """
    if q.flt.year_to is None:
        q.add(
            "round_lever",
            f"""SELECT l.project_id, l.viewpoint, l.assessed_on, l.lever, l.score,
                   l.is_first, l.is_latest
            FROM lever_round l {q.join_scope("l")}""",
            materialized=True,
        )
    else:
        until, params = q.flt.until_condition("l.assessed_on", "a")
        q.add(
            "round_lever",
            f"""SELECT l.project_id, l.viewpoint, l.assessed_on, l.lever, l.score, l.is_first,
                   l.assessed_on = max(l.assessed_on)
                       OVER (PARTITION BY l.project_id, l.viewpoint) AS is_latest
            FROM lever_round l {q.join_scope("l")}
            WHERE 1 = 1{until}""",
            materialized=True,
            **params,
        )
    for which in ("latest", "first"):
        q.add(
            f"{which}_lever",
            f"""SELECT project_id, viewpoint, lever, score, assessed_on
            FROM round_lever WHERE is_{which}""",
            materialized=True,
        )


def _maturity(
    q: _Query, which: str = "latest", weights: Weights | None = None, tag: str = ""
) -> None:
    """Maturity per viewpoint, consolidated lever scores and consolidated maturity.

    `weights` and `tag` add a second, differently weighted set of the same tables.
    """
    _rounds(q)
    _weights(q, weights, tag)
    q.add(
        f"{which}_maturity{tag}",
        f"""SELECT l.project_id, l.viewpoint, {_wmean("l.score", "w.weight")} AS maturity
        FROM {which}_lever l JOIN lever_weight{tag} w ON w.lever = l.lever
        GROUP BY l.project_id, l.viewpoint""",
    )
    q.add(
        f"{which}_clever{tag}",
        f"""SELECT l.project_id, l.lever, {_wmean("l.score", "v.weight")} AS score
        FROM {which}_lever l JOIN viewpoint_weight{tag} v ON v.viewpoint = l.viewpoint
        GROUP BY l.project_id, l.lever""",
    )
    q.add(
        f"{which}_cmaturity{tag}",
        f"""SELECT c.project_id, {_wmean("c.score", "w.weight")} AS maturity
        FROM {which}_clever{tag} c JOIN lever_weight{tag} w ON w.lever = c.lever
        WHERE c.score IS NOT NULL
        GROUP BY c.project_id""",
    )


def _lever_stats(q: _Query) -> None:
    """Per project and lever, over the viewpoints' latest scores: the spread, the team's own
    score and the others' mean — one pass, for both gaps and blind spots."""
    _rounds(q)
    q.add(
        "lever_stats",
        """SELECT project_id, lever, max(score) - min(score) AS gap, count(*) AS viewpoints,
               max(score) FILTER (WHERE viewpoint = $self_viewpoint) AS self_score,
               avg(score) FILTER (WHERE viewpoint <> $self_viewpoint) AS others_score
        FROM latest_lever GROUP BY project_id, lever""",
        materialized=True,
        self_viewpoint="project",
    )


def _gaps(q: _Query) -> None:
    _lever_stats(q)
    q.add(
        "gap",
        "SELECT project_id, lever, gap, viewpoints FROM lever_stats WHERE viewpoints >= 2",
    )


def _blind_spots(q: _Query, threshold: float) -> None:
    _lever_stats(q)
    q.add(
        "self_vs_others",
        """SELECT project_id, lever, self_score, others_score,
               self_score - others_score AS difference
        FROM lever_stats
        WHERE self_score IS NOT NULL AND others_score IS NOT NULL""",
    )
    q.add(
        "blind_spot",
        """SELECT project_id, lever, self_score, others_score, difference,
               CASE WHEN difference > 0 THEN 'over_confident' ELSE 'under_rated' END AS kind
        FROM self_vs_others
        WHERE abs(difference) >= $threshold - $epsilon""",
        threshold=float(threshold),
        epsilon=1e-9,  # a difference of exactly the threshold counts, float noise aside
    )


def _progress(q: _Query) -> None:
    _rounds(q)
    _weights(q)
    q.add(
        "progress",
        """SELECT l.project_id, l.viewpoint, l.lever, f.score AS first_score,
               l.score AS latest_score, l.score - f.score AS progress,
               f.assessed_on AS first_on, l.assessed_on AS latest_on
        FROM latest_lever l
        JOIN first_lever f ON f.project_id = l.project_id AND f.viewpoint = l.viewpoint
                          AND f.lever = l.lever
        WHERE f.assessed_on < l.assessed_on""",
    )
    q.add(
        "consolidated_progress",
        f"""SELECT p.project_id, p.lever, {_wmean("p.progress", "v.weight")} AS progress
        FROM progress p JOIN viewpoint_weight v ON v.viewpoint = p.viewpoint
        GROUP BY p.project_id, p.lever""",
    )


def _achievements(q: _Query) -> None:
    period, params = q.flt.year_condition("m.year", "m")
    q.add(
        "achievement",
        f"""SELECT m.project_id, m.indicator_code, m.year, m.value, m.target,
               i.higher_is_better,
               CASE WHEN m.target IS NULL OR m.target = 0 THEN NULL
                    WHEN i.higher_is_better THEN least(m.value / m.target, $cap)
                    WHEN m.value = 0 THEN $cap
                    ELSE least(m.target / m.value, $cap)
               END AS achievement
        FROM measurement m
        {q.join_scope("m")}
        JOIN indicator i ON i.indicator_code = m.indicator_code
        WHERE 1 = 1{period}""",
        cap=ACHIEVEMENT_CAP,
        **params,
    )
    q.add(
        "utility_year",
        f"""SELECT project_id, year, 100 * {_mean("achievement")} AS utility_index,
               count(*) AS indicators
        FROM achievement WHERE achievement IS NOT NULL GROUP BY project_id, year""",
    )
    q.add(
        "utility_latest",
        """SELECT project_id, year, utility_index FROM (
            SELECT project_id, year, utility_index,
                   row_number() OVER (PARTITION BY project_id ORDER BY year DESC NULLS LAST) AS rn
            FROM utility_year) u
        WHERE rn = 1""",
    )
    q.add(
        "beneficiaries",
        """SELECT project_id, year, value AS beneficiaries FROM (
            SELECT project_id, year, value,
                   row_number() OVER (PARTITION BY project_id ORDER BY year DESC NULLS LAST) AS rn
            FROM achievement WHERE indicator_code = $beneficiaries) b
        WHERE rn = 1""",
        beneficiaries=ref.BENEFICIARIES,
    )


def _money(q: _Query, investor: str | None = None) -> None:
    """Investments and contributions of the filtered projects inside the period."""
    inv_period, p1 = q.flt.period_condition("i.date", "i")
    con_period, p2 = q.flt.period_condition("c.date", "c")
    hypothetical = (
        f"""
        UNION ALL
        SELECT h.project_id, h.investor_org_id, h.amount_eur, TRUE,
               NOT (h.instrument = ANY($nf_instruments))
        FROM hyp h {q.join_scope("h")}"""
        if q.hypothetical
        else ""
    )
    q.add(
        "money",
        f"""SELECT i.project_id, i.investor_org_id AS org_id, i.amount_eur AS eur,
               TRUE AS is_investment, NOT (i.instrument = ANY($nf_instruments)) AS financial
        FROM investment i {q.join_scope("i")}
        WHERE 1 = 1{inv_period}
        UNION ALL
        SELECT c.project_id, c.partner_org_id, c.value_eur, FALSE,
               NOT (c.kind = ANY($nf_contributions))
        FROM contribution c {q.join_scope("c")}
        WHERE 1 = 1{con_period}{hypothetical}""",
        materialized=True,
        nf_instruments=list(ref.NON_FINANCIAL_INSTRUMENTS),
        nf_contributions=list(ref.NON_FINANCIAL_CONTRIBUTIONS),
        **p1,
        **p2,
    )
    q.add(
        "project_money",
        """SELECT s.project_id,
               coalesce(sum(m.eur), 0) AS resources_eur,
               coalesce(sum(m.eur) FILTER (WHERE m.financial), 0) AS resources_fin_eur,
               coalesce(sum(m.eur) FILTER (WHERE m.is_investment), 0) AS invested_eur,
               coalesce(sum(m.eur) FILTER (WHERE m.is_investment AND m.org_id = $investor), 0)
                   AS own_eur,
               coalesce(sum(m.eur) FILTER (WHERE m.is_investment AND m.org_id = $investor
                                           AND m.financial), 0) AS own_fin_eur
        FROM scope s LEFT JOIN money m ON m.project_id = s.project_id
        GROUP BY s.project_id""",
        investor=investor or q.flt.investor or "",
    )


# --- assessments ----------------------------------------------------------------------------------


def lever_scores(
    con, flt: PortfolioFilter, which: str = "latest", project_ids: list[str] | None = None
) -> pd.DataFrame:
    """Lever score per project, viewpoint and lever: of the latest round, the first, or every one.

    Columns: project_id, viewpoint, lever, score (0–100), assessed_on.
    """
    q = _Query(flt, projects=project_ids)
    _rounds(q)
    source = {"latest": "latest_lever", "first": "first_lever", "all": "round_lever"}[which]
    return q.run(
        con,
        f"""SELECT project_id, viewpoint, lever, score, assessed_on FROM {source}
        ORDER BY project_id, viewpoint, assessed_on, lever""",
    )


def project_count(con, flt: PortfolioFilter) -> int:
    """How many projects the filter keeps."""
    return int(_Query(flt).run(con, "SELECT count(*) AS n FROM scope").iloc[0, 0])


def maturity(
    con, flt: PortfolioFilter, weights: Weights = EQUAL, project_ids: list[str] | None = None
) -> pd.DataFrame:
    """Maturity per project: one column per viewpoint and the consolidated one (0–100).

    Columns: project_id, name, maturity_ecosystem, maturity_project, maturity_investment,
    maturity_consolidated. `project_ids` narrows the filter to a pick of projects.
    """
    q = _Query(flt, weights, projects=project_ids)
    _maturity(q)
    pivots = ",\n".join(
        f"max(m.maturity) FILTER (WHERE m.viewpoint = '{vp}') AS maturity_{vp}"
        for vp in ref.VIEWPOINT_CODES
    )
    return q.run(
        con,
        f"""SELECT s.project_id, p.name, {pivots},
               max(c.maturity) AS maturity_consolidated
        FROM scope s
        JOIN project p ON p.project_id = s.project_id
        LEFT JOIN latest_maturity m ON m.project_id = s.project_id
        LEFT JOIN latest_cmaturity c ON c.project_id = s.project_id
        GROUP BY s.project_id, p.name
        ORDER BY s.project_id""",
    )


def consolidated_levers(con, flt: PortfolioFilter, weights: Weights = EQUAL) -> pd.DataFrame:
    """Consolidated lever score per project and lever (weighted over the viewpoints present)."""
    q = _Query(flt, weights)
    _maturity(q)
    return q.run(
        con,
        "SELECT project_id, lever, score FROM latest_clever ORDER BY project_id, lever",
    )


def viewpoint_gaps(con, flt: PortfolioFilter) -> pd.DataFrame:
    """Max − min of the latest lever scores over the viewpoints present (two at least).

    Columns: project_id, lever, gap, viewpoints.
    """
    q = _Query(flt)
    _gaps(q)
    return q.run(
        con, "SELECT project_id, lever, gap, viewpoints FROM gap ORDER BY project_id, lever"
    )


def blind_spots(
    con,
    flt: PortfolioFilter,
    threshold: float = DEFAULT_BLIND_SPOT_THRESHOLD,
    limit: int | None = None,
) -> pd.DataFrame:
    """Levers where the self-assessment differs from the other viewpoints' mean by the threshold.

    Columns: project_id, name, lever, self_score, others_score, difference, kind
    (`over_confident` or `under_rated`).
    """
    if not (math.isfinite(threshold) and 0 < threshold <= 100):
        raise CoinvestError("threshold.invalid", value=threshold)
    q = _Query(flt)
    _blind_spots(q, threshold)
    tail = ""
    if limit is not None:
        q.params["limit"] = int(limit)
        tail = " LIMIT $limit"
    return q.run(
        con,
        """SELECT b.project_id, p.name, b.lever, b.self_score, b.others_score, b.difference,
               b.kind
        FROM blind_spot b JOIN project p ON p.project_id = b.project_id
        ORDER BY abs(b.difference) DESC NULLS LAST, b.project_id, b.lever"""
        + tail,
    )


def progress(con, flt: PortfolioFilter) -> pd.DataFrame:
    """Latest − first lever score per project, viewpoint and lever (needs two rounds)."""
    q = _Query(flt)
    _progress(q)
    return q.run(
        con,
        """SELECT project_id, viewpoint, lever, first_score, latest_score, progress,
               first_on, latest_on
        FROM progress ORDER BY project_id, viewpoint, lever""",
    )


# --- societal utility -------------------------------------------------------------------------


def achievements(con, flt: PortfolioFilter, project_ids: list[str] | None = None) -> pd.DataFrame:
    """Achievement of each measurement against its target (capped), inside the period."""
    q = _Query(flt, projects=project_ids)
    _achievements(q)
    return q.run(
        con,
        """SELECT project_id, indicator_code, year, value, target, higher_is_better, achievement
        FROM achievement ORDER BY project_id, indicator_code, year""",
    )


def utility(con, flt: PortfolioFilter) -> pd.DataFrame:
    """Each project's utility index and beneficiaries, of its latest year with a value."""
    q = _Query(flt)
    _achievements(q)
    return q.run(
        con,
        """SELECT s.project_id, u.year AS utility_year, u.utility_index,
               b.year AS beneficiaries_year, b.beneficiaries
        FROM scope s
        LEFT JOIN utility_latest u ON u.project_id = s.project_id
        LEFT JOIN beneficiaries b ON b.project_id = s.project_id
        ORDER BY s.project_id""",
    )


def utility_by_year(con, flt: PortfolioFilter) -> pd.DataFrame:
    """Utility index per project and year (100 × mean achievement over targeted indicators)."""
    q = _Query(flt)
    _achievements(q)
    return q.run(
        con,
        "SELECT project_id, year, utility_index, indicators FROM utility_year "
        "ORDER BY project_id, year",
    )


def cost_per_beneficiary(con, flt: PortfolioFilter) -> pd.DataFrame:
    """The chosen investor's euros (all investments when none is chosen) per beneficiary.

    Columns: project_id, eur, beneficiaries, cost_per_beneficiary (empty with no beneficiary).
    """
    q = _Query(flt)
    _money(q)
    _achievements(q)
    eur = "pm.own_eur" if flt.investor else "pm.invested_eur"
    return q.run(
        con,
        f"""SELECT pm.project_id, {eur} AS eur, b.beneficiaries,
               {eur} / nullif(b.beneficiaries, 0) AS cost_per_beneficiary
        FROM project_money pm
        LEFT JOIN beneficiaries b ON b.project_id = pm.project_id
        ORDER BY pm.project_id""",
    )


# --- money and partnerships -------------------------------------------------------------------


def leverage(
    con,
    flt: PortfolioFilter,
    investor: str | None = None,
    project_ids: list[str] | None = None,
    hypothetical: tuple[Hypothetical, ...] = (),
) -> pd.DataFrame:
    """Resources per project and, for the chosen investor, its partnership leverage.

    `investor` computes the leverage of another investor than the filter's, over the filter's
    projects. Columns: project_id, resources_eur, resources_fin_eur, own_eur, own_fin_eur,
    leverage, leverage_financial; the leverage is empty where the investor put nothing (or
    none is chosen).
    """
    q = _Query(flt, projects=project_ids, hypothetical=tuple(hypothetical))
    _money(q, investor)
    return q.run(
        con,
        """SELECT project_id, resources_eur, resources_fin_eur, own_eur, own_fin_eur,
               (resources_eur - own_eur) / nullif(own_eur, 0) AS leverage,
               (resources_fin_eur - own_fin_eur) / nullif(own_fin_eur, 0) AS leverage_financial
        FROM project_money ORDER BY project_id""",
    )


def resource_mix(
    con, flt: PortfolioFilter, by_project: bool = False, hypothetical: tuple[Hypothetical, ...] = ()
) -> pd.DataFrame:
    """Euros by the sector (public or private) of the organisation that brought them.

    Columns: [project_id,] sector, eur, share (of the portfolio, or of each project).
    """
    q = _Query(flt, hypothetical=tuple(hypothetical))
    _money(q)
    keys = "m.project_id, " if by_project else ""
    partition = "PARTITION BY project_id" if by_project else ""
    q.add(
        "sector_money",
        f"""SELECT {keys}CASE WHEN o.kind = ANY($public_kinds) THEN 'public' ELSE 'private' END
                   AS sector,
               sum(m.eur) AS eur
        FROM money m JOIN organisation o ON o.org_id = m.org_id
        GROUP BY {keys}CASE WHEN o.kind = ANY($public_kinds) THEN 'public' ELSE 'private' END""",
        public_kinds=list(ref.PUBLIC_KINDS),
    )
    columns = "project_id, " if by_project else ""
    return q.run(
        con,
        f"""SELECT {columns}sector, eur,
               eur / nullif(sum(eur) OVER ({partition}), 0) AS share
        FROM sector_money ORDER BY {columns}sector""",
    )


def _diversity(q: _Query) -> None:
    _money(q)
    q.add(
        "kind_money",
        """SELECT m.project_id, o.kind, sum(m.eur) AS eur
        FROM money m JOIN organisation o ON o.org_id = m.org_id
        GROUP BY m.project_id, o.kind""",
    )
    # Shannon evenness: H / ln(K), H = −Σ p ln p over the kinds' shares of the resources
    q.add(
        "diversity",
        f"""SELECT project_id, count(*) AS kinds,
               CASE WHEN count(*) > 1 AND sum(eur) > 0
                    THEN -CAST({_sum("CASE WHEN eur > 0 THEN (eur / total) * ln(eur / total) ELSE 0 END")}
                               AS DOUBLE PRECISION) / ln(count(*))
                    ELSE 0 END AS evenness
        FROM (SELECT project_id, kind, eur, sum(eur) OVER (PARTITION BY project_id) AS total
              FROM kind_money) k
        GROUP BY project_id""",
    )


def partner_diversity(con, flt: PortfolioFilter) -> pd.DataFrame:
    """Distinct organisation kinds among each project's funders and partners, and the Shannon
    evenness of its resources over those kinds (0 with a single kind, 1 when perfectly even).
    """
    q = _Query(flt)
    _diversity(q)
    return q.run(con, "SELECT project_id, kinds, evenness FROM diversity ORDER BY project_id")


def co_investment(con, flt: PortfolioFilter) -> pd.DataFrame:
    """Pairs of investors funding the same filtered projects, with each one's euros in them.

    Columns: investor_a, name_a, investor_b, name_b, projects, eur_a, eur_b (a < b).
    """
    q = _Query(flt)
    _money(q)
    q.add(
        "investor_project",
        """SELECT org_id AS investor, project_id, sum(eur) AS eur
        FROM money WHERE is_investment GROUP BY org_id, project_id""",
    )
    return q.run(
        con,
        """SELECT a.investor AS investor_a, oa.name AS name_a,
               b.investor AS investor_b, ob.name AS name_b,
               count(*) AS projects, sum(a.eur) AS eur_a, sum(b.eur) AS eur_b
        FROM investor_project a
        JOIN investor_project b ON b.project_id = a.project_id AND a.investor < b.investor
        JOIN organisation oa ON oa.org_id = a.investor
        JOIN organisation ob ON ob.org_id = b.investor
        GROUP BY a.investor, oa.name, b.investor, ob.name
        ORDER BY count(*) DESC NULLS LAST, a.investor, b.investor""",
    )


# --- portfolio ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortfolioKpis:
    """The portfolio figures of the Overview. Leverage figures exist only for a chosen investor."""

    projects: int
    invested_eur: float  # all investments in the period (every investor)
    committed_eur: float  # the chosen investor's euros, else all investments
    resources_eur: float  # investments + contributions in the period
    levered_eur: float | None  # resources − own euros, in the projects the investor funds
    leverage: float | None  # levered / own
    leverage_financial: float | None  # the same without non-financial resources
    beneficiaries: float | None
    fragile_share: float | None
    investor: str | None


def portfolio_kpis(
    con, flt: PortfolioFilter, hypothetical: tuple[Hypothetical, ...] = ()
) -> PortfolioKpis:
    q = _Query(flt, hypothetical=tuple(hypothetical))
    _money(q)
    _achievements(q)
    frame = q.run(
        con,
        f"""SELECT
            (SELECT count(*) FROM scope) AS projects,
            (SELECT coalesce(sum(invested_eur), 0) FROM project_money) AS invested_eur,
            (SELECT coalesce(sum(own_eur), 0) FROM project_money) AS own_eur,
            (SELECT coalesce(sum(resources_eur), 0) FROM project_money) AS resources_eur,
            (SELECT sum(resources_eur - own_eur) FROM project_money WHERE own_eur > 0)
                AS levered_eur,
            (SELECT sum(resources_eur - own_eur) / nullif(sum(own_eur), 0)
               FROM project_money WHERE own_eur > 0) AS leverage,
            (SELECT sum(resources_fin_eur - own_fin_eur) / nullif(sum(own_fin_eur), 0)
               FROM project_money WHERE own_eur > 0) AS leverage_financial,
            (SELECT {_sum("beneficiaries", wide=True)} FROM beneficiaries) AS beneficiaries,
            (SELECT avg(CASE WHEN p.qpv OR p.rural_revitalisation THEN 1.0 ELSE 0.0 END)
               FROM project p {q.join_scope("p")}) AS fragile_share""",
    )
    row = frame.iloc[0]

    def num(name: str) -> float | None:
        value = row[name]
        return None if pd.isna(value) else float(value)

    chosen = bool(flt.investor)
    return PortfolioKpis(
        projects=int(row["projects"]),
        invested_eur=float(row["invested_eur"]),
        committed_eur=float(row["own_eur"] if chosen else row["invested_eur"]),
        resources_eur=float(row["resources_eur"]),
        levered_eur=num("levered_eur") if chosen else None,
        leverage=num("leverage") if chosen else None,
        leverage_financial=num("leverage_financial") if chosen else None,
        beneficiaries=num("beneficiaries"),
        fragile_share=num("fragile_share"),
        investor=flt.investor,
    )


def portfolio_summary(con, flt: PortfolioFilter) -> pd.DataFrame:
    """The portfolio figures as (metric, value) rows, as `portfolio.csv` writes them."""
    k = portfolio_kpis(con, flt)
    rows: list[tuple[str, float | None]] = [
        ("projects", k.projects),
        ("committed_eur", k.committed_eur),
        ("resources_eur", k.resources_eur),
    ]
    if k.investor:
        rows += [
            ("levered_eur", k.levered_eur),
            ("leverage", k.leverage),
            ("leverage_financial", k.leverage_financial),
        ]
    rows += [("beneficiaries", k.beneficiaries), ("fragile_share", k.fragile_share)]
    # object dtype keeps counts as integers next to unrounded euros and ratios
    return pd.DataFrame(rows, columns=["metric", "value"], dtype=object)


def project_summary(
    con,
    flt: PortfolioFilter,
    weights: Weights = EQUAL,
    threshold: float = DEFAULT_BLIND_SPOT_THRESHOLD,
) -> pd.DataFrame:
    """One row per filtered project with its headline figures (`project_summary.csv`)."""
    q = _Query(flt, weights)
    _maturity(q)
    _gaps(q)
    _blind_spots(q, threshold)
    _achievements(q)
    _money(q)
    pivots = ",\n".join(
        f"max(m.maturity) FILTER (WHERE m.viewpoint = '{vp}') AS maturity_{vp}"
        for vp in ref.VIEWPOINT_CODES
    )
    q.add(
        "summary_maturity",
        f"SELECT m.project_id, {pivots} FROM latest_maturity m GROUP BY m.project_id",
    )
    q.add("summary_gap", "SELECT project_id, max(gap) AS max_gap FROM gap GROUP BY project_id")
    # a project without both the self-assessment and another viewpoint on some lever has no
    # blind-spot count at all (missing, not 0: DESIGN §4.1)
    q.add(
        "summary_blind",
        """SELECT project_id,
               count(*) FILTER (WHERE abs(difference) >= $threshold - $epsilon) AS blind_spots
        FROM self_vs_others GROUP BY project_id""",
    )
    money = (
        ", pm.own_eur, (pm.resources_eur - pm.own_eur) / nullif(pm.own_eur, 0) AS leverage"
        if flt.investor
        else ""
    )
    columns = ", ".join(f"sm.maturity_{vp}" for vp in ref.VIEWPOINT_CODES)
    return q.run(
        con,
        f"""SELECT s.project_id, p.name, {columns},
               c.maturity AS maturity_consolidated, sg.max_gap, sb.blind_spots,
               u.utility_index, b.beneficiaries, pm.resources_eur{money}
        FROM scope s
        JOIN project p ON p.project_id = s.project_id
        LEFT JOIN summary_maturity sm ON sm.project_id = s.project_id
        LEFT JOIN latest_cmaturity c ON c.project_id = s.project_id
        LEFT JOIN summary_gap sg ON sg.project_id = s.project_id
        LEFT JOIN summary_blind sb ON sb.project_id = s.project_id
        LEFT JOIN utility_latest u ON u.project_id = s.project_id
        LEFT JOIN beneficiaries b ON b.project_id = s.project_id
        LEFT JOIN project_money pm ON pm.project_id = s.project_id
        ORDER BY s.project_id""",
    ).astype({"blind_spots": "Int64"})


def projects_by_department(con, flt: PortfolioFilter) -> pd.DataFrame:
    """Every department (zeros included): projects and euros invested in the period."""
    q = _Query(flt)
    _money(q)
    return q.run(
        con,
        """SELECT d.code AS department_code, d.name AS department_name, d.region_code,
               r.name AS region_name,
               count(pm.project_id) AS projects,
               coalesce(sum(pm.invested_eur), 0) AS committed_eur
        FROM department d
        JOIN region r ON r.code = d.region_code
        LEFT JOIN project p ON p.department_code = d.code
        LEFT JOIN project_money pm ON pm.project_id = p.project_id
        GROUP BY d.code, d.name, d.region_code, r.name
        ORDER BY d.code""",
    )


_GROUPABLE = {"phase": ref.PHASE_CODES, "need": ref.NEED_CODES}


def projects_by(con, flt: PortfolioFilter, column: str) -> pd.DataFrame:
    """Projects per phase or per need, every code of the reference list included, in order."""
    codes = _GROUPABLE[column]  # KeyError for anything but a fixed column name
    q = _Query(flt)
    found = q.run(
        con,
        f"""SELECT p.{column} AS code, count(*) AS projects
        FROM project p {q.join_scope("p")}
        GROUP BY p.{column}""",
    ).set_index("code")["projects"]
    frame = pd.DataFrame({"code": list(codes)})
    frame["projects"] = [int(found.get(code, 0)) for code in codes]
    total = frame["projects"].sum()
    frame["share"] = frame["projects"] / total if total else 0.0
    return frame


# --- cohorts --------------------------------------------------------------------------------------


def _cohorts(q: _Query) -> None:
    chosen = " WHERE c.cohort_id = ANY($cohort_ids)" if q.flt.cohort else ""
    q.add(
        "cohort_scope",
        f"""SELECT c.cohort_id, c.name, c.year, c.support_body_org_id, cm.project_id
        FROM cohort c
        JOIN cohort_member cm ON cm.cohort_id = c.cohort_id
        {q.join_scope("cm")}{chosen}""",
        **({"cohort_ids": list(q.flt.cohort)} if q.flt.cohort else {}),
    )


def cohort_figures(con, flt: PortfolioFilter, weights: Weights = EQUAL) -> pd.DataFrame:
    """Per cohort: size, median consolidated maturity at the first and latest rounds, median
    utility index, and median leverage of the chosen investor (empty when none is chosen).
    """
    q = _Query(flt, weights, in_cohorts=True)
    _maturity(q, "latest")
    _maturity(q, "first")
    _achievements(q)
    _money(q)
    _cohorts(q)
    return q.run(
        con,
        """SELECT cs.cohort_id, cs.name, cs.year, cs.support_body_org_id,
               count(*) AS size,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY f.maturity) AS median_maturity_first,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY l.maturity) AS median_maturity_latest,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY u.utility_index) AS median_utility,
               percentile_cont(0.5) WITHIN GROUP (
                   ORDER BY (pm.resources_eur - pm.own_eur) / nullif(pm.own_eur, 0)
               ) AS median_leverage
        FROM cohort_scope cs
        LEFT JOIN first_cmaturity f ON f.project_id = cs.project_id
        LEFT JOIN latest_cmaturity l ON l.project_id = cs.project_id
        LEFT JOIN utility_latest u ON u.project_id = cs.project_id
        LEFT JOIN project_money pm ON pm.project_id = cs.project_id
        GROUP BY cs.cohort_id, cs.name, cs.year, cs.support_body_org_id
        ORDER BY cs.year, cs.cohort_id""",
    )


def cohort_progress(con, flt: PortfolioFilter, weights: Weights = EQUAL) -> pd.DataFrame:
    """Median consolidated progress per cohort and lever (projects with two rounds or more)."""
    q = _Query(flt, weights, in_cohorts=True)
    _progress(q)
    _cohorts(q)
    return q.run(
        con,
        """SELECT cs.cohort_id, cp.lever,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY cp.progress) AS median_progress,
               count(*) AS projects
        FROM cohort_scope cs
        JOIN consolidated_progress cp ON cp.project_id = cs.project_id
        WHERE cp.progress IS NOT NULL
        GROUP BY cs.cohort_id, cp.lever
        ORDER BY cs.cohort_id, cp.lever""",
    )


def cohort_phases(con, flt: PortfolioFilter) -> pd.DataFrame:
    """Share of each cohort's projects in each phase."""
    q = _Query(flt, in_cohorts=True)
    _cohorts(q)
    return q.run(
        con,
        """SELECT cs.cohort_id, p.phase, count(*) AS projects,
               count(*) * 1.0 / sum(count(*)) OVER (PARTITION BY cs.cohort_id) AS share
        FROM cohort_scope cs JOIN project p ON p.project_id = cs.project_id
        GROUP BY cs.cohort_id, p.phase
        ORDER BY cs.cohort_id, p.phase""",
    )


# --- page aggregates: small frames for charts, computed from the same CTEs -----------------------


def lever_profiles(
    con,
    flt: PortfolioFilter,
    project_ids: list[str],
    viewpoint: str = "consolidated",
    weights: Weights = EQUAL,
) -> pd.DataFrame:
    """Latest lever scores of some projects, from one viewpoint or consolidated (Compare page).

    Columns: project_id, name, lever, score.
    """
    if viewpoint != "consolidated" and viewpoint not in ref.VIEWPOINT_CODES:
        raise KeyError(viewpoint)
    q = _Query(flt, weights, projects=list(project_ids))
    _maturity(q)
    if viewpoint == "consolidated":
        source, params = "latest_clever l", {}
        where = "l.score IS NOT NULL"
    else:
        source, params = "latest_lever l", {"profile_viewpoint": viewpoint}
        where = "l.viewpoint = $profile_viewpoint"
    q.params.update(params)
    return q.run(
        con,
        f"""SELECT l.project_id, p.name, l.lever, l.score
        FROM {source} JOIN project p ON p.project_id = l.project_id
        WHERE {where}
        ORDER BY l.project_id, l.lever""",
    )


def round_maturity(
    con, flt: PortfolioFilter, project_ids: list[str], weights: Weights = EQUAL
) -> pd.DataFrame:
    """Maturity of every round of some projects, per viewpoint (weighted mean of that round's
    lever scores, missing levers left out). Columns: project_id, viewpoint, assessed_on, maturity.
    """
    q = _Query(flt, weights, projects=list(project_ids))
    _rounds(q)
    _weights(q)
    return q.run(
        con,
        f"""SELECT r.project_id, r.viewpoint, r.assessed_on,
               {_wmean("r.score", "w.weight")} AS maturity
        FROM round_lever r JOIN lever_weight w ON w.lever = r.lever
        GROUP BY r.project_id, r.viewpoint, r.assessed_on
        ORDER BY r.project_id, r.assessed_on, r.viewpoint""",
    )


def ranked_projects(
    con, flt: PortfolioFilter, weights: Weights = EQUAL, limit: int = 10, best: bool = True
) -> pd.DataFrame:
    """The most (or least) mature filtered projects by consolidated maturity.

    Columns: project_id, name, maturity_consolidated.
    """
    q = _Query(flt, weights)
    _maturity(q)
    q.params["limit"] = int(limit)
    order = "DESC" if best else "ASC"
    return q.run(
        con,
        f"""SELECT c.project_id, p.name, c.maturity AS maturity_consolidated
        FROM latest_cmaturity c JOIN project p ON p.project_id = c.project_id
        ORDER BY c.maturity {order} NULLS LAST, c.project_id
        LIMIT $limit""",
    )


def lever_viewpoint_means(con, flt: PortfolioFilter) -> pd.DataFrame:
    """Mean latest lever score per viewpoint and lever over the filtered projects (heatmap).

    Columns: viewpoint, lever, mean_score, projects.
    """
    q = _Query(flt)
    _rounds(q)
    return q.run(
        con,
        f"""SELECT viewpoint, lever, {_mean("score")} AS mean_score, count(*) AS projects
        FROM latest_lever GROUP BY viewpoint, lever ORDER BY viewpoint, lever""",
    )


def gaps_by_lever(
    con, flt: PortfolioFilter, threshold: float = DEFAULT_BLIND_SPOT_THRESHOLD
) -> pd.DataFrame:
    """Per lever: mean viewpoint gap, projects with two viewpoints or more, and how many of them
    have a gap of at least the threshold. Columns: lever, mean_gap, projects, large_gaps.
    """
    q = _Query(flt)
    _gaps(q)
    q.params["gap_threshold"] = float(threshold)
    return q.run(
        con,
        f"""SELECT lever, {_mean("gap")} AS mean_gap, count(*) AS projects,
               count(*) FILTER (WHERE gap >= $gap_threshold) AS large_gaps
        FROM gap GROUP BY lever ORDER BY lever""",
    )


def blind_spot_counts(
    con, flt: PortfolioFilter, threshold: float = DEFAULT_BLIND_SPOT_THRESHOLD
) -> pd.DataFrame:
    """Blind spots per lever and direction. Columns: lever, kind, spots."""
    if not (math.isfinite(threshold) and 0 < threshold <= 100):
        raise CoinvestError("threshold.invalid", value=threshold)
    q = _Query(flt)
    _blind_spots(q, threshold)
    return q.run(
        con,
        "SELECT lever, kind, count(*) AS spots FROM blind_spot GROUP BY lever, kind ORDER BY lever, kind",
    )


def viewpoint_overview(
    con, flt: PortfolioFilter, threshold: float = DEFAULT_BLIND_SPOT_THRESHOLD
) -> dict[str, pd.DataFrame]:
    """The Viewpoints page's three aggregates from one query: `means` (as
    lever_viewpoint_means), `gaps` (as gaps_by_lever) and `blind` (as blind_spot_counts)."""
    if not (math.isfinite(threshold) and 0 < threshold <= 100):
        raise CoinvestError("threshold.invalid", value=threshold)
    q = _Query(flt)
    _gaps(q)
    _blind_spots(q, threshold)
    q.params["gap_threshold"] = float(threshold)
    frame = q.run(
        con,
        f"""SELECT 'means' AS part, viewpoint, lever, NULL AS kind, {_mean("score")} AS value,
               count(*) AS n, NULL AS large
        FROM latest_lever GROUP BY viewpoint, lever
        UNION ALL
        SELECT 'gaps', NULL, lever, NULL, {_mean("gap")}, count(*),
               count(*) FILTER (WHERE gap >= $gap_threshold)
        FROM gap GROUP BY lever
        UNION ALL
        SELECT 'blind', NULL, lever, kind, NULL, count(*), NULL
        FROM blind_spot GROUP BY lever, kind""",
    )
    means = frame[frame["part"] == "means"].rename(columns={"value": "mean_score", "n": "projects"})
    gaps = frame[frame["part"] == "gaps"].rename(
        columns={"value": "mean_gap", "n": "projects", "large": "large_gaps"}
    )
    blind = frame[frame["part"] == "blind"].rename(columns={"n": "spots"})
    return {
        "means": means[["viewpoint", "lever", "mean_score", "projects"]]
        .sort_values(["viewpoint", "lever"])
        .reset_index(drop=True),
        "gaps": gaps[["lever", "mean_gap", "projects", "large_gaps"]]
        .astype({"large_gaps": "int64"})
        .sort_values("lever")
        .reset_index(drop=True),
        "blind": blind[["lever", "kind", "spots"]]
        .sort_values(["lever", "kind"])
        .reset_index(drop=True),
    }


def cohort_maturity_spread(con, flt: PortfolioFilter, weights: Weights = EQUAL) -> pd.DataFrame:
    """Quartiles of consolidated maturity per cohort, at the first and the latest round (box plots).

    Columns: cohort_id, round (first | latest), projects, min, q1, median, q3, max.
    """
    q = _Query(flt, weights, in_cohorts=True)
    _maturity(q, "latest")
    _maturity(q, "first")
    _cohorts(q)
    parts = []
    for which in ("first", "latest"):
        parts.append(
            f"""SELECT cs.cohort_id, '{which}' AS round, count(m.maturity) AS projects,
                   min(m.maturity) AS min,
                   percentile_cont(0.25) WITHIN GROUP (ORDER BY m.maturity) AS q1,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY m.maturity) AS median,
                   percentile_cont(0.75) WITHIN GROUP (ORDER BY m.maturity) AS q3,
                   max(m.maturity) AS max
            FROM cohort_scope cs JOIN {which}_cmaturity m ON m.project_id = cs.project_id
            GROUP BY cs.cohort_id"""
        )
    return q.run(con, " UNION ALL ".join(parts) + " ORDER BY cohort_id, round")


def indicator_summary(con, flt: PortfolioFilter) -> pd.DataFrame:
    """Per indicator, over the measurements of the period: projects, measurements, those with a
    target, mean achievement and the share that met its target.
    """
    q = _Query(flt)
    _achievements(q)
    return q.run(
        con,
        f"""SELECT a.indicator_code, i.name_fr, i.name_en, i.unit, i.higher_is_better,
               count(DISTINCT a.project_id) AS projects, count(*) AS measurements,
               count(a.achievement) AS with_target,
               {_mean("a.achievement")} AS mean_achievement,
               avg(CASE WHEN a.achievement >= 1 THEN 1.0 ELSE 0.0 END)
                   FILTER (WHERE a.achievement IS NOT NULL) AS share_met
        FROM achievement a JOIN indicator i ON i.indicator_code = a.indicator_code
        GROUP BY a.indicator_code, i.name_fr, i.name_en, i.unit, i.higher_is_better
        ORDER BY count(DISTINCT a.project_id) DESC NULLS LAST, a.indicator_code""",
    )


def utility_histogram(con, flt: PortfolioFilter, width: float = 20.0) -> pd.DataFrame:
    """Projects per band of utility index (latest year). Columns: band_start, projects."""
    q = _Query(flt)
    _achievements(q)
    q.params["band"] = float(width)
    return q.run(
        con,
        """SELECT floor(utility_index / $band) * $band AS band_start, count(*) AS projects
        FROM utility_latest GROUP BY floor(utility_index / $band) ORDER BY band_start""",
    )


def utility_overview(
    con, flt: PortfolioFilter, hypothetical: tuple[Hypothetical, ...] = ()
) -> dict[str, float | None]:
    """Median utility index, median cost per beneficiary, beneficiaries and projects measured."""
    q = _Query(flt, hypothetical=tuple(hypothetical))
    _money(q)
    _achievements(q)
    eur = "pm.own_eur" if flt.investor else "pm.invested_eur"
    row = q.run(
        con,
        f"""SELECT
            (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY utility_index) FROM utility_latest)
                AS median_utility,
            (SELECT count(*) FROM utility_latest) AS projects_with_index,
            (SELECT {_sum("beneficiaries", wide=True)} FROM beneficiaries) AS beneficiaries,
            (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY {eur} / b.beneficiaries)
               FROM project_money pm JOIN beneficiaries b ON b.project_id = pm.project_id
               WHERE b.beneficiaries > 0 AND {eur} > 0) AS median_cost_per_beneficiary""",
    ).iloc[0]
    return {k: (None if pd.isna(v) else float(v)) for k, v in row.items()}


def cost_ranking(con, flt: PortfolioFilter, limit: int = 15, highest: bool = True) -> pd.DataFrame:
    """Projects with the highest (or lowest) cost per beneficiary. Columns: project_id, name,
    eur, beneficiaries, cost_per_beneficiary."""
    q = _Query(flt)
    _money(q)
    _achievements(q)
    eur = "pm.own_eur" if flt.investor else "pm.invested_eur"
    order = "DESC" if highest else "ASC"
    q.params["limit"] = int(limit)
    return q.run(
        con,
        f"""SELECT pm.project_id, p.name, {eur} AS eur, b.beneficiaries,
               {eur} / b.beneficiaries AS cost_per_beneficiary
        FROM project_money pm
        JOIN beneficiaries b ON b.project_id = pm.project_id
        JOIN project p ON p.project_id = pm.project_id
        WHERE b.beneficiaries > 0 AND {eur} > 0
        ORDER BY cost_per_beneficiary {order} NULLS LAST, pm.project_id
        LIMIT $limit""",
    )


def leverage_ranking(con, flt: PortfolioFilter, limit: int = 15) -> pd.DataFrame:
    """The chosen investor's projects with the highest leverage. Columns: project_id, name,
    own_eur, resources_eur, leverage, leverage_financial."""
    q = _Query(flt)
    _money(q)
    q.params["limit"] = int(limit)
    return q.run(
        con,
        """SELECT pm.project_id, p.name, pm.own_eur, pm.resources_eur,
               (pm.resources_eur - pm.own_eur) / pm.own_eur AS leverage,
               (pm.resources_fin_eur - pm.own_fin_eur) / nullif(pm.own_fin_eur, 0)
                   AS leverage_financial
        FROM project_money pm JOIN project p ON p.project_id = pm.project_id
        WHERE pm.own_eur > 0
        ORDER BY leverage DESC NULLS LAST, pm.project_id
        LIMIT $limit""",
    )


def resources_by_kind(con, flt: PortfolioFilter) -> pd.DataFrame:
    """Euros by the kind of organisation that brought them, and whether financial.
    Columns: kind, sector, financial, eur."""
    q = _Query(flt)
    _money(q)
    q.params["public_kinds"] = list(ref.PUBLIC_KINDS)
    return q.run(
        con,
        """SELECT o.kind, CASE WHEN o.kind = ANY($public_kinds) THEN 'public' ELSE 'private' END
                   AS sector,
               m.financial, sum(m.eur) AS eur
        FROM money m JOIN organisation o ON o.org_id = m.org_id
        GROUP BY o.kind, m.financial ORDER BY o.kind, m.financial""",
    )


def diversity_summary(con, flt: PortfolioFilter) -> pd.DataFrame:
    """Projects by number of distinct partner kinds, with their mean evenness."""
    q = _Query(flt)
    _diversity(q)
    return q.run(
        con,
        f"""SELECT kinds, count(*) AS projects, {_mean("evenness")} AS mean_evenness
        FROM diversity GROUP BY kinds ORDER BY kinds""",
    )


# --- what-if ---------------------------------------------------------------------------------------


def _reweighted(q: _Query, weights: Weights) -> None:
    """Both rankings: equal weights and `weights` (computed once when they are the same)."""
    _maturity(q)
    if weights == EQUAL:
        q.add("latest_cmaturity_w", "SELECT project_id, maturity FROM latest_cmaturity")
    else:
        _maturity(q, weights=weights, tag="_w")
    q.add(
        "ranked",
        materialized=True,
        sql="""SELECT e.project_id, e.maturity AS maturity_equal, w.maturity AS maturity_weighted,
               row_number() OVER (ORDER BY e.maturity DESC NULLS LAST, e.project_id) AS rank_equal,
               row_number() OVER (ORDER BY w.maturity DESC NULLS LAST, e.project_id)
                   AS rank_weighted
        FROM latest_cmaturity e LEFT JOIN latest_cmaturity_w w ON w.project_id = e.project_id""",
    )


def reweighting_overview(
    con, flt: PortfolioFilter, weights: Weights, limit: int = 20
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float | None]]:
    """The top `limit` projects under `weights`, the `limit` largest rank moves, and the
    portfolio maturity (mean consolidated maturity) with equal weights and with `weights`,
    with how many projects change rank — from one query.

    Frames: project_id, name, maturity_equal, rank_equal, maturity_weighted, rank_weighted,
    rank_change (positive: moved up); ranks break ties by project id.
    """
    q = _Query(flt)
    _reweighted(q, weights)
    q.params["limit"] = int(limit)
    q.add(
        "ranked_totals",
        f"""SELECT {_mean("maturity_equal")} AS portfolio_equal,
               {_mean("maturity_weighted")} AS portfolio_weighted,
               count(*) FILTER (WHERE rank_equal <> rank_weighted) AS moved,
               count(*) AS projects
        FROM ranked""",
    )
    frame = q.run(
        con,
        """SELECT r.project_id, p.name, r.maturity_equal, r.rank_equal, r.maturity_weighted,
               r.rank_weighted, r.rank_equal - r.rank_weighted AS rank_change, r.mover_rank,
               totals.portfolio_equal, totals.portfolio_weighted, totals.moved, totals.projects
        FROM (
            SELECT ranked.*,
                   row_number() OVER (ORDER BY abs(rank_equal - rank_weighted) DESC NULLS LAST,
                                               rank_weighted, project_id) AS mover_rank
            FROM ranked
        ) r
        JOIN project p ON p.project_id = r.project_id
        CROSS JOIN ranked_totals totals
        WHERE r.rank_weighted <= $limit OR r.mover_rank <= $limit""",
    )
    columns = [
        "project_id",
        "name",
        "maturity_equal",
        "rank_equal",
        "maturity_weighted",
        "rank_weighted",
        "rank_change",
    ]
    top = frame[frame["rank_weighted"] <= limit].sort_values("rank_weighted")[columns]
    moves = frame[frame["mover_rank"] <= limit].sort_values("mover_rank")[columns]
    if frame.empty:
        summary = {"maturity_equal": None, "maturity_weighted": None, "projects": 0.0, "moved": 0.0}
    else:
        first = frame.iloc[0]
        summary = {
            "maturity_equal": None
            if pd.isna(first["portfolio_equal"])
            else float(first["portfolio_equal"]),
            "maturity_weighted": None
            if pd.isna(first["portfolio_weighted"])
            else float(first["portfolio_weighted"]),
            "projects": float(first["projects"]),
            "moved": float(first["moved"]),
        }
    return top.reset_index(drop=True), moves.reset_index(drop=True), summary


def reweighting(
    con, flt: PortfolioFilter, weights: Weights, limit: int = 20, movers: bool = False
) -> pd.DataFrame:
    """The top `limit` projects under `weights` (or, with `movers`, the largest moves)."""
    top, moves, _ = reweighting_overview(con, flt, weights, limit)
    return moves if movers else top


def reweighting_summary(con, flt: PortfolioFilter, weights: Weights) -> dict[str, float | None]:
    """Portfolio maturity with equal weights and with `weights`, and projects changing rank."""
    return reweighting_overview(con, flt, weights, limit=1)[2]


def scenario_figures(
    con, flt: PortfolioFilter, hypothetical: tuple[Hypothetical, ...] = ()
) -> dict[str, float | None]:
    """The headline figures with some hypothetical investments (none: the real baseline)."""
    kpis = portfolio_kpis(con, flt, hypothetical)
    utility_ = utility_overview(con, flt, hypothetical)
    mix = resource_mix(con, flt, hypothetical=hypothetical).set_index("sector")["share"]
    return {
        "projects": kpis.projects,
        "committed_eur": kpis.committed_eur,
        "resources_eur": kpis.resources_eur,
        "levered_eur": kpis.levered_eur,
        "leverage": kpis.leverage,
        "leverage_financial": kpis.leverage_financial,
        "beneficiaries": kpis.beneficiaries,
        "median_cost_per_beneficiary": utility_["median_cost_per_beneficiary"],
        "public_share": float(mix["public"])
        if "public" in mix.index
        else 0.0
        if len(mix)
        else None,
        "fragile_share": kpis.fragile_share,
    }


# --- what every figure means (the Method page is generated from this) ---------------------------


@dataclass(frozen=True)
class MetricDef:
    code: str
    function: str  # the function of this module that computes it
    fr: str
    en: str
    definition_fr: str
    definition_en: str


# The settled points of DESIGN §4.1, as the Method page states them.
BLIND_SPOT_MISSING_FR = (
    "Sans auto-évaluation et au moins un autre regard sur un même levier (un seul regard, jamais "
    "évalué, ou période antérieure à tout tour), le nombre d'angles morts est absent, pas 0."
)
BLIND_SPOT_MISSING_EN = (
    "Without the self-assessment and at least one other viewpoint on one lever (a single "
    "viewpoint, never assessed, or a period before any round), the blind-spot count is missing, "
    "not 0."
)
ZERO_TARGET_FR = "Une cible de 0 ne donne pas d'atteinte (absente) ; l'import le signale."
ZERO_TARGET_EN = "A target of 0 gives no achievement (missing); the import warns about it."
UTILITY_YEAR_FR = (
    "L'indice d'un projet est celui de sa dernière année ayant au moins une mesure avec une "
    "cible (non nulle) ; ses bénéficiaires sont ceux de sa dernière année où ils sont renseignés."
)
UTILITY_YEAR_EN = (
    "A project's index is that of its latest year having at least one measurement with a "
    "(non-zero) target; its beneficiaries are those of the latest year with a value."
)
NON_FINANCIAL_FR = (
    "Sans les ressources non financières, le calcul porte sur les mêmes projets : là où "
    "l'investisseur n'a apporté que du non financier, ses euros financiers valent 0 et le projet "
    "ne compte qu'au numérateur."
)
NON_FINANCIAL_EN = (
    "Without non-financial resources it covers the same projects: where the investor brought "
    "only non-financial resources, its financial euros are 0 and the project adds to the "
    "numerator only."
)
INVESTOR_PERIOD_FR = (
    "Avec un investisseur choisi, le portefeuille est celui des projets qu'il a financés à une "
    "date quelconque jusqu'à la fin de la période ; les montants ne comptent que les flux datés "
    "dans la période. « INV02 en 2024 » : les projets financés par INV02 jusqu'à fin 2024, avec "
    "les euros de 2024."
)
INVESTOR_PERIOD_EN = (
    "With an investor chosen, the portfolio is the projects it funded at any date up to the end "
    'of the period; money figures count only the flows dated inside the period. "INV02 in '
    '2024" shows the projects INV02 had funded by the end of 2024, with the euros of 2024.'
)
EXACT_MONEY_FR = (
    "Les euros sont conservés exactement (au centime) : les sommes ne dépendent pas de l'ordre "
    "de lecture, les classements départagent les égalités par identifiant de projet, et deux "
    "exports d'une même base sont identiques octet pour octet."
)
EXACT_MONEY_EN = (
    "Euros are kept exactly (to the cent): sums do not depend on the order rows are read in, "
    "rankings break ties by project id, and two exports of one database are byte-identical."
)


def _defs() -> tuple[MetricDef, ...]:
    scale, thr, cap = int(SCORE_SCALE), int(DEFAULT_BLIND_SPOT_THRESHOLD), ACHIEVEMENT_CAP
    cap_txt = f"{cap:g}"
    return (
        MetricDef(
            "lever_score",
            "lever_scores",
            "Score de levier",
            "Lever score",
            f"Moyenne des scores (0–{ref.SCORE_MAX}) des questions répondues du levier, × {scale}, "
            "sur 0–100 ; absent si aucune réponse. Un tour est une date d'évaluation ; plusieurs "
            "évaluateurs d'un même regard à la même date sont d'abord moyennés par question. "
            "« Dernier » = le tour le plus récent par projet et regard (jusqu'à la fin de "
            "l'année de fin de période) ; « premier » = le plus ancien.",
            f"Mean of the answered questions' scores (0–{ref.SCORE_MAX}) of the lever, × {scale}, "
            "on 0–100; missing when none is answered. A round is one assessment date; several "
            'assessors of one viewpoint on one date are first averaged per question. "Latest" '
            "= the most recent round per project and viewpoint (up to the end of the period's last "
            'year); "first" = the earliest.',
        ),
        MetricDef(
            "maturity",
            "maturity",
            "Maturité",
            "Maturity",
            "Moyenne pondérée des derniers scores de levier d'un regard (poids des leviers égaux "
            "par défaut) ; les leviers sans score sont écartés et les poids renormalisés.",
            "Weighted mean of a viewpoint's latest lever scores (lever weights equal by "
            "default); levers without a score are left out and the weights renormalised.",
        ),
        MetricDef(
            "consolidated",
            "consolidated_levers",
            "Score consolidé",
            "Consolidated score",
            "Score de levier consolidé : moyenne pondérée, sur les regards présents, des derniers "
            "scores du levier (poids des regards égaux par défaut). Maturité consolidée : moyenne "
            "pondérée des scores consolidés, même règle pour les leviers manquants.",
            "Consolidated lever score: weighted mean over the viewpoints present of the latest "
            "lever scores (viewpoint weights equal by default). Consolidated maturity: weighted "
            "mean of the consolidated lever scores, same rule for missing levers.",
        ),
        MetricDef(
            "gap",
            "viewpoint_gaps",
            "Écart entre regards",
            "Viewpoint gap",
            "Écart maximum − minimum des derniers scores d'un levier entre les regards présents "
            "(il en faut deux).",
            "Max − min of a lever's latest scores over the viewpoints present (needs two).",
        ),
        MetricDef(
            "blind_spot",
            "blind_spots",
            "Angle mort",
            "Blind spot",
            f"Score du projet sur lui-même − moyenne des autres regards ≥ +{thr} (trop confiant) "
            f"ou ≤ −{thr} (sous-estimé) ; seuil réglable. " + BLIND_SPOT_MISSING_FR,
            f"The project's self score − the mean of the other viewpoints ≥ +{thr} "
            f"(over-confident) or ≤ −{thr} (under-rated); threshold adjustable. "
            + BLIND_SPOT_MISSING_EN,
        ),
        MetricDef(
            "progress",
            "progress",
            "Progression",
            "Progress",
            "Dernier score de levier − premier score de levier, par projet, regard et levier "
            "(il faut deux tours). Progression consolidée : moyenne pondérée sur les regards.",
            "Latest lever score − first lever score, per project, viewpoint and lever (needs two "
            "rounds). Consolidated progress: weighted mean over the viewpoints.",
        ),
        MetricDef(
            "achievement",
            "achievements",
            "Atteinte",
            "Achievement",
            f"Valeur / cible (cible / valeur quand moins est mieux), plafonnée à {cap_txt}. "
            + ZERO_TARGET_FR,
            f"Value / target (target / value where lower is better), capped at {cap_txt}. "
            + ZERO_TARGET_EN,
        ),
        MetricDef(
            "utility_index",
            "utility",
            "Indice d'utilité",
            "Utility index",
            "100 × atteinte moyenne sur les indicateurs ayant une cible, par projet et année. "
            + UTILITY_YEAR_FR,
            "100 × mean achievement over the indicators with a target, per project and year. "
            + UTILITY_YEAR_EN,
        ),
        MetricDef(
            "cost_per_beneficiary",
            "cost_per_beneficiary",
            "Coût par bénéficiaire",
            "Cost per beneficiary",
            "€ de l'investisseur dans le projet / bénéficiaires atteints (tous les "
            "investissements sans investisseur choisi) ; vide sans bénéficiaire.",
            "The investor's € in the project / beneficiaries reached (all investments when no "
            "investor is chosen); empty with no beneficiary.",
        ),
        MetricDef(
            "resources",
            "leverage",
            "Ressources",
            "Resources",
            "R(p) = tous les investissements dans p + toutes les contributions à p sur la période. "
            + EXACT_MONEY_FR,
            "R(p) = all investments in p + all contributions to p over the period. "
            + EXACT_MONEY_EN,
        ),
        MetricDef(
            "leverage",
            "leverage",
            "Effet de levier partenarial",
            "Partnership leverage",
            "(R(p) − apport(i, p)) / apport(i, p) : euros mobilisés auprès des autres par euro de "
            "l'investisseur i ; pour le portefeuille, Σ(R − apport) / Σ apport sur les projets "
            "filtrés que i finance. Il faut choisir un investisseur. Calculé avec et sans les "
            "ressources non financières (mécénat de compétences, apports en nature, contributions "
            "en compétences, en nature ou en réseau). " + NON_FINANCIAL_FR,
            "(R(p) − own(i, p)) / own(i, p): euros mobilised from others per euro of investor i; "
            "for the portfolio, Σ(R − own) / Σ own over the filtered projects i funds. It needs "
            "a chosen investor. Computed with and without non-financial resources (skills "
            "sponsorship, in kind, and contributions of kind skills, in_kind or network). "
            + NON_FINANCIAL_EN,
        ),
        MetricDef(
            "investor_period",
            "portfolio_kpis",
            "Investisseur et période",
            "Investor and period",
            INVESTOR_PERIOD_FR,
            INVESTOR_PERIOD_EN,
        ),
        MetricDef(
            "resource_mix",
            "resource_mix",
            "Mix public / privé",
            "Public/private mix",
            "Part de R(p) apportée par des organisations publiques (investisseurs publics, "
            "collectivités, recherche) ou privées, selon le type de l'organisation.",
            "Share of R(p) brought by public organisations (public investors, local "
            "authorities, academia) or private ones, by the kind of the organisation.",
        ),
        MetricDef(
            "fragile_share",
            "portfolio_kpis",
            "Part en territoires fragiles",
            "Fragile share",
            "Part des projets filtrés situés en QPV ou en zone de revitalisation rurale.",
            "Share of the filtered projects flagged QPV or rural revitalisation.",
        ),
        MetricDef(
            "partner_diversity",
            "partner_diversity",
            "Diversité partenariale",
            "Partner diversity",
            "Nombre de types d'organisations distincts parmi les financeurs et partenaires du "
            "projet, et équitabilité de Shannon des ressources entre ces types (0–1 ; 0 avec un "
            "seul type).",
            "Number of distinct organisation kinds among the project's funders and partners, and "
            "the Shannon evenness of its resources over those kinds (0–1; 0 with a single kind).",
        ),
        MetricDef(
            "co_investment",
            "co_investment",
            "Co-investissement",
            "Co-investment",
            "Pour deux investisseurs, les projets filtrés qu'ils financent tous deux et les euros "
            "de chacun dans ces projets.",
            "For two investors, the filtered projects both fund and each one's euros in them.",
        ),
        MetricDef(
            "portfolio_maturity",
            "reweighting_summary",
            "Maturité du portefeuille",
            "Portfolio maturity",
            "Moyenne des maturités consolidées des projets filtrés ; la page Et si… la compare "
            "avec des poids égaux et avec les poids choisis, et classe les projets sous les deux "
            "(égalités départagées par l'identifiant).",
            "Mean consolidated maturity of the filtered projects; the What-if page compares it "
            "with equal weights and with the chosen weights, and ranks the projects under both "
            "(ties broken by identifier).",
        ),
        MetricDef(
            "cohort",
            "cohort_figures",
            "Chiffres de cohorte",
            "Cohort figures",
            "Taille, maturité consolidée médiane au premier et au dernier tour, progression "
            "médiane par levier, part des projets par phase, indice d'utilité médian, et effet de "
            "levier médian quand un investisseur est choisi.",
            "Size, median consolidated maturity at the first round and at the latest, median "
            "progress per lever, share of projects in each phase, median utility index, and "
            "median leverage when an investor is chosen.",
        ),
    )


METRICS: tuple[MetricDef, ...] = _defs()


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
    "indicator_summary": "achievement",
    "cost_ranking": "cost_per_beneficiary",
    "leverage_ranking": "leverage",
    "resources_by_kind": "resource_mix",
    "diversity_summary": "partner_diversity",
    "cohort_progress": "cohort",
    "cohort_phases": "cohort",
    "cohort_maturity_spread": "cohort",
    "refresh_lever_rounds": "lever_score",
    "reweighting": "portfolio_maturity",
    "reweighting_overview": "portfolio_maturity",
    "scenario_figures": "leverage",
}
