"""A bank that exports only the required tables (no schedule, applications, CRM, staff or
queue data) still builds every mart: optional ones empty, loan outcomes from the status."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from bankmine.generator import generate

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = {
    "branches.parquet",
    "customers.parquet",
    "accounts.parquet",
    "transactions",
    "loans.parquet",
}


@pytest.fixture(scope="module")
def minimal_bank(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("minimal")
    generate(customers=400, months=6, seed=5, out_dir=work / "data")
    raw = work / "data" / "raw"
    for path in raw.iterdir():
        if path.name not in REQUIRED:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    # the bank's lending system reports two bad loans by status only
    con = duckdb.connect()
    con.execute(f"""
        copy (
            select * replace (
                case row_number() over (order by loan_id)
                    when 1 then 'defaulted' when 2 then 'written_off' else 'current' end as status,
                case when row_number() over (order by loan_id) <= 2
                    then originated_date + interval 60 day end as status_date
            )
            from read_parquet('{raw}/loans.parquet')
        ) to '{raw}/loans.tmp' (format parquet)
    """)
    (raw / "loans.tmp").replace(raw / "loans.parquet")
    db = work / "bank.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "bankmine", "build", "--raw", str(raw), "--db", str(db)],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DBT_PROFILES_DIR": str(ROOT)},
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return db


def count(db: Path, table: str) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f"select count(*) from {table}").fetchall()[0][0]
    finally:
        con.close()


def test_core_marts_are_built(minimal_bank):
    assert count(minimal_bank, "marts.dim_customers") == 400
    for table in (
        "marts.dim_accounts",
        "marts.fct_transactions",
        "marts.fct_account_monthly",
        "marts.fct_loans",
        "marts.dim_branches",
        "marts.fct_branch_monthly",
    ):
        assert count(minimal_bank, table) > 0, table


def test_optional_marts_are_empty(minimal_bank):
    for table in ("marts.dim_staff", "marts.fct_staff_monthly", "marts.fct_loan_applications"):
        assert count(minimal_bank, table) == 0, table


def test_loan_outcomes_come_from_the_status(minimal_bank):
    con = duckdb.connect(str(minimal_bank), read_only=True)
    rows = con.execute("""
        select bool_or(has_schedule), count(current_days_past_due),
               count(*) filter (where is_default),
               count(*) filter (where default_date is not null),
               sum(outstanding_principal_amount) filter (where loan_status = 'written_off')
        from marts.fct_loans
    """).fetchall()[0]
    has_schedule, with_days_past_due, defaults, dated, written_off_outstanding = rows
    assert has_schedule is False
    assert with_days_past_due == 0
    assert defaults == 2
    assert dated == 2
    assert written_off_outstanding == 0
