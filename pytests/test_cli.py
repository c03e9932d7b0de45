"""The command line: clear messages and exit codes, never a bare traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb

from bankmine.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_help_lists_the_commands(capsys):
    try:
        main(["--help"])
    except SystemExit as stop:
        assert stop.code == 0
    out = capsys.readouterr().out
    for command in ("generate", "validate", "build", "summary", "demo"):
        assert command in out


def test_validate_missing_folder_is_one_clear_line(tmp_path, capsys):
    code = main(["validate", str(tmp_path / "nowhere")])
    out = capsys.readouterr().out
    assert code == 1
    assert "does not exist" in out
    assert "Traceback" not in out


def test_validate_good_folder_exits_zero(minimal_raw, capsys):
    code = main(["validate", str(minimal_raw)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "matches the contract" in out


def test_validate_reads_the_env_variable(minimal_raw, monkeypatch, capsys):
    monkeypatch.setenv("BANKMINE_RAW", str(minimal_raw))
    assert main(["validate"]) == 0
    assert str(minimal_raw) in capsys.readouterr().out


def test_build_refuses_a_malformed_folder_before_dbt(minimal_raw, tmp_path, capsys):
    (minimal_raw / "customers.parquet").unlink()
    db = tmp_path / "never.duckdb"
    code = main(["build", "--raw", str(minimal_raw), "--db", str(db)])
    err = capsys.readouterr().err
    assert code == 1
    assert "customers" in err and "nothing was built" in err
    assert not db.exists()


def test_summary_without_a_warehouse(tmp_path, capsys):
    assert main(["summary", "--db", str(tmp_path / "none.duckdb")]) == 0
    assert "run `make demo`" in capsys.readouterr().out


def test_unexpected_errors_are_one_line(tmp_path):
    """A corrupt warehouse file is not a problem we foresee; it still gets a message."""
    db = tmp_path / "broken.duckdb"
    db.write_bytes(b"this is not a duckdb file" * 100)
    result = subprocess.run(
        [sys.executable, "-m", "bankmine", "summary", "--db", str(db)],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 1
    assert "bankmine: unexpected error" in result.stderr
    assert "Traceback" not in result.stderr


def test_generate_command_writes_raw_and_truth(tmp_path, capsys):
    code = main(
        ["generate", "--customers", "150", "--months", "3", "--seed", "3", "--out", str(tmp_path)]
    )
    assert code == 0
    assert (tmp_path / "raw" / "customers.parquet").exists()
    assert (tmp_path / "truth").is_dir()
    count = duckdb.sql(
        f"select count(*) from read_parquet('{tmp_path}/raw/customers.parquet')"
    ).fetchall()[0][0]
    assert count == 150
    assert "150 customers" in capsys.readouterr().out
