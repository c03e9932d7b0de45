"""The BI serving copy: what `bankmine publish` copies, when it refuses, and that readers
querying the copy while it is republished never see an error or a half-built state."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from bankmine.cli import main
from bankmine.errors import BankmineError
from bankmine.publish import check_last_build, publish

ROOT = Path(__file__).resolve().parents[1]


def write_run_results(
    path: Path,
    *,
    which: str = "build",
    statuses: tuple[str, ...] = ("success", "pass", "warn"),
    database: str = "bank",
    generated_at: datetime | None = None,
    built: tuple[str, ...] = ("marts.ledger", "marts.branch_totals", "ml.scores"),
) -> Path:
    """A run_results.json shaped like dbt 1.11's: the built tables, then one node per status."""
    generated_at = generated_at or datetime.now(UTC)
    results = [
        {
            "unique_id": f"model.bankmine.{name.split('.')[1]}",
            "status": "success",
            "relation_name": '"{}"."{}"."{}"'.format(database, *name.split(".")),
        }
        for name in built
    ] + [
        {
            "unique_id": f"model.bankmine.node_{i}",
            "status": status,
            "relation_name": f'"{database}"."marts"."node_{i}"',
        }
        for i, status in enumerate(statuses)
    ]
    path.write_text(
        json.dumps(
            {
                "metadata": {
                    "dbt_version": "1.11.16",
                    "generated_at": generated_at.isoformat().replace("+00:00", "Z"),
                    "invocation_id": "test-invocation",
                },
                "args": {"which": which},
                "results": results,
            }
        )
    )
    return path


def make_warehouse(path: Path, version: int = 0, with_ml: bool = False) -> tuple[float, int]:
    """marts.ledger (rows and amounts depend on version) and marts.branch_totals summing it.

    Returns (total amount, row count) of the version written.
    """
    rows = 500 + 137 * version
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema if not exists marts")
        con.execute(
            f"""
            create or replace table marts.ledger as
            select
                i as entry_id,
                'B' || (i % 3) as branch_id,
                cast(i * 0.25 + {version} as decimal(18, 2)) as amount
            from range({rows}) as entries(i)
            """
        )
        con.execute(
            """
            create or replace table marts.branch_totals as
            select branch_id, sum(amount) as total_amount, count(*) as entry_count
            from marts.ledger group by branch_id
            """
        )
        con.execute("comment on table marts.ledger is 'One row per ledger entry.'")
        con.execute("comment on column marts.ledger.amount is 'Entry amount, it''s in USD.'")
        con.execute("comment on table marts.branch_totals is 'One row per branch.'")
        if with_ml:
            con.execute("create schema if not exists ml")
            con.execute(
                "create or replace table ml.scores as select 'B1' as branch_id, 0.5 as score"
            )
        total, count = con.execute("select sum(amount), count(*) from marts.ledger").fetchone()
    finally:
        con.close()
    return float(total), count


@pytest.fixture
def warehouse(tmp_path):
    db = tmp_path / "wh" / "bank.duckdb"
    db.parent.mkdir()
    expected = make_warehouse(db)
    run_results = write_run_results(tmp_path / "run_results.json")
    return db, run_results, expected


def read_totals(serving: Path) -> tuple[float, int]:
    con = duckdb.connect(str(serving), read_only=True)
    try:
        total, count = con.execute("select sum(amount), count(*) from marts.ledger").fetchone()
    finally:
        con.close()
    return float(total), count


def test_publish_copies_tables_rows_and_comments(warehouse, tmp_path):
    db, run_results, (total, count) = warehouse
    serving = tmp_path / "serve" / "serving.duckdb"
    result = publish(db, serving, run_results_path=run_results)

    assert serving.exists()
    assert sorted(result.tables) == [("marts", "branch_totals", 3), ("marts", "ledger", count)]
    assert read_totals(serving) == (total, count)
    con = duckdb.connect(str(serving), read_only=True)
    try:
        assert con.execute(
            "select comment from duckdb_tables() where table_name = 'ledger'"
        ).fetchone() == ("One row per ledger entry.",)
        assert con.execute(
            "select comment from duckdb_columns() where table_name = 'ledger' "
            "and column_name = 'amount'"
        ).fetchone() == ("Entry amount, it's in USD.",)
        assert con.execute(
            "select data_type from duckdb_columns() where table_name = 'ledger' "
            "and column_name = 'amount'"
        ).fetchone() == ("DECIMAL(18,2)",)
        manifest = con.execute(
            "select table_schema, table_name, row_count, source_warehouse, dbt_invocation_id "
            "from publish_manifest order by 1, 2"
        ).fetchall()
    finally:
        con.close()
    assert manifest == [
        ("marts", "branch_totals", 3, str(db.resolve()), "test-invocation"),
        ("marts", "ledger", count, str(db.resolve()), "test-invocation"),
    ]
    # nothing but the serving file is left behind
    assert sorted(p.name for p in serving.parent.iterdir()) == ["serving.duckdb"]


def test_ml_schema_is_published_when_present(tmp_path):
    db = tmp_path / "bank.duckdb"
    make_warehouse(db, with_ml=True)
    run_results = write_run_results(tmp_path / "run_results.json")
    result = publish(db, tmp_path / "serving.duckdb", run_results_path=run_results)
    assert ("ml", "scores", 1) in result.tables


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"statuses": ("success", "fail", "skipped")}, "the last dbt build failed (2 nodes"),
        ({"statuses": ("success", "error")}, "model.bankmine.node_1 (error)"),
        ({"which": "test"}, "is `test`, not `build`"),
        ({"database": "other"}, "wrote to database other, not to this warehouse"),
    ],
)
def test_a_bad_last_build_blocks_publish_and_keeps_the_old_copy(
    warehouse, tmp_path, kwargs, message
):
    db, run_results, (total, count) = warehouse
    serving = tmp_path / "serving.duckdb"
    publish(db, serving, run_results_path=run_results)
    before = serving.read_bytes()

    make_warehouse(db, version=3)  # the half-built state that must not reach BI
    write_run_results(run_results, **kwargs)
    with pytest.raises(BankmineError, match=re.escape(message)):
        publish(db, serving, run_results_path=run_results)

    assert serving.read_bytes() == before
    assert read_totals(serving) == (total, count)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_table_the_last_build_did_not_make_is_refused(warehouse, tmp_path):
    """Ctrl-C makes dbt record only the nodes that finished: marts.ledger is missing."""
    db, run_results, _ = warehouse
    write_run_results(run_results, built=("marts.branch_totals",))
    with pytest.raises(BankmineError, match="marts.ledger not built by the last recorded dbt"):
        publish(db, tmp_path / "serving.duckdb", run_results_path=run_results)
    assert not (tmp_path / "serving.duckdb").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_warehouse_written_after_the_recorded_build_is_refused(warehouse):
    """A build killed before dbt wrote run_results.json leaves the old, green record."""
    db, run_results, _ = warehouse
    write_run_results(run_results, generated_at=datetime.now(UTC) - timedelta(hours=1))
    with pytest.raises(BankmineError, match="written .* s after the last recorded dbt build"):
        check_last_build(run_results, db)


def test_cli_refuses_a_failed_build_with_exit_1(warehouse, tmp_path, capsys):
    db, run_results, _ = warehouse
    write_run_results(run_results, statuses=("success", "fail"))
    serving = tmp_path / "serving.duckdb"
    code = main(
        ["publish", "--db", str(db), "--serving", str(serving), "--run-results", str(run_results)]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "bankmine: the last dbt build failed" in err
    assert "Traceback" not in err
    assert not serving.exists()


def test_cli_missing_warehouse_is_one_clear_line(tmp_path, capsys):
    code = main(
        [
            "publish",
            "--db",
            str(tmp_path / "none.duckdb"),
            "--run-results",
            str(write_run_results(tmp_path / "rr.json")),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert f"no warehouse at {tmp_path / 'none.duckdb'}" in err
    assert not (tmp_path / "serving.duckdb").exists()


def test_cli_missing_run_results_says_to_build_first(warehouse, tmp_path, capsys):
    db, _, _ = warehouse
    code = main(["publish", "--db", str(db), "--run-results", str(tmp_path / "none.json")])
    assert code == 1
    assert "no record of a dbt build" in capsys.readouterr().err


def test_cli_serving_defaults_next_to_the_warehouse_and_env_overrides(
    warehouse, tmp_path, monkeypatch, capsys
):
    db, run_results, (total, count) = warehouse
    monkeypatch.delenv("BANKMINE_SERVING", raising=False)
    assert main(["publish", "--db", str(db), "--run-results", str(run_results)]) == 0
    assert read_totals(db.parent / "serving.duckdb") == (total, count)

    monkeypatch.setenv("BANKMINE_SERVING", str(tmp_path / "elsewhere" / "bi.duckdb"))
    assert main(["publish", "--db", str(db), "--run-results", str(run_results)]) == 0
    assert read_totals(tmp_path / "elsewhere" / "bi.duckdb") == (total, count)
    assert "marts.ledger" in capsys.readouterr().out


def test_parquet_export_one_file_per_table(warehouse, tmp_path):
    db, run_results, (total, count) = warehouse
    out = tmp_path / "parquet"
    publish(db, tmp_path / "serving.duckdb", run_results_path=run_results, parquet_dir=out)

    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == [
        "marts",
        "marts/branch_totals.parquet",
        "marts/ledger.parquet",
        "publish_manifest.parquet",
    ]
    got = duckdb.sql(
        f"select sum(amount), count(*) from read_parquet('{out}/marts/ledger.parquet')"
    ).fetchall()[0]
    assert (float(got[0]), got[1]) == (total, count)
    manifest = duckdb.sql(
        f"select table_name, row_count from read_parquet('{out}/publish_manifest.parquet') "
        "order by 1"
    ).fetchall()
    assert manifest == [("branch_totals", 3), ("ledger", count)]


READER = r"""
import json, sys, time
from pathlib import Path
import duckdb

serving, stop, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
query = '''
    select
        (select sum(amount) from marts.ledger),
        (select count(*) from marts.ledger),
        (select sum(total_amount) from marts.branch_totals),
        (select sum(row_count) from publish_manifest where table_name = 'ledger')
'''
# held: one connection kept open throughout; fresh: a new connection per query, as a
# BI tool without a pool does. (Within one process DuckDB reuses an open database for a
# new connection to the same path, so the two modes need their own processes.)
held = duckdb.connect(str(serving), read_only=True) if mode == "held" else None
deadline = time.monotonic() + 60
while not stop.exists() and time.monotonic() < deadline:
    try:
        con = held or duckdb.connect(str(serving), read_only=True)
        try:
            total, count, branch_total, manifest_count = con.execute(query).fetchone()
        finally:
            if con is not held:
                con.close()
    except Exception as error:
        print(json.dumps({"error": f"{type(error).__name__}: {error}"}), flush=True)
        sys.exit(1)
    print(json.dumps({
        "total": float(total), "count": count, "branch_total": float(branch_total),
        "manifest_count": manifest_count,
    }), flush=True)
    time.sleep(0.005)
"""


def start_reader(serving: Path, stop: Path, mode: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", READER, str(serving), str(stop), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def reads_of(reader: subprocess.Popen) -> list[dict]:
    out, err = reader.communicate(timeout=30)
    reads = [json.loads(line) for line in out.splitlines()]
    errors = [read["error"] for read in reads if "error" in read]
    assert reader.returncode == 0 and not errors, (errors, err)
    assert len(reads) > 20
    assert all(read["branch_total"] == read["total"] for read in reads)
    assert all(read["manifest_count"] == read["count"] for read in reads)
    return reads


def test_readers_never_see_an_error_or_a_half_built_copy(tmp_path):
    """Readers loop over the serving copy while the warehouse is rewritten and republished."""
    db = tmp_path / "bank.duckdb"
    serving = tmp_path / "serving.duckdb"
    run_results = tmp_path / "run_results.json"
    stop = tmp_path / "stop"
    first = make_warehouse(db, version=0)
    published = {first}
    write_run_results(run_results)
    publish(db, serving, run_results_path=run_results)

    fresh, held = start_reader(serving, stop, "fresh"), start_reader(serving, stop, "held")
    try:
        time.sleep(1.0)
        for version in range(1, 9):
            published.add(make_warehouse(db, version=version))
            write_run_results(run_results)
            publish(db, serving, run_results_path=run_results)
            time.sleep(0.2)
        # a refused publish in the middle of the stream changes nothing for readers
        make_warehouse(db, version=99)
        write_run_results(run_results, statuses=("fail",))
        with pytest.raises(BankmineError):
            publish(db, serving, run_results_path=run_results)
        time.sleep(0.3)
    finally:
        stop.touch()
        fresh_reads, held_reads = reads_of(fresh), reads_of(held)

    seen = {(read["total"], read["count"]) for read in fresh_reads}
    assert seen <= published, seen - published
    assert len(seen) >= 3, "the reader should have seen several publishes"
    # a connection held open across publishes keeps reading the copy it opened
    assert {(read["total"], read["count"]) for read in held_reads} == {first}
    last = make_totals_of_version(8)
    assert read_totals(serving) == last and fresh_reads[-1]["total"] == last[0]
    assert not os.path.exists(f"{serving}.wal")


def make_totals_of_version(version: int) -> tuple[float, int]:
    rows = 500 + 137 * version
    return float(sum(round(i * 0.25 + version, 2) for i in range(rows))), rows
