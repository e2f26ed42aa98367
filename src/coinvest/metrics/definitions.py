"""What every figure means, in French and English: the Method page is generated from METRICS."""

from __future__ import annotations

from dataclasses import dataclass

from coinvest import reference as ref
from coinvest.metrics.query import (
    ACHIEVEMENT_CAP,
    DEFAULT_BLIND_SPOT_THRESHOLD,
)
from coinvest.reference import SCORE_SCALE


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
    "reweighting": "portfolio_maturity",
    "reweighting_overview": "portfolio_maturity",
    "scenario_figures": "leverage",
}
