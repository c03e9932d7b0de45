"""The benchmark script's bookkeeping: phases from dbt's run results, failed phases kept."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("run_bench", ROOT / "bench" / "run_bench.py")
run_bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run_bench)


def test_node_groups_follow_the_layers():
    group = run_bench.node_group
    assert group({"unique_id": "model.bankmine.stg_crm__campaigns"}) == "dbt_staging"
    assert group({"unique_id": "model.bankmine.quarantine_crm__campaigns"}) == "dbt_staging"
    assert group({"unique_id": "model.bankmine.int_customer_features"}) == "dbt_intermediate"
    assert group({"unique_id": "model.bankmine.fct_loans"}) == "dbt_marts"
    assert group({"unique_id": "test.bankmine.unique_fct_loans_loan_id.abc"}) == "dbt_tests"
    assert group({"unique_id": "unit_test.bankmine.fct_loans.t"}) == "dbt_tests"
    python = {"unique_id": "model.bankmine.churn_probabilities", "language": "python"}
    assert group(python) == "python:churn_probabilities"
    assert group({"unique_id": "model.bankmine.customer_segments_in_sql"}) == (
        "sql:customer_segments_in_sql"
    )
    assert group({"unique_id": "model.bankmine.ml_model_inventory"}) == "dbt_ml_sql"


def test_breakdown_sums_node_times_per_phase(tmp_path):
    (tmp_path / "run_results.json").write_text(
        json.dumps(
            {
                "results": [
                    {"unique_id": "model.bankmine.stg_a", "execution_time": 1.5},
                    {"unique_id": "model.bankmine.base_a", "execution_time": 2.0},
                    {"unique_id": "model.bankmine.credit_risk_scores", "execution_time": 4.0},
                    {"unique_id": "test.bankmine.x", "execution_time": 0.25},
                ]
            }
        )
    )
    (tmp_path / "manifest.json").write_text(
        json.dumps({"nodes": {"model.bankmine.credit_risk_scores": {"language": "python"}}})
    )
    totals = run_bench.build_breakdown(tmp_path / "run_results.json")
    assert totals == {
        "dbt_staging": 3.5,
        "python:credit_risk_scores": 4.0,
        "dbt_tests": 0.25,
    }
    assert run_bench.build_breakdown(tmp_path / "missing.json") == {}


def test_failed_phase_is_reported_not_raised():
    wall, peak, code = run_bench.run_phase(["false"], env={"PATH": "/usr/bin:/bin"})
    assert code != 0
    assert wall >= 0
    assert peak >= 0


def test_table_shows_status_and_blank_memory_for_node_rows():
    rows = [
        {
            "size": 20000,
            "phase": "dbt_build",
            "wall_s": 10.0,
            "peak_rss_mb": 900,
            "rows": 100,
            "status": "ok",
        },
        {
            "size": 20000,
            "phase": "build:dbt_tests",
            "wall_s": 2.0,
            "peak_rss_mb": None,
            "rows": None,
            "status": "node seconds",
        },
    ]
    table = run_bench.markdown_table(rows)
    assert "| 20,000 | dbt_build | 10.0 | 900 | 100 | 10 | ok |" in table
    assert "| 20,000 | build:dbt_tests | 2.0 |  |  |  | node seconds |" in table


def test_the_last_day_is_held_back_and_nothing_is_lost(tmp_path):
    import duckdb

    parts = tmp_path / "transactions"
    parts.mkdir()
    con = duckdb.connect()
    for month, days in (("2026-08", 31), ("2026-09", 30)):
        con.execute(
            f"copy (select 't' || '{month}' || i as transaction_id, "
            f"timestamp '{month}-01 10:00:00' + to_days(cast(i % {days} as integer)) "
            f"as transaction_at from range(100) as r(i)) "
            f"to '{parts}/part-{month}.parquet' (format parquet)"
        )
    held = tmp_path / "held.parquet"
    rows = run_bench.hold_back_last_day(parts, held)
    last = con.execute(f"select count(*), max(cast(transaction_at as date)) from '{held}'")
    assert last.fetchone() == (rows, dt.date(2026, 9, 30)) and rows > 0
    kept = con.execute(
        f"select count(*), max(cast(transaction_at as date)) from '{parts}/*.parquet'"
    ).fetchone()
    assert kept == (200 - rows, dt.date(2026, 9, 29))
