"""`coinvest demo` as a user runs it: exit codes and one clear line on bad input."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import duckdb

from coinvest.schema import LATEST_VERSION


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "COINVEST_LANG": "en", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "coinvest", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=300,
    )


def test_demo_writes_a_database_and_reports_stages(tmp_path):
    path = tmp_path / "demo.duckdb"
    result = run("demo", "--db", str(path), "--projects", "40", "--seed", "5")
    assert result.returncode == 0, result.stderr
    assert "assessment_answer" in result.stderr
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT count(*) FROM project").fetchone()[0] == 40
    con.close()


def test_db_comes_from_the_environment_when_no_flag(tmp_path):
    path = tmp_path / "env.duckdb"
    result = run("demo", "--projects", "5", env={"COINVEST_DB": str(path)})
    assert result.returncode == 0, result.stderr
    assert path.exists()


def _one_error_line(result) -> str:
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_unknown_folder(tmp_path):
    line = _one_error_line(run("demo", "--db", str(tmp_path / "missing" / "x.duckdb")))
    assert "does not exist" in line
    assert not (tmp_path / "missing").exists()


def test_file_of_another_program(tmp_path):
    path = tmp_path / "notes.duckdb"
    path.write_text("not a database")
    line = _one_error_line(run("demo", "--db", str(path)))
    assert "not a DuckDB database" in line
    assert path.read_text() == "not a database"


def test_newer_schema(tmp_path):
    path = tmp_path / "future.duckdb"
    assert run("demo", "--db", str(path), "--projects", "3").returncode == 0
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_version (version) VALUES (?)", [LATEST_VERSION + 1])
    con.close()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    line = _one_error_line(run("demo", "--db", str(path)))
    assert "newer" in line
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_database_already_holding_data(tmp_path):
    path = tmp_path / "full.duckdb"
    assert run("demo", "--db", str(path), "--projects", "3").returncode == 0
    line = _one_error_line(run("demo", "--db", str(path)))
    assert "already holds data" in line


def test_french_is_the_default_language(tmp_path):
    result = run("demo", "--db", str(tmp_path / "no" / "x.duckdb"), env={"COINVEST_LANG": ""})
    assert result.returncode == 1
    assert "n'existe pas" in result.stderr


def test_bad_project_count_is_a_usage_error(tmp_path):
    result = run("demo", "--db", str(tmp_path / "x.duckdb"), "--projects", "zero")
    assert result.returncode == 2
    assert "--projects" in result.stderr
    assert not (tmp_path / "x.duckdb").exists()
