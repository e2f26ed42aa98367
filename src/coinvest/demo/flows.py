"""The money of the demo: investments and partners' contributions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from coinvest import reference as ref
from coinvest.demo.catalogue import (
    FIRST_YEAR,
    INSTRUMENT_FACTOR,
    INSTRUMENT_P,
    INVESTORS,
    N_PUBLIC,
    PHASE_EUR,
    REFERENCE_DATE,
)
from coinvest.demo.draws import (
    State,
    Writer,
    draw_dates,
    gumbel_choice,
    make_ids,
)
from coinvest.derived import refresh


def add_investments(rng: np.random.Generator, n: int, w: Writer, s: State) -> None:
    """Investments: investors by need, phase and territory, instruments, amounts, dates."""
    (
        dep_region,
        need_codes,
        overseas,
        p_dep,
        p_need,
        p_phase,
        p_qpv,
        p_rural,
        p_start,
        pop,
        project_id,
    ) = (
        s.dep_region,
        s.need_codes,
        s.overseas,
        s.p_dep,
        s.p_need,
        s.p_phase,
        s.p_qpv,
        s.p_rural,
        s.p_start,
        s.pop,
        s.project_id,
    )
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
    i_investor = gumbel_choice(rng, weights)
    instrument_p = np.array([INSTRUMENT_P[k] for k in inv_kind])
    i_instr = gumbel_choice(rng, instrument_p[i_investor])
    amount = PHASE_EUR[p_phase[i_proj]] * INSTRUMENT_FACTOR[i_instr] * rng.lognormal(0, 0.7, m)
    amount = np.maximum(np.round(amount / 100) * 100, 500)
    start = np.array([f"{max(y, FIRST_YEAR - 1)}-01-01" for y in p_start], dtype="datetime64[D]")
    end = np.datetime64(REFERENCE_DATE)
    i_date = draw_dates(rng, start[i_proj], np.full(m, end))
    lever_codes = np.array(ref.INVESTOR_LEVER_CODES, dtype=object)
    i_lever = lever_codes[rng.choice(4, m, p=[0.4, 0.25, 0.2, 0.15])]
    i_lever[rng.random(m) < 0.15] = None
    order = np.lexsort((i_date, i_proj))
    investments = pd.DataFrame(
        {
            "investment_id": make_ids("I", m, 7),
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
    vars(s).update(
        end=end,
        first_investor=first_investor,
        start=start,
    )


def add_contributions(rng: np.random.Generator, n: int, w: Writer, s: State) -> None:
    """Partners' contributions: councils and partners, kinds, values, dates."""
    (
        council_id,
        end,
        n_partners,
        p_dep,
        p_phase,
        project_id,
        pt_id,
        start,
    ) = (
        s.council_id,
        s.end,
        s.n_partners,
        s.p_dep,
        s.p_phase,
        s.project_id,
        s.pt_id,
        s.start,
    )
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
    c_date = draw_dates(rng, start[c_proj], np.full(mc, end))
    contributions = pd.DataFrame(
        {
            "contribution_id": make_ids("C", mc, 7),
            "partner_org_id": c_partner,
            "project_id": project_id[c_proj],
            "date": c_date,
            "value_eur": c_value,
            "kind": kind_codes[c_kind],
            "partnership_type": c_type,
        }
    )
    w.insert("contribution", contributions)
    refresh(w.cur, ("investment", "contribution"))  # what follows the money it wrote
