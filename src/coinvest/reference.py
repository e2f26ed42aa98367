"""The reference model of Le RAMEAU's method (docs/model.md), defined once.

Every code list the app knows lives here, in order. Their labels are texts of the catalogues
(`ref.<list>.<code>`, in both languages: coinvest.i18n). The schema's constraints, the demo
generator, the import validation and the Method page are all built from these tuples, so a code
cannot exist in one place and be missing in another.
"""

from __future__ import annotations

from dataclasses import dataclass

from coinvest.i18n import t


@dataclass(frozen=True)
class Code:
    """One entry of a fixed list: a stable code, and the list it belongs to (its labels are
    the catalogues' `ref.<list>.<code>`)."""

    code: str
    list: str

    def label(self, lang: str = "fr") -> str:
        return t(f"ref.{self.list}.{self.code}", lang)

    @property
    def fr(self) -> str:
        return self.label("fr")

    @property
    def en(self) -> str:
        return self.label("en")


@dataclass(frozen=True)
class Question(Code):
    """A guiding question of a lever; `code` is the full code, e.g. `ecosystem.needs`."""

    lever: str = ""


@dataclass(frozen=True)
class Lever(Code):
    questions: tuple[Question, ...] = ()

    def short_label(self, lang: str = "fr") -> str:
        """A word for a narrow place (a table's header): `Écosystème`."""
        return t(f"ref.lever.{self.code}.short", lang)


def _lever(code: str, questions: tuple[str, ...]) -> Lever:
    return Lever(
        code,
        "lever",
        tuple(Question(f"{code}.{q}", "question", lever=code) for q in questions),
    )


def _codes(list_name: str, *codes: str) -> tuple[Code, ...]:
    return tuple(Code(code, list_name) for code in codes)


# §2.1 — the seven levers and their 23 guiding questions, in this order.
LEVERS: tuple[Lever, ...] = (
    _lever("ecosystem", ("needs", "stakes", "actors", "territories")),
    _lever("innovation", ("characteristics", "phases", "proof")),
    _lever("strategy", ("state", "ambition", "means")),
    _lever("model", ("levers", "target", "trajectory")),
    _lever("alliances", ("why", "partners", "actions")),
    _lever("digital", ("uses", "solutions", "timing")),
    _lever("evaluation", ("performance", "utility", "leverage", "showcase")),
)

QUESTIONS: tuple[Question, ...] = tuple(q for lever in LEVERS for q in lever.questions)

# The maturity scale used for every question (labels: `ref.scale.<level>`).
MATURITY_SCALE: tuple[int, ...] = (0, 1, 2, 3, 4)
SCORE_MIN, SCORE_MAX = MATURITY_SCALE[0], MATURITY_SCALE[-1]
SCORE_SCALE = 100 / SCORE_MAX  # a 0–4 answer becomes a 0–100 lever score: × 25


def maturity_label(level: int, lang: str = "fr") -> str:
    """`Formalisé` for 2: what a score means."""
    return t(f"ref.scale.{level}", lang)


@dataclass(frozen=True)
class Viewpoint(Code):
    def assessors(self, lang: str = "fr") -> str:
        """Who assesses a project from this viewpoint."""
        return t(f"ref.viewpoint.{self.code}.assessors", lang)

    def who_label(self, lang: str = "fr") -> str:
        """The viewpoint named by who answered, for a programme officer: `Équipe du projet
        (Projets)`."""
        return t(
            "ref.viewpoint.who_label",
            lang,
            who=t(f"ref.viewpoint.{self.code}.who", lang),
            label=self.label(lang),
        )


# §2.2 — the three viewpoints ("croisement des regards").
VIEWPOINTS: tuple[Viewpoint, ...] = tuple(
    Viewpoint(code, "viewpoint") for code in ("ecosystem", "project", "investment")
)

# §2.3 — the other fixed lists.
PHASES = _codes("phase", "emergence", "rnd", "modelling", "scaling")

INVESTOR_LEVERS = _codes(
    "investor_lever",
    "structural_funding",
    "strategic_support",
    "skills_and_networks",
    "evaluation_support",
)

PARTNERSHIP_TYPES = _codes(
    "partnership_type",
    "patronage",
    "responsible_practices",
    "economic_cooperation",
    "societal_innovation",
)


@dataclass(frozen=True)
class OrgKind(Code):
    """An organisation kind; `sector` says whose euros it brings (public or private)."""

    sector: str = "private"


ORG_KINDS: tuple[OrgKind, ...] = tuple(
    OrgKind(code, "org_kind", sector)
    for code, sector in (
        ("public_investor", "public"),
        ("private_investor", "private"),
        ("support_body", "private"),
        ("local_authority", "public"),
        ("company", "private"),
        ("association", "private"),
        ("foundation", "private"),
        ("academia", "public"),
        ("citizens", "private"),
    )
)

SECTORS = _codes("sector", "public", "private")


@dataclass(frozen=True)
class Instrument(Code):
    financial: bool = True


INSTRUMENTS: tuple[Instrument, ...] = (
    Instrument("grant", "instrument"),
    Instrument("loan", "instrument"),
    Instrument("quasi_equity", "instrument"),
    Instrument("equity", "instrument"),
    Instrument("guarantee", "instrument"),
    Instrument("skills_sponsorship", "instrument", financial=False),
    Instrument("in_kind", "instrument", financial=False),
)


@dataclass(frozen=True)
class ContributionKind(Code):
    financial: bool = True


CONTRIBUTION_KINDS: tuple[ContributionKind, ...] = (
    ContributionKind("financial", "contribution_kind"),
    ContributionKind("skills", "contribution_kind", financial=False),
    ContributionKind("in_kind", "contribution_kind", financial=False),
    ContributionKind("network", "contribution_kind", financial=False),
)

NEEDS = _codes(
    "need",
    "employment",
    "education",
    "health",
    "housing",
    "food",
    "mobility",
    "environment",
    "culture",
    "digital_inclusion",
    "ageing",
    "youth",
    "other",
)

STATUSES = _codes("status", "active", "paused", "closed")

MEASUREMENT_SOURCES = _codes("source", "declared", "verified")

# §10 — who a member of an organisation is, and so what they see and do.
ROLES = _codes("role", "admin", "investor", "support_body", "project")
ROLE_CODES = tuple(r.code for r in ROLES)
# the viewpoint a member's questionnaire answers are recorded with (an admin chooses)
ROLE_VIEWPOINT = {"investor": "investment", "support_body": "ecosystem", "project": "project"}

# The built-in indicator (docs/import.md).
BENEFICIARIES = "beneficiaries"


def codes(items: tuple[Code, ...]) -> tuple[str, ...]:
    """The codes of a list, in order."""
    return tuple(item.code for item in items)


def labels(items: tuple[Code, ...], lang: str = "fr") -> dict[str, str]:
    """code → label in the language asked for."""
    return {item.code: item.label(lang) for item in items}


def viewpoint_who(lang: str = "fr") -> dict[str, str]:
    """viewpoint code → its name by who answered (`Viewpoint.who_label`)."""
    return {item.code: item.who_label(lang) for item in VIEWPOINTS}


LEVER_CODES = codes(LEVERS)
QUESTION_CODES = codes(QUESTIONS)
VIEWPOINT_CODES = codes(VIEWPOINTS)
# the team's own viewpoint: its blind spots are its score against the others' (docs/figures.md)
SELF_VIEWPOINT = "project"
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

# §9 — how much each lever weighs in each phase of the innovation (1, 2 or 3): coinvest's reading
# of the method ("the needs differ by lever according to the maturity and the phase"). The
# need of a project on a lever is (100 − its consolidated score) × weight / 3.
PHASE_WEIGHT_MAX = 3
PHASE_WEIGHTS: dict[str, dict[str, int]] = {
    phase: dict(zip(LEVER_CODES, weights, strict=True))
    for phase, weights in (
        ("emergence", (3, 3, 2, 1, 2, 1, 1)),
        ("rnd", (2, 3, 2, 2, 2, 2, 2)),
        ("modelling", (1, 2, 3, 3, 2, 2, 3)),
        ("scaling", (2, 1, 2, 3, 3, 3, 3)),
    )
}
DEFAULT_NEED_THRESHOLD = 40.0  # a lever whose need reaches it is a priority (adjustable)
ACHIEVEMENT_CAP = 2.0  # an achievement (value against target) counts up to twice the target
WEAK_ANSWER = 1  # a question scored at most this (on 0–4) is one to work on
# Peer figures (medians, "did it help?") are shown over at least this many projects: below, a
# median of one's own project or two is no comparison (docs/rules.md "Sign-in and scope")
PEER_MIN = 5
