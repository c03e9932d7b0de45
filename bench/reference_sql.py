"""Reference run: the heaviest transformations of the dbt project as plain DuckDB SQL.

A hand-optimised baseline the benchmark times against dbt (phases reference_sql and
dbt_sql): the SQL files in bench/reference/, run in name order in one DuckDB
connection, read the raw Parquet parts and the seed CSV files directly (no dbt, no
Jinja) and write the tables of the dbt models listed in REFERENCE_MODELS, under the
same schema and table names, into their own DuckDB file.

Parameters reach the SQL as DuckDB variables (getvariable): the raw files of each
table, the seeds folder, and the dbt vars the models read, resolved as the dbt build
resolves them by default (dbt_project.yml; raw_latest_valid_date null means the day
of the run, in UTC; as_of_date null means the last staged transaction date).
Connection settings are those of profiles.yml: memory_limit (BANKMINE_MEMORY_LIMIT,
6GB), temp_directory (BANKMINE_TEMP_DIR, else <db>.tmp), preserve_insertion_order
false. DuckDB's thread count is left at its default, as dbt-duckdb leaves it (the
profile's `threads` is how many models dbt runs at once, not a DuckDB setting).

The SQL reads Parquet in the contract's types (what `bankmine generate` writes); a
raw folder of CSV files or of text columns needs dbt's parsing, and the script stops
with a message instead of computing something else.

    python bench/reference_sql.py --raw data/raw --db build/reference.duckdb \
        [--as-of-date 2026-09-30] [--latest-valid-date 2026-10-01]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

import duckdb
import yaml

ROOT = Path(__file__).resolve().parents[1]
SQL_DIR = Path(__file__).resolve().parent / "reference"
RAW_TABLES = ("branches", "customers", "accounts", "transactions")
# schema.table written by the reference, each the output of the dbt model of that name
REFERENCE_MODELS = (
    "staging.stg_core_banking__branches",
    "staging.stg_core_banking__customers",
    "staging.stg_core_banking__accounts",
    "staging.stg_core_banking__transactions",
    "quarantine.quarantine_core_banking__branches",
    "quarantine.quarantine_core_banking__customers",
    "quarantine.quarantine_core_banking__accounts",
    "quarantine.quarantine_core_banking__transactions",
    "intermediate.int_as_of_date",
    "intermediate.int_calendar_months",
    "intermediate.int_transactions_enriched",
    "intermediate.int_account_months",
    "intermediate.int_customer_months",
    "intermediate.int_aml_transactions",
    "intermediate.int_customer_rfm",
    "intermediate.int_aml_customer_weeks",
)


class ReferenceError(Exception):
    """The raw folder is not one the reference can read."""


def dbt_vars(project_dir: Path = ROOT) -> dict:
    return yaml.safe_load((project_dir / "dbt_project.yml").read_text()).get("vars", {})


def raw_files(raw: Path, table: str) -> list[str]:
    """<raw>/<table>.parquet, else the Parquet parts of <raw>/<table>/ (as dbt's
    register_raw_tables finds them, so source_file spells the same paths)."""
    single = raw / f"{table}.parquet"
    if single.exists():
        return [str(single)]
    parts = sorted(str(part) for part in (raw / table).glob("*.parquet"))
    if not parts:
        raise ReferenceError(f"{table}: no {table}.parquet or {table}/*.parquet in {raw}")
    return parts


def check_types(con: duckdb.DuckDBPyConnection, files: dict[str, list[str]]) -> None:
    """Every contract column present in the Parquet with the contract's type: the SQL
    uses the native values and never parses text."""
    from bankmine.contract import load_contract

    problems = []
    for table in load_contract(ROOT):
        if table.name not in files:
            continue
        described = con.execute(
            "describe select * from read_parquet(?, union_by_name = true)", [files[table.name]]
        ).fetchall()
        types = {name.lower(): column_type.lower() for name, column_type, *_ in described}
        for column in table.columns:
            found = types.get(column.name)
            if found != column.data_type.lower().replace(" ", ""):
                problems.append(
                    f"{table.name}.{column.name}: {found} (contract {column.data_type})"
                )
    if problems:
        raise ReferenceError("raw Parquet not in the contract types:\n  " + "\n  ".join(problems))


def sql_literal(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ", ".join(sql_literal(item) for item in value) + "]"
    if isinstance(value, dt.date):
        return f"date '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


def parse_date(text) -> dt.date | None:
    if text in (None, ""):
        return None
    return text if isinstance(text, dt.date) else dt.date.fromisoformat(str(text))


def run_reference(
    raw: Path,
    db: Path,
    *,
    as_of_date: dt.date | None = None,
    latest_valid_date: dt.date | None = None,
    bank_country_code: str | None = None,
    seeds: Path = ROOT / "seeds",
    verbose: bool = False,
) -> dict[str, float]:
    """Build the reference tables into db; return seconds per SQL file."""
    defaults = dbt_vars()
    raw = Path(str(raw).rstrip("/"))
    as_of_date = as_of_date or parse_date(defaults.get("as_of_date"))
    latest_valid_date = (
        latest_valid_date
        or parse_date(defaults.get("raw_latest_valid_date"))
        or dt.datetime.now(dt.UTC).date()
    )
    bank_country_code = bank_country_code or defaults.get("bank_country_code", "US")
    files = {table: raw_files(raw, table) for table in RAW_TABLES}

    config = {
        "memory_limit": os.environ.get("BANKMINE_MEMORY_LIMIT", "6GB"),
        "temp_directory": os.environ.get("BANKMINE_TEMP_DIR", f"{db}.tmp"),
        "preserve_insertion_order": False,
    }
    con = duckdb.connect(str(db), config=config)
    timings = {}
    try:
        check_types(con, files)
        variables = {
            **{f"{table}_files": parts for table, parts in files.items()},
            "seeds_path": str(seeds),
            "as_of_date": as_of_date,
            "latest_valid_date": latest_valid_date,
            "bank_country_code": bank_country_code,
        }
        for name, value in variables.items():
            literal = sql_literal(value)
            if name.endswith("_date"):
                literal = f"cast({literal} as date)"  # typed even when null
            con.execute(f"set variable {name} = {literal}")
        for script in sorted(SQL_DIR.glob("*.sql")):
            started = time.perf_counter()
            con.execute(script.read_text())
            timings[script.name] = time.perf_counter() - started
            if verbose:
                print(f"[reference] {script.name}: {timings[script.name]:.2f} s", flush=True)
        con.execute("checkpoint")
    finally:
        con.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    raw_default = os.environ.get("BANKMINE_RAW")
    parser.add_argument(
        "--raw",
        type=Path,
        default=raw_default,
        required=raw_default is None,
        help="raw folder (default: BANKMINE_RAW)",
    )
    parser.add_argument("--db", type=Path, required=True, help="DuckDB file to write into")
    parser.add_argument("--as-of-date", type=parse_date, default=None)
    parser.add_argument(
        "--latest-valid-date",
        type=parse_date,
        default=None,
        help="upper bound of the date_in_future check (default: today, UTC, as dbt's run date)",
    )
    parser.add_argument("--bank-country-code", default=None)
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    try:
        run_reference(
            args.raw,
            args.db,
            as_of_date=args.as_of_date,
            latest_valid_date=args.latest_valid_date,
            bank_country_code=args.bank_country_code,
            seeds=args.seeds,
            verbose=not args.quiet,
        )
    except ReferenceError as error:
        sys.exit(f"reference: {error}")
    if not args.quiet:
        print(f"[reference] total {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
