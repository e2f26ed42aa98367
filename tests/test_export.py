"""`coinvest export` writes exactly the metric layer's figures, unrounded."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest

from coinvest import metrics
from coinvest.filters import PortfolioFilter


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COINVEST_LANG": "en"}
    return subprocess.run(
        [sys.executable, "-m", "coinvest", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"project_id": str}, keep_default_na=True)


@pytest.mark.parametrize(
    ("options", "flt"),
    [
        ([], PortfolioFilter(scope=None)),
        (
            [
                "--investor",
                "INV02",
                "--phase",
                "modelling",
                "--phase",
                "scaling",
                "--year-from",
                "2023",
            ],
            PortfolioFilter.create(
                investor="INV02", phase=["modelling", "scaling"], year_from=2023, scope=None
            ),
        ),
        (
            ["--region", "84", "--qpv", "--rural"],
            PortfolioFilter.create(region=["84"], qpv=True, rural=True, scope=None),
        ),
    ],
)
def test_export_equals_the_metric_layer(demo_path, demo_con, tmp_path, options, flt):
    out = tmp_path / "out"
    result = run("export", "--db", str(demo_path), "--out", str(out), *options)
    assert result.returncode == 0, result.stderr

    levers = _read(out / "project_levers.csv")
    expected = metrics.lever_scores(demo_con, flt)
    assert list(levers.columns) == ["project_id", "viewpoint", "lever", "score", "assessed_on"]
    assert len(levers) == len(expected) > 0
    # unrounded: equal to the last bits (a parallel sum may differ in the last one from run to run)
    assert levers["score"].tolist() == pytest.approx(expected["score"].tolist(), rel=1e-12)
    assert levers["assessed_on"].tolist() == [d.isoformat() for d in expected["assessed_on"]]

    summary = _read(out / "project_summary.csv")
    expected = metrics.project_summary(demo_con, flt)
    columns = [
        "project_id",
        "name",
        "maturity_ecosystem",
        "maturity_project",
        "maturity_investment",
        "maturity_consolidated",
        "max_gap",
        "blind_spots",
        "utility_index",
        "beneficiaries",
        "resources_eur",
    ] + (["own_eur", "leverage"] if flt.investor else [])
    assert list(summary.columns) == columns
    pd.testing.assert_frame_equal(
        summary, expected.astype({"blind_spots": "int64"}), check_dtype=False, rtol=1e-12, atol=0
    )

    portfolio = pd.read_csv(out / "portfolio.csv")
    expected = metrics.portfolio_summary(demo_con, flt)
    assert portfolio["metric"].tolist() == expected["metric"].tolist()
    for got, want in zip(portfolio["value"], expected["value"], strict=True):
        assert (pd.isna(got) and want is None) or got == pytest.approx(want, rel=1e-12)


def test_export_files_are_plain_utf8_with_empty_cells(demo_path, tmp_path):
    out = tmp_path / "out"
    assert run("export", "--db", str(demo_path), "--out", str(out)).returncode == 0
    text = (out / "project_summary.csv").read_text(encoding="utf-8")
    assert ",," in text  # a figure that does not exist is an empty cell
    assert "—" in text  # project names keep their accents and dashes (UTF-8)
    first = text.splitlines()[1].split(",")
    assert "." in first[2]  # '.' as decimal point


def test_xlsx_workbook_holds_the_same_tables(demo_path, tmp_path):
    """The workbook is for people (headers and codes in the language, docs/import.md
    "Exports"); its figures are the CSV files' own, unrounded."""
    out = tmp_path / "out"
    assert run("export", "--db", str(demo_path), "--out", str(out), "--xlsx").returncode == 0
    sheets = pd.read_excel(out / "coinvest-export.xlsx", sheet_name=None)
    assert list(sheets) == [
        "Lever scores",
        "Summary per project",
        "Portfolio",
        "Needs per project",
        "Path invitations",
        "Did it help",
        "Territories",
    ]
    csv = _read(out / "project_summary.csv")
    summary = sheets["Summary per project"]
    assert summary["Consolidated maturity"].tolist() == pytest.approx(
        csv["maturity_consolidated"].tolist(), nan_ok=True
    )
    assert not any("_" in column for sheet in sheets.values() for column in sheet.columns)
    levers = sheets["Lever scores"]
    assert set(levers["Viewpoint"]) <= {"Ecosystem", "Projects", "Investments"}
    needs = sheets["Needs per project"]
    assert set(needs["Priority"].dropna()) == {"yes", "no"}
    helped = sheets["Did it help"]
    assert list(helped["Group"].unique()) == ["Supported", "Not supported"]
    portfolio = sheets["Portfolio"].set_index("Figure")
    assert portfolio.loc["Projects", "Value"] == len(csv)


def test_export_filter_matching_nothing_writes_headers_only(demo_path, tmp_path):
    out = tmp_path / "out"
    result = run("export", "--db", str(demo_path), "--out", str(out), "--search", "zzz-nothing")
    assert result.returncode == 0
    assert len(_read(out / "project_summary.csv")) == 0
    portfolio = pd.read_csv(out / "portfolio.csv")
    assert portfolio.set_index("metric").loc["projects", "value"] == 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--phase", "growth"], "Unknown code for --phase"),
        (["--department", "20"], "Unknown code for --department"),
        (["--year-from", "soon"], "Invalid year for --year-from"),
        (["--year-from", "2025", "--year-to", "2020"], "Invalid year for --year-to"),
        (["--investor", "NOBODY"], 'Unknown id for --investor: "NOBODY". Known ids: INV01'),
        (["--support-body", "INV01"], "Unknown id for --support-body"),
        (["--cohort", "COH-NONE"], "Unknown id for --cohort"),
    ],
)
def test_bad_filter_options_give_one_clear_line(demo_path, tmp_path, options, message):
    result = run("export", "--db", str(demo_path), "--out", str(tmp_path / "o"), *options)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o").exists()


def test_export_of_a_missing_database_is_refused(tmp_path):
    result = run("export", "--db", str(tmp_path / "absent.duckdb"), "--out", str(tmp_path / "o"))
    assert result.returncode == 1
    assert "does not exist" in result.stderr
    assert not (tmp_path / "absent.duckdb").exists()


def test_the_data_pages_zip_holds_the_files_of_coinvest_export(demo_path, tmp_path):
    """The Data page's "computed figures" download: byte for byte what the command writes."""
    import io
    import zipfile

    from coinvest.db import open_database
    from coinvest.export import export_zip

    out = tmp_path / "out"
    result = run(
        "export", "--db", str(demo_path), "--out", str(out), "--xlsx", "--investor", "INV01"
    )
    assert result.returncode == 0, result.stderr
    con = open_database(demo_path, read_only=True)
    try:
        inv01 = PortfolioFilter.create(investor="INV01", scope=None)
        data = export_zip(con, inv01, "en")  # the command ran in English
        assert export_zip(con, inv01, "en") == data  # reproducible
        french = export_zip(con, inv01, "fr")
    finally:
        con.close()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted(archive.namelist())
        assert names == sorted(p.name for p in out.iterdir())
        for name in names:
            assert archive.read(name) == (out / name).read_bytes(), name
    with zipfile.ZipFile(io.BytesIO(french)) as archive:
        for name in names:  # the machine files are the same in every language
            if name.endswith(".csv"):
                assert archive.read(name) == (out / name).read_bytes(), name
        sheets = pd.read_excel(io.BytesIO(archive.read("coinvest-export.xlsx")), sheet_name=None)
    assert "Besoins par projet" in sheets
    assert "Levier" in sheets["Besoins par projet"].columns


def test_project_needs_csv_is_the_formula_applied_to_project_levers(demo_path, tmp_path):
    """docs/figures.md "Needs" recomputed independently from the exported lever scores and the phases."""
    from coinvest import reference as ref
    from coinvest.db import open_database

    out = tmp_path / "out"
    result = run("export", "--db", str(demo_path), "--out", str(out))
    assert result.returncode == 0, result.stderr
    levers = _read(out / "project_levers.csv")
    needs = _read(out / "project_needs.csv")
    assert list(needs.columns) == [
        "project_id",
        "lever",
        "score",
        "weight",
        "need",
        "priority",
        "rank",
    ]
    con = open_database(demo_path, read_only=True)
    try:
        phases = dict(con.execute("SELECT project_id, phase FROM project").fetchall())
    finally:
        con.close()
    consolidated = levers.groupby(["project_id", "lever"])["score"].mean()
    expected_rows = []
    for project_id in sorted(levers["project_id"].unique()):
        phase = phases[project_id]
        rows = []
        for position, lever in enumerate(ref.LEVER_CODES):
            weight = ref.PHASE_WEIGHTS[phase][lever]
            score = consolidated.get((project_id, lever))
            need = None if score is None else (100 - score) * weight / 3
            rows.append(
                [
                    project_id,
                    lever,
                    score,
                    weight,
                    need,
                    need is not None and need >= 40 - 1e-9,
                    position,
                ]
            )
        # equal needs tie: the lever order decides (rounded: the same figure summed two ways)
        ranked = sorted((r for r in rows if r[5]), key=lambda r: (-round(r[4], 6), r[6]))
        ranks = {r[1]: i for i, r in enumerate(ranked, start=1)}
        expected_rows += [[*r[:6], ranks.get(r[1])] for r in rows]
    assert len(needs) == len(expected_rows)
    for (_, got), want in zip(needs.iterrows(), expected_rows, strict=True):
        assert got["project_id"] == want[0]
        assert got["lever"] == want[1]
        assert got["weight"] == want[3]
        if want[2] is None:
            assert pd.isna(got["score"])
            assert pd.isna(got["need"])
        else:
            assert got["score"] == pytest.approx(want[2], abs=1e-9)
            assert got["need"] == pytest.approx(want[4], abs=1e-9)
        if want[2] is None:  # never assessed: no priority either (docs/figures.md "Settled points")
            assert pd.isna(got["priority"])
        else:
            assert str(got["priority"]).lower() == ("true" if want[5] else "false")
        assert (pd.isna(got["rank"]) and want[6] is None) or got["rank"] == want[6]
    text = (out / "project_needs.csv").read_text(encoding="utf-8")
    assert ",true," in text
    assert ",false," in text


def test_path_invitations_and_did_it_help_csv(demo_path, tmp_path):
    """`path_invitations.csv` holds every priority of `project_needs.csv` (not only the first),
    and `did_it_help.csv` both groups of every lever."""
    from coinvest import reference as ref

    out = tmp_path / "out"
    result = run("export", "--db", str(demo_path), "--out", str(out))
    assert result.returncode == 0, result.stderr
    needs = _read(out / "project_needs.csv")
    invited = _read(out / "path_invitations.csv")
    assert list(invited.columns) == [
        "lever",
        "project_id",
        "rank",
        "need",
        "holder",
        "department_code",
    ]
    priorities = needs[needs["priority"].astype(str).str.lower() == "true"]
    assert len(invited) == len(priorities)
    assert (invited["rank"] > 1).any()  # second priorities are invited too
    expected = priorities.set_index(["lever", "project_id"])
    for row in invited.itertuples():
        want = expected.loc[(row.lever, row.project_id)]
        assert row.rank == want["rank"]
        assert row.need == pytest.approx(want["need"], abs=1e-9)
    order = {code: i for i, code in enumerate(ref.LEVER_CODES)}
    keys = [(order[r.lever], -r.need) for r in invited.itertuples()]
    assert keys == sorted(keys)  # levers in order, then by need

    helped = pd.read_csv(out / "did_it_help.csv")
    assert list(helped.columns) == ["lever", "group", "projects", "median_progress"]
    assert list(helped["lever"]) == [c for c in ref.LEVER_CODES for _ in range(2)]
    assert list(helped["group"]) == ["supported", "unsupported"] * len(ref.LEVER_CODES)
    assert helped["median_progress"].isna().eq(helped["projects"] < ref.PEER_MIN).all()
