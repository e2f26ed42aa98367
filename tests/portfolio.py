"""A portfolio small enough to compute every figure by hand (the tests do, next to each check).

Three projects:
- P1 (Paris, QPV, rnd, food): all three viewpoints, two rounds for the project team and the
  ecosystem, two ecosystem assessors sharing a date; funded by INV_A (grant) and INV_B (skills);
  a partner's financial contribution; three indicators.
- P2 (Bouches-du-Rhône, rural, modelling, food): project and investment viewpoints, one round;
  funded by INV_B; a network contribution; beneficiaries without target, a lower-is-better cost.
- P3 (Finistère, modelling, health): investment viewpoint only; a loan by INV_A; zero
  beneficiaries.
Cohorts: C1 (SB, 2025) holds P2; C2 (SB2, 2024) holds P1 and P3.
"""

from __future__ import annotations

PORTFOLIO = [
    """INSERT INTO organisation VALUES
        ('INV_A', 'Fonds public A', 'public_investor'),
        ('INV_B', 'Fondation B', 'foundation'),
        ('PARTNER', 'Entreprise partenaire', 'company'),
        ('SB', 'Incubateur', 'support_body'),
        ('SB2', 'Accélérateur', 'support_body'),
        ('H1', 'Association Les Lilas', 'association'),
        ('H2', 'SCIC Roue Libre', 'company'),
        ('H3', 'Association Les Amis de la santé', 'association')""",
    """INSERT INTO project (project_id, name, holder_org_id, need, phase, department_code, qpv,
                           rural_revitalisation, start_year) VALUES
        ('P1', 'Épicerie des Lilas', 'H1', 'food', 'rnd', '75', TRUE, FALSE, 2022),
        ('P2', 'Garage solidaire', 'H2', 'food', 'modelling', '13', FALSE, TRUE, 2020),
        ('P3', 'Maison de santé', 'H3', 'health', 'modelling', '29', FALSE, FALSE, 2019)""",
    """INSERT INTO cohort VALUES ('C1', 'SB', 'Promo 2025', 'Incubation', 2025),
                                ('C2', 'SB2', 'Promo 2024', 'Accélération', 2024)""",
    """INSERT INTO cohort_member VALUES ('C1', 'P2', DATE '2025-01-15', NULL),
                                       ('C2', 'P1', DATE '2024-01-15', DATE '2025-01-15'),
                                       ('C2', 'P3', DATE '2024-01-15', NULL)""",
    """INSERT INTO investment VALUES
        ('I1', 'INV_A', 'P1', DATE '2024-03-01', 10000, 'grant', NULL),
        ('I2', 'INV_B', 'P1', DATE '2024-05-01', 5000, 'skills_sponsorship', NULL),
        ('I3', 'INV_B', 'P2', DATE '2025-01-10', 20000, 'grant', NULL),
        ('I4', 'INV_A', 'P3', DATE '2023-06-01', 30000, 'loan', NULL)""",
    """INSERT INTO contribution VALUES
        ('K1', 'PARTNER', 'P1', DATE '2024-06-01', 2000, 'financial', 'patronage'),
        ('K2', 'PARTNER', 'P2', DATE '2025-02-01', 1000, 'network', NULL)""",
    """INSERT INTO indicator VALUES
        ('meals', 'Repas servis', 'Meals served', 'repas', 'food', TRUE, NULL),
        ('cost', 'Coût par participant', 'Cost per participant', '€', 'performance', FALSE, NULL)""",
    """INSERT INTO measurement VALUES
        ('P1', 'beneficiaries', 2023, 50, 60, 'declared'),
        ('P1', 'beneficiaries', 2024, 80, 70, 'declared'),
        ('P1', 'meals', 2024, 300, 100, 'verified'),
        ('P1', 'cost', 2024, 80, 100, 'declared'),
        ('P2', 'beneficiaries', 2025, 200, NULL, 'verified'),
        ('P2', 'cost', 2025, 120, 60, 'declared'),
        ('P3', 'beneficiaries', 2024, 0, 10, 'declared')""",
    """INSERT INTO assessment VALUES
        ('A1', 'P1', 'project', 'H1', DATE '2024-01-10', NULL),
        ('A2', 'P1', 'project', 'H1', DATE '2025-01-10', NULL),
        ('A3', 'P1', 'investment', 'INV_A', DATE '2025-02-01', NULL),
        ('A4', 'P1', 'ecosystem', 'SB2', DATE '2024-06-01', NULL),
        ('A5', 'P1', 'ecosystem', 'SB2', DATE '2025-03-01', NULL),
        ('A6', 'P1', 'ecosystem', 'PARTNER', DATE '2025-03-01', NULL),
        ('A7', 'P2', 'project', 'H2', DATE '2025-05-01', NULL),
        ('A8', 'P2', 'investment', 'INV_B', DATE '2025-05-20', NULL),
        ('A9', 'P3', 'investment', 'INV_A', DATE '2023-09-01', NULL)""",
    """INSERT INTO assessment_answer (assessment_id, question, score) VALUES
        ('A1', 'ecosystem.needs', 2), ('A1', 'ecosystem.stakes', 4),
        ('A1', 'innovation.characteristics', 1),
        ('A2', 'ecosystem.needs', 4), ('A2', 'ecosystem.stakes', 4), ('A2', 'ecosystem.actors', 4),
        ('A2', 'innovation.characteristics', 3), ('A2', 'innovation.phases', 2),
        ('A2', 'strategy.state', 2),
        ('A3', 'ecosystem.needs', 2), ('A3', 'ecosystem.stakes', 2),
        ('A3', 'innovation.characteristics', 2), ('A3', 'strategy.state', 4),
        ('A4', 'ecosystem.needs', 0),
        ('A5', 'ecosystem.needs', 1), ('A5', 'ecosystem.stakes', 3),
        ('A5', 'innovation.characteristics', 2),
        ('A6', 'ecosystem.needs', 3),
        ('A6', 'innovation.characteristics', 4), ('A6', 'innovation.phases', 0),
        ('A7', 'ecosystem.needs', 3), ('A7', 'digital.uses', 1), ('A7', 'alliances.why', 2),
        ('A8', 'digital.uses', 0), ('A8', 'alliances.why', 3),
        ('A9', 'evaluation.performance', 4), ('A9', 'evaluation.utility', 2)""",
]
