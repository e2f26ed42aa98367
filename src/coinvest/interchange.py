"""The interchange format (docs/import.md): sheets, columns and their French aliases (the value
parsers of the cells are in coinvest.cells).

One description serves the importer, the template, the portfolio export and the Data page, so a
column cannot be known to one and missing from another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from coinvest import reference as ref
from coinvest.cells import (
    MAX_ID_LENGTH,
    SCORE_SPELLINGS,
    CellError,
    Column,
    is_blank,
    parse,
    parse_date,
    parse_decimal,
    parse_number,
)
from coinvest.folding import header_key
from coinvest.territory import department_codes

# What the importer, the template and the tests take from here along with the sheets.
__all__ = [
    "HELPER_SHEETS",
    "MAX_ID_LENGTH",
    "SCORE_SPELLINGS",
    "SHEETS",
    "SHEET_BY_NAME",
    "CellError",
    "Column",
    "Sheet",
    "foreign_unit",
    "header_key",
    "is_blank",
    "loose_key",
    "match_column",
    "match_sheet",
    "match_sheet_by_header",
    "parse",
    "parse_date",
    "parse_decimal",
    "parse_number",
]


@dataclass(frozen=True)
class Sheet:
    name: str  # the sheet name, and the CSV file name
    table: str  # the database table
    key: tuple[str, ...]  # the upsert key
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = ()
    extra_columns: tuple[str, ...] = field(default_factory=tuple)
    portfolio: bool = True  # part of the portfolio (exported with it); members are not

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def _code(name, items, required=True, aliases=()):
    return Column(name, "code", required, ref.codes(items), tuple(items), aliases=aliases)


ID_ALIASES = {
    "org_id": ("id_organisation", "identifiant", "id"),
    "project_id": ("id_projet", "projet"),
    "cohort_id": ("id_cohorte", "cohorte"),
    "assessment_id": ("id_evaluation", "evaluation"),
    "investment_id": ("id_investissement",),
    "contribution_id": ("id_contribution",),
    "indicator_code": ("code_indicateur", "indicateur"),
}

SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "organisations",
        "organisation",
        ("org_id",),
        (
            Column("org_id", "id", True, aliases=ID_ALIASES["org_id"]),
            Column("name", "text", True, aliases=("nom", "raison_sociale")),
            _code("kind", ref.ORG_KINDS, aliases=("type", "type_organisation")),
        ),
        aliases=("organisation", "organismes", "structures"),
    ),
    Sheet(
        "indicators",
        "indicator",
        ("indicator_code",),
        (
            Column("indicator_code", "id", True, aliases=ID_ALIASES["indicator_code"]),
            Column("name_fr", "text", True, aliases=("nom_fr", "nom", "libelle")),
            Column("unit", "text", True, aliases=("unite",)),
            Column(
                "higher_is_better", "bool", True, aliases=("plus_est_mieux", "hausse_souhaitee")
            ),
            Column("name_en", "text", aliases=("nom_en",)),
            Column("theme", "text", aliases=("thematique",)),
            Column("iris_code", "text", aliases=("code_iris", "iris")),
        ),
        aliases=("indicateurs",),
    ),
    Sheet(
        "projects",
        "project",
        ("project_id",),
        (
            Column("project_id", "id", True, aliases=ID_ALIASES["project_id"]),
            Column("name", "text", True, aliases=("nom", "nom_projet")),
            Column(
                "holder_org_id",
                "id",
                True,
                ref_sheet="organisations",
                aliases=("id_porteur", "porteur"),
            ),
            _code("need", ref.NEEDS, aliases=("besoin", "besoin_societal")),
            _code("phase", ref.PHASES),
            Column(
                "department_code",
                "code",
                True,
                codes=department_codes(),
                aliases=("code_departement", "departement", "dep"),
            ),
            Column("legal_form", "text", aliases=("forme_juridique", "statut_juridique")),
            Column("commune_code", "commune", aliases=("code_commune", "commune", "code_insee")),
            Column("qpv", "bool", aliases=("quartier_prioritaire",)),
            Column("rural_revitalisation", "bool", aliases=("revitalisation_rurale", "zrr", "frr")),
            Column("start_year", "year", aliases=("annee_debut", "annee_de_creation")),
            Column(
                "status",
                "code",
                codes=ref.STATUS_CODES,
                labels=ref.STATUSES,
                aliases=("statut", "etat"),
                default="active",
            ),
        ),
        aliases=("projets",),
    ),
    Sheet(
        "cohorts",
        "cohort",
        ("cohort_id",),
        (
            Column("cohort_id", "id", True, aliases=ID_ALIASES["cohort_id"]),
            Column(
                "support_body_org_id",
                "id",
                True,
                ref_sheet="organisations",
                aliases=("id_accompagnateur", "accompagnateur", "id_structure_accompagnement"),
            ),
            Column("name", "text", True, aliases=("nom",)),
            Column("year", "year", True, aliases=("annee", "promotion")),
            Column("programme", "text", aliases=("programme_accompagnement", "dispositif")),
        ),
        aliases=("cohortes", "promotions"),
    ),
    Sheet(
        "cohort_members",
        "cohort_member",
        ("cohort_id", "project_id"),
        (
            Column("cohort_id", "id", True, ref_sheet="cohorts", aliases=ID_ALIASES["cohort_id"]),
            Column(
                "project_id", "id", True, ref_sheet="projects", aliases=ID_ALIASES["project_id"]
            ),
            Column("entry_date", "date", True, aliases=("date_entree", "entree")),
            Column("exit_date", "date", aliases=("date_sortie", "sortie")),
        ),
        aliases=("membres_cohortes", "membres", "cohortes_membres"),
    ),
    Sheet(
        "assessments",
        "assessment",
        ("assessment_id",),
        (
            Column("assessment_id", "id", True, aliases=ID_ALIASES["assessment_id"]),
            Column(
                "project_id", "id", True, ref_sheet="projects", aliases=ID_ALIASES["project_id"]
            ),
            _code("viewpoint", ref.VIEWPOINTS, aliases=("regard", "point_de_vue")),
            Column(
                "assessor_org_id",
                "id",
                True,
                ref_sheet="organisations",
                aliases=("id_evaluateur", "evaluateur"),
            ),
            Column("assessed_on", "date", True, aliases=("date_evaluation", "date")),
            *(Column(code, "score") for code in ref.QUESTION_CODES),
            Column("comment", "text", aliases=("commentaire", "remarques")),
        ),
        aliases=("evaluations",),
    ),
    Sheet(
        "investments",
        "investment",
        ("investment_id",),
        (
            Column("investment_id", "id", True, aliases=ID_ALIASES["investment_id"]),
            Column(
                "investor_org_id",
                "id",
                True,
                ref_sheet="organisations",
                aliases=("id_investisseur", "investisseur", "financeur"),
            ),
            Column(
                "project_id", "id", True, ref_sheet="projects", aliases=ID_ALIASES["project_id"]
            ),
            Column("date", "date", True, aliases=("date_engagement", "date_decision")),
            Column("amount_eur", "amount", True, aliases=("montant_eur", "montant")),
            _code("instrument", ref.INSTRUMENTS, aliases=("outil", "type_financement")),
            _code(
                "investor_lever",
                ref.INVESTOR_LEVERS,
                required=False,
                aliases=("levier_investisseur", "levier"),
            ),
        ),
        aliases=("investissements", "financements"),
    ),
    Sheet(
        "contributions",
        "contribution",
        ("contribution_id",),
        (
            Column("contribution_id", "id", True, aliases=ID_ALIASES["contribution_id"]),
            Column(
                "partner_org_id",
                "id",
                True,
                ref_sheet="organisations",
                aliases=("id_partenaire", "partenaire"),
            ),
            Column(
                "project_id", "id", True, ref_sheet="projects", aliases=ID_ALIASES["project_id"]
            ),
            Column("date", "date", True),
            Column("value_eur", "amount", True, aliases=("valeur_eur", "valeur", "montant")),
            _code("kind", ref.CONTRIBUTION_KINDS, aliases=("type", "nature")),
            _code(
                "partnership_type",
                ref.PARTNERSHIP_TYPES,
                required=False,
                aliases=("type_partenariat",),
            ),
        ),
        aliases=("apports",),
    ),
    Sheet(
        "measurements",
        "measurement",
        ("project_id", "indicator_code", "year"),
        (
            Column(
                "project_id", "id", True, ref_sheet="projects", aliases=ID_ALIASES["project_id"]
            ),
            Column(
                "indicator_code",
                "id",
                True,
                ref_sheet="indicators",
                aliases=ID_ALIASES["indicator_code"],
            ),
            Column("year", "year", True, aliases=("annee",)),
            Column("value", "number", True, aliases=("valeur",)),
            Column("target", "number", aliases=("cible", "objectif")),
            _code("source", ref.MEASUREMENT_SOURCES, required=False, aliases=("origine",)),
        ),
        aliases=("mesures", "indicateurs_valeurs"),
    ),
    # who may sign in to a shared instance, and as what (docs/rules.md "Sign-in and scope"); admins only import it
    Sheet(
        "members",
        "membership",
        ("email",),
        (
            Column("email", "email", True, aliases=("courriel", "adresse_email", "mail", "e_mail")),
            Column("org_id", "id", True, ref_sheet="organisations", aliases=ID_ALIASES["org_id"]),
            _code("role", ref.ROLES, aliases=("role_membre", "droits")),
            # the person's name, for the campaign reminder list (docs/campaigns.md "Reminders")
            Column("name", "text", aliases=("nom", "nom_complet", "prenom_nom", "personne")),
        ),
        aliases=("acces", "utilisateurs", "comptes"),
        portfolio=False,
    ),
)
SHEET_BY_NAME = {s.name: s for s in SHEETS}
HELPER_SHEETS = ("_listes", "lisez-moi", "readme")  # sheets of the template that hold no table


_DOWNLOAD_SUFFIX = re.compile(r"\s*[(\[]\d+[)\]]\s*$|\s*-\s*(copie|copy)(\s*\d+)?\s*$", re.I)


def match_sheet(name: str) -> Sheet | None:
    """The sheet a sheet or file name stands for; browser download suffixes (`investissements
    (1)`) and copies (`projets - Copie`) are ignored."""
    key = header_key(_DOWNLOAD_SUFFIX.sub("", str(name)))
    for sheet in SHEETS:
        if key == sheet.name or key in sheet.aliases:
            return sheet
    return None


def match_sheet_by_header(headers: list[object]) -> Sheet | None:
    """The sheet whose required columns a header row names, all of them (the most named when
    several do): `Investissements 2024` is read by its headers as the investments."""
    best: tuple[int, Sheet] | None = None
    for sheet in SHEETS:
        named = {c.name for h in headers if (c := match_column(sheet, h)) is not None}
        if set(sheet.required) <= named and (best is None or len(named) > best[0]):
            best = (len(named), sheet)
    return best[1] if best else None


# A unit other than euros named by the header of a euro column (docs/import.md "Rules": never guessed).
_FOREIGN_UNIT = re.compile(
    r"(?<![a-z])(?:k|m|md|mds|mrd)\s*(?:€|eur\b|euros?\b)"
    r"|\b(?:milliers?|millions?|milliards?)(?:\s+d[’']\s*euros?)?\b"
    r"|\b(?:thousands?|millions?|billions?)(?:\s+of\s+euros?)?\b"
    r"|\b(?:keur|meur)\b|%|\bpour\s?cent\b|\bpourcentage\b|\bpercent(?:age)?\b",
    re.IGNORECASE,
)


def foreign_unit(header: object) -> str | None:
    """The unit a euro column's header names when it is not euros (`Montant (k€)`,
    `Montant (en milliers d'euros)`, `(M€)`, `(%)`), as written; None for euros or none."""
    found = _FOREIGN_UNIT.search(str(header or ""))
    return found.group(0) if found else None


def match_column(sheet: Sheet, header: object) -> Column | None:
    """The column a header names: its code, an alias, or either written as natural French
    (`Date d'engagement`, `Montant (€)`, `Code du département`)."""
    key = header_key(header)
    for column in sheet.columns:
        if key == header_key(column.name) or key in column.aliases:
            return column
    loose = loose_key(header)
    if not loose:
        return None
    for column in sheet.columns:
        if loose == loose_key(column.name) or loose in (loose_key(a) for a in column.aliases):
            return column
    return None


_UNITS = re.compile(r"\([^)]*\)|\[[^\]]*\]")  # `(€)`, `(en euros)`, `[0-4]`
_ELISION = re.compile(r"\b[dlj][’']", re.IGNORECASE)  # d'engagement, l'évaluation
_SHORT = {"identifiant": "id", "identifier": "id", "numero": "id", "ref": "id"}
_LINK_WORDS = {"de", "du", "des", "la", "le", "les", "en", "a", "au", "aux", "par", "of", "the"}


def loose_key(text: object) -> str:
    """A header with its units, elisions and link words taken out: `Date d'engagement` and
    `date_engagement` meet, so do `Montant (€)` and `montant`."""
    plain = _ELISION.sub("", _UNITS.sub(" ", str(text or "")))
    words = [w for w in header_key(plain).split("_") if w and w not in _LINK_WORDS]
    return "_".join(_SHORT.get(w, w) for w in words)
