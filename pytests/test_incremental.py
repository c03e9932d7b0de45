"""fct_transactions and the staging of transactions are incremental: a second build after a
day of new transactions and a few late (or bad) ones rewrites exactly those rows, and ends
equal to a full refresh."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from bankmine.generator import generate

ROOT = Path(__file__).resolve().parents[1]


def dbt(*args: str, raw: Path, db: Path) -> None:
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(ROOT),
        "BANKMINE_RAW": str(raw),
        "BANKMINE_DB": str(db),
    }
    dbt_bin = str(Path(sys.executable).parent / "dbt")
    result = subprocess.run(
        [dbt_bin, *args], check=False, cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-4000:]


FACTS = ("-s", "+fct_transactions", "+int_account_months", "--exclude", "test_type:data")


def account_months(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "select * from intermediate.int_account_months order by account_month_key"
        ).fetchall()
    finally:
        con.close()


def facts(db: Path) -> dict[str, tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "select transaction_id, loaded_at, signed_amount, customer_key, transaction_date "
            "from marts.fct_transactions"
        ).fetchall()
    finally:
        con.close()
    return {row[0]: row[1:] for row in rows}


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("incremental")
    generate(customers=300, months=3, seed=11, out_dir=work / "data")
    raw = work / "data" / "raw"
    parts = raw / "transactions"
    con = duckdb.connect()
    con.execute(f"create table all_tx as select * from read_parquet('{parts}/*.parquet')")
    (last_day,) = con.execute("select max(cast(transaction_at as date)) from all_tx").fetchone()
    held = con.execute(f"""
        create table held as
        select * from all_tx where cast(transaction_at as date) = date '{last_day}'
        union all
        (select * from all_tx where cast(transaction_at as date) = date '{last_day}' - 2
         order by transaction_id limit 3)
    """)
    held = {row[0] for row in con.execute("select transaction_id from held").fetchall()}
    for part in sorted(parts.glob("*.parquet")):
        con.execute(f"""copy (select * from read_parquet('{part}')
                     where transaction_id not in (select transaction_id from held))
                     to '{part}.tmp' (format parquet)""")
        Path(f"{part}.tmp").replace(part)

    db = work / "bank.duckdb"
    dbt("seed", raw=raw, db=db)
    dbt("build", *FACTS, raw=raw, db=db)
    first = facts(db)
    months_first = account_months(db)

    con.execute(f"copy held to '{parts}/part-late.parquet' (format parquet)")
    dbt("build", *FACTS, raw=raw, db=db)
    second = facts(db)

    full_db = work / "full.duckdb"
    dbt("seed", raw=raw, db=full_db)
    dbt("build", *FACTS, raw=raw, db=full_db)
    return {
        "raw": raw,
        "db": db,
        "held": held,
        "first": first,
        "second": second,
        "full": facts(full_db),
        "months_first": months_first,
        "months_second": account_months(db),
        "months_full": account_months(full_db),
    }


def test_facts_drop_the_transactions_of_an_account_gone_from_staging(two_runs, tmp_path):
    """An account leaves staging and int_transactions_enriched is rebuilt with
    --full-refresh (as its docs ask after account changes): the next incremental run of
    fct_transactions deletes that account's transactions, though none was quarantined."""
    db = tmp_path / "bank.duckdb"
    shutil.copy(two_runs["db"], db)
    con = duckdb.connect(str(db))
    ((account_id, count),) = con.execute(
        "select account_id, count(*) from marts.fct_transactions"
        " group by account_id order by count(*) desc, account_id limit 1"
    ).fetchall()
    con.execute(
        f"delete from staging.base_core_banking__accounts where account_id = '{account_id}'"
    )
    con.close()
    assert count > 0
    dbt("run", "-s", "int_transactions_enriched", "--full-refresh", raw=two_runs["raw"], db=db)
    dbt("run", "-s", "fct_transactions", raw=two_runs["raw"], db=db)
    con = duckdb.connect(str(db), read_only=True)
    left = con.execute(
        f"select count(*) from marts.fct_transactions where account_id = '{account_id}'"
    ).fetchall()
    con.close()
    assert left == [(0,)]


def test_first_build_lacks_the_held_back_rows(two_runs):
    assert two_runs["held"]
    assert not two_runs["held"] & set(two_runs["first"])


def test_second_build_rewrites_only_new_and_late_rows(two_runs):
    first, second = two_runs["first"], two_runs["second"]
    rewritten = {tid for tid, row in second.items() if tid not in first or first[tid][0] != row[0]}
    assert rewritten == two_runs["held"]


def test_incremental_account_months_equal_a_full_refresh(two_runs):
    assert two_runs["months_first"] != two_runs["months_second"]
    assert two_runs["months_second"] == two_runs["months_full"]


def test_incremental_result_equals_a_full_refresh(two_runs):
    without_load_time = {tid: row[1:] for tid, row in two_runs["second"].items()}
    assert without_load_time == {tid: row[1:] for tid, row in two_runs["full"].items()}


BASE_COLUMNS = (
    "transaction_id, account_id, transaction_at, amount, direction, transaction_type, channel,"
    " counterparty_country, merchant_category, balance_after_amount, source_file, row_hash,"
    " delivery_rank, quarantine_reason, quarantine_column, raw_record, key_group"
)
STAGING = (
    "-s",
    "+stg_core_banking__transactions",
    "quarantine_core_banking__transactions",
    "int_transactions_enriched",
    "fct_transactions",
    "--indirect-selection",
    "cautious",
)


def base_rows(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            f"select {BASE_COLUMNS} from staging.base_core_banking__transactions order by all"
        ).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def staged_twice(tmp_path_factory) -> dict:
    """base_core_banking__transactions built once, then again after a new file arrives with a
    new day and an existing file grows by an exact re-delivery, a second version of a staged
    key, a row without a key and one with an unknown account; rows dated after the first
    run's latest valid date become valid in the second. Compared with one full build of the
    same files."""
    work = tmp_path_factory.mktemp("staging")
    generate(customers=300, months=3, seed=12, out_dir=work / "data")
    raw = work / "data" / "raw"
    parts = raw / "transactions"
    con = duckdb.connect()
    con.execute(f"create table all_tx as select * from read_parquet('{parts}/*.parquet')")
    (last_day,) = con.execute("select max(cast(transaction_at as date)) from all_tx").fetchone()
    for part in sorted(parts.glob("*.parquet")):
        con.execute(f"""copy (select * from read_parquet('{part}')
                     where cast(transaction_at as date) < date '{last_day}')
                     to '{part}.tmp' (format parquet)""")
        Path(f"{part}.tmp").replace(part)
    (redelivered, changed, untouched) = (
        row[0]
        for row in con.execute(
            f"select transaction_id from all_tx where cast(transaction_at as date) < date '{last_day}' - 5"
            " order by transaction_id limit 3"
        ).fetchall()
    )
    con.execute(f"""
        create table late as
        select * from all_tx where cast(transaction_at as date) = date '{last_day}'
    """)
    con.execute(f"""
        create table fixes as
        select * from all_tx where transaction_id = '{redelivered}'
        union all by name
        select * replace (amount + 1 as amount) from all_tx where transaction_id = '{changed}'
        union all by name
        (select * replace (null as transaction_id) from all_tx
         where cast(transaction_at as date) = date '{last_day}' order by transaction_id limit 1)
        union all by name
        (select * replace ('NO-SUCH-ACCOUNT' as account_id, 'LATE-UNKNOWN' as transaction_id)
         from all_tx where cast(transaction_at as date) = date '{last_day}'
         order by transaction_id limit 1)
    """)
    first_latest = json.dumps({"raw_latest_valid_date": str(last_day - dt.timedelta(days=3))})
    latest = json.dumps({"raw_latest_valid_date": str(last_day)})

    db = work / "bank.duckdb"
    dbt("seed", raw=raw, db=db)
    dbt("build", *STAGING, "--exclude", "test_type:data", "--vars", first_latest, raw=raw, db=db)
    first = base_rows(db)
    marker = duckdb.connect(str(db))
    marker.execute(
        "update staging.base_core_banking__transactions set raw_record = 'not rewritten'"
        f" where transaction_id = '{untouched}'"
    )
    marker.close()

    # the new day arrives as a new file; the re-delivery and the bad rows are appended to an
    # existing file (a table exported as one growing file), not the one holding `untouched`
    con.execute(f"copy late to '{parts}/part-late.parquet' (format parquet)")
    grown = [
        part
        for part in sorted(parts.glob("part-2*.parquet"))
        if not con.execute(
            f"select count(*) from read_parquet('{part}') where transaction_id = '{untouched}'"
        ).fetchall()[0][0]
    ][-1]
    con.execute(f"""copy (select * from read_parquet('{grown}') union all by name
                 select * from fixes) to '{grown}.tmp' (format parquet)""")
    Path(f"{grown}.tmp").replace(grown)
    dbt("build", *STAGING, "--vars", latest, raw=raw, db=db)
    second = base_rows(db)

    full_db = work / "full.duckdb"
    dbt("seed", raw=raw, db=full_db)
    dbt("build", *STAGING, "--vars", latest, raw=raw, db=full_db)
    return {
        "first": first,
        "second": second,
        "full": base_rows(full_db),
        "facts_second": facts(db),
        "facts_full": facts(full_db),
        "untouched": untouched,
        "changed": changed,
        "redelivered": redelivered,
    }


def test_first_staging_quarantines_the_days_after_its_latest_valid_date(staged_twice):
    reasons = {row[13] for row in staged_twice["first"]}
    assert "date_in_future" in reasons


def test_restaging_leaves_rows_of_untouched_keys_alone(staged_twice):
    marked = [row for row in staged_twice["second"] if row[0] == staged_twice["untouched"]]
    assert [row[15] for row in marked] == ["not rewritten"]


def test_restaging_checks_late_rows_with_the_rows_they_share_a_key_with(staged_twice):
    rows = {(row[0], row[12], row[13]) for row in staged_twice["second"]}
    assert (staged_twice["changed"], 1, "duplicate_key") in rows
    assert (staged_twice["redelivered"], 2, None) in rows
    assert ("LATE-UNKNOWN", 1, "unknown_reference") in rows
    assert any(row[0] is None and row[13] == "missing_key" for row in staged_twice["second"])
    assert not any(row[13] == "date_in_future" for row in staged_twice["second"])


def test_incremental_staging_equals_a_full_build(staged_twice):
    untouched = staged_twice["untouched"]
    second = Counter(
        row[:15] + (None,) + row[16:] if row[0] == untouched else row
        for row in staged_twice["second"]
    )
    assert second == Counter(staged_twice["full"])


def test_facts_drop_a_transaction_quarantined_after_it_was_loaded(staged_twice):
    """The changed key was staged and loaded by the first run; its second version makes both
    duplicate_key, so the second run deletes it from int_transactions_enriched and
    fct_transactions, which then equal a full build."""
    second, full = staged_twice["facts_second"], staged_twice["facts_full"]
    assert staged_twice["changed"] not in second
    assert {tid: row[1:] for tid, row in second.items()} == {
        tid: row[1:] for tid, row in full.items()
    }
