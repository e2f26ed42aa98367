"""Cohorts, assessment rounds and the indicators' yearly measurements of the demo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from coinvest import reference as ref
from coinvest.demo.catalogue import (
    FIRST_YEAR,
    INDICATORS,
    INVESTORS,
    LEVER_MEAN,
    NEED_INDICATORS,
    PHASE_BASE,
    RATE_INDICATORS,
    REFERENCE_DATE,
    SUPPORT_BODIES,
    VIEWPOINT_BIAS,
)
from coinvest.demo.draws import (
    State,
    Writer,
    draw_dates,
    make_ids,
)
from coinvest.derived import refresh


def add_cohorts(rng: np.random.Generator, n: int, w: Writer, s: State) -> None:
    """Cohorts of each support body and their members."""
    (
        dep_region,
        p_dep,
        p_phase,
        p_start,
        project_id,
    ) = (
        s.dep_region,
        s.p_dep,
        s.p_phase,
        s.p_start,
        s.project_id,
    )
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
    if member_rows:  # a tiny demo may have no project old enough for any cohort
        w.insert("cohort_member", pd.concat(member_rows, ignore_index=True))
    vars(s).update(
        member_of=member_of,
    )


# Projects per block of assessments: the answers of a block (about 140 per project) are drawn,
# written and scored before the next block's, so that memory stays flat whatever the portfolio.
ASSESSMENT_BLOCK = 25_000


def add_assessments(rng: np.random.Generator, n: int, w: Writer, s: State) -> None:
    """Assessment rounds per project and viewpoint, assessors and scores, block by block of
    projects; each block draws from its own generator, seeded from `rng`, so that the same seed
    gives the same database whatever the memory."""
    starts = range(0, n, ASSESSMENT_BLOCK)
    seeds = rng.integers(0, 2**63 - 1, len(starts))
    next_id = 1
    for start, seed in zip(starts, seeds, strict=True):
        if start:
            w.commit()
        stop = min(n, start + ASSESSMENT_BLOCK)
        next_id = _assessment_block(np.random.default_rng(int(seed)), start, stop, next_id, w, s)
        # what follows the block's answers, for its projects (a range of ids: its rows only)
        refresh(w.cur, ("assessment",), between=(s.project_id[start], s.project_id[stop - 1]))
    w.report("lever_round", w.cur.execute("SELECT count(*) FROM lever_round").fetchall()[0][0])


def _assessment_block(
    rng: np.random.Generator, start: int, stop: int, next_id: int, w: Writer, s: State
) -> int:
    """The projects start..stop-1; returns the number of the next assessment id."""
    n = stop - start
    block = slice(start, stop)
    council_id, holder_id = s.council_id, s.holder_id
    first_investor, member_of, p_dep, p_holder, p_phase, p_start, project_id = (
        s.first_investor[block],
        s.member_of[block],
        s.p_dep[block],
        s.p_holder[block],
        s.p_phase[block],
        s.p_start[block],
        s.project_id[block],
    )
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
    d0 = draw_dates(rng, first, np.full(n, np.datetime64("2025-06-30")))
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
    assessment_id = make_ids("A", na, 8, first=next_id)
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
    return next_id + na


def add_measurements(rng: np.random.Generator, n: int, w: Writer, s: State) -> None:
    """The indicator catalogue and yearly measurements with targets, block by block of
    projects (each block from its own generator, seeded from `rng`)."""
    ind_codes = [i[0] for i in INDICATORS]
    w.insert(
        "indicator",
        pd.DataFrame(
            [(c, fr, en, unit, theme, hib) for c, fr, en, unit, theme, hib, _ in INDICATORS[1:]],
            columns=["indicator_code", "name_fr", "name_en", "unit", "theme", "higher_is_better"],
        ),
    )
    starts = range(0, n, ASSESSMENT_BLOCK)
    seeds = rng.integers(0, 2**63 - 1, len(starts))
    for start, seed in zip(starts, seeds, strict=True):
        if len(starts) > 1:
            w.commit()  # a large demo: each block's rows leave memory with its commit
        block = slice(start, min(n, start + ASSESSMENT_BLOCK))
        _measurement_block(np.random.default_rng(int(seed)), block, ind_codes, w, s)
    refresh(w.cur, ("measurement",))  # what follows the measurements it wrote


def _measurement_block(
    rng: np.random.Generator, block: slice, ind_codes: list[str], w: Writer, s: State
) -> None:
    need_codes = s.need_codes
    p_need, p_phase, p_start, project_id = (
        s.p_need[block],
        s.p_phase[block],
        s.p_start[block],
        s.project_id[block],
    )
    n = len(project_id)
    measured = rng.random(n) >= np.array([0.4, 0.15, 0.03, 0.0])[p_phase]
    proj_rows: list[int] = []
    ind_rows: list[int] = []
    extra = rng.random((n, 3))
    for p in np.flatnonzero(measured):
        chosen = [0] + [
            ind_codes.index(c)
            for k, c in enumerate(NEED_INDICATORS[need_codes[p_need[p]]])
            if extra[p, k] < 0.8
        ]
        proj_rows.extend([int(p)] * len(chosen))
        ind_rows.extend(chosen)
    pair_proj = np.array(proj_rows, dtype=int)
    pair_ind = np.array(ind_rows, dtype=int)
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
