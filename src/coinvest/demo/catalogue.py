"""The demo's fixed material: its investors and support bodies, words for names, indicators,
and the shares and amounts the draws follow."""

from __future__ import annotations

from datetime import date

import numpy as np

REFERENCE_DATE = date(2026, 6, 30)  # the demo's "today": fixed so the output never drifts


FIRST_YEAR = 2022


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
