"""Translations and French/English number and date formats.

French is the default. Every string a page shows comes from these catalogues; the two must
have the same keys (a test checks it).
"""

from __future__ import annotations

import math
from datetime import date

LANGS = ("fr", "en")
DEFAULT_LANG = "fr"

NNBSP = "\u202f"  # narrow no-break space: French thousands separator
NBSP = "\u00a0"  # no-break space: before € and %

CATALOG: dict[str, dict[str, str]] = {
    "fr": {
        "app.title": "coinvest",
        "app.tagline": "Revue de portefeuille d'innovation sociale — méthode des 7 leviers",
        "app.section.territory": "Territoires et besoins",
        "app.section.reference": "Référence",
        "db.folder_missing": "Le dossier « {folder} » n'existe pas : créez-le ou choisissez un autre chemin de base.",
        "db.is_directory": "« {path} » est un dossier, pas un fichier de base de données.",
        "db.not_duckdb": "« {path} » n'est pas une base DuckDB (fichier d'un autre programme) : rien n'a été modifié.",
        "db.not_coinvest": "« {path} » est une base DuckDB d'un autre programme (pas de table schema_version) : rien n'a été modifié.",
        "db.newer_schema": "La base « {path} » est au schéma {found}, plus récent que celui de ce programme ({known}) : mettez coinvest à jour. Rien n'a été modifié.",
        "db.locked": "La base « {path} » est ouverte par un autre processus ; réessayez quand il l'aura fermée.",
        "db.cannot_open": "Impossible d'ouvrir la base « {path} » : {detail}",
        "db.needs_migration": "La base « {path} » doit être mise à jour par une ouverture en écriture avant d'être lue en lecture seule.",
        "db.read_only_missing": "La base « {path} » n'existe pas et ne peut pas être créée en lecture seule.",
        "cli.demo.done": "Portefeuille de démonstration écrit dans {path} ({projects} projets, {seconds} s).",
        "demo.not_empty": "La base « {path} » contient déjà des données ; choisissez un nouveau chemin.",
        "cli.unknown_code": "Code inconnu pour {option} : « {value} ». Codes possibles : {allowed}.",
        "cli.bad_year": "Année invalide pour {option} : « {value} » (attendu : une année entre 1900 et 2100, la fin après le début).",
        "cli.bad_number": "--projects doit être un entier positif (reçu : {value}).",
        "weights.invalid": "Poids invalide pour « {code} » : {value} (attendu : un nombre entre 0 et 100).",
        "weights.levers_all_zero": "Tous les poids des leviers sont nuls : donnez un poids à au moins un levier.",
        "weights.viewpoints_all_zero": "Tous les poids des regards sont nuls : donnez un poids à au moins un regard.",
        "threshold.invalid": "Seuil d'angle mort invalide : {value} (attendu : entre 0 et 100 points).",
        "overview.title": "Vue d'ensemble du portefeuille",
        "overview.caption": "Ce que contient le portefeuille : argent, projets, territoires, phases et besoins sociétaux.",
        "overview.no_match": "Aucun projet ne correspond à ce filtre : élargissez-le pour voir des chiffres.",
        "overview.empty": "Aucun projet dans la base. Chargez le portefeuille de démonstration (`coinvest demo`) ou importez vos données.",
        "kpi.projects": "Projets",
        "kpi.committed": "€ engagés",
        "kpi.committed.help": "Somme des investissements (tous investisseurs).",
        "kpi.resources": "Ressources totales",
        "kpi.resources.help": "Investissements et contributions des partenaires, y compris non financiers valorisés.",
        "kpi.levered": "€ levés",
        "kpi.leverage": "Effet de levier",
        "kpi.beneficiaries": "Bénéficiaires",
        "kpi.beneficiaries.help": "Bénéficiaires de la dernière année renseignée de chaque projet.",
        "kpi.fragile": "En territoires fragiles",
        "kpi.fragile.help": "Part des projets en quartier prioritaire (QPV) ou en zone de revitalisation rurale.",
        "kpi.no_investor": "L'effet de levier se calcule pour un investisseur choisi ; sans investisseur, les ressources totales sont affichées.",
        "map.title": "Projets par département",
        "map.title.eur": "Euros engagés par département",
        "map.measure": "Colorer la carte selon",
        "map.measure.projects": "Nombre de projets",
        "map.measure.eur": "Euros engagés",
        "map.description": "Carte en tuiles des départements français, chaque tuile colorée selon {measure}. Les départements d'outre-mer sont en bas.",
        "map.overseas": "Outre-mer",
        "chart.phase.title": "Projets par phase",
        "chart.phase.description": "Nombre de projets du portefeuille dans chaque phase de l'innovation.",
        "chart.need.title": "Projets par besoin sociétal",
        "chart.need.description": "Nombre de projets du portefeuille pour chaque besoin sociétal adressé.",
        "chart.show_table": "Voir les données",
        "col.department": "Département",
        "col.code": "Code",
        "col.region": "Région",
        "col.projects": "Projets",
        "col.committed_eur": "€ engagés",
        "col.phase": "Phase",
        "col.need": "Besoin",
        "col.share": "Part",
        "method.title": "Méthode",
        "method.caption": "La méthode des 7 leviers de Le RAMEAU telle que coinvest l'applique : les leviers et leurs questions, les regards, les phases, l'échelle de maturité et la définition de chaque chiffre.",
        "method.levers": "Les 7 leviers et leurs 23 questions",
        "method.levers.intro": "Chaque question est notée de 0 à 4 depuis chacun des trois regards ; les codes des questions sont ceux des imports et des exports.",
        "method.viewpoints": "Le croisement des regards",
        "method.viewpoints.intro": "Un projet peut être évalué sur les 23 questions depuis chaque regard, plusieurs fois (tours datés). Croiser les trois est le cœur de la méthode : accords, écarts, angles morts.",
        "method.phases": "Les phases de l'innovation",
        "method.phases.intro": "Du projet qui se raconte (R&D) à celui qui se compte (modélisation) puis qui rend compte d'indicateurs (déploiement) ; l'investisseur sociétal arrive souvent en modélisation.",
        "method.scale": "L'échelle de maturité",
        "method.figures": "Les chiffres et leur définition",
        "method.lists": "Les autres listes de référence",
        "method.instruments": "Instruments d'investissement",
        "method.kinds": "Types d'organisation",
        "method.investor_levers": "Leviers de l'investisseur sociétal",
        "method.partnership_types": "Types de partenariat",
        "method.needs": "Besoins sociétaux",
        "col.question": "Question",
        "col.label": "Libellé",
        "col.who": "Qui évalue",
        "col.level": "Niveau",
        "col.figure": "Chiffre",
        "col.definition": "Définition",
        "col.financial": "Financier",
        "col.sector": "Secteur",
        "yes": "oui",
        "no": "non",
    },
    "en": {
        "app.title": "coinvest",
        "app.tagline": "Social-innovation portfolio review — the seven-lever method",
        "app.section.territory": "Territories and needs",
        "app.section.reference": "Reference",
        "db.folder_missing": "The folder '{folder}' does not exist: create it or choose another database path.",
        "db.is_directory": "'{path}' is a folder, not a database file.",
        "db.not_duckdb": "'{path}' is not a DuckDB database (a file of another program): nothing was changed.",
        "db.not_coinvest": "'{path}' is a DuckDB database of another program (no schema_version table): nothing was changed.",
        "db.newer_schema": "The database '{path}' is at schema {found}, newer than this program knows ({known}): upgrade coinvest. Nothing was changed.",
        "db.locked": "The database '{path}' is open in another process; try again once it is closed.",
        "db.cannot_open": "Cannot open the database '{path}': {detail}",
        "db.needs_migration": "The database '{path}' must be upgraded by opening it read-write before it can be read read-only.",
        "db.read_only_missing": "The database '{path}' does not exist and cannot be created read-only.",
        "cli.demo.done": "Demo portfolio written to {path} ({projects} projects, {seconds} s).",
        "demo.not_empty": "The database '{path}' already holds data; choose a new path.",
        "cli.unknown_code": "Unknown code for {option}: '{value}'. Known codes: {allowed}.",
        "cli.bad_year": "Invalid year for {option}: '{value}' (expected a year from 1900 to 2100, the end after the start).",
        "cli.bad_number": "--projects must be a positive whole number (got: {value}).",
        "weights.invalid": "Invalid weight for '{code}': {value} (expected a number from 0 to 100).",
        "weights.levers_all_zero": "Every lever weight is zero: give at least one lever a weight.",
        "weights.viewpoints_all_zero": "Every viewpoint weight is zero: give at least one viewpoint a weight.",
        "threshold.invalid": "Invalid blind-spot threshold: {value} (expected between 0 and 100 points).",
        "overview.title": "Portfolio overview",
        "overview.caption": "What the portfolio holds: money, projects, territories, phases and societal needs.",
        "overview.no_match": "No project matches this filter: widen it to see figures.",
        "overview.empty": "No project in the database. Load the demo portfolio (`coinvest demo`) or import your data.",
        "kpi.projects": "Projects",
        "kpi.committed": "€ committed",
        "kpi.committed.help": "Sum of the investments (all investors).",
        "kpi.resources": "Total resources",
        "kpi.resources.help": "Investments and partner contributions, valued non-financial ones included.",
        "kpi.levered": "€ levered",
        "kpi.leverage": "Leverage",
        "kpi.beneficiaries": "Beneficiaries",
        "kpi.beneficiaries.help": "Beneficiaries of each project's latest year with a value.",
        "kpi.fragile": "In fragile territories",
        "kpi.fragile.help": "Share of projects in a priority urban district (QPV) or a rural revitalisation area.",
        "kpi.no_investor": "Leverage is computed for a chosen investor; with none chosen, total resources are shown.",
        "map.title": "Projects by department",
        "map.title.eur": "Euros committed by department",
        "map.measure": "Colour the map by",
        "map.measure.projects": "Number of projects",
        "map.measure.eur": "Euros committed",
        "map.description": "Tile map of the French departments, each tile coloured by {measure}. Overseas departments are at the bottom.",
        "map.overseas": "Overseas",
        "chart.phase.title": "Projects by phase",
        "chart.phase.description": "Number of portfolio projects in each innovation phase.",
        "chart.need.title": "Projects by societal need",
        "chart.need.description": "Number of portfolio projects for each societal need addressed.",
        "chart.show_table": "Show the data",
        "col.department": "Department",
        "col.code": "Code",
        "col.region": "Region",
        "col.projects": "Projects",
        "col.committed_eur": "€ committed",
        "col.phase": "Phase",
        "col.need": "Need",
        "col.share": "Share",
        "method.title": "Method",
        "method.caption": "Le RAMEAU's seven-lever method as coinvest applies it: the levers and their questions, the viewpoints, the phases, the maturity scale and the definition of every figure.",
        "method.levers": "The 7 levers and their 23 questions",
        "method.levers.intro": "Each question is scored from 0 to 4 from each of the three viewpoints; the question codes are those of imports and exports.",
        "method.viewpoints": "Crossing the viewpoints",
        "method.viewpoints.intro": "A project can be assessed on the 23 questions from each viewpoint, several times (dated rounds). Crossing the three is the heart of the method: agreement, gaps, blind spots.",
        "method.phases": "The phases of an innovation",
        "method.phases.intro": "From the project that tells its story (R&D) to the one that starts counting (modelling) and then reports indicators (scaling); the social investor usually comes in at modelling.",
        "method.scale": "The maturity scale",
        "method.figures": "The figures and their definition",
        "method.lists": "The other reference lists",
        "method.instruments": "Investment instruments",
        "method.kinds": "Organisation kinds",
        "method.investor_levers": "The social investor's levers",
        "method.partnership_types": "Partnership types",
        "method.needs": "Societal needs",
        "col.question": "Question",
        "col.label": "Label",
        "col.who": "Who assesses",
        "col.level": "Level",
        "col.figure": "Figure",
        "col.definition": "Definition",
        "col.financial": "Financial",
        "col.sector": "Sector",
        "yes": "yes",
        "no": "no",
    },
}


def normalise_lang(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG, **params: object) -> str:
    """The text of `key` in `lang`, with `{name}` placeholders filled from params."""
    text = CATALOG[normalise_lang(lang)][key]
    return text.format(**params) if params else text


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value: float | None, decimals: int = 0, lang: str = DEFAULT_LANG) -> str:
    """`1 234,5` in French (narrow no-break spaces), `1,234.5` in English; `—` when missing."""
    if _missing(value):
        return "—"
    text = f"{value:,.{decimals}f}"
    if normalise_lang(lang) == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    return text


def format_eur(
    value: float | None, decimals: int = 0, lang: str = DEFAULT_LANG, compact: bool = False
) -> str:
    """`12 500 €` in French, `€12,500` in English; compact: `118,1 M€` / `€118.1M`."""
    if _missing(value):
        return "—"
    unit = ""
    if compact and abs(value) >= 1e6:
        value, decimals, unit = value / 1e6, 1, "M"
    elif compact and abs(value) >= 1e4:
        value, decimals, unit = value / 1e3, 0, "k"
    number = format_number(value, decimals, lang)
    if normalise_lang(lang) == "fr":
        return f"{number}{NBSP}{unit}€"
    return f"€{number}{unit}"


def format_pct(share: float | None, decimals: int = 1, lang: str = DEFAULT_LANG) -> str:
    """A share in 0–1 as a percentage."""
    if _missing(share):
        return "—"
    number = format_number(share * 100, decimals, lang)
    return f"{number}{NBSP}%" if normalise_lang(lang) == "fr" else f"{number}%"


def format_date(value: date | None, lang: str = DEFAULT_LANG) -> str:
    if value is None:
        return "—"
    return value.strftime("%d/%m/%Y") if normalise_lang(lang) == "fr" else value.isoformat()


def d3_number_format(lang: str = DEFAULT_LANG) -> dict[str, object]:
    """The Vega-Lite `formatLocale` for the language (French: `1 234,5`)."""
    if normalise_lang(lang) == "fr":
        return {
            "decimal": ",",
            "thousands": NNBSP,
            "grouping": [3],
            "currency": ["", f"{NBSP}€"],
        }
    return {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["€", ""]}
