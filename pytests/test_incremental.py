"""fct_transactions is incremental: a second build after a day of new transactions and a few
late ones rewrites exactly those rows, and ends equal to a full refresh."""

from __future__ import annotations

import os
import subprocess
import sys
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
    dbt("build", "-s", "+fct_transactions", "--exclude", "test_type:data", raw=raw, db=db)
    first = facts(db)

    con.execute(f"copy held to '{parts}/part-late.parquet' (format parquet)")
    dbt("build", "-s", "+fct_transactions", "--exclude", "test_type:data", raw=raw, db=db)
    second = facts(db)

    full_db = work / "full.duckdb"
    dbt("seed", raw=raw, db=full_db)
    dbt("build", "-s", "+fct_transactions", "--exclude", "test_type:data", raw=raw, db=full_db)
    return {"held": held, "first": first, "second": second, "full": facts(full_db)}


def test_first_build_lacks_the_held_back_rows(two_runs):
    assert two_runs["held"]
    assert not two_runs["held"] & set(two_runs["first"])


def test_second_build_rewrites_only_new_and_late_rows(two_runs):
    first, second = two_runs["first"], two_runs["second"]
    rewritten = {tid for tid, row in second.items() if tid not in first or first[tid][0] != row[0]}
    assert rewritten == two_runs["held"]


def test_incremental_result_equals_a_full_refresh(two_runs):
    without_load_time = {tid: row[1:] for tid, row in two_runs["second"].items()}
    assert without_load_time == {tid: row[1:] for tid, row in two_runs["full"].items()}
