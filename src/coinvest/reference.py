"""The reference model of Le RAMEAU's method (DESIGN §2), defined once.

Every code list the app knows lives here with its French and English labels. The schema's
constraints, the demo generator, the import validation and the Method page are all built from
these tuples, so a code cannot exist in one place and be missing in another.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    """One entry of a fixed list: a stable code and its labels."""

    code: str
    fr: str
    en: str

    def label(self, lang: str = "fr") -> str:
        return self.en if lang == "en" else self.fr


@dataclass(frozen=True)
class Question(Code):
    """A guiding question of a lever; `code` is the full code, e.g. `ecosystem.needs`."""

    lever: str = ""


@dataclass(frozen=True)
class Lever(Code):
    questions: tuple[Question, ...] = ()


def _lever(code: str, fr: str, en: str, questions: list[tuple[str, str, str]]) -> Lever:
    return Lever(
        code,
        fr,
        en,
        tuple(Question(f"{code}.{q}", qfr, qen, lever=code) for q, qfr, qen in questions),
    )


# §2.1 — the seven levers and their 23 guiding questions, in this order.
LEVERS: tuple[Lever, ...] = (
    _lever(
        "ecosystem",
        "Comprendre son écosystème",
        "Understand the ecosystem",
        [
            (
                "needs",
                "Quels besoins sociétaux le projet adresse-t-il ?",
                "Which societal needs does the project address?",
            ),
            (
                "stakes",
                "Quels en sont les enjeux et les réponses existantes ?",
                "What are the stakes and the existing answers?",
            ),
            ("actors", "Quels acteurs sont positionnés ?", "Which actors are already in place?"),
            (
                "territories",
                "Comment cela se décline-t-il selon les territoires ?",
                "How does it vary from one territory to another?",
            ),
        ],
    ),
    _lever(
        "innovation",
        "Qualifier son innovation",
        "Qualify the innovation",
        [
            (
                "characteristics",
                "Quelles caractéristiques : solution, chaîne de valeur, modèle socio-économique ?",
                "What are its characteristics: solution, value chain, socio-economic model?",
            ),
            (
                "phases",
                "Quelles sont les phases de développement de l'innovation ?",
                "What are the development phases of the innovation?",
            ),
            (
                "proof",
                "Comment qualifier la preuve de concept ?",
                "How is the proof of concept established?",
            ),
        ],
    ),
    _lever(
        "strategy",
        "Définir sa stratégie",
        "Define the strategy",
        [
            ("state", "Quel état des lieux ?", "What is the current state?"),
            ("ambition", "Quelle ambition ?", "What is the ambition?"),
            ("means", "Quelle stratégie de moyens ?", "What strategy of means?"),
        ],
    ),
    _lever(
        "model",
        "Transformer son modèle socio-économique",
        "Transform the socio-economic model",
        [
            ("levers", "Quels leviers ?", "Which levers?"),
            ("target", "Comment définir son modèle cible ?", "What is the target model?"),
            ("trajectory", "Quelle trajectoire pour y parvenir ?", "What trajectory leads there?"),
        ],
    ),
    _lever(
        "alliances",
        "Apprendre à faire alliance",
        "Learn to build alliances",
        [
            ("why", "Pourquoi faire alliance ?", "Why build alliances?"),
            ("partners", "Avec qui et comment ?", "With whom, and how?"),
            (
                "actions",
                "Pour mener quelles actions ensemble ?",
                "To carry out which joint actions?",
            ),
        ],
    ),
    _lever(
        "digital",
        "Accélérer grâce au numérique",
        "Accelerate with digital",
        [
            ("uses", "Quels usages ?", "Which uses?"),
            ("solutions", "Quelles solutions ?", "Which solutions?"),
            ("timing", "Quelle temporalité ?", "What timing?"),
        ],
    ),
    _lever(
        "evaluation",
        "Évaluer sa pertinence",
        "Evaluate relevance",
        [
            ("performance", "Quelle performance ?", "What performance?"),
            ("utility", "Quelle utilité sociétale ?", "What societal utility?"),
            ("leverage", "Quel effet de levier partenarial ?", "What partnership leverage?"),
            (
                "showcase",
                "Quelle capacité à valoriser son innovation ?",
                "What capacity to showcase the innovation?",
            ),
        ],
    ),
)

QUESTIONS: tuple[Question, ...] = tuple(q for lever in LEVERS for q in lever.questions)

# The maturity scale used for every question.
MATURITY_SCALE: tuple[tuple[int, str, str], ...] = (
    (0, "Non abordé", "Not addressed"),
    (1, "Identifié", "Identified"),
    (2, "Formalisé", "Formalised"),
    (3, "Mis en œuvre", "Implemented"),
    (4, "Prouvé et partagé", "Proven and shared"),
)
SCORE_MIN, SCORE_MAX = 0, 4
SCORE_SCALE = 100 / SCORE_MAX  # a 0–4 answer becomes a 0–100 lever score: × 25


@dataclass(frozen=True)
class Viewpoint(Code):
    assessors_fr: str = ""
    assessors_en: str = ""


# §2.2 — the three viewpoints ("croisement des regards").
VIEWPOINTS: tuple[Viewpoint, ...] = (
    Viewpoint(
        "ecosystem",
        "Écosystème",
        "Ecosystem",
        "acteurs du territoire, structures d'accompagnement, collectivités",
        "territorial actors, support bodies, local authorities",
    ),
    Viewpoint(
        "project",
        "Projets",
        "Projects",
        "l'équipe projet elle-même (auto-évaluation)",
        "the project team itself (self-assessment)",
    ),
    Viewpoint(
        "investment",
        "Investissements",
        "Investments",
        "les investisseurs et financeurs",
        "the investors and funders",
    ),
)

# §2.3 — the other fixed lists.
PHASES: tuple[Code, ...] = (
    Code("emergence", "Émergence (initiative)", "Emergence (initiative)"),
    Code("rnd", "R&D, expérimentation", "R&D, experimentation"),
    Code("modelling", "Modélisation", "Modelling"),
    Code("scaling", "Déploiement, essaimage", "Scaling"),
)

INVESTOR_LEVERS: tuple[Code, ...] = (
    Code(
        "structural_funding",
        "Financement structurel (pluriannuel)",
        "Structural (multi-year) funding",
    ),
    Code("strategic_support", "Accompagnement stratégique", "Strategic support"),
    Code("skills_and_networks", "Compétences et réseaux", "Skills and networks"),
    Code("evaluation_support", "Appui à l'évaluation", "Evaluation support"),
)

PARTNERSHIP_TYPES: tuple[Code, ...] = (
    Code("patronage", "Mécénat", "Patronage"),
    Code("responsible_practices", "Pratiques responsables", "Responsible practices"),
    Code("economic_cooperation", "Coopération économique", "Economic cooperation"),
    Code("societal_innovation", "Innovation sociétale", "Societal innovation"),
)


@dataclass(frozen=True)
class OrgKind(Code):
    """An organisation kind; `sector` says whose euros it brings (public or private)."""

    sector: str = "private"


ORG_KINDS: tuple[OrgKind, ...] = (
    OrgKind("public_investor", "Investisseur public", "Public investor", "public"),
    OrgKind("private_investor", "Investisseur privé", "Private investor", "private"),
    OrgKind("support_body", "Structure d'accompagnement", "Support body", "private"),
    OrgKind("local_authority", "Collectivité territoriale", "Local authority", "public"),
    OrgKind("company", "Entreprise", "Company", "private"),
    OrgKind("association", "Association", "Association", "private"),
    OrgKind("foundation", "Fondation", "Foundation", "private"),
    OrgKind("academia", "Recherche et enseignement", "Academia", "public"),
    OrgKind("citizens", "Citoyens", "Citizens", "private"),
)

SECTORS: tuple[Code, ...] = (
    Code("public", "Public", "Public"),
    Code("private", "Privé", "Private"),
)


@dataclass(frozen=True)
class Instrument(Code):
    financial: bool = True


INSTRUMENTS: tuple[Instrument, ...] = (
    Instrument("grant", "Subvention", "Grant"),
    Instrument("loan", "Prêt", "Loan"),
    Instrument("quasi_equity", "Quasi-fonds propres", "Quasi-equity"),
    Instrument("equity", "Fonds propres", "Equity"),
    Instrument("guarantee", "Garantie", "Guarantee"),
    Instrument(
        "skills_sponsorship", "Mécénat de compétences", "Skills sponsorship", financial=False
    ),
    Instrument("in_kind", "Apport en nature", "In kind", financial=False),
)


@dataclass(frozen=True)
class ContributionKind(Code):
    financial: bool = True


CONTRIBUTION_KINDS: tuple[ContributionKind, ...] = (
    ContributionKind("financial", "Financière", "Financial"),
    ContributionKind("skills", "Compétences", "Skills", financial=False),
    ContributionKind("in_kind", "En nature", "In kind", financial=False),
    ContributionKind("network", "Réseau", "Network", financial=False),
)

NEEDS: tuple[Code, ...] = (
    Code("employment", "Emploi et insertion", "Employment & inclusion"),
    Code("education", "Éducation", "Education"),
    Code("health", "Santé", "Health"),
    Code("housing", "Logement", "Housing"),
    Code("food", "Alimentation", "Food"),
    Code("mobility", "Mobilité", "Mobility"),
    Code("environment", "Environnement et transition", "Environment & transition"),
    Code("culture", "Culture", "Culture"),
    Code("digital_inclusion", "Inclusion numérique", "Digital inclusion"),
    Code("ageing", "Vieillissement et aide", "Ageing & care"),
    Code("youth", "Jeunesse", "Youth"),
    Code("other", "Autre", "Other"),
)

STATUSES: tuple[Code, ...] = (
    Code("active", "Actif", "Active"),
    Code("paused", "En pause", "Paused"),
    Code("closed", "Clos", "Closed"),
)

MEASUREMENT_SOURCES: tuple[Code, ...] = (
    Code("declared", "Déclaré", "Declared"),
    Code("verified", "Vérifié", "Verified"),
)

# The built-in indicator (DESIGN §6.1).
BENEFICIARIES = "beneficiaries"


def codes(items: tuple[Code, ...]) -> tuple[str, ...]:
    """The codes of a list, in order."""
    return tuple(item.code for item in items)


def labels(items: tuple[Code, ...], lang: str = "fr") -> dict[str, str]:
    """code → label in the language asked for."""
    return {item.code: item.label(lang) for item in items}


LEVER_CODES = codes(LEVERS)
QUESTION_CODES = codes(QUESTIONS)
VIEWPOINT_CODES = codes(VIEWPOINTS)
PHASE_CODES = codes(PHASES)
NEED_CODES = codes(NEEDS)
ORG_KIND_CODES = codes(ORG_KINDS)
INSTRUMENT_CODES = codes(INSTRUMENTS)
INVESTOR_LEVER_CODES = codes(INVESTOR_LEVERS)
PARTNERSHIP_TYPE_CODES = codes(PARTNERSHIP_TYPES)
CONTRIBUTION_KIND_CODES = codes(CONTRIBUTION_KINDS)
STATUS_CODES = codes(STATUSES)
SOURCE_CODES = codes(MEASUREMENT_SOURCES)
NON_FINANCIAL_INSTRUMENTS = tuple(i.code for i in INSTRUMENTS if not i.financial)
NON_FINANCIAL_CONTRIBUTIONS = tuple(k.code for k in CONTRIBUTION_KINDS if not k.financial)
PUBLIC_KINDS = tuple(k.code for k in ORG_KINDS if k.sector == "public")
