"""Publish the BI serving copy: marts and ml tables in their own DuckDB file.

BI tools never open the warehouse: `dbt build` needs it for writing, and a
DuckDB file open for writing cannot be read by another process. `publish`
copies the `marts` and `ml` schemas (with their table and column comments)
into a NEW file next to the serving file, adds a `publish_manifest` table,
and renames it into place with os.replace. A reader holding the old file
keeps reading the old copy; the next connection opens the new one; nobody
sees a half-built copy and no reader ever holds a lock the build needs.

Whether the warehouse is fit to publish is read from dbt's own record of the
last invocation, `run_results.json` in the target folder, so it works the
same after `bankmine build` and after a plain `dbt build`. See
`check_last_build` for the rules.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from bankmine.errors import BankmineError

PUBLISHED_SCHEMAS = ("marts", "ml")
MANIFEST_TABLE = "publish_manifest"
SERVING_FILE = "serving.duckdb"
# Statuses in run_results.json that mean the build did not go through.
FAILED_STATUSES = {"error", "fail", "runtime error", "skipped"}
# The warehouse file may be touched this long after dbt stamped run_results.json
# (closing the connection checkpoints it); later writes mean another writer.
MTIME_SLACK_SECONDS = 120


@dataclass
class PublishResult:
    serving_path: Path
    source_path: Path
    published_at: datetime
    tables: list[tuple[str, str, int]] = field(default_factory=list)
    parquet_dir: Path | None = None


def default_serving_path(db_path: Path) -> Path:
    """`serving.duckdb` next to the warehouse file (warehouse/serving.duckdb by default)."""
    return Path(db_path).resolve().parent / SERVING_FILE


def default_run_results(project_dir: Path) -> Path:
    """Where dbt writes run_results.json: $DBT_TARGET_PATH or target/, in the project."""
    target = os.environ.get("DBT_TARGET_PATH") or "target"
    return (Path(project_dir) / target / "run_results.json").resolve()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def check_last_build(run_results_path: Path, db_path: Path) -> dict:
    """Refuse (BankmineError) unless the last dbt invocation was a green build of this warehouse.

    Rules, each with its own message:
    - run_results.json exists and is readable;
    - the last dbt command was `build` (seed, run, test, docs... leave no verdict on the marts);
    - no node ended in error, fail, runtime error or skipped (warn is fine);
    - the build wrote to this warehouse: the database in its relation names is the
      warehouse's catalog name (the file name without .duckdb);
    - the warehouse file (and any .wal beside it) was not written after dbt stamped
      run_results.json, which catches a build that was killed before it could record
      anything, and writers other than dbt.
    publish() adds one more: every table it copies was built by that build (see
    built_relations), which catches a build stopped with Ctrl-C (dbt then records only
    the nodes that finished) and tables left over from models dbt no longer builds.
    Returns the run_results metadata.
    """
    run_results_path, db_path = Path(run_results_path), Path(db_path)
    if not run_results_path.exists():
        raise BankmineError(
            f"no record of a dbt build at {run_results_path}: run `bankmine build` (or "
            "`dbt build`) first, or point --run-results at the target folder the build used"
        )
    try:
        results = json.loads(run_results_path.read_text())
        metadata = results["metadata"]
        command = results.get("args", {}).get("which")
        nodes = results["results"]
        generated_at = _parse_time(metadata["generated_at"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BankmineError(f"cannot read {run_results_path}: {error}") from error

    if command != "build":
        raise BankmineError(
            f"the last dbt command recorded in {run_results_path} is `{command}`, not `build`: "
            "run `bankmine build` (or `dbt build`) before publishing"
        )
    failed = [node for node in nodes if node.get("status") in FAILED_STATUSES]
    if failed:
        shown = ", ".join(f"{node['unique_id']} ({node['status']})" for node in failed[:5])
        more = f" and {len(failed) - 5} more" if len(failed) > 5 else ""
        raise BankmineError(
            f"the last dbt build failed ({len(failed)} nodes: {shown}{more}); the serving copy "
            "was left as it was. Fix the build and run it again before publishing"
        )
    catalog = db_path.stem
    databases = {
        node["relation_name"].split(".")[0].strip('"')
        for node in nodes
        if node.get("relation_name") and node["relation_name"].count(".") == 2
    }
    if databases and catalog not in databases:
        raise BankmineError(
            f"the last dbt build ({run_results_path}) wrote to database "
            f"{', '.join(sorted(databases))}, not to this warehouse ({db_path}): "
            "publish the warehouse that was built, or build this one"
        )
    wal = db_path.with_name(db_path.name + ".wal")
    written = max(p.stat().st_mtime for p in (db_path, wal) if p.exists())
    lag = written - generated_at.timestamp()
    if lag > MTIME_SLACK_SECONDS:
        raise BankmineError(
            f"the warehouse {db_path} was written {lag:,.0f} s after the last recorded dbt build "
            f"({metadata['generated_at']}): a build may have been interrupted or something else "
            "wrote to it. Run `bankmine build` (or `dbt build`) again before publishing"
        )
    return metadata


def built_relations(run_results_path: Path) -> set[tuple[str, str]]:
    """(schema, table) of every model the recorded build created successfully."""
    nodes = json.loads(Path(run_results_path).read_text())["results"]
    built = set()
    for node in nodes:
        name = node.get("relation_name") or ""
        if node.get("status") == "success" and name.count(".") == 2:
            _, schema, table = (part.strip('"') for part in name.split("."))
            built.add((schema, table))
    return built


def _published_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str | None]]:
    return con.execute(
        f"""
        select schema_name, table_name, comment
        from duckdb_tables()
        where database_name = 'warehouse'
            and schema_name in ({", ".join(_literal(s) for s in PUBLISHED_SCHEMAS)})
        order by schema_name, table_name
        """
    ).fetchall()


def _copy_tables(
    con: duckdb.DuckDBPyConnection, source: Path, built: set[tuple[str, str]] | None = None
) -> list[tuple[str, str, int]]:
    """Copy marts and ml from the attached warehouse into the open (new) serving file.

    built: the (schema, table) pairs the last build created; any other table refuses.
    """
    con.execute(f"attach {_literal(str(source))} as warehouse (read_only)")
    copied = []
    con.execute("begin transaction")
    tables = _published_tables(con)
    stale = [
        f"{schema}.{table}"
        for schema, table, _ in tables
        if built is not None and (schema, table) not in built
    ]
    if stale:
        raise BankmineError(
            f"{', '.join(stale[:5])}{' and more' if len(stale) > 5 else ''} "
            "not built by the last recorded dbt build (interrupted, run with --select or "
            "--exclude, or left over from a model dbt no longer builds): run a full "
            "`dbt build`, or drop the table, before publishing"
        )
    for schema in sorted({schema for schema, _, _ in tables}):
        con.execute(f"create schema if not exists {_quote(schema)}")
    for schema, table, comment in tables:
        target = f"{_quote(schema)}.{_quote(table)}"
        con.execute(
            f"create table {target} as select * from warehouse.{_quote(schema)}.{_quote(table)}"
        )
        if comment:
            con.execute(f"comment on table {target} is {_literal(comment)}")
        columns = con.execute(
            """
            select column_name, comment from duckdb_columns()
            where database_name = 'warehouse' and schema_name = ? and table_name = ?
                and comment is not null
            """,
            [schema, table],
        ).fetchall()
        for column, column_comment in columns:
            con.execute(
                f"comment on column {target}.{_quote(column)} is {_literal(column_comment)}"
            )
        rows = con.execute(f"select count(*) from {target}").fetchone()[0]
        copied.append((schema, table, rows))
    con.execute("commit")
    con.execute("detach warehouse")
    return copied


def _write_manifest(
    con: duckdb.DuckDBPyConnection,
    tables: list[tuple[str, str, int]],
    published_at: datetime,
    source: Path,
    build: dict | None,
) -> None:
    con.execute(
        f"""
        create table main.{MANIFEST_TABLE} (
            table_schema varchar not null,
            table_name varchar not null,
            row_count bigint not null,
            published_at timestamptz not null,
            source_warehouse varchar not null,
            dbt_invocation_id varchar,
            dbt_build_finished_at timestamptz,
            primary key (table_schema, table_name)
        )
        """
    )
    con.executemany(
        f"insert into main.{MANIFEST_TABLE} values (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                schema,
                table,
                rows,
                published_at,
                str(source),
                (build or {}).get("invocation_id"),
                _parse_time(build["generated_at"]) if build else None,
            )
            for schema, table, rows in tables
        ],
    )
    con.execute(
        f"comment on table main.{MANIFEST_TABLE} is "
        "'One row per published table: row count, when it was published and from which warehouse.'"
    )


def _export_parquet(
    con: duckdb.DuckDBPyConnection, tables: list[tuple[str, str, int]], parquet_dir: Path
) -> list[tuple[Path, Path]]:
    """Write each table to a temporary Parquet file; return (temporary, final) pairs."""
    moves = []
    for schema, table in [(s, t) for s, t, _ in tables] + [("main", MANIFEST_TABLE)]:
        folder = parquet_dir if schema == "main" else parquet_dir / schema
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / f"{table}.parquet"
        temporary = folder / f".{table}.parquet.{os.getpid()}.tmp"
        con.execute(
            f"copy {_quote(schema)}.{_quote(table)} to {_literal(str(temporary))} "
            "(format parquet, compression zstd)"
        )
        moves.append((temporary, final))
    return moves


def _remove(*paths: Path) -> None:
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def publish(
    db_path: Path,
    serving_path: Path,
    *,
    run_results_path: Path | None,
    parquet_dir: Path | None = None,
    now: datetime | None = None,
) -> PublishResult:
    """Copy marts and ml of the warehouse into a fresh serving file, swapped in atomically.

    run_results_path: dbt's run_results.json of the last build, checked by
    check_last_build; None skips the check (only for callers that have just seen
    the build succeed). parquet_dir: also one Parquet file per table,
    <dir>/<schema>/<table>.parquet, each swapped in atomically, plus
    <dir>/publish_manifest.parquet. On any error the previous copy is untouched.
    """
    db_path, serving_path = Path(db_path).resolve(), Path(serving_path).resolve()
    if not db_path.exists():
        raise BankmineError(f"no warehouse at {db_path}: run `bankmine build` or `make demo`")
    if serving_path == db_path:
        raise BankmineError(f"the serving copy cannot be the warehouse itself ({db_path})")
    build = check_last_build(run_results_path, db_path) if run_results_path else None
    built = built_relations(run_results_path) if run_results_path else None
    published_at = now or datetime.now(UTC)

    serving_path.parent.mkdir(parents=True, exist_ok=True)
    temporary = serving_path.with_name(f".{serving_path.name}.{os.getpid()}.tmp")
    temporary_wal = temporary.with_name(temporary.name + ".wal")
    _remove(temporary, temporary_wal)
    moves: list[tuple[Path, Path]] = []
    try:
        con = duckdb.connect(str(temporary))
        try:
            tables = _copy_tables(con, db_path, built)
            _write_manifest(con, tables, published_at, db_path, build)
            if parquet_dir is not None:
                moves = _export_parquet(con, tables, Path(parquet_dir).resolve())
            con.execute("checkpoint")
        finally:
            con.close()
        os.replace(temporary, serving_path)
        for parquet_temporary, final in moves:
            os.replace(parquet_temporary, final)
    except duckdb.IOException as error:
        raise BankmineError(
            f"cannot read the warehouse {db_path} (is a dbt build writing to it?): {error}"
        ) from error
    finally:
        _remove(temporary, temporary_wal, *(parquet_temporary for parquet_temporary, _ in moves))

    return PublishResult(
        serving_path=serving_path,
        source_path=db_path,
        published_at=published_at,
        tables=tables,
        parquet_dir=Path(parquet_dir).resolve() if parquet_dir is not None else None,
    )


def format_publish(result: PublishResult) -> str:
    header = (
        f"published {len(result.tables)} tables from {result.source_path} to "
        f"{result.serving_path} at {result.published_at:%Y-%m-%d %H:%M:%S %Z}"
    )
    lines = [header]
    if result.tables:
        width = max(len(f"{schema}.{table}") for schema, table, _ in result.tables)
        lines += [
            f"  {f'{schema}.{table}':<{width}}  {rows:>12,}"
            for schema, table, rows in result.tables
        ]
    if result.parquet_dir:
        lines.append(f"  and one Parquet file per table under {result.parquet_dir}")
    lines.append("  BI tools: open it read-only (see README, Serving BI tools)")
    return "\n".join(lines)
