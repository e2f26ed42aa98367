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
        ([], PortfolioFilter()),
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
                investor="INV02", phase=["modelling", "scaling"], year_from=2023
            ),
        ),
        (
            ["--region", "84", "--qpv", "--rural"],
            PortfolioFilter.create(region=["84"], qpv=True, rural=True),
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
    out = tmp_path / "out"
    assert run("export", "--db", str(demo_path), "--out", str(out), "--xlsx").returncode == 0
    sheets = pd.read_excel(out / "coinvest-export.xlsx", sheet_name=None)
    assert list(sheets) == ["project_levers", "project_summary", "portfolio"]
    csv = _read(out / "project_summary.csv")
    assert sheets["project_summary"]["maturity_consolidated"].tolist() == pytest.approx(
        csv["maturity_consolidated"].tolist(), nan_ok=True
    )


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
        data = export_zip(con, PortfolioFilter.create(investor="INV01"))
        assert export_zip(con, PortfolioFilter.create(investor="INV01")) == data  # reproducible
    finally:
        con.close()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted(archive.namelist())
        assert names == sorted(p.name for p in out.iterdir())
        for name in names:
            assert archive.read(name) == (out / name).read_bytes(), name
