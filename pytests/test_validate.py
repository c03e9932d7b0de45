"""Tests for the raw-data contract loader and `bankmine validate` checks."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import arrow_rows, contract_table, rewrite_as_csv

from bankmine.contract import find_project_dir, load_contract
from bankmine.rawfiles import find_table_files
from bankmine.validate import ERROR, INFO, WARNING, exit_code, format_report, validate_folder

EXPECTED_KEYS = {
    "branches": "branch_id",
    "customers": "customer_id",
    "accounts": "account_id",
    "transactions": "transaction_id",
    "loans": "loan_id",
    "loan_schedule": "installment_id",
    "loan_applications": "application_id",
    "application_stages": "stage_event_id",
    "campaigns": "campaign_id",
    "campaign_contacts": "contact_id",
    "customer_feedback": "feedback_id",
    "staff": "staff_id",
    "service_tickets": "ticket_id",
    "staff_shifts": "shift_id",
    "operating_costs": "cost_entry_id",
}
REQUIRED = {"branches", "customers", "accounts", "transactions", "loans"}


def errors(result, kind=None):
    return [p for p in result if p.severity == ERROR and (kind is None or p.kind == kind)]


def only_error(result, kind):
    found = errors(result)
    assert len(found) == 1, format_report(result)
    assert found[0].kind == kind, format_report(result)
    return found[0]


def rewrite_parquet(raw: Path, table: str, change) -> None:
    path = raw / f"{table}.parquet"
    pq.write_table(change(pq.read_table(path)), path)


# -- contract -------------------------------------------------------------


def test_load_contract_finds_every_table_with_its_primary_key(project_dir):
    tables = {t.name: t for t in load_contract(project_dir)}
    assert {name: t.primary_key for name, t in tables.items()} == EXPECTED_KEYS
    assert {name for name, t in tables.items() if t.required} == REQUIRED
    amount = tables["transactions"].column("amount")
    assert amount.required and amount.not_null and amount.min_value == 0.01
    assert amount.data_type == "decimal(18,2)" and amount.type_category == "decimal"
    assert tables["accounts"].column("customer_id").references == "customers.customer_id"
    assert tables["customers"].column("first_name").pii
    assert tables["loan_schedule"].column("due_date").may_be_future
    assert tables["transactions"].column("direction").code_set == "direction"
    assert tables["transactions"].source == "core_banking"
    for t in tables.values():
        assert t.column(t.primary_key).required


def test_load_contract_accepts_top_level_meta(tmp_path):
    folder = tmp_path / "models" / "staging" / "x"
    folder.mkdir(parents=True)
    (folder / "_x__sources.yml").write_text(
        "version: 2\nsources:\n  - name: x\n    tables:\n      - name: things\n"
        "        meta: {required: true, primary_key: thing_id}\n        columns:\n"
        "          - name: thing_id\n            data_type: varchar\n"
        "            meta: {required: true}\n"
    )
    (table,) = load_contract(tmp_path)
    assert table.required and table.primary_key == "thing_id"
    assert table.columns[0].required


def test_find_project_dir(monkeypatch, tmp_path, project_dir):
    monkeypatch.setenv("BANKMINE_PROJECT_DIR", str(tmp_path))
    assert find_project_dir() == tmp_path.resolve()
    monkeypatch.delenv("BANKMINE_PROJECT_DIR")
    monkeypatch.chdir(project_dir / "models")
    assert find_project_dir() == project_dir


# -- raw files ------------------------------------------------------------


def test_find_table_files_orders_and_folders(tmp_path):
    (tmp_path / "Customers.PARQUET").write_bytes(b"x")
    src = find_table_files(tmp_path, "customers")
    assert src.kind == "parquet" and src.label == "Customers.PARQUET"
    folder = tmp_path / "transactions"
    folder.mkdir()
    (folder / "b.csv").write_text("a\n")
    (folder / "a.csv").write_text("a\n")
    (folder / "_SUCCESS").write_text("")
    src = find_table_files(tmp_path, "transactions")
    assert src.kind == "csv" and [f.name for f in src.files] == ["a.csv", "b.csv"]
    assert src.label == "transactions/"
    assert "read_csv([" in src.read_sql({"delimiter": ";"})
    assert "delim=';'" in src.read_sql({"delimiter": ";"})
    assert find_table_files(tmp_path, "loans") is None


# -- whole folder ---------------------------------------------------------


def test_valid_folder_has_no_errors(minimal_raw, project_dir):
    result = validate_folder(minimal_raw, project_dir)
    assert errors(result) == [], format_report(result)
    assert exit_code(result) == 0
    report = format_report(result)
    assert report.splitlines()[-1] == f"raw folder {minimal_raw} matches the contract"


def test_optional_tables_absent_are_info_only(minimal_raw, project_dir):
    result = validate_folder(minimal_raw, project_dir)
    optional = {p.table for p in result if p.kind == "missing_table"}
    assert optional == set(EXPECTED_KEYS) - REQUIRED
    assert all(p.severity == INFO for p in result)
    assert "optional tables not provided: staff" in format_report(result)


def test_valid_optional_table_is_checked(minimal_raw, project_dir):
    pq.write_table(arrow_rows(contract_table("staff"), 3), minimal_raw / "staff.parquet")
    result = validate_folder(minimal_raw, project_dir)
    assert errors(result) == []
    assert "staff" not in {p.table for p in result if p.kind == "missing_table"}


def test_missing_folder(tmp_path, project_dir):
    result = validate_folder(tmp_path / "nope", project_dir)
    problem = only_error(result, "missing_folder")
    assert "does not exist" in problem.message and "nope" in problem.message
    assert exit_code(result) == 1


def test_raw_path_is_a_file(tmp_path, project_dir):
    (tmp_path / "raw.txt").write_text("x")
    problem = only_error(validate_folder(tmp_path / "raw.txt", project_dir), "missing_folder")
    assert "not a directory" in problem.message


def test_missing_required_table(minimal_raw, project_dir):
    (minimal_raw / "loans.parquet").unlink()
    result = validate_folder(minimal_raw, project_dir)
    problem = only_error(result, "missing_table")
    assert problem.table == "loans"
    assert problem.message.startswith("loans: required table is missing")
    assert format_report(result).splitlines()[-1] == f"1 problem in {minimal_raw}"


def test_empty_table_folder_is_missing(minimal_raw, project_dir):
    (minimal_raw / "loans.parquet").unlink()
    (minimal_raw / "loans").mkdir()
    problem = only_error(validate_folder(minimal_raw, project_dir), "missing_table")
    assert "folder loans/ holds no .parquet or .csv files" in problem.message


def test_missing_required_column(minimal_raw, project_dir):
    rewrite_parquet(minimal_raw, "customers", lambda t: t.drop_columns(["customer_since_date"]))
    problem = only_error(validate_folder(minimal_raw, project_dir), "missing_column")
    assert (problem.file, problem.column) == ("customers.parquet", "customer_since_date")
    assert problem.message == (
        "customers.parquet: column customer_since_date: required column is missing"
    )


def test_missing_optional_column_is_fine(minimal_raw, project_dir):
    rewrite_parquet(minimal_raw, "customers", lambda t: t.drop_columns(["occupation", "email"]))
    assert errors(validate_folder(minimal_raw, project_dir)) == []


def test_extra_column_is_info(minimal_raw, project_dir):
    rewrite_parquet(
        minimal_raw, "branches", lambda t: t.append_column("manager", pa.array(["x", "y", "z"]))
    )
    result = validate_folder(minimal_raw, project_dir)
    assert errors(result) == []
    (extra,) = [p for p in result if p.kind == "extra_column"]
    assert extra.severity == INFO and extra.column == "manager"
    assert "branches.parquet: column manager: not in the contract" in format_report(result)


def test_unreadable_parquet(minimal_raw, project_dir):
    (minimal_raw / "accounts.parquet").write_bytes(b"PAR1 this is not parquet at all PAR1")
    problem = only_error(validate_folder(minimal_raw, project_dir), "unreadable_file")
    assert problem.file == "accounts.parquet"
    assert problem.message.startswith("accounts.parquet: cannot be read: ")
    assert "\n" not in problem.message and "Traceback" not in problem.message


def test_unreadable_csv_wrong_encoding(minimal_raw, project_dir):
    path = rewrite_as_csv(
        minimal_raw, "branches", overrides={"city": ["Zürich"]}, encoding="latin-1"
    )
    problem = only_error(validate_folder(minimal_raw, project_dir), "unreadable_file")
    assert problem.file == path.name
    assert "\n" not in problem.message
    assert "utf-8" in problem.message.lower()


def test_unreadable_file_in_table_folder(minimal_raw, project_dir):
    table = pq.read_table(minimal_raw / "transactions.parquet")
    (minimal_raw / "transactions.parquet").unlink()
    folder = minimal_raw / "transactions"
    folder.mkdir()
    pq.write_table(table.slice(0, 4), folder / "part-0.parquet")
    pq.write_table(table.slice(4), folder / "part-1.parquet")
    assert errors(validate_folder(minimal_raw, project_dir)) == []
    (folder / "part-2.parquet").write_bytes(b"garbage")
    problem = only_error(validate_folder(minimal_raw, project_dir), "unreadable_file")
    assert problem.file == "transactions/part-2.parquet"


def test_required_column_missing_in_one_file_of_a_folder(minimal_raw, project_dir):
    table = pq.read_table(minimal_raw / "transactions.parquet")
    (minimal_raw / "transactions.parquet").unlink()
    folder = minimal_raw / "transactions"
    folder.mkdir()
    pq.write_table(table.slice(0, 4), folder / "part-0.parquet")
    pq.write_table(table.slice(4).drop_columns(["direction"]), folder / "part-1.parquet")
    problem = only_error(validate_folder(minimal_raw, project_dir), "missing_column")
    assert problem.column == "direction" and problem.count == 1
    assert "missing in 1 of 2 files (e.g. transactions/part-1.parquet)" in problem.message


def test_wrong_parquet_type(minimal_raw, project_dir):
    def bool_birth_date(t):
        i = t.schema.get_field_index("birth_date")
        return t.set_column(i, "birth_date", pa.array([True, False, True, False]))

    rewrite_parquet(minimal_raw, "customers", bool_birth_date)
    problem = only_error(validate_folder(minimal_raw, project_dir), "wrong_type")
    assert (problem.file, problem.column) == ("customers.parquet", "birth_date")
    assert "stored as BOOLEAN, which cannot hold a date" in problem.message


def test_integer_ids_and_float_integers_in_parquet(minimal_raw, project_dir):
    def int_ids(t):
        return t.set_column(0, "branch_id", pa.array([1, 2, 3], pa.int64()))

    rewrite_parquet(minimal_raw, "branches", int_ids)

    def float_term(t, values):
        i = t.schema.get_field_index("term_months")
        return t.set_column(i, "term_months", pa.array(values, pa.float64()))

    rewrite_parquet(minimal_raw, "loans", lambda t: float_term(t, [12.0, None]))
    assert errors(validate_folder(minimal_raw, project_dir)) == []
    rewrite_parquet(minimal_raw, "loans", lambda t: float_term(t, [12.5, 6.0]))
    problem = only_error(validate_folder(minimal_raw, project_dir), "unparsable_value")
    assert problem.column == "term_months" and problem.count == 1
    assert "'12.5'" in problem.message


def test_unparsable_dates_in_csv(minimal_raw, project_dir):
    good = ["2020-01-31", "20200131", "31-01-2020", "31.01.2020", "200131", "", "1990-5-7"]
    rewrite_as_csv(
        minimal_raw,
        "customers",
        overrides={
            "birth_date": ["31/02/20", "abc", *good],
            "customer_id": [f"C{i}" for i in range(9)],
        },
    )
    result = validate_folder(minimal_raw, project_dir)
    problem = only_error(result, "unparsable_value")
    assert (problem.file, problem.column, problem.count) == ("customers.csv", "birth_date", 2)
    assert problem.message == (
        "customers.csv: column birth_date: 2 values cannot be read as date (e.g. '31/02/20', 'abc')"
    )
    assert problem.message in format_report(result)


def test_unparsable_timestamps_in_csv(minimal_raw, project_dir):
    values = [
        "2021-03-01 09:30:00",
        "2021-03-01T09:30:00Z",
        "2021-03-01",
        "01.03.2021 09:30",
        "yesterday",
    ]
    rewrite_as_csv(
        minimal_raw,
        "transactions",
        overrides={"transaction_at": values, "transaction_id": [f"T{i}" for i in range(8)]},
    )
    problem = only_error(validate_folder(minimal_raw, project_dir), "unparsable_value")
    assert (problem.column, problem.count) == ("transaction_at", 1)
    assert "cannot be read as timestamp (e.g. 'yesterday')" in problem.message


def test_unparsable_numbers_in_csv(minimal_raw, project_dir):
    rewrite_as_csv(
        minimal_raw,
        "transactions",
        overrides={"amount": ["12.50", "1,5", "x1", "7", "1e3", "", "-3", "0.01"]},
    )
    result = validate_folder(minimal_raw, project_dir)
    problem = only_error(result, "unparsable_value")
    assert (problem.file, problem.column, problem.count) == ("transactions.csv", "amount", 2)
    assert "cannot be read as number (e.g. '1,5', 'x1')" in problem.message
    assert "decimal separator" in problem.message


def test_unparsable_integers_in_csv(minimal_raw, project_dir):
    rewrite_as_csv(minimal_raw, "loans", overrides={"term_months": ["12", "twelve"]})
    problem = only_error(validate_folder(minimal_raw, project_dir), "unparsable_value")
    assert (problem.column, problem.count) == ("term_months", 1)
    assert "cannot be read as integer (e.g. 'twelve')" in problem.message


def test_unparsable_booleans_in_csv(minimal_raw, project_dir):
    rewrite_as_csv(
        minimal_raw, "customers", overrides={"has_marketing_consent": ["Yes", "n", "TRUE", "maybe"]}
    )
    problem = only_error(validate_folder(minimal_raw, project_dir), "unparsable_value")
    assert (problem.column, problem.count) == ("has_marketing_consent", 1)
    assert "cannot be read as boolean (e.g. 'maybe')" in problem.message


def test_empty_required_table(minimal_raw, project_dir):
    rewrite_parquet(minimal_raw, "branches", lambda t: t.slice(0, 0))
    problem = only_error(validate_folder(minimal_raw, project_dir), "empty_table")
    assert problem.file == "branches.parquet" and problem.count == 0
    assert "has no rows" in problem.message


def test_empty_csv_with_header_only(minimal_raw, project_dir):
    path = rewrite_as_csv(minimal_raw, "loans")
    path.write_text(path.read_text().splitlines()[0] + "\n")
    problem = only_error(validate_folder(minimal_raw, project_dir), "empty_table")
    assert problem.file == "loans.csv"


@pytest.mark.parametrize("delimiter", [";", None])
def test_semicolon_csv_with_decimal_comma(minimal_raw, project_dir, delimiter):
    rewrite_as_csv(minimal_raw, "transactions", delimiter=";", decimal_comma=True)
    rewrite_as_csv(minimal_raw, "loans", delimiter=";", decimal_comma=True)
    assert "12,50" not in (minimal_raw / "transactions.csv").read_text()  # sanity: 100,00 etc
    assert "100,00" in (minimal_raw / "transactions.csv").read_text()
    options = {"delimiter": delimiter, "decimal_separator": ","}
    result = validate_folder(minimal_raw, project_dir, csv_options=options)
    assert errors(result) == [], format_report(result)
    # Without the decimal comma setting the amounts are reported.
    result = validate_folder(minimal_raw, project_dir, csv_options={"delimiter": delimiter})
    assert {p.column for p in errors(result, "unparsable_value")} >= {"amount"}


def test_wrong_delimiter_gives_a_hint(minimal_raw, project_dir):
    rewrite_as_csv(minimal_raw, "branches", delimiter=";")
    result = validate_folder(minimal_raw, project_dir, csv_options={"delimiter": ","})
    missing = errors(result, "missing_column")
    assert {p.column for p in missing} == {"branch_id", "branch_name"}
    assert all("delimiter" in p.message for p in missing)


def test_alias_mapping_renames_local_columns(minimal_raw, project_dir):
    local = {"customer_id": "A1", "customer_since_date": "A2", "birth_date": "DATUM_RODJENJA"}
    rewrite_parquet(
        minimal_raw,
        "customers",
        lambda t: t.rename_columns([local.get(n, n) for n in t.column_names]),
    )
    result = validate_folder(minimal_raw, project_dir)
    assert {p.column for p in errors(result, "missing_column")} == {
        "customer_id",
        "customer_since_date",
    }
    aliases = {"customers": {v: k for k, v in local.items()}}
    result = validate_folder(minimal_raw, project_dir, aliases=aliases)
    assert errors(result) == [], format_report(result)
    assert not [p for p in result if p.kind == "extra_column"]


def test_alias_mapping_applies_to_csv_and_value_checks(minimal_raw, project_dir):
    rewrite_as_csv(minimal_raw, "customers", overrides={"birth_date": ["x"]})
    path = minimal_raw / "customers.csv"
    header, rest = path.read_text().split("\n", 1)
    path.write_text(header.replace("birth_date", "dob") + "\n" + rest)
    result = validate_folder(minimal_raw, project_dir, aliases={"customers": {"DOB": "birth_date"}})
    problem = only_error(result, "unparsable_value")
    assert problem.column == "birth_date" and problem.count == 1


def test_null_and_duplicate_primary_keys_are_warnings(minimal_raw, project_dir):
    rewrite_as_csv(
        minimal_raw, "accounts", overrides={"account_id": ["A1", "A1", "", "A4", "A4", "A4"]}
    )
    result = validate_folder(minimal_raw, project_dir)
    assert errors(result) == [] and exit_code(result) == 0
    warnings = {p.kind: p for p in result if p.severity == WARNING}
    assert warnings["null_primary_key"].count == 1
    assert warnings["duplicate_primary_key"].count == 3
    assert "accounts.csv: column account_id" in warnings["duplicate_primary_key"].message
    assert format_report(result).endswith("matches the contract (2 warnings)")


def test_unknown_files_are_info(minimal_raw, project_dir):
    (minimal_raw / "customer.parquet").write_bytes(b"x")
    (minimal_raw / "README.txt").write_text("notes")
    result = validate_folder(minimal_raw, project_dir)
    assert errors(result) == []
    (unknown,) = [p for p in result if p.kind == "unknown_file"]
    assert unknown.file == "customer.parquet"


def test_report_groups_by_table_and_counts(minimal_raw, project_dir):
    (minimal_raw / "loans.parquet").unlink()
    rewrite_parquet(minimal_raw, "customers", lambda t: t.drop_columns(["customer_id"]))
    rewrite_as_csv(minimal_raw, "transactions", overrides={"amount": ["x"]})
    result = validate_folder(minimal_raw, project_dir)
    lines = format_report(result).splitlines()
    assert lines[-1] == f"3 problems in {minimal_raw}"
    assert lines[0] == "customers.parquet: column customer_id: required column is missing"
    assert any(line.startswith("transactions.csv: column amount: 1 value cannot") for line in lines)
    assert "loans: required table is missing" in lines[2]


def test_never_loads_pandas_and_closes_connection(minimal_raw, project_dir, monkeypatch):
    # The checks run in DuckDB: a whole-table fetch to pandas would call .df().
    def refuse(*args, **kwargs):
        raise AssertionError("validate must not load tables into pandas")

    monkeypatch.setattr(duckdb.DuckDBPyConnection, "df", refuse, raising=False)
    monkeypatch.setattr(duckdb.DuckDBPyConnection, "fetchdf", refuse, raising=False)
    assert errors(validate_folder(minimal_raw, project_dir)) == []


def test_unreadable_csv_with_a_malformed_line(minimal_raw, project_dir):
    path = rewrite_as_csv(minimal_raw, "loans")
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, lines[1] + ",extra,fields"]) + "\n")
    result = validate_folder(minimal_raw, project_dir, csv_options={"delimiter": ","})
    problem = only_error(result, "unreadable_file")
    assert problem.file == "loans.csv" and "\n" not in problem.message
