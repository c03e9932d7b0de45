"""The short summary printed after a build: rows per mart, quarantine per table."""

from __future__ import annotations

from pathlib import Path

import duckdb

from bankmine.contract import load_contract

SHOWN_SCHEMAS = ("marts", "ml")


def load_reconciliation(con: duckdb.DuckDBPyConnection, project_dir: Path) -> list[dict]:
    """Per contract table: raw, staged, quarantined and deduplicated row counts."""
    rows = []
    for table in load_contract(project_dir):
        stem = f"{table.source}__{table.name}"
        staged, quarantined, raw, deduplicated = con.execute(
            f"""
            select
                (select count(*) from staging.stg_{stem}),
                (select count(*) from quarantine.quarantine_{stem}),
                (select count(*) from staging.base_{stem}),
                (select count(*) from staging.base_{stem} where delivery_rank > 1)
            """
        ).fetchone()
        reasons = con.execute(
            f"""
            select quarantine_reason || ':' || quarantine_column, count(*)
            from quarantine.quarantine_{stem}
            group by all order by 2 desc, 1
            """
        ).fetchall()
        rows.append(
            {
                "table": f"{table.source}.{table.name}",
                "raw": raw,
                "staged": staged,
                "quarantined": quarantined,
                "deduplicated": deduplicated,
                "reasons": reasons,
            }
        )
    return rows


def mart_row_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    tables = con.execute(
        """
        select table_schema, table_name from information_schema.tables
        where table_schema in ('marts', 'ml') and table_type = 'BASE TABLE'
        order by 1, 2
        """
    ).fetchall()
    return [
        (f"{schema}.{name}", con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0])
        for schema, name in tables
    ]


def build_summary(db_path: Path, project_dir: Path) -> str:
    if not Path(db_path).exists():
        return f"no warehouse at {db_path}: run `make demo`"
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        lines = [f"warehouse {db_path}", ""]
        marts = mart_row_counts(con)
        lines.append("rows per mart")
        if marts:
            width = max(len(name) for name, _ in marts)
            lines += [f"  {name:<{width}}  {count:>12,}" for name, count in marts]
        else:
            lines.append("  (no marts or ml tables built yet)")
        lines += ["", "raw rows per table: staged + quarantined + deduplicated re-deliveries"]
        recon = load_reconciliation(con, project_dir)
        width = max(len(row["table"]) for row in recon)
        header = (
            f"  {'table':<{width}}  {'raw':>11}  {'staged':>11}  {'quarantined':>11}  {'dedup':>7}"
        )
        lines.append(header)
        for row in recon:
            lines.append(
                f"  {row['table']:<{width}}  {row['raw']:>11,}  {row['staged']:>11,}  "
                f"{row['quarantined']:>11,}  {row['deduplicated']:>7,}"
            )
            for reason, count in row["reasons"][:5]:
                lines.append(f"  {'':<{width}}    quarantined {count:,} x {reason}")
        return "\n".join(lines)
    finally:
        con.close()
