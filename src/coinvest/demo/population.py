"""Departments, projects and their holders, partners: the demo's organisations and projects."""

from __future__ import annotations

import numpy as np
import pandas as pd

from coinvest import reference as ref
from coinvest.demo.catalogue import (
    ACTIVITIES,
    COMPANY_SUFFIX,
    COMPANY_WORDS,
    INVESTORS,
    NEED_P,
    PHASE_P,
    PHASE_START,
    SUPPORT_BODIES,
    WORDS,
)
from coinvest.demo.draws import (
    State,
    Writer,
    make_ids,
)
from coinvest.territory import departments


def add_geography(rng: np.random.Generator, n: int, w: Writer, s: State) -> None:
    """Departments, their weights (population, urban or rural) and the code lists."""
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
    vars(s).update(
        dep_code=dep_code,
        dep_name=dep_name,
        dep_region=dep_region,
        dep_w=dep_w,
        n_dep=n_dep,
        need_codes=need_codes,
        overseas=overseas,
        phase_codes=phase_codes,
        pop=pop,
        urban=urban,
    )


def add_projects(rng: np.random.Generator, n: int, w: Writer, s: State) -> None:
    """Projects' places, needs, phases and flags, and their holders."""
    (
        dep_name,
        dep_region,
        dep_w,
        n_dep,
        need_codes,
        urban,
    ) = (
        s.dep_name,
        s.dep_region,
        s.dep_w,
        s.n_dep,
        s.need_codes,
        s.urban,
    )
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
    holder_id = make_ids("H", n_holders, 6)
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
    vars(s).update(
        h_kind=h_kind,
        holder_id=holder_id,
        holder_name=holder_name,
        legal=legal,
        p_dep=p_dep,
        p_holder=p_holder,
        p_need=p_need,
        p_phase=p_phase,
        p_qpv=p_qpv,
        p_rural=p_rural,
        p_start=p_start,
        p_status=p_status,
    )


def add_partners(rng: np.random.Generator, n: int, w: Writer, s: State) -> None:
    """Partners, every organisation and every project, written."""
    (
        dep_code,
        dep_name,
        dep_w,
        h_kind,
        holder_id,
        holder_name,
        legal,
        n_dep,
        need_codes,
        p_dep,
        p_holder,
        p_need,
        p_phase,
        p_qpv,
        p_rural,
        p_start,
        p_status,
        phase_codes,
    ) = (
        s.dep_code,
        s.dep_name,
        s.dep_w,
        s.h_kind,
        s.holder_id,
        s.holder_name,
        s.legal,
        s.n_dep,
        s.need_codes,
        s.p_dep,
        s.p_holder,
        s.p_need,
        s.p_phase,
        s.p_qpv,
        s.p_rural,
        s.p_start,
        s.p_status,
        s.phase_codes,
    )
    n_partners = 40 + n // 8
    partner_kinds = np.array(
        ["company", "foundation", "academia", "citizens", "association", "local_authority"],
        dtype=object,
    )
    pt_kind = partner_kinds[rng.choice(6, n_partners, p=[0.42, 0.12, 0.1, 0.12, 0.12, 0.12])]
    pt_dep = rng.choice(n_dep, n_partners, p=dep_w)
    pt_id = make_ids("PT", n_partners, 5)
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
    name_word = rng.integers(0, len(WORDS), n)
    project_id = make_ids("P", n, 6)
    projects = pd.DataFrame(
        {
            "project_id": project_id,
            "name": [
                f"{acts[pick[i] % len(acts)]} {WORDS[name_word[i]]} — {dep_name[p_dep[i]]}"
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
    vars(s).update(
        council_id=council_id,
        n_partners=n_partners,
        project_id=project_id,
        pt_id=pt_id,
    )
