"""The benchmark's reference SQL (bench/reference/) computes what the dbt models compute.

On a copy of the AML bank's raw folder with bad rows of every kind added (the generator
writes none), dbt rebuilds the models the reference reproduces into a copy of the
bank's warehouse, the reference builds its own file from the same raw folder, and
every table must match: columns and types, row counts, every value (an order-free
EXCEPT ALL; doubles to 1e-9, joined on the table's key)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import PROJECT_DIR, run_dbt, write_minimal_raw


def load_bench_module(name: str):
    spec = importlib.util.spec_from_file_location(name, PROJECT_DIR / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reference_sql = load_bench_module("reference_sql")
run_bench = load_bench_module("run_bench")

# one date for dbt's date_in_future check and the reference's, whatever the clock says
LATEST_VALID_DATE = dt.date.today()
# key of each table with double columns, to compare those within a tolerance
DOUBLE_KEYS = {
    "stg_core_banking__accounts": "account_id",
    "int_aml_customer_weeks": "customer_week_key",
}
# dbt models between the reproduced ones that the reference does not rebuild: the RFM
# scores need 3 of int_customer_features' columns, which the reference computes itself
NOT_REPRODUCED = {"int_customer_features"}


# transactions quarantined for the rows add_bad_rows injects, by reason (besides the
# unknown_reference of every transaction of the account delivered twice, and one more)
EXPECTED_TRANSACTION_REASONS = {
    "duplicate_key": 2,
    "missing_key": 1,
    "missing_value": 3,
    "out_of_range": 1,
    "date_in_future": 1,
    "date_before_1900": 1,
}


def add_bad_rows(raw: Path) -> None:
    """Deliver bad and unusual rows of branches, customers, accounts and transactions, in
    their Parquet types: one of each quarantine reason, codes to map, text to trim, an
    exact re-delivery. The account of the first transaction arrives twice with different
    content, so it and all its transactions are quarantined too."""
    con = duckdb.connect()
    transactions = raw / "transactions"
    first_part = min(transactions.glob("*.parquet"))
    con.execute(
        f"create table first_transactions as select * from read_parquet('{first_part}') "
        "order by transaction_id limit 20"
    )
    (twice_delivered_account,) = con.execute(
        "select account_id from first_transactions order by transaction_id limit 1"
    ).fetchone()

    def rewrite(table: str, extra_rows_sql: str) -> None:
        """Add rows to <table>.parquet; `template` in the SQL is its first row."""
        path = raw / f"{table}.parquet"
        con.execute(f"create table {table} as select * from read_parquet('{path}')")
        con.execute(f"create or replace table template as select * from {table} order by 1 limit 1")
        con.execute(f"insert into {table} {extra_rows_sql}")
        con.execute(f"copy {table} to '{path}' (format parquet)")

    rewrite(
        "branches",
        """
        select * replace ('B_NONAME' as branch_id, null as branch_name) from template
        union all
        select * replace ('B_MAPPED' as branch_id, ' URBAN ' as branch_type) from template
        """,
    )
    rewrite(
        "customers",
        """
        select * replace (' C_MAPPED  ' as customer_id, 'F' as gender, '' as occupation)
        from template
        union all
        select * replace ('C_NOSINCE' as customer_id, null as customer_since_date)
        from template
        union all
        select * replace ('C_BRANCH' as customer_id, 'B_NONAME' as home_branch_id)
        from template
        union all
        select * replace ('C_INCOME' as customer_id, -5.00 as annual_income_amount)
        from template
        union all
        select * replace ('C_OLD' as customer_id, date '1850-01-01' as birth_date)
        from template
        """,
    )
    rewrite(
        "accounts",
        f"""
        select * replace (opened_date - 1 as opened_date) from accounts
        where account_id = '{twice_delivered_account}'
        union all
        select * replace ('A_MAPPED' as account_id, 'Checking' as product_code) from template
        union all
        select * replace ('A_NOCUSTOMER' as account_id, 'C_UNKNOWN' as customer_id)
        from template
        union all
        select * replace ('A_RATE' as account_id, 1.5 as interest_rate) from template
        union all
        select * replace ('A_FUTURE' as account_id, date '2999-01-01' as closed_date)
        from template
        """,
    )
    # new rows are variations of one transaction of another account
    con.execute(
        f"""
        create or replace table template as
        select * from first_transactions where account_id != '{twice_delivered_account}'
        order by transaction_id limit 1
        """
    )
    # a late part, in the parts' column types
    con.execute("create table late_delivery as select * from template where false")
    con.execute(
        """
        insert into late_delivery
            select * from first_transactions
            where transaction_id = (select max(transaction_id) from first_transactions)
            union all
            select * replace (amount + 1 as amount) from first_transactions
            where transaction_id = (select transaction_id from template)
            union all
            select * replace (null as transaction_id) from template
            union all
            select * replace ('T_BLANK_ACCOUNT' as transaction_id, '  ' as account_id) from template
            union all
            select * replace ('T_ZERO' as transaction_id, 0.00 as amount) from template
            union all
            select * replace ('T_NO_AMOUNT' as transaction_id, null as amount) from template
            union all
            select * replace ('T_NO_DIRECTION' as transaction_id, ' ' as direction) from template
            union all
            select * replace (
                'T_FUTURE' as transaction_id, timestamp '2999-01-01 10:00:00' as transaction_at
            ) from template
            union all
            select * replace (
                'T_OLD' as transaction_id, timestamp '1850-01-01 10:00:00' as transaction_at
            ) from template
            union all
            select * replace ('T_UNKNOWN_ACCOUNT' as transaction_id, 'A_UNKNOWN' as account_id)
            from template
            union all
            select * replace (
                '  T_MAPPED ' as transaction_id, ' CR ' as direction,
                'ATM withdrawal' as transaction_type, 'web' as channel, ' ' as merchant_category
            ) from template
            union all
            select * replace ('T_NEW_CODE' as transaction_id, 'Teleport' as channel) from template
        """
    )
    con.execute(
        f"copy late_delivery to '{transactions}/part-zz-late-delivery.parquet' (format parquet)"
    )
    con.close()


def build_both(aml_bank: dict, work: Path) -> tuple[Path, Path, Path]:
    """dbt and the reference on the same corrupted copy of the AML bank's raw folder."""
    raw = work / "raw"
    shutil.copytree(aml_bank["raw"], raw)
    add_bad_rows(raw)
    dbt_db = work / "dbt.duckdb"
    shutil.copyfile(aml_bank["db"], dbt_db)
    models = sorted(run_bench.DBT_SQL_MODELS | NOT_REPRODUCED)
    latest = json.dumps({"raw_latest_valid_date": LATEST_VALID_DATE.isoformat()})
    # a full refresh: the AML bank's models are already built, and this compares the logic of
    # a build, not an incremental run (pytests/test_incremental.py covers those)
    run_dbt(
        "run",
        "--full-refresh",
        "--select",
        *models,
        "--vars",
        latest,
        raw=raw,
        db=dbt_db,
        work=work,
    )
    reference_db = work / "reference.duckdb"
    reference_sql.run_reference(raw, reference_db, latest_valid_date=LATEST_VALID_DATE)
    return raw, dbt_db, reference_db


@pytest.fixture(scope="module")
def both(aml_bank, tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("bench_reference")
    raw, dbt_db, reference_db = build_both(aml_bank, work)
    con = duckdb.connect(str(reference_db), read_only=True)
    con.execute(f"attach '{dbt_db}' as dbt (read_only)")
    yield {"con": con, "work": work, "raw": raw}
    con.close()


def columns(con, relation: str) -> list[tuple[str, str]]:
    return [(row[0], row[1]) for row in con.execute(f"describe {relation}").fetchall()]


@pytest.mark.parametrize("relation", reference_sql.REFERENCE_MODELS)
def test_reference_table_equals_the_dbt_model(both, relation):
    con = both["con"]
    reference, dbt = relation, f"dbt.{relation}"
    assert columns(con, reference) == columns(con, dbt)
    (reference_rows,) = con.execute(f"select count(*) from {reference}").fetchone()
    (dbt_rows,) = con.execute(f"select count(*) from {dbt}").fetchone()
    assert reference_rows == dbt_rows

    exact = [name for name, data_type in columns(con, dbt) if data_type != "DOUBLE"]
    listed = ", ".join(exact)
    for left, right in ((reference, dbt), (dbt, reference)):
        (differing,) = con.execute(
            f"select count(*) from (select {listed} from {left} except all "
            f"select {listed} from {right})"
        ).fetchone()
        assert differing == 0, f"{differing} rows of {left} are not in {right}"

    doubles = [name for name, data_type in columns(con, dbt) if data_type == "DOUBLE"]
    if doubles:
        key = DOUBLE_KEYS[relation.split(".")[-1]]
        mismatches = " or ".join(
            f"not (reference.{name} is not distinct from dbt_model.{name} "
            f"or abs(reference.{name} - dbt_model.{name}) "
            f"<= 1e-9 * greatest(1, abs(dbt_model.{name})))"
            for name in doubles
        )
        (differing,) = con.execute(
            f"select count(*) from {reference} as reference "
            f"full join {dbt} as dbt_model on reference.{key} = dbt_model.{key} "
            f"where reference.{key} is null or dbt_model.{key} is null or {mismatches}"
        ).fetchone()
        assert differing == 0


def test_the_bad_rows_are_quarantined_alike(both):
    con = both["con"]
    reasons = dict(
        con.execute(
            "select quarantine_reason, count(*) from dbt.quarantine.quarantine_core_banking__transactions "
            "group by all"
        ).fetchall()
    )
    assert {reason: reasons.get(reason) for reason in EXPECTED_TRANSACTION_REASONS} == (
        EXPECTED_TRANSACTION_REASONS
    )
    # T_UNKNOWN_ACCOUNT and the transactions of the account delivered twice
    assert reasons["unknown_reference"] >= 2
    # B_NONAME; C_NOSINCE, C_BRANCH, C_INCOME, C_OLD; both versions, A_NOCUSTOMER, A_RATE,
    # A_FUTURE
    for table, expected in (("branches", 1), ("customers", 4), ("accounts", 5)):
        (count,) = con.execute(
            f"select count(*) from dbt.quarantine.quarantine_core_banking__{table}"
        ).fetchone()
        assert count == expected, table
    mapped = con.execute(
        "select direction, transaction_type, channel, merchant_category "
        "from staging.stg_core_banking__transactions where transaction_id = 'T_MAPPED'"
    ).fetchone()
    assert mapped == ("credit", "cash_withdrawal", "online", None)


def test_the_dbt_nodes_timed_are_what_the_reference_builds(both):
    """dbt_sql sums exactly the models whose tables the reference writes, plus the base_
    models whose work the reference does in temporary tables; every parent of those is
    in the set, a seed or a source, or listed as not reproduced."""
    outputs = {relation.split(".")[-1] for relation in reference_sql.REFERENCE_MODELS}
    bases = {f"base_core_banking__{table}" for table in reference_sql.RAW_TABLES}
    assert run_bench.DBT_SQL_MODELS == outputs | bases

    manifest = json.loads((both["work"] / "target" / "manifest.json").read_text())
    nodes = manifest["nodes"]
    timed = {f"model.bankmine.{name}" for name in run_bench.DBT_SQL_MODELS}
    for unique_id in timed:
        for parent in nodes[unique_id]["depends_on"]["nodes"]:
            kind, _, name = parent.split(".", 2)
            assert parent in timed or kind in ("seed", "source") or name in NOT_REPRODUCED, (
                f"{unique_id} reads {parent}, which the reference does not reproduce"
            )


def test_reference_refuses_raw_text_it_would_have_to_parse(tmp_path):
    raw = write_minimal_raw(tmp_path / "raw")
    path = raw / "transactions.parquet"
    table = pq.read_table(path)
    position = table.schema.get_field_index("amount")
    amount_as_text = pa.array([str(value) for value in table.column("amount").to_pylist()])
    pq.write_table(table.set_column(position, "amount", amount_as_text), path)
    with pytest.raises(reference_sql.ReferenceError, match="transactions.amount"):
        reference_sql.run_reference(raw, tmp_path / "reference.duckdb")
