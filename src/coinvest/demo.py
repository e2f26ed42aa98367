"""The deterministic demo portfolio (`coinvest demo`).

A realistic, fictitious portfolio: projects spread over the real departments (more around big
cities, some in priority urban districts or rural revitalisation areas), 4 public and 8 private
investors, 3 support bodies running cohorts over three years, 1–3 assessment rounds per project
and viewpoint (self-assessments on average optimistic, viewpoints disagreeing on some levers,
most projects improving between rounds), investments of every instrument, contributions from
partners of every kind and yearly indicator values with targets.

Everything is drawn from one seeded NumPy generator and written in bulk (Arrow tables inserted
by SQL, never row by row) in a single transaction: the same seed gives the same database.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa

from coinvest import reference as ref
from coinvest.db import transaction
from coinvest.errors import CoinvestError
from coinvest.lever_rounds import refresh_lever_rounds
from coinvest.territory import departments

REFERENCE_DATE = date(2026, 6, 30)  # the demo's "today": fixed so the output never drifts
FIRST_YEAR = 2022

Progress = Callable[[str], None]


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# --- fixed casts -----------------------------------------------------------------------------

INVESTORS = [
    ("INV01", "Fonds national d'innovation sociale", "public_investor"),
    ("INV02", "Banque publique des territoires solidaires", "public_investor"),
    ("INV03", "Programme d'État Accélérateur territorial", "public_investor"),
    ("INV04", "Fonds régional pour l'économie sociale et solidaire", "public_investor"),
    ("INV05", "Fondation Entreprendre Ensemble", "foundation"),
    ("INV06", "Fondation d'entreprise Horizon Solidaire", "foundation"),
    ("INV07", "Fonds de dotation Terre Commune", "foundation"),
    ("INV08", "Finance Partagée — fonds solidaire", "private_investor"),
    ("INV09", "Mutuelle Prévoyance Commune — fonds d'innovation", "private_investor"),
    ("INV10", "Impact Capital Territoires", "private_investor"),
    ("INV11", "Caisse d'épargne solidaire du Grand Ouest", "private_investor"),
    ("INV12", "Fondation Abri et Avenir", "foundation"),
]
N_PUBLIC = 4

SUPPORT_BODIES = [
    # org id, name, focus regions (empty: national), programme, cohort years
    ("SB1", "Incubateur national Essor Social", (), "Incubation", (2024, 2025, 2026)),
    (
        "SB2",
        "Accélérateur Territoires Solidaires",
        ("84", "93", "76", "75"),
        "Accélération",
        (2024, 2026),
    ),
    (
        "SB3",
        "DLA — Dispositif local d'accompagnement Ouest",
        ("52", "53", "28", "24"),
        "Consolidation",
        (2024, 2025, 2026),
    ),
]

WORDS = [
    "Tremplin",
    "Passerelle",
    "L'Escale",
    "Horizons",
    "Le Relais",
    "La Fabrique",
    "Cap Avenir",
    "Les Ateliers du Lien",
    "Le Pont",
    "Racines",
    "Entre-Deux",
    "La Ruche",
    "Les Communs",
    "Archipel",
    "Boussole",
    "Solid'Air",
    "Vivre Ensemble",
    "Élan",
    "La Traverse",
    "Le Phare",
    "Terreau",
    "Les Jardins Partagés",
    "Filigrane",
    "Kaléidoscope",
    "La Clé",
    "Sillage",
    "Graines d'Avenir",
    "L'Atelier Commun",
    "Rebonds",
    "Convergences",
    "Mosaïque",
    "Trait d'Union",
]
ACTIVITIES = {
    "employment": [
        "Atelier chantier d'insertion",
        "Garage solidaire",
        "Recyclerie",
        "Entreprise d'insertion",
    ],
    "education": ["École de la deuxième chance", "Soutien scolaire", "Académie des savoirs"],
    "health": ["Maison de santé", "Prévention santé mobile", "Pair-aidance"],
    "housing": ["Habitat inclusif", "Colocation solidaire", "Pension de famille"],
    "food": ["Épicerie solidaire", "Cuisine partagée", "Légumerie d'insertion"],
    "mobility": ["Plateforme mobilité", "Auto-école sociale", "Vélo-école"],
    "environment": ["Ressourcerie", "Rénovation énergétique solidaire", "Compost collectif"],
    "culture": ["Tiers-lieu culturel", "Fabrique artistique", "Micro-folie"],
    "digital_inclusion": [
        "Espace numérique",
        "Reconditionnement informatique",
        "Médiation numérique",
    ],
    "ageing": ["Aide aux aidants", "Habitat intergénérationnel", "Visites de convivialité"],
    "youth": ["Service civique renforcé", "Foyer jeunes actifs", "Mentorat jeunesse"],
    "other": ["Pôle territorial de coopération", "Conciergerie solidaire", "Laboratoire citoyen"],
}
COMPANY_WORDS = [
    "Ardent",
    "Boréal",
    "Cèdre",
    "Delta",
    "Éole",
    "Figuier",
    "Granit",
    "Hélios",
    "Iris",
    "Jade",
    "Kairos",
    "Lumen",
    "Mistral",
    "Nacre",
    "Orion",
    "Pollen",
]
COMPANY_SUFFIX = [
    "Services",
    "Industries",
    "Conseil",
    "Distribution",
    "Énergies",
    "Bâtiment",
    "Numérique",
    "Logistique",
]

# Indicator catalogue: code, name fr, name en, unit, theme, higher is better, base per phase.
INDICATORS = [
    (
        "beneficiaries",
        "Bénéficiaires",
        "Beneficiaries",
        "personnes",
        "reach",
        True,
        (40, 150, 600, 3000),
    ),
    ("jobs_created", "Emplois créés", "Jobs created", "ETP", "employment", True, (1, 2, 5, 15)),
    (
        "return_to_work_rate",
        "Taux de sorties positives",
        "Positive exit rate",
        "%",
        "employment",
        True,
        (35, 45, 55, 62),
    ),
    (
        "training_hours",
        "Heures de formation dispensées",
        "Training hours delivered",
        "heures",
        "education",
        True,
        (100, 400, 1500, 6000),
    ),
    ("co2_avoided", "CO₂ évité", "CO₂ avoided", "tCO₂e", "environment", True, (5, 20, 80, 400)),
    (
        "waste_diverted",
        "Déchets détournés de l'enfouissement",
        "Waste diverted from landfill",
        "t",
        "environment",
        True,
        (5, 30, 150, 800),
    ),
    (
        "meals_served",
        "Repas servis",
        "Meals served",
        "repas",
        "food",
        True,
        (2000, 8000, 30000, 120000),
    ),
    (
        "housing_nights",
        "Nuitées d'hébergement",
        "Nights of accommodation",
        "nuitées",
        "housing",
        True,
        (300, 1500, 6000, 25000),
    ),
    (
        "volunteer_hours",
        "Heures de bénévolat mobilisées",
        "Volunteer hours mobilised",
        "heures",
        "alliances",
        True,
        (300, 1000, 3000, 9000),
    ),
    (
        "cost_per_participant",
        "Coût par participant",
        "Cost per participant",
        "€",
        "performance",
        False,
        (900, 700, 500, 350),
    ),
    ("dropout_rate", "Taux d'abandon", "Dropout rate", "%", "education", False, (30, 25, 18, 12)),
]
RATE_INDICATORS = ("return_to_work_rate", "dropout_rate")
NEED_INDICATORS = {
    "employment": ["jobs_created", "return_to_work_rate", "training_hours"],
    "education": ["training_hours", "dropout_rate"],
    "health": ["cost_per_participant", "volunteer_hours"],
    "housing": ["housing_nights", "cost_per_participant"],
    "food": ["meals_served", "waste_diverted"],
    "mobility": ["co2_avoided", "cost_per_participant"],
    "environment": ["co2_avoided", "waste_diverted"],
    "culture": ["volunteer_hours", "cost_per_participant"],
    "digital_inclusion": ["training_hours", "cost_per_participant"],
    "ageing": ["volunteer_hours", "cost_per_participant"],
    "youth": ["dropout_rate", "training_hours"],
    "other": ["volunteer_hours", "jobs_created"],
}

NEED_P = np.array([0.2, 0.1, 0.08, 0.08, 0.09, 0.06, 0.12, 0.06, 0.06, 0.06, 0.06, 0.03])
PHASE_P = np.array([0.15, 0.25, 0.35, 0.25])
PHASE_START = ((2023, 2026), (2019, 2025), (2016, 2024), (2008, 2022))  # start-year range
PHASE_BASE = np.array([0.8, 1.5, 2.2, 2.9])  # latent maturity on the 0–4 scale
PHASE_EUR = np.array([10_000, 30_000, 70_000, 180_000])  # median investment
LEVER_MEAN = np.array([0.3, 0.2, 0.1, -0.1, 0.0, -0.35, -0.3])  # ecosystem … evaluation
VIEWPOINT_BIAS = {"ecosystem": (-0.15, 0.25), "project": (0.5, 0.3), "investment": (0.0, 0.2)}

# Instrument preferences (grant, loan, quasi_equity, equity, guarantee, skills, in_kind).
INSTRUMENT_P = {
    "public_investor": [0.55, 0.2, 0.1, 0.03, 0.12, 0.0, 0.0],
    "foundation": [0.7, 0.0, 0.03, 0.0, 0.0, 0.17, 0.1],
    "private_investor": [0.1, 0.25, 0.25, 0.3, 0.0, 0.07, 0.03],
}
INSTRUMENT_FACTOR = np.array([1.0, 1.8, 1.6, 2.2, 1.5, 0.25, 0.2])


def _gumbel_choice(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One draw per row of a (rows × options) weight matrix, vectorised (Gumbel-max)."""
    with np.errstate(divide="ignore"):
        logits = np.log(weights)
    return np.argmax(logits + rng.gumbel(size=weights.shape), axis=1)


def _dates(rng: np.random.Generator, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """A uniform date between start and end (datetime64[D] arrays), inclusive."""
    span = (end - start).astype(np.int64)
    offset = np.floor(rng.random(len(start)) * (np.maximum(span, 0) + 1)).astype(np.int64)
    return start + offset.astype("timedelta64[D]")


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


class _Writer:
    """Inserts frames in bulk through one cursor and reports each stage."""

    def __init__(self, cur, progress: Progress) -> None:
        self.cur = cur
        self.progress = progress
        self.counts: dict[str, int] = {}
        self.started = time.perf_counter()

    def insert(self, table: str, frame: pd.DataFrame | pa.Table) -> None:
        arrow = (
            frame
            if isinstance(frame, pa.Table)
            else pa.Table.from_pandas(frame, preserve_index=False)
        )
        self.cur.register("demo_src", arrow)
        columns = ", ".join(arrow.column_names)  # the generator's own fixed column names
        self.cur.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM demo_src")
        self.cur.unregister("demo_src")
        self.report(table, arrow.num_rows)

    def report(self, table: str, rows: int) -> None:
        self.counts[table] = self.counts.get(table, 0) + rows
        elapsed = time.perf_counter() - self.started
        self.progress(f"  {table:<20} {rows:>12,} rows   {elapsed:7.1f} s")


def generate(
    con, n_projects: int = 300, seed: int = 42, progress: Progress = _stderr
) -> dict[str, int]:
    """Write the demo portfolio into an empty coinvest database; returns rows per table."""
    if n_projects < 1:
        raise ValueError("n_projects must be positive")
    cur = con.cursor()
    try:
        if cur.execute("SELECT count(*) FROM organisation").fetchall()[0][0]:
            raise CoinvestError("demo.not_empty")
    finally:
        cur.close()
    rng = np.random.default_rng(seed)
    progress(f"coinvest demo: {n_projects:,} projects, seed {seed}")
    with transaction(con) as tx:
        writer = _Writer(tx, progress)
        _build(rng, n_projects, writer)
    return writer.counts


def _build(rng: np.random.Generator, n: int, w: _Writer) -> None:
    deps = departments()
    n_dep = len(deps)
    dep_code = np.array([d.code for d in deps], dtype=object)
    dep_name = np.array([d.name for d in deps], dtype=object)
    dep_region = np.array([d.region_code for d in deps], dtype=object)
    pop = np.array([d.population_k for d in deps], dtype=float)
    overseas = np.array([d.overseas for d in deps])
    urban = np.sqrt((pop - pop.min()) / (pop.max() - pop.min()))
    dep_w = pop**1.25 * np.where(overseas, 0.6, 1.0)
    dep_w /= dep_w.sum()

    need_codes = np.array(ref.NEED_CODES, dtype=object)
    phase_codes = np.array(ref.PHASE_CODES, dtype=object)

    # --- projects and their holders ---------------------------------------------------------
    p_dep = rng.choice(n_dep, n, p=dep_w)
    region_list = sorted(set(dep_region))
    if n >= 4 * len(region_list):  # every region present, overseas included
        for i, region in zip(
            rng.choice(n, len(region_list), replace=False), region_list, strict=True
        ):
            inside = np.flatnonzero(dep_region == region)
            p_dep[i] = inside[np.argmax(dep_w[inside])]
    p_need = rng.choice(len(need_codes), n, p=NEED_P / NEED_P.sum())
    p_phase = rng.choice(4, n, p=PHASE_P)
    p_qpv = rng.random(n) < 0.04 + 0.22 * urban[p_dep]
    p_rural = ~p_qpv & (rng.random(n) < 0.05 + 0.35 * (1 - urban[p_dep]))
    lo = np.array([PHASE_START[k][0] for k in range(4)])[p_phase]
    hi = np.array([PHASE_START[k][1] for k in range(4)])[p_phase]
    p_start = lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(int)
    p_status = np.array(ref.STATUS_CODES, dtype=object)[rng.choice(3, n, p=[0.88, 0.07, 0.05])]

    n_holders = max(1, round(n * 0.92))
    holder_kinds = np.array(["association", "company", "foundation", "citizens"], dtype=object)
    h_kind = holder_kinds[rng.choice(4, n_holders, p=[0.74, 0.19, 0.03, 0.04])]
    p_holder = (
        np.concatenate([np.arange(n_holders), rng.integers(0, n_holders, n - n_holders)])[
            rng.permutation(n)
        ]
        if n > n_holders
        else rng.permutation(n_holders)[:n]
    )
    holder_dep = np.zeros(n_holders, dtype=int)
    holder_dep[p_holder] = p_dep  # a holder lives where (one of) its projects is
    h_word = rng.integers(0, len(WORDS), n_holders)
    h_prefix = {
        "association": "Association",
        "company": "SCIC",
        "foundation": "Fondation",
        "citizens": "Collectif",
    }
    holder_id = _ids("H", n_holders, 6)
    holder_name = [
        f"{h_prefix[k]} {WORDS[wi]} {dep_name[holder_dep[i]]}"
        for i, (k, wi) in enumerate(zip(h_kind, h_word, strict=True))
    ]
    legal = {
        "association": "Association loi 1901",
        "company": "SCIC SAS",
        "foundation": "Fondation abritée",
        "citizens": "Collectif non constitué",
    }

    # --- partners ---------------------------------------------------------------------------
    n_partners = 40 + n // 8
    partner_kinds = np.array(
        ["company", "foundation", "academia", "citizens", "association", "local_authority"],
        dtype=object,
    )
    pt_kind = partner_kinds[rng.choice(6, n_partners, p=[0.42, 0.12, 0.1, 0.12, 0.12, 0.12])]
    pt_dep = rng.choice(n_dep, n_partners, p=dep_w)
    pt_id = _ids("PT", n_partners, 5)
    pt_name = []
    for i, kind in enumerate(pt_kind):
        place = dep_name[pt_dep[i]]
        word = WORDS[rng.integers(0, len(WORDS))]
        if kind == "company":
            name = f"{COMPANY_WORDS[i % len(COMPANY_WORDS)]} {COMPANY_SUFFIX[(i // 16) % len(COMPANY_SUFFIX)]}"
        elif kind == "foundation":
            name = f"Fondation {word}"
        elif kind == "academia":
            name = f"Laboratoire {word} — Université {place}"
        elif kind == "citizens":
            name = f"Collectif citoyen {word} {place}"
        elif kind == "association":
            name = f"Réseau {word} {place}"
        else:
            name = f"Communauté de communes {word} ({place})"
        pt_name.append(f"{name} #{i + 1}" if kind == "company" and i >= 128 else name)
    council_id = np.array([f"CD{c}" for c in dep_code], dtype=object)

    organisations = pd.DataFrame(
        {
            "org_id": [o[0] for o in INVESTORS]
            + [s[0] for s in SUPPORT_BODIES]
            + list(holder_id)
            + list(pt_id)
            + list(council_id),
            "name": [o[1] for o in INVESTORS]
            + [s[1] for s in SUPPORT_BODIES]
            + holder_name
            + pt_name
            + [f"Conseil départemental — {d}" for d in dep_name],
            "kind": [o[2] for o in INVESTORS]
            + ["support_body"] * len(SUPPORT_BODIES)
            + list(h_kind)
            + list(pt_kind)
            + ["local_authority"] * n_dep,
        }
    )
    w.insert("organisation", organisations)

    activity = [ACTIVITIES[need_codes[k]] for k in p_need]
    pick = rng.integers(0, 12, n)
    word = rng.integers(0, len(WORDS), n)
    project_id = _ids("P", n, 6)
    projects = pd.DataFrame(
        {
            "project_id": project_id,
            "name": [
                f"{acts[pick[i] % len(acts)]} {WORDS[word[i]]} — {dep_name[p_dep[i]]}"
                for i, acts in enumerate(activity)
            ],
            "holder_org_id": holder_id[p_holder],
            "need": need_codes[p_need],
            "phase": phase_codes[p_phase],
            "legal_form": [legal[k] for k in h_kind[p_holder]],
            "department_code": dep_code[p_dep],
            "qpv": p_qpv,
            "rural_revitalisation": p_rural,
            "start_year": p_start.astype("int32"),
            "status": p_status,
        }
    )
    w.insert("project", projects)

    # --- investments --------------------------------------------------------------------------
    n_inv = len(INVESTORS)
    inv_kind = np.array([o[2] for o in INVESTORS], dtype=object)
    need_aff = rng.dirichlet(np.full(len(need_codes), 0.8), n_inv).T * len(need_codes)  # need × inv
    phase_aff = np.ones((4, n_inv))
    for j, kind in enumerate(inv_kind):
        if kind == "foundation":
            phase_aff[:, j] = [1.6, 1.4, 0.9, 0.5]
        elif kind == "private_investor":
            phase_aff[:, j] = [0.2, 0.6, 1.4, 1.8]
    regional_region = dep_region[np.argmax(np.where(overseas, 0, pop))]  # INV04: the largest region
    k_inv = np.select(
        [p_phase == 0, p_phase == 1, p_phase == 2],
        [1 + (rng.random(n) < 0.3), 1 + rng.binomial(2, 0.35, n), 1 + rng.binomial(3, 0.4, n)],
        2 + rng.binomial(2, 0.5, n),
    )
    i_proj = np.repeat(np.arange(n), k_inv)
    m = len(i_proj)
    weights = need_aff[p_need[i_proj]] * phase_aff[p_phase[i_proj]]
    fragile = (p_qpv | p_rural)[i_proj]
    weights[:, :N_PUBLIC] *= (1 + fragile)[:, None]
    in_region = dep_region[p_dep[i_proj]] == regional_region
    weights[:, 3] *= np.where(in_region, 6.0, 0.0)
    i_investor = _gumbel_choice(rng, weights)
    instrument_p = np.array([INSTRUMENT_P[k] for k in inv_kind])
    i_instr = _gumbel_choice(rng, instrument_p[i_investor])
    amount = PHASE_EUR[p_phase[i_proj]] * INSTRUMENT_FACTOR[i_instr] * rng.lognormal(0, 0.7, m)
    amount = np.maximum(np.round(amount / 100) * 100, 500)
    start = np.array([f"{max(y, FIRST_YEAR - 1)}-01-01" for y in p_start], dtype="datetime64[D]")
    end = np.datetime64(REFERENCE_DATE)
    i_date = _dates(rng, start[i_proj], np.full(m, end))
    lever_codes = np.array(ref.INVESTOR_LEVER_CODES, dtype=object)
    i_lever = lever_codes[rng.choice(4, m, p=[0.4, 0.25, 0.2, 0.15])]
    i_lever[rng.random(m) < 0.15] = None
    order = np.lexsort((i_date, i_proj))
    investments = pd.DataFrame(
        {
            "investment_id": _ids("I", m, 7),
            "investor_org_id": np.array([o[0] for o in INVESTORS], dtype=object)[i_investor[order]],
            "project_id": project_id[i_proj[order]],
            "date": i_date[order],
            "amount_eur": amount[order],
            "instrument": np.array(ref.INSTRUMENT_CODES, dtype=object)[i_instr[order]],
            "investor_lever": i_lever[order],
        }
    )
    w.insert("investment", investments)
    # each project's earliest investor assesses it from the investment viewpoint
    sorted_proj = i_proj[order]
    _, first_row = np.unique(sorted_proj, return_index=True)
    first_investor = np.full(n, -1)
    first_investor[sorted_proj[first_row]] = i_investor[order][first_row]

    # --- contributions ------------------------------------------------------------------------
    k_con = np.minimum(rng.poisson(np.array([0.8, 1.5, 2.5, 3.5])[p_phase]), 8)
    c_proj = np.repeat(np.arange(n), k_con)
    mc = len(c_proj)
    from_council = rng.random(mc) < 0.3
    c_partner = np.where(
        from_council, council_id[p_dep[c_proj]], pt_id[rng.integers(0, n_partners, mc)]
    )
    kind_codes = np.array(ref.CONTRIBUTION_KIND_CODES, dtype=object)
    c_kind = rng.choice(4, mc, p=[0.4, 0.25, 0.2, 0.15])
    c_kind = np.where(from_council & (c_kind == 1), 0, c_kind)  # councils rarely lend skills
    c_value = np.array([15_000, 6_000, 5_000, 1_500])[c_kind] * (0.5 + 0.25 * p_phase[c_proj])
    c_value = np.maximum(np.round(c_value * rng.lognormal(0, 0.6, mc) / 50) * 50, 100)
    ptype_codes = np.array(ref.PARTNERSHIP_TYPE_CODES, dtype=object)
    c_type = ptype_codes[rng.choice(4, mc, p=[0.45, 0.15, 0.2, 0.2])]
    c_type[rng.random(mc) < 0.1] = None
    c_date = _dates(rng, start[c_proj], np.full(mc, end))
    contributions = pd.DataFrame(
        {
            "contribution_id": _ids("C", mc, 7),
            "partner_org_id": c_partner,
            "project_id": project_id[c_proj],
            "date": c_date,
            "value_eur": c_value,
            "kind": kind_codes[c_kind],
            "partnership_type": c_type,
        }
    )
    w.insert("contribution", contributions)

    # --- cohorts ------------------------------------------------------------------------------
    cohort_rows, member_rows = [], []
    size = max(6, round(n * 0.035))
    member_of = np.full(n, -1)  # a support body (index) that follows the project, if any
    for b, (org_id, _body_name, regions_, programme, years) in enumerate(SUPPORT_BODIES):
        eligible_region = np.isin(dep_region[p_dep], regions_) if regions_ else np.ones(n, bool)
        for year in years:
            cohort_id = f"{org_id}-{year}"
            cohort_rows.append((cohort_id, org_id, f"{programme} {year}", programme, year))
            ok = eligible_region & (p_start <= year) & (p_phase <= 2)
            pool = np.flatnonzero(ok)
            if len(pool) == 0:
                continue
            chosen = np.sort(rng.choice(pool, min(size, len(pool)), replace=False))
            member_of[chosen] = b
            entry = np.datetime64(f"{year}-01-15") + rng.integers(0, 60, len(chosen)).astype(
                "timedelta64[D]"
            )
            if year < REFERENCE_DATE.year:
                length = np.where(
                    rng.random(len(chosen)) < 0.1, rng.integers(120, 300, len(chosen)), 365
                )
                exit_ = entry + length.astype("timedelta64[D]")
            else:
                exit_ = np.full(len(chosen), np.datetime64("NaT"), dtype="datetime64[D]")
            member_rows.append(
                pd.DataFrame(
                    {
                        "cohort_id": cohort_id,
                        "project_id": project_id[chosen],
                        "entry_date": entry,
                        "exit_date": exit_,
                    }
                )
            )
    w.insert(
        "cohort",
        pd.DataFrame(
            cohort_rows, columns=["cohort_id", "support_body_org_id", "name", "programme", "year"]
        ),
    )
    w.insert("cohort_member", pd.concat(member_rows, ignore_index=True))

    # --- assessments --------------------------------------------------------------------------
    n_vp = len(ref.VIEWPOINT_CODES)
    present = np.ones((n, n_vp), bool)
    partial = rng.random(n) < 0.08
    dropped = np.where(rng.random(n) < 0.5, 0, 2)  # ecosystem or investment viewpoint missing
    present[np.flatnonzero(partial), dropped[partial]] = False
    rounds = 1 + rng.binomial(2, 0.6, (n, n_vp))
    rounds = np.where(present, rounds, 0)
    first = np.maximum(
        np.array([f"{y}-01-01" for y in p_start], dtype="datetime64[D]"),
        np.datetime64("2023-01-01"),
    )
    first = np.minimum(first, np.datetime64("2025-06-30"))
    d0 = _dates(rng, first, np.full(n, np.datetime64("2025-06-30")))
    a_proj = np.repeat(np.repeat(np.arange(n), n_vp), rounds.ravel())
    a_vp = np.repeat(np.tile(np.arange(n_vp), n), rounds.ravel())
    # round index within each (project, viewpoint): position minus the group's first position
    group_start = np.repeat(np.cumsum(rounds.ravel()) - rounds.ravel(), rounds.ravel())
    a_round = np.arange(len(a_proj)) - group_start
    gap = rng.integers(150, 330, len(a_proj))
    a_date = (
        d0[a_proj]
        + rng.integers(0, 30, len(a_proj)).astype("timedelta64[D]")
        + (a_round * gap).astype("timedelta64[D]")
    )
    keep = (a_round == 0) | (a_date <= np.datetime64(REFERENCE_DATE))
    a_proj, a_vp, a_round, a_date = a_proj[keep], a_vp[keep], a_round[keep], a_date[keep]
    a_date = np.minimum(a_date, np.datetime64(REFERENCE_DATE))
    # assessors: the team itself, its first investor, its support body or department council
    eco_assessor = np.where(
        member_of[a_proj] >= 0,
        np.array([s[0] for s in SUPPORT_BODIES], dtype=object)[np.maximum(member_of[a_proj], 0)],
        council_id[p_dep[a_proj]],
    )
    inv_ids = np.array([o[0] for o in INVESTORS], dtype=object)
    a_assessor = np.select(
        [a_vp == 0, a_vp == 1],
        [eco_assessor, holder_id[p_holder[a_proj]]],
        inv_ids[np.maximum(first_investor[a_proj], 0)],
    )
    # a second ecosystem assessor on the same date for some rounds (averaged per question)
    twin = np.flatnonzero((a_vp == 0) & (rng.random(len(a_proj)) < 0.12))
    twin_assessor = np.where(
        member_of[a_proj[twin]] >= 0,
        council_id[p_dep[a_proj[twin]]],
        np.array([s[0] for s in SUPPORT_BODIES], dtype=object)[rng.integers(0, 3, len(twin))],
    )
    a_proj = np.concatenate([a_proj, a_proj[twin]])
    a_vp = np.concatenate([a_vp, a_vp[twin]])
    a_round = np.concatenate([a_round, a_round[twin]])
    a_date = np.concatenate([a_date, a_date[twin]])
    a_assessor = np.concatenate([a_assessor, twin_assessor])
    order = np.lexsort((a_assessor.astype(str), a_date, a_vp, a_proj))
    a_proj, a_vp, a_round, a_date, a_assessor = (
        a_proj[order],
        a_vp[order],
        a_round[order],
        a_date[order],
        a_assessor[order],
    )
    na = len(a_proj)
    assessment_id = _ids("A", na, 8)
    vp_codes = np.array(ref.VIEWPOINT_CODES, dtype=object)
    w.insert(
        "assessment",
        pd.DataFrame(
            {
                "assessment_id": assessment_id,
                "project_id": project_id[a_proj],
                "viewpoint": vp_codes[a_vp],
                "assessor_org_id": a_assessor,
                "assessed_on": a_date,
            }
        ),
    )

    # scores: latent maturity + viewpoint bias + disagreement + progress per round + noise
    n_lev = len(ref.LEVER_CODES)
    q_lever = np.array([ref.LEVER_CODES.index(q.lever) for q in ref.QUESTIONS])
    latent = (
        PHASE_BASE[p_phase][:, None]
        + rng.normal(0, 0.4, n)[:, None]
        + rng.normal(0, 0.5, (n, n_lev))
        + LEVER_MEAN[None, :]
    )
    bias = np.stack(
        [rng.normal(*VIEWPOINT_BIAS[v], n) for v in ref.VIEWPOINT_CODES], axis=1
    )  # n × viewpoint
    hot = np.argsort(rng.random((n, n_lev)), axis=1)[:, :2]  # two candidate levers of discord
    discord = np.zeros((n, n_vp, n_lev))
    strong = rng.random(n) < 0.6
    for k in range(2):
        rows = np.flatnonzero(strong if k == 0 else rng.random(n) < 0.3)
        discord[rows, :, hot[rows, k]] = rng.normal(0, 1.1, (len(rows), n_vp))
    improving = rng.random(n) < 0.8
    step = np.where(
        improving[:, None], rng.uniform(0.15, 0.55, (n, n_lev)), rng.normal(-0.05, 0.1, (n, n_lev))
    )
    n_q = len(ref.QUESTION_CODES)
    base = (
        latent[a_proj][:, q_lever]
        + bias[a_proj, a_vp][:, None]
        + discord[a_proj, a_vp][:, q_lever]
        + step[a_proj][:, q_lever] * a_round[:, None]
    )
    scores = np.clip(np.rint(base + rng.normal(0, 0.45, (na, n_q))), 0, 4).astype(np.int8)
    p_missing = np.full((na, n_q), 0.05)
    early = (p_phase[a_proj] <= 1)[:, None]
    p_missing += 0.3 * (early & (q_lever == ref.LEVER_CODES.index("evaluation"))[None, :])
    p_missing += 0.15 * (
        (p_phase[a_proj] == 0)[:, None] & (q_lever == ref.LEVER_CODES.index("digital"))[None, :]
    )
    answered = rng.random((na, n_q)) >= p_missing
    answered[:, 0] |= ~answered.any(axis=1)  # every assessment answers at least one question
    a_idx, q_idx = np.nonzero(answered)
    answers = pa.table(
        {
            "a_idx": pa.array(a_idx.astype(np.int32)),
            "q_idx": pa.array(q_idx.astype(np.int8)),
            "score": pa.array(scores[a_idx, q_idx]),
        }
    )
    amap = pa.table(
        {"idx": pa.array(np.arange(na, dtype=np.int32)), "assessment_id": assessment_id}
    )
    qmap = pa.table(
        {"idx": pa.array(np.arange(n_q, dtype=np.int8)), "code": list(ref.QUESTION_CODES)}
    )
    w.cur.register("demo_answers", answers)
    w.cur.register("demo_amap", amap)
    w.cur.register("demo_qmap", qmap)
    w.cur.execute(
        "INSERT INTO assessment_answer (assessment_id, question, score) "
        "SELECT m.assessment_id, q.code, s.score FROM demo_answers s "
        "JOIN demo_amap m ON m.idx = s.a_idx JOIN demo_qmap q ON q.idx = s.q_idx "
        "ORDER BY s.a_idx, s.q_idx"
    )
    for name in ("demo_answers", "demo_amap", "demo_qmap"):
        w.cur.unregister(name)
    w.report("assessment_answer", answers.num_rows)
    refresh_lever_rounds(w.cur)
    w.report("lever_round", w.cur.execute("SELECT count(*) FROM lever_round").fetchall()[0][0])

    # --- indicators and measurements ----------------------------------------------------------
    ind_codes = [i[0] for i in INDICATORS]
    w.insert(
        "indicator",
        pd.DataFrame(
            [(c, fr, en, unit, theme, hib) for c, fr, en, unit, theme, hib, _ in INDICATORS[1:]],
            columns=["indicator_code", "name_fr", "name_en", "unit", "theme", "higher_is_better"],
        ),
    )
    measured = rng.random(n) >= np.array([0.4, 0.15, 0.03, 0.0])[p_phase]
    pair_proj, pair_ind = [], []
    extra = rng.random((n, 3))
    for p in np.flatnonzero(measured):
        chosen = [0] + [
            ind_codes.index(c)
            for k, c in enumerate(NEED_INDICATORS[need_codes[p_need[p]]])
            if extra[p, k] < 0.8
        ]
        pair_proj.extend([p] * len(chosen))
        pair_ind.extend(chosen)
    pair_proj = np.array(pair_proj, dtype=int)
    pair_ind = np.array(pair_ind, dtype=int)
    y_first = np.maximum(p_start[pair_proj], FIRST_YEAR)
    y_last = np.where(
        p_start[pair_proj] >= REFERENCE_DATE.year, REFERENCE_DATE.year, REFERENCE_DATE.year - 1
    )
    y_first = np.minimum(y_first, y_last)
    n_years = y_last - y_first + 1
    m_pair = np.repeat(np.arange(len(pair_proj)), n_years)
    m_year = y_first[m_pair] + (
        np.arange(len(m_pair)) - np.repeat(np.cumsum(n_years) - n_years, n_years)
    )
    m_proj, m_ind = pair_proj[m_pair], pair_ind[m_pair]
    phase_base = np.array([i[6] for i in INDICATORS], dtype=float)  # indicator × phase
    higher = np.array([i[5] for i in INDICATORS])
    start_value = phase_base[pair_ind, p_phase[pair_proj]] * rng.lognormal(0, 0.5, len(pair_proj))
    growth = np.where(
        higher[pair_ind],
        rng.uniform(1.0, 1.35, len(pair_proj)),
        rng.uniform(0.85, 1.0, len(pair_proj)),
    )
    t = (m_year - y_first[m_pair]).astype(float)
    value = start_value[m_pair] * growth[m_pair] ** t * rng.lognormal(0, 0.08, len(m_pair))
    is_rate = np.isin(np.array(ind_codes, dtype=object)[m_ind], RATE_INDICATORS)
    value = np.where(is_rate, np.minimum(value, 100), value)
    value = np.where(phase_base[m_ind, 0] >= 10, np.rint(value), np.round(value, 1))
    has_target = rng.random(len(m_pair)) < 0.85
    target = np.where(has_target, value * rng.uniform(0.75, 1.35, len(m_pair)), np.nan)
    target = np.where(is_rate, np.minimum(target, 100), target)
    target = np.where(phase_base[m_ind, 0] >= 10, np.rint(target), np.round(target, 1))
    verified = rng.random(len(m_pair)) < 0.15 + 0.1 * p_phase[m_proj]
    measurements = pd.DataFrame(
        {
            "project_id": project_id[m_proj],
            "indicator_code": np.array(ind_codes, dtype=object)[m_ind],
            "year": m_year.astype("int32"),
            "value": value,
            "target": target,
            "source": np.where(verified, "verified", "declared"),
        }
    )
    w.insert("measurement", measurements)
