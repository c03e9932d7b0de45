"""Locate a contract table's file(s) in a raw folder and read them with DuckDB.

A table ``t`` is, first match wins: ``<raw>/t.parquet``, ``<raw>/t.csv``, or a
folder ``<raw>/t/`` of ``*.parquet`` (or else ``*.csv``) files. File names
are matched case-insensitively; files starting with ``.`` or ``_`` in a table
folder (``_SUCCESS``, ``.crc``) are ignored.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KINDS = ("parquet", "csv")


@dataclass
class RawSource:
    """Where a table's data lives."""

    table: str
    kind: str  # 'parquet' | 'csv'
    files: list[Path] = field(default_factory=list)
    folder: Path | None = None  # set when the table is a folder of files

    @property
    def label(self) -> str:
        """Short name for messages: ``customers.parquet`` or ``transactions/``."""
        if self.folder is not None:
            return self.folder.name + "/"
        return self.files[0].name if self.files else self.table

    @property
    def glob(self) -> str:
        if self.folder is not None:
            return str(self.folder / f"*.{self.kind}")
        return str(self.files[0])

    def file_label(self, path: Path) -> str:
        if self.folder is not None:
            return f"{self.folder.name}/{path.name}"
        return path.name

    def read_sql(self, csv_options: Mapping[str, Any] | None = None) -> str:
        return read_sql(self.files, self.kind, csv_options)


def _data_files(folder: Path, kind: str) -> list[Path]:
    suffix = "." + kind
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.name.lower().endswith(suffix) and not p.name.startswith((".", "_"))
    )


def find_table_files(raw_dir: str | os.PathLike, table: str) -> RawSource | None:
    """The table's file(s) in ``raw_dir``, or None when there are none."""
    raw = Path(raw_dir)
    if not raw.is_dir():
        return None
    # Exact spelling wins over a case-insensitive match.
    entries = {p.name.lower(): p for p in sorted(raw.iterdir(), reverse=True)}
    name = table.lower()
    for kind in KINDS:
        exact = raw / f"{table}.{kind}"
        path = exact if exact.is_file() else entries.get(f"{name}.{kind}")
        if path is not None and path.is_file():
            return RawSource(table=table, kind=kind, files=[path.resolve()])
    folder = raw / table if (raw / table).is_dir() else entries.get(name)
    if folder is not None and folder.is_dir():
        for kind in KINDS:
            files = _data_files(folder, kind)
            if files:
                return RawSource(
                    table=table,
                    kind=kind,
                    files=[p.resolve() for p in files],
                    folder=folder.resolve(),
                )
    return None


def empty_table_folder(raw_dir: str | os.PathLike, table: str) -> Path | None:
    """A ``<raw>/<table>/`` folder with no data files in it, if there is one."""
    raw = Path(raw_dir)
    if not raw.is_dir():
        return None
    for p in raw.iterdir():
        if (
            p.name.lower() == table.lower()
            and p.is_dir()
            and not any(_data_files(p, kind) for kind in KINDS)
        ):
            return p
    return None


def sql_string(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def quote_ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def read_sql(
    files: list[Path] | list[str], kind: str, csv_options: Mapping[str, Any] | None = None
) -> str:
    """DuckDB table-function expression reading ``files``.

    csv_options: ``delimiter`` (or ``delim``; None = let DuckDB detect it),
    ``encoding`` (default utf-8), ``quote``. Other keys are ignored here.
    """
    file_list = "[" + ", ".join(sql_string(str(f)) for f in files) + "]"
    if kind == "parquet":
        return f"read_parquet({file_list}, union_by_name=true)"
    if kind != "csv":
        raise ValueError(f"unknown raw file kind {kind!r}")
    opts = dict(csv_options or {})
    # skip=0: the header is line 1 (the sniffer may otherwise skip to a wider
    # line further down and take it for the header).
    args = [file_list, "header=true", "skip=0", "all_varchar=true", "union_by_name=true"]
    delim = opts.get("delimiter", opts.get("delim"))
    if delim:
        args.append(f"delim={sql_string(delim)}")
    args.append(f"encoding={sql_string(opts.get('encoding') or 'utf-8')}")
    if opts.get("quote"):
        args.append(f"quote={sql_string(opts['quote'])}")
    return f"read_csv({', '.join(args)})"


def resolve_renames(
    file_columns: list[str], table_aliases: Mapping[str, str] | None
) -> dict[str, str]:
    """Map actual file column names to contract names using an alias mapping
    ``{raw_column_name: contract_column_name}`` (matched case-insensitively)."""
    if not table_aliases:
        return {}
    wanted = {str(k).lower(): str(v) for k, v in table_aliases.items()}
    renames: dict[str, str] = {}
    for col in file_columns:
        target = wanted.get(col.lower())
        if target is not None and target != col:
            renames[col] = target
    return renames


def select_sql(
    source: RawSource,
    csv_options: Mapping[str, Any] | None = None,
    renames: Mapping[str, str] | None = None,
) -> str:
    """A SELECT over the source with file columns renamed to contract names."""
    rename = ""
    if renames:
        pairs = ", ".join(f"{quote_ident(a)} AS {quote_ident(b)}" for a, b in renames.items())
        rename = f" RENAME ({pairs})"
    return f"SELECT *{rename} FROM {source.read_sql(csv_options)}"
