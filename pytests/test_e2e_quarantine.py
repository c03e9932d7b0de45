"""End to end: corrupt a generated raw folder with every kind of bad row, build, and
check that each bad row lands in quarantine with the right reason and none is lost."""

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
BANKMINE = [sys.executable, "-m", "bankmine"]


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*BANKMINE, *args],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DBT_PROFILES_DIR": str(ROOT), **(env or {})},
    )


@pytest.fixture(scope="module")
def corrupted(tmp_path_factory) -> dict:
    """A small generated bank whose customers, accounts and transactions are
    re-delivered as CSV with one bad row of each kind appended."""
    work = tmp_path_factory.mktemp("e2e")
    generate(customers=300, months=6, seed=7, out_dir=work / "data")
    raw = work / "data" / "raw"
    con = duckdb.connect()

    # customers -> CSV (text lets us deliver unparsable values)
    con.execute(f"create table customers as select * from read_parquet('{raw}/customers.parquet')")
    con.execute("alter table customers alter birth_date type varchar")
    first, second = [
        row[0]
        for row in con.execute(
            "select customer_id from customers order by customer_id limit 2"
        ).fetchall()
    ]
    con.execute(f"""
        insert into customers
        select * replace (null as customer_id) from customers where customer_id = '{first}'
        union all
        select * replace ('CBAD_DATE' as customer_id, 'not a date' as birth_date)
        from customers where customer_id = '{first}'
        union all
        select * replace ('CBAD_OLD' as customer_id, '1850-01-01' as birth_date)
        from customers where customer_id = '{first}'
        union all
        select * replace ('Changed' as first_name) from customers where customer_id = '{second}'
        union all
        select * replace ('CBAD_BRANCH' as customer_id, 'B_NOPE' as home_branch_id)
        from customers where customer_id = '{first}'
    """)
    con.execute(f"copy customers to '{raw}/customers.csv' (header, delimiter ';')")
    (raw / "customers.parquet").unlink()

    # accounts: a missing required value
    con.execute(f"create table accounts as select * from read_parquet('{raw}/accounts.parquet')")
    account = con.execute(
        f"select account_id from accounts where customer_id = '{first}' limit 1"
    ).fetchone()[0]
    con.execute(f"""
        insert into accounts
        select * replace ('ABAD_PRODUCT' as account_id, null as product_code)
        from accounts where account_id = '{account}'
    """)
    con.execute(f"copy accounts to '{raw}/accounts.parquet'")

    # transactions: a separate late file with bad rows and an exact re-delivery
    con.execute(f"""create table transactions as
        select * from read_parquet('{raw}/transactions/*.parquet')""")
    con.execute("alter table transactions alter amount type varchar")
    con.execute("alter table transactions alter transaction_at type varchar")
    tx = con.execute(
        f"select transaction_id from transactions where account_id = '{account}' "
        "order by transaction_id limit 1"
    ).fetchone()[0]
    con.execute(f"""
        create table late as
        select * from transactions where transaction_id = '{tx}'
        union all
        select * replace ('TBAD_NEG' as transaction_id, '-5.00' as amount)
        from transactions where transaction_id = '{tx}'
        union all
        select * replace ('TBAD_HUGE' as transaction_id, '999999999999.00' as amount)
        from transactions where transaction_id = '{tx}'
        union all
        select * replace ('TBAD_TEXT' as transaction_id, 'twelve' as amount)
        from transactions where transaction_id = '{tx}'
        union all
        select * replace ('TBAD_FUTURE' as transaction_id, '2099-01-01 10:00:00' as transaction_at)
        from transactions where transaction_id = '{tx}'
        union all
        select * replace ('TBAD_ACCOUNT' as transaction_id, 'A_NOPE' as account_id)
        from transactions where transaction_id = '{tx}'
        union all
        select * replace ('TBAD_CODE' as transaction_id, 'ZZZ' as transaction_type)
        from transactions where transaction_id = '{tx}'
    """)
    con.execute(f"copy late to '{raw}/transactions/late.csv' (header)")
    # a folder mixes file kinds only within one kind: move the parquet parts to CSV too
    for part in sorted((raw / "transactions").glob("*.parquet")):
        con.execute(
            f"copy (select * from read_parquet('{part}')) to '{part.with_suffix('.csv')}' (header)"
        )
        part.unlink()

    db = work / "bank.duckdb"
    result = run_cli("build", "--raw", str(raw), "--db", str(db))
    return {
        "raw": raw,
        "db": db,
        "result": result,
        "first": first,
        "second": second,
        "account": account,
        "tx": tx,
    }


def quarantine(db: Path, table: str) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            f"select record_key, quarantine_reason, quarantine_column from quarantine.{table}"
        ).fetchall()
    finally:
        con.close()
    found: dict = {}
    for key, reason, column in rows:
        found.setdefault(key, []).append((reason, column))
    return found


def test_build_succeeds_and_prints_summary(corrupted):
    result = corrupted["result"]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "quarantined" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_customer_rows_get_their_reasons(corrupted):
    found = quarantine(corrupted["db"], "quarantine_core_banking__customers")
    assert found[None] == [("missing_key", "customer_id")]
    assert found["CBAD_DATE"] == [("unparsable_value", "birth_date")]
    assert found["CBAD_OLD"] == [("date_before_1900", "birth_date")]
    assert found["CBAD_BRANCH"] == [("unknown_reference", "home_branch_id")]
    # same key, different content: both versions held back, neither guessed
    assert found[corrupted["second"]] == [("duplicate_key", "customer_id")] * 2


def test_account_and_transaction_rows_get_their_reasons(corrupted):
    accounts = quarantine(corrupted["db"], "quarantine_core_banking__accounts")
    assert accounts["ABAD_PRODUCT"] == [("missing_value", "product_code")]
    found = quarantine(corrupted["db"], "quarantine_core_banking__transactions")
    assert found["TBAD_NEG"] == [("out_of_range", "amount")]
    assert found["TBAD_HUGE"] == [("out_of_range", "amount")]
    assert found["TBAD_TEXT"] == [("unparsable_value", "amount")]
    assert found["TBAD_FUTURE"] == [("date_in_future", "transaction_at")]
    assert found["TBAD_ACCOUNT"] == [("unknown_reference", "account_id")]
    assert "TBAD_CODE" not in found  # unknown codes are kept and flagged, not dropped


def test_unknown_code_is_staged_as_is(corrupted):
    con = duckdb.connect(str(corrupted["db"]), read_only=True)
    code = con.execute(
        "select transaction_type from staging.stg_core_banking__transactions "
        "where transaction_id = 'TBAD_CODE'"
    ).fetchone()
    assert code == ("zzz",)


def test_every_raw_row_is_accounted_for(corrupted):
    con = duckdb.connect(str(corrupted["db"]), read_only=True)
    for table in (
        "core_banking__customers",
        "core_banking__accounts",
        "core_banking__transactions",
        "lending__loans",
    ):
        raw_rows, staged, quarantined, dedup = con.execute(f"""
            select (select count(*) from staging.base_{table}),
                   (select count(*) from staging.stg_{table}),
                   (select count(*) from quarantine.quarantine_{table}),
                   (select count(*) from staging.base_{table} where delivery_rank > 1)
        """).fetchone()
        assert raw_rows == staged + quarantined + dedup, table
    # the exact re-delivery of one transaction is counted, not staged twice
    (dedup,) = con.execute(
        "select count(*) from staging.base_core_banking__transactions where delivery_rank > 1"
    ).fetchone()
    assert dedup == 1
    (staged,) = con.execute(
        "select count(*) from staging.stg_core_banking__transactions "
        f"where transaction_id = '{corrupted['tx']}'"
    ).fetchone()
    assert staged == 1


def test_missing_required_table_is_a_clear_error(tmp_path, corrupted):
    raw = tmp_path / "raw"
    shutil.copytree(corrupted["raw"], raw)
    (raw / "loans.parquet").unlink()
    result = run_cli("build", "--raw", str(raw), "--db", str(tmp_path / "x.duckdb"))
    assert result.returncode != 0
    assert "loans" in result.stderr and "missing" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_dbt_itself_reports_a_missing_required_column(tmp_path, corrupted):
    """Without bankmine validate in front, the raw registration hook names the problem."""
    raw = tmp_path / "raw"
    shutil.copytree(corrupted["raw"], raw)
    duckdb.execute(
        f"copy (select * exclude (principal_amount) from read_parquet('{raw}/loans.parquet')) "
        f"to '{raw}/loans2.parquet'"
    )
    (raw / "loans2.parquet").replace(raw / "loans.parquet")
    result = run_cli(
        "build", "--skip-validate", "--raw", str(raw), "--db", str(tmp_path / "x.duckdb")
    )
    assert result.returncode != 0
    assert "required column principal_amount missing" in result.stdout
