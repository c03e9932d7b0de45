"""``bankmine validate``: check a raw folder against the raw-data contract.

Checks are structural: can each file be read, are the required tables and
columns there, can every value be read as the contract type. Row-level
problems (null keys, duplicates, unknown references, out-of-range values,
future dates) are dbt's job: staging sends those rows to quarantine. Null
and duplicate primary keys are still counted here as warnings.

Everything runs in an in-memory DuckDB connection over the files; tables are
never loaded into Python.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from bankmine.contract import Column, Table, find_project_dir, load_contract, project_vars
from bankmine.rawfiles import (
    KINDS,
    RawSource,
    empty_table_folder,
    find_table_files,
    quote_ident,
    read_sql,
    resolve_renames,
    select_sql,
    sql_string,
)

ERROR, WARNING, INFO = "error", "warning", "info"

# Text dates accepted besides ISO (overridden by dbt var raw_date_formats or
# csv_options['date_formats']).
DEFAULT_DATE_FORMATS = ["%Y%m%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%y%m%d"]
ISO_PATTERN = (
    r"\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|UTC|[+-]\d{2}(:?\d{2})?)?"
)
TEXT_TIMESTAMP_PATTERN = r"[^ T]+([ T]([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d([.,]\d+)?)?)?"
TRUE_FALSE = ("true", "false", "t", "f", "1", "0", "y", "n", "yes", "no")
MAX_EXAMPLE_LEN = 40

_INT_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
}
_FLOAT_TYPES = {"FLOAT", "DOUBLE", "REAL"}


@dataclass
class Problem:
    table: str | None
    file: str | None
    column: str | None
    kind: str
    count: int | None
    message: str  # the full report line, file and column included
    severity: str = ERROR
    examples: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


class ValidationResult(list):
    """A list of Problems that also remembers which raw folder was checked."""

    def __init__(self, raw_dir: str | os.PathLike, problems: Iterable[Problem] = ()):
        super().__init__(problems)
        self.raw_dir = str(raw_dir)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self if p.severity == WARNING]

    @property
    def infos(self) -> list[Problem]:
        return [p for p in self if p.severity == INFO]

    @property
    def ok(self) -> bool:
        return not self.errors


# --------------------------------------------------------------------------
# options


def _plain(value: Any) -> Any:
    """A dbt var value, or None when it is Jinja we cannot render."""
    if isinstance(value, str) and ("{{" in value or "{%" in value):
        return None
    return value


def resolve_options(
    project_dir: str | os.PathLike | None,
    aliases: Mapping[str, Mapping[str, str]] | None,
    csv_options: Mapping[str, Any] | None,
) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    """CSV options and aliases: explicit arguments over dbt_project.yml vars."""
    pvars = project_vars(project_dir) if project_dir is not None else {}
    opts: dict[str, Any] = {
        "delimiter": _plain(pvars.get("raw_csv_delimiter")),
        "encoding": _plain(pvars.get("raw_csv_encoding")) or "utf-8",
        "decimal_separator": _plain(pvars.get("raw_decimal_separator")) or ".",
        "date_formats": _plain(pvars.get("raw_date_formats")) or DEFAULT_DATE_FORMATS,
    }
    given = dict(csv_options or {})
    if "delim" in given and "delimiter" not in given:
        given["delimiter"] = given.pop("delim")
    opts.update({k: v for k, v in given.items() if v is not None or k == "delimiter"})
    if isinstance(opts["date_formats"], str):
        opts["date_formats"] = [opts["date_formats"]]
    if aliases is None:
        aliases = _plain(pvars.get("raw_column_aliases")) or {}
    if not isinstance(aliases, Mapping):
        aliases = {}
    norm = {
        str(t).lower(): {str(k): str(v) for k, v in (m or {}).items()} for t, m in aliases.items()
    }
    return opts, norm


# --------------------------------------------------------------------------
# type checks


def _physical_class(duck_type: str) -> str:
    t = duck_type.strip().upper()
    if t in {'"NULL"', "NULL"}:
        return "null"
    if t.endswith("]") or t.startswith(("STRUCT", "MAP", "UNION")):
        return "nested"
    if t == "VARCHAR" or t.startswith("VARCHAR"):
        return "varchar"
    if t in _INT_TYPES:
        return "int"
    if t.startswith("DECIMAL"):
        inner = t[t.find("(") + 1 : t.rfind(")")] if "(" in t else ""
        parts = [p.strip() for p in inner.split(",")]
        if len(parts) == 2 and parts[1] == "0":
            return "int"
        return "float"
    if t in _FLOAT_TYPES:
        return "float"
    if t == "BOOLEAN":
        return "boolean"
    if t == "DATE":
        return "date"
    if t.startswith("TIMESTAMP"):
        return "timestamp"
    if t == "UUID":
        return "uuid"
    if t == "BLOB":
        return "blob"
    return "other"  # TIME, INTERVAL, BIT, ENUM ...


def _decimal_cast_type(column: Column) -> str:
    t = column.data_type.strip().upper()
    return t if t.startswith(("DECIMAL", "NUMERIC")) and "(" in t else "DECIMAL(38,10)"


def _formats_sql(formats: list[str]) -> str:
    return "[" + ", ".join(sql_string(f) for f in formats) + "]"


def _bad_text_predicate(v: str, category: str, column: Column, opts: Mapping[str, Any]) -> str:
    """SQL true when the non-empty text value ``v`` cannot be read as ``category``."""
    date_formats = list(opts.get("date_formats") or DEFAULT_DATE_FORMATS)
    num = f"replace({v}, ',', '.')" if opts.get("decimal_separator") == "," else v
    if category == "integer":
        return f"try_cast({v} AS BIGINT) IS NULL"
    if category == "decimal":
        return f"try_cast({num} AS {_decimal_cast_type(column)}) IS NULL"
    if category == "double":
        return f"try_cast({num} AS DOUBLE) IS NULL"
    if category == "boolean":
        values = ", ".join(sql_string(x) for x in TRUE_FALSE)
        return f"lower({v}) NOT IN ({values})"
    # DuckDB's own casts are lenient ('31/02/20' casts to the date 0031-02-20),
    # so only ISO-shaped text goes through them.
    iso = (
        f"(regexp_full_match({v}, {sql_string(ISO_PATTERN)})"
        f" AND (try_cast({v} AS TIMESTAMP) IS NOT NULL"
        f" OR try_cast({v} AS TIMESTAMPTZ) IS NOT NULL))"
    )
    fmts = _formats_sql(date_formats)
    if category == "date":
        non_iso_ok = f"try_strptime({v}, {fmts}) IS NOT NULL"
    elif category == "timestamp":
        # a text date in one of the formats, then optionally a time of day
        non_iso_ok = (
            f"regexp_full_match({v}, {sql_string(TEXT_TIMESTAMP_PATTERN)})"
            f" AND try_strptime(regexp_extract({v}, '^[^ T]+'), {fmts}) IS NOT NULL"
        )
    else:
        raise ValueError(category)
    # CASE evaluates the costlier format parsing only for rows that need it.
    return f"CASE WHEN {iso} THEN false WHEN {non_iso_ok} THEN false ELSE true END"
    raise ValueError(category)


_COMPATIBLE = {
    # contract category -> physical classes stored as-is (no value check)
    "text": {
        "varchar",
        "int",
        "float",
        "boolean",
        "date",
        "timestamp",
        "uuid",
        "blob",
        "other",
        "null",
    },
    "integer": {"int", "null"},
    "decimal": {"int", "float", "null"},
    "double": {"int", "float", "null"},
    "boolean": {"boolean", "null"},
    "date": {"date", "timestamp", "null"},
    "timestamp": {"timestamp", "date", "null"},
}


def _type_check(column: Column, duck_type: str, opts: Mapping[str, Any]) -> tuple[str, str | None]:
    """('ok'|'wrong'|'values', bad-value SQL predicate for 'values')."""
    category = column.type_category
    phys = _physical_class(duck_type)
    x = quote_ident(column.name)
    if phys in _COMPATIBLE[category]:
        return "ok", None
    if phys == "varchar":
        v = f"nullif(trim({x}), '')"
        return "values", f"{v} IS NOT NULL AND ({_bad_text_predicate(v, category, column, opts)})"
    if category == "integer" and phys == "float":
        return "values", f"{x} IS NOT NULL AND {x} <> round({x})"
    if category == "boolean" and phys == "int":
        return "values", f"{x} IS NOT NULL AND {x} NOT IN (0, 1)"
    if category == "date" and phys == "int":
        fmts = _formats_sql(list(opts.get("date_formats") or DEFAULT_DATE_FORMATS))
        return "values", f"{x} IS NOT NULL AND try_strptime(CAST({x} AS VARCHAR), {fmts}) IS NULL"
    return "wrong", None


_VALUE_WORDS = {
    "text": "text",
    "integer": "integer",
    "decimal": "number",
    "double": "number",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
}

_TYPE_WORDS = {
    "text": "text",
    "integer": "an integer",
    "decimal": "a number",
    "double": "a number",
    "boolean": "a boolean",
    "date": "a date",
    "timestamp": "a timestamp",
}


# --------------------------------------------------------------------------
# helpers


def _error_text(exc: BaseException) -> str:
    """First line of a DuckDB error (plus the explaining line of CSV errors)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    first = lines[0]
    if "Error when sniffing file" in first and len(lines) > 1:
        return f"{first} {lines[1]} (check the delimiter, quoting and encoding)"
    if "CSV Error" in first:
        for line in lines[1:]:
            if not line.startswith(("Original Line", "Possible Solution", "file =")):
                return f"{first}: {line}"
            if line.startswith("Possible Solution"):
                break
    return first


def _example(value: Any) -> str:
    text = str(value)
    if len(text) > MAX_EXAMPLE_LEN:
        text = text[: MAX_EXAMPLE_LEN - 3] + "..."
    return repr(text)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _describe(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[str, str]]:
    rows = con.execute(f"DESCRIBE {sql}").fetchall()
    return [(r[0], r[1]) for r in rows]


class _TableCheck:
    def __init__(self, con, table: Table, source: RawSource, opts, table_aliases, out):
        self.con = con
        self.table = table
        self.source = source
        self.opts = opts
        self.table_aliases = table_aliases
        self.out: list[Problem] = out

    def add(
        self, kind, message, *, file=None, column=None, count=None, severity=ERROR, examples=None
    ):
        self.out.append(
            Problem(
                table=self.table.name,
                file=file or self.source.label,
                column=column,
                kind=kind,
                count=count,
                message=message,
                severity=severity,
                examples=examples or [],
            )
        )

    def run(self) -> None:
        t, src = self.table, self.source
        # 1. each file on its own: readable? which columns?
        per_file: dict[Path, list[tuple[str, str]]] = {}
        for f in src.files:
            try:
                per_file[f] = _describe(
                    self.con, f"SELECT * FROM {read_sql([f], src.kind, self.opts)}"
                )
            except duckdb.Error as exc:
                label = src.file_label(f)
                self.add(
                    "unreadable_file", f"{label}: cannot be read: {_error_text(exc)}", file=label
                )
        readable = [f for f in src.files if f in per_file]
        if not readable:
            return
        # 2. the union of the readable files
        if len(readable) == len(src.files) == 1:
            union_cols = per_file[readable[0]]
        else:
            src = RawSource(table=t.name, kind=src.kind, files=readable, folder=src.folder)
            self.source = src
            try:
                union_cols = _describe(self.con, f"SELECT * FROM {src.read_sql(self.opts)}")
            except duckdb.Error as exc:
                self.add(
                    "unreadable_file",
                    f"{src.label}: files cannot be read together: {_error_text(exc)}",
                )
                return
        renames = resolve_renames([c for c, _ in union_cols], self.table_aliases)
        cols: dict[str, tuple[str, str]] = {}  # lower contract-side name -> (name, type)
        for name, typ in union_cols:
            final = renames.get(name, name)
            if final.lower() in cols:
                self.add(
                    "duplicate_column",
                    f"{src.label}: column {final}: appears more than once"
                    " (check the column aliases)",
                    column=final,
                )
                continue
            cols[final.lower()] = (final, typ)
        # 3. required columns, per file
        contract = {c.name.lower(): c for c in t.columns}
        single_column_csv = src.kind == "csv" and len(union_cols) == 1
        for c in t.columns:
            if not c.required:
                continue
            lacking = [
                f
                for f in readable
                if c.name.lower()
                not in {
                    resolve_renames([n for n, _ in per_file[f]], self.table_aliases)
                    .get(n, n)
                    .lower()
                    for n, _ in per_file[f]
                }
            ]
            if not lacking:
                continue
            hint = " (is the CSV delimiter right?)" if single_column_csv else ""
            if len(lacking) == len(readable):
                self.add(
                    "missing_column",
                    f"{src.label}: column {c.name}: required column is missing{hint}",
                    column=c.name,
                    count=len(lacking),
                )
            else:
                names = ", ".join(src.file_label(f) for f in lacking[:3])
                self.add(
                    "missing_column",
                    f"{src.label}: column {c.name}: required column is missing in "
                    f"{len(lacking)} of {len(readable)} files (e.g. {names})",
                    column=c.name,
                    count=len(lacking),
                )
        extra = [name for low, (name, _typ) in cols.items() if low not in contract]
        if extra:
            word = "column" if len(extra) == 1 else "columns"
            self.add(
                "extra_column",
                f"{src.label}: {word} {', '.join(extra)}: not in the contract, ignored",
                column=", ".join(extra),
                count=len(extra),
                severity=INFO,
            )
        # 4. types
        value_checks: list[tuple[Column, str]] = []
        for c in t.columns:
            if c.name.lower() not in cols:
                continue
            _name, typ = cols[c.name.lower()]
            verdict, predicate = _type_check(c, typ, self.opts)
            if verdict == "wrong":
                self.add(
                    "wrong_type",
                    f"{src.label}: column {c.name}: stored as {typ}, which cannot hold "
                    f"{_TYPE_WORDS[c.type_category]} (contract type {c.data_type})",
                    column=c.name,
                )
            elif verdict == "values":
                value_checks.append((c, predicate))
        # 5. one scan: row count, bad values, primary key
        relation = f"({select_sql(src, self.opts, renames)}) AS raw_rows"
        exprs = ["count(*)"]
        exprs += [f"count_if({pred})" for _c, pred in value_checks]
        pk = [k for k in t.primary_key_columns if k.lower() in cols]
        pk_ok = bool(pk) and len(pk) == len(t.primary_key_columns)
        if pk_ok:
            parts = [f"nullif(trim(CAST({quote_ident(k)} AS VARCHAR)), '')" for k in pk]
            key = parts[0] if len(parts) == 1 else f"row({', '.join(parts)})"
            any_null = " OR ".join(f"{p} IS NULL" for p in parts)
            exprs += [
                f"count_if({any_null})",
                (
                    f"count_if(NOT ({any_null})) - count(DISTINCT CASE WHEN NOT ({any_null}) "
                    f"THEN {key} END)"
                ),
            ]
        # Touch every column so that parse errors anywhere in the file surface.
        exprs.append("count(COLUMNS(*))")
        try:
            row = self.con.execute(f"SELECT {', '.join(exprs)} FROM {relation}").fetchone()
        except duckdb.Error as exc:
            self._report_scan_failure(exc)
            return
        n_rows = row[0]
        if n_rows == 0:
            if t.required:
                self.add(
                    "empty_table", f"{src.label}: required table {t.name} has no rows", count=0
                )
            else:
                self.add(
                    "empty_table",
                    f"{src.label}: optional table {t.name} has no rows",
                    count=0,
                    severity=INFO,
                )
            return
        for i, (c, pred) in enumerate(value_checks, start=1):
            bad = row[i]
            if not bad:
                continue
            examples = [
                _example(r[0])
                for r in self.con.execute(
                    f"SELECT DISTINCT CAST({quote_ident(c.name)} AS VARCHAR) AS v "
                    f"FROM {relation} WHERE {pred} ORDER BY v LIMIT 3"
                ).fetchall()
            ]
            word = _VALUE_WORDS[c.type_category]
            verb = "value cannot" if bad == 1 else "values cannot"
            hint = ""
            if (
                c.type_category in {"decimal", "double"}
                and self.opts.get("decimal_separator") != ","
                and any("," in e for e in examples)
            ):
                hint = "; if the file uses a decimal comma, set the decimal separator to ','"
            self.add(
                "unparsable_value",
                f"{src.label}: column {c.name}: {bad} {verb} be read as {word}"
                f" (e.g. {', '.join(examples)}){hint}",
                column=c.name,
                count=bad,
                examples=examples,
            )
        if pk_ok:
            nulls, dups = row[len(value_checks) + 1], row[len(value_checks) + 2]
            key_name = ", ".join(pk)
            if nulls:
                self.add(
                    "null_primary_key",
                    f"{src.label}: column {key_name}: {_plural(nulls, 'row')} without a "
                    "primary key (dbt will quarantine them)",
                    column=key_name,
                    count=nulls,
                    severity=WARNING,
                )
            if dups:
                self.add(
                    "duplicate_primary_key",
                    f"{src.label}: column {key_name}: {_plural(dups, 'row')} repeat a "
                    "primary key already seen (dbt will quarantine them)",
                    column=key_name,
                    count=dups,
                    severity=WARNING,
                )

    def _report_scan_failure(self, exc: duckdb.Error) -> None:
        src = self.source
        if len(src.files) > 1:
            found = False
            for f in src.files:
                try:
                    self.con.execute(
                        f"SELECT count(COLUMNS(*)) FROM {read_sql([f], src.kind, self.opts)}"
                    ).fetchall()
                except duckdb.Error as file_exc:
                    found = True
                    label = src.file_label(f)
                    self.add(
                        "unreadable_file",
                        f"{label}: cannot be read: {_error_text(file_exc)}",
                        file=label,
                    )
            if found:
                return
        self.add("unreadable_file", f"{src.label}: cannot be read: {_error_text(exc)}")


def _unknown_entries(raw: Path, tables: list[Table]) -> list[Problem]:
    names = {t.name.lower() for t in tables}
    out = []
    for p in sorted(raw.iterdir()):
        if p.name.startswith((".", "_")):
            continue
        low = p.name.lower()
        stem = low
        for kind in KINDS:
            if low.endswith("." + kind):
                stem = low[: -len(kind) - 1]
        if p.is_file() and stem == low:
            continue  # not a data file (README, manifest ...)
        if stem not in names:
            what = "folder" if p.is_dir() else "file"
            out.append(
                Problem(
                    table=None,
                    file=p.name + ("/" if p.is_dir() else ""),
                    column=None,
                    kind="unknown_file",
                    count=None,
                    severity=INFO,
                    message=f"{p.name}: {what} matches no contract table, ignored",
                )
            )
    return out


def validate_folder(
    raw_dir: str | os.PathLike,
    project_dir: str | os.PathLike | None = None,
    aliases: Mapping[str, Mapping[str, str]] | None = None,
    csv_options: Mapping[str, Any] | None = None,
) -> ValidationResult:
    """Check every contract table of ``project_dir`` against ``raw_dir``.

    aliases: {table: {raw_column_name: contract_column_name}}; default: the
    dbt var raw_column_aliases. csv_options: delimiter (None = detect),
    encoding, decimal_separator ('.' or ','), date_formats; defaults from
    the dbt vars raw_csv_delimiter, raw_csv_encoding, raw_decimal_separator
    and raw_date_formats.
    """
    raw = Path(raw_dir)
    result = ValidationResult(raw)
    if not raw.exists():
        result.append(
            Problem(None, None, None, "missing_folder", None, f"raw folder {raw} does not exist")
        )
        return result
    if not raw.is_dir():
        result.append(
            Problem(
                None, None, None, "missing_folder", None, f"raw folder {raw} is not a directory"
            )
        )
        return result
    project = Path(project_dir) if project_dir is not None else find_project_dir()
    tables = load_contract(project)
    opts, alias_map = resolve_options(project, aliases, csv_options)
    con = duckdb.connect(":memory:")
    try:
        for t in tables:
            source = find_table_files(raw, t.name)
            if source is None:
                empty = empty_table_folder(raw, t.name)
                where = (
                    f"folder {empty.name}/ holds no .parquet or .csv files"
                    if empty
                    else f"expected {t.name}.parquet, {t.name}.csv or a folder {t.name}/"
                )
                if t.required:
                    result.append(
                        Problem(
                            t.name,
                            None,
                            None,
                            "missing_table",
                            None,
                            f"{t.name}: required table is missing ({where})",
                        )
                    )
                else:
                    result.append(
                        Problem(
                            t.name,
                            None,
                            None,
                            "missing_table",
                            None,
                            f"{t.name}: optional table not provided",
                            severity=INFO,
                        )
                    )
                continue
            _TableCheck(con, t, source, opts, alias_map.get(t.name.lower()), result).run()
    finally:
        con.close()
    result.extend(_unknown_entries(raw, tables))
    return result


def format_report(
    problems: Iterable[Problem], raw_dir: str | os.PathLike | None = None, show_info: bool = True
) -> str:
    """One line per problem grouped by table (errors and warnings first, then
    notes), and a summary line: 'N problems in RAW_DIR' or 'raw folder RAW_DIR
    matches the contract'."""
    where = raw_dir if raw_dir is not None else getattr(problems, "raw_dir", "the raw folder")
    problems = list(problems)
    lines: list[str] = []

    def grouped(selected: list[Problem]) -> None:
        order: dict[str | None, list[Problem]] = {}
        for p in selected:
            order.setdefault(p.table, []).append(p)
        for items in order.values():
            for p in sorted(items, key=lambda p: p.severity != ERROR):
                lines.append(("" if p.severity == ERROR else f"{p.severity}: ") + p.message)

    grouped([p for p in problems if p.severity != INFO])
    if show_info:
        infos = [p for p in problems if p.severity == INFO]
        optional = [p.table for p in infos if p.kind == "missing_table"]
        grouped([p for p in infos if p.kind != "missing_table"])
        if optional:
            lines.append("info: optional tables not provided: " + ", ".join(map(str, optional)))
    n_err = sum(p.severity == ERROR for p in problems)
    n_warn = sum(p.severity == WARNING for p in problems)
    extra = f" ({_plural(n_warn, 'warning')})" if n_warn else ""
    if n_err:
        lines.append(f"{_plural(n_err, 'problem')} in {where}{extra}")
    else:
        lines.append(f"raw folder {where} matches the contract{extra}")
    return "\n".join(lines)


def exit_code(problems: Iterable[Problem]) -> int:
    """1 when any problem is an error, else 0."""
    return 1 if any(p.severity == ERROR for p in problems) else 0
