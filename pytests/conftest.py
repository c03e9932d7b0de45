"""Shared fixtures: a minimal raw folder that satisfies the raw-data contract, and the
generated bank the AML tests share."""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bankmine.contract import Column, Table, load_contract

PROJECT_DIR = Path(__file__).resolve().parent.parent

# Rows per required table in the minimal folder.
MINIMAL_ROWS = {"branches": 3, "customers": 4, "accounts": 5, "transactions": 8, "loans": 2}
ID_PREFIX = {"branches": "B", "customers": "C", "accounts": "A", "transactions": "T", "loans": "L"}
CODE_VALUES = {
    "branch_type": "urban",
    "gender": "female",
    "account_product": "current",
    "direction": "credit",
    "transaction_type": "salary",
    "channel": "branch",
    "loan_product": "personal",
    "loan_status": "current",
    "staff_role": "teller",
    "service_type": "cash",
    "contact_channel": "email",
    "feedback_channel": "branch",
    "feedback_type": "survey",
    "complaint_category": "fees",
    "application_decision": "approved",
    "loan_stage": "intake",
}


def arrow_type(column: Column) -> pa.DataType:
    cat = column.type_category
    if cat == "integer":
        return pa.int32()
    if cat == "decimal":
        return pa.decimal128(18, 2)
    if cat == "double":
        return pa.float64()
    if cat == "boolean":
        return pa.bool_()
    if cat == "date":
        return pa.date32()
    if cat == "timestamp":
        return pa.timestamp("us")
    return pa.string()


def _value(table: Table, column: Column, i: int, counts: dict[str, int]):
    if column.name in table.primary_key_columns:
        return f"{ID_PREFIX.get(table.name, table.name[:2].upper())}{i + 1}"
    if column.references:
        parent, _ = column.references.split(".", 1)
        n = counts.get(parent, 1)
        return f"{ID_PREFIX.get(parent, parent[:2].upper())}{i % n + 1}"
    if column.code_set:
        return CODE_VALUES.get(column.code_set, "other")
    cat = column.type_category
    lo = column.min_value if column.min_value is not None else 0
    hi = column.max_value if column.max_value is not None else 1_000_000
    if cat == "integer":
        return int(max(lo, min(hi, 12)))
    if cat in {"decimal", "double"}:
        v = 0.05 if hi <= 1 else max(lo, min(hi, 100.0 + i))
        return Decimal(f"{v:.2f}") if cat == "decimal" else float(v)
    if cat == "boolean":
        return i % 2 == 0
    if cat == "date":
        return dt.date(2020, 1, 1) + dt.timedelta(days=i)
    if cat == "timestamp":
        return dt.datetime(2021, 3, 1, 9, 30) + dt.timedelta(hours=i)
    return f"{column.name}_{i + 1}"


def contract_table(name: str, project_dir: Path = PROJECT_DIR) -> Table:
    return next(t for t in load_contract(project_dir) if t.name == name)


def arrow_rows(table: Table, n_rows: int, counts: dict[str, int] | None = None) -> pa.Table:
    counts = counts or MINIMAL_ROWS
    arrays = {
        c.name: pa.array([_value(table, c, i, counts) for i in range(n_rows)], arrow_type(c))
        for c in table.columns
    }
    return pa.table(arrays)


def write_minimal_raw(raw_dir: Path, project_dir: Path = PROJECT_DIR) -> Path:
    """Write one Parquet file per required contract table into raw_dir."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    for table in load_contract(project_dir):
        if table.required:
            n = MINIMAL_ROWS.get(table.name, 3)
            pq.write_table(arrow_rows(table, n), raw_dir / f"{table.name}.parquet")
    return raw_dir


def _text(value, decimal_comma: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (Decimal, float)):
        text = str(value)
        return text.replace(".", ",") if decimal_comma else text
    return str(value)


def rewrite_as_csv(
    raw_dir: Path,
    table: str,
    *,
    delimiter: str = ",",
    decimal_comma: bool = False,
    overrides: dict[str, list] | None = None,
    encoding: str = "utf-8",
) -> Path:
    """Replace <table>.parquet by <table>.csv with the same rows (as text).

    overrides: {column: [text values]} replaces a column's values (the list
    may be longer than the table; extra rows copy the last row)."""
    parquet = raw_dir / f"{table}.parquet"
    data = pq.read_table(parquet).to_pylist()
    overrides = overrides or {}
    n = max([len(data)] + [len(v) for v in overrides.values()])
    columns = list(data[0].keys()) if data else []
    path = raw_dir / f"{table}.csv"
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(columns)
        for i in range(n):
            row = data[min(i, len(data) - 1)]
            out = []
            for c in columns:
                if c in overrides and i < len(overrides[c]):
                    out.append(overrides[c][i])
                else:
                    out.append(_text(row[c], decimal_comma))
            writer.writerow(out)
    parquet.unlink()
    return path


@pytest.fixture
def project_dir() -> Path:
    return PROJECT_DIR


@pytest.fixture
def minimal_raw(tmp_path: Path) -> Path:
    """A raw folder holding a small valid Parquet file for every required table."""
    return write_minimal_raw(tmp_path / "raw")


# --- the AML bank: generated and built once per session ---------------------------------

AML_BANK = {"customers": 3000, "months": 12, "seed": 42}
AML_SELECT = ["--select", "+fct_aml_alerts", "+fct_aml_cases", "+fct_compliance_monthly"]


def run_dbt(*args: str, raw: Path, db: Path, work: Path, check: bool = True) -> int:
    """dbt with the project, raw folder and warehouse given; target and logs under work.
    Fails the test when dbt fails, unless check is false; returns dbt's exit code."""
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "BANKMINE_RAW": str(raw),
        "BANKMINE_DB": str(db),
    }
    dbt_bin = str(Path(sys.executable).parent / "dbt")
    paths = ["--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    result = subprocess.run(
        [dbt_bin, *args, *paths],
        check=False,
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 or not check, result.stdout[-4000:]
    return result.returncode


@pytest.fixture(scope="session")
def aml_bank(tmp_path_factory) -> dict:
    """3,000 customers x 12 months (seed 42) with the AML marts and everything they read
    (the anomaly score included), shared by test_aml and test_aml_anomaly."""
    from bankmine.generator import generate

    work = tmp_path_factory.mktemp("aml")
    generate(
        customers=AML_BANK["customers"],
        months=AML_BANK["months"],
        seed=AML_BANK["seed"],
        out_dir=work / "data",
    )
    raw, truth, db = work / "data" / "raw", work / "data" / "truth", work / "full.duckdb"
    run_dbt("seed", raw=raw, db=db, work=work)
    run_dbt("run", *AML_SELECT, raw=raw, db=db, work=work)
    return {"work": work, "raw": raw, "truth": truth, "db": db}
