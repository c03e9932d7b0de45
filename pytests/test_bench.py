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


def test_run_phase_hands_back_every_reading_it_took_the_peak_from():
    samples = []
    wall, peak, code = run_bench.run_phase(["sleep", "0.5"], {"PATH": "/usr/bin:/bin"}, samples)
    assert code == 0
    assert len(samples) >= 2
    times = [when for when, _ in samples]
    assert times[-1] - times[0] <= wall + 0.2
    assert peak == max(reading for _, reading in samples) / 1024


def timed_node(unique_id: str, start: float, end: float) -> dict:
    def stamp(seconds: float) -> str:
        return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat().replace("+00:00", "Z")

    return {
        "unique_id": unique_id,
        "execution_time": end - start,
        "timing": [
            {"name": "compile", "started_at": stamp(start), "completed_at": stamp(start + 1)},
            {"name": "execute", "started_at": stamp(start + 1), "completed_at": stamp(end)},
        ],
    }


def test_peak_memory_is_split_over_the_nodes_that_ran(tmp_path):
    t0 = 1_800_000_000.0
    results = [
        timed_node("model.bankmine.stg_a", t0, t0 + 10),
        timed_node("model.bankmine.int_b", t0 + 10, t0 + 20),
        timed_node("model.bankmine.int_c", t0 + 20, t0 + 30),
        timed_node("model.bankmine.churn_probabilities", t0 + 30, t0 + 40),
        # no reading in its time, and a skipped node without timing: no peak
        timed_node("model.bankmine.int_d", t0 + 41.5, t0 + 43),
        {"unique_id": "test.bankmine.x", "execution_time": 0, "timing": []},
    ]
    (tmp_path / "run_results.json").write_text(json.dumps({"results": results}))
    (tmp_path / "manifest.json").write_text(
        json.dumps({"nodes": {"model.bankmine.churn_probabilities": {"language": "python"}}})
    )
    # readings in kB, one a second, out of order; stg_a's compile step counts too
    readings = {0.5: 4096, 5: 2048, 12: 3072, 25: 5120, 33: 9216, 39: 4096, 41: 1024}
    samples = [(t0 + offset, kb) for offset, kb in reversed(readings.items())]
    peaks = run_bench.node_peaks(tmp_path / "run_results.json", samples)
    assert peaks == {
        "model.bankmine.stg_a": 4.0,
        "model.bankmine.int_b": 3.0,
        "model.bankmine.int_c": 5.0,
        "model.bankmine.churn_probabilities": 9.0,
    }
    assert run_bench.group_peaks(tmp_path / "run_results.json", peaks) == {
        "dbt_staging": 4.0,
        "dbt_intermediate": 5.0,
        "python:churn_probabilities": 9.0,
    }
    assert run_bench.heaviest_nodes(peaks, 2) == "churn_probabilities 9 MB, int_c 5 MB"
    assert run_bench.node_name("test.bankmine.unique_x_id.ab12") == "unique_x_id"
    assert run_bench.node_name("unit_test.bankmine.fct_x.case_one") == "fct_x.case_one"
    rows = run_bench.breakdown_rows(7, "build", tmp_path / "run_results.json", samples)
    by_phase = {row["phase"]: row["peak_rss_mb"] for row in rows}
    assert by_phase["build:dbt_intermediate"] == 5
    # tests had no reading in their time: no peak rather than a made-up one
    assert by_phase["build:dbt_tests"] is None
    assert run_bench.node_peaks(tmp_path / "run_results.json", []) == {}


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
    rows, day = run_bench.hold_back_last_day(parts, held)
    assert day == dt.date(2026, 9, 30)
    last = con.execute(f"select count(*), max(cast(transaction_at as date)) from '{held}'")
    assert last.fetchone() == (rows, dt.date(2026, 9, 30)) and rows > 0
    kept = con.execute(
        f"select count(*), max(cast(transaction_at as date)) from '{parts}/*.parquet'"
    ).fetchone()
    assert kept == (200 - rows, dt.date(2026, 9, 29))


def write_run_results(
    path: Path, results: list[tuple[str, float]], statuses: dict[str, str] | None = None
) -> Path:
    """A run_results.json of (unique_id, seconds) nodes; `statuses` by unique_id, others
    without a status (read as success)."""
    statuses = statuses or {}
    nodes = [
        {
            "unique_id": uid,
            "execution_time": sec,
            **({"status": statuses[uid]} if uid in statuses else {}),
        }
        for uid, sec in results
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"results": nodes}))
    return path


def test_dbt_sql_sums_only_the_models_the_reference_reproduces(tmp_path):
    reproduced = [(f"model.bankmine.{name}", 0.5) for name in sorted(run_bench.DBT_SQL_MODELS)]
    run_results = write_run_results(
        tmp_path / "run_results.json",
        [
            *reproduced,
            # built on the way (int_customer_features) or elsewhere: not counted
            ("model.bankmine.int_customer_features", 7.0),
            ("model.bankmine.stg_lending__loans", 3.0),
            ("seed.bankmine.code_mappings", 2.0),
            # tests of a reproduced model, named after it: not counted
            ("test.bankmine.unique_int_account_months_account_month_key.1a2b", 9.0),
            ("unit_test.bankmine.int_as_of_date.as_of_date_var_wins", 9.0),
        ],
    )
    seconds, missing = run_bench.dbt_sql_seconds(run_results)
    assert seconds == 0.5 * len(run_bench.DBT_SQL_MODELS)
    assert missing == set()
    assert "int_customer_features" not in run_bench.DBT_SQL_MODELS
    assert {"base_core_banking__transactions", "int_aml_customer_weeks"} <= run_bench.DBT_SQL_MODELS


def test_dbt_sql_row_states_the_ratio_or_why_there_is_none(tmp_path):
    all_models = [(f"model.bankmine.{name}", 0.5) for name in run_bench.DBT_SQL_MODELS]
    complete = write_run_results(tmp_path / "complete" / "run_results.json", all_models)
    reference = {"phase": "reference_sql", "wall_s": 4.0, "status": "ok"}

    row = run_bench.dbt_sql_row(20000, complete, reference, 1000)
    seconds = 0.5 * len(run_bench.DBT_SQL_MODELS)
    assert row == {
        "size": 20000,
        "phase": "dbt_sql",
        "wall_s": seconds,
        "peak_rss_mb": None,
        "rows": 1000,
        "status": f"node seconds; dbt/reference = {seconds / 4.0:.2f}x",
    }
    failed = dict(reference, status="failed (exit 1)")
    assert run_bench.dbt_sql_row(20000, complete, failed, 1000)["status"] == (
        "node seconds; no reference time"
    )
    # a build that stopped early timed only some of the models: no ratio
    partial = write_run_results(tmp_path / "partial" / "run_results.json", all_models[:3])
    status = run_bench.dbt_sql_row(20000, partial, reference, 1000)["status"]
    assert status == f"node seconds; {len(all_models) - 3} of {len(all_models)} models not timed"
    # a build that failed on some models: their seconds are not their time
    failed = write_run_results(
        tmp_path / "failed" / "run_results.json",
        all_models,
        {all_models[0][0]: "error", all_models[1][0]: "skipped"},
    )
    status = run_bench.dbt_sql_row(20000, failed, reference, 1000)["status"]
    assert status == f"node seconds; 2 of {len(all_models)} models not timed"
    missing = run_bench.dbt_sql_seconds(tmp_path / "none.json")
    assert missing == (0.0, set(run_bench.DBT_SQL_MODELS))


def test_reference_runs_on_the_raw_data_the_build_saw(tmp_path, monkeypatch):
    """bench_size with every child process faked: the reference runs before the full build,
    on the same raw folder (the held-back day out), and dbt_sql comes from the build's run
    results."""
    import duckdb

    seen = []

    def fake_run_phase(command, env, samples=None):
        raw = Path(env["BANKMINE_RAW"])
        next_day = raw / "transactions" / "part-next-day.parquet"
        if "generate" in command:
            (raw / "transactions").mkdir(parents=True)
            duckdb.execute(
                "copy (select 't' || i as transaction_id, "
                "timestamp '2026-09-29 10:00:00' + to_days(cast(i % 2 as integer)) "
                f"as transaction_at from range(10) as r(i)) "
                f"to '{raw}/transactions/part-1.parquet' (format parquet)"
            )
        elif command[-1] == "--quiet":
            seen.append(("reference", next_day.exists(), command))
            db = Path(command[command.index("--db") + 1])
            db.write_text("reference tables")
            db.with_name(db.name + ".tmp").mkdir()
            return 4.0, 50.0, 0
        elif "build" in command:
            seen.append(("selector" if "--selector" in command else "build", next_day.exists()))
            # the reference's scratch database and spill folder are gone before dbt runs
            assert not list(Path(env["BANKMINE_DB"]).parent.glob("reference*"))
            target = Path(command[command.index("--target-path") + 1])
            write_run_results(
                target / "run_results.json",
                [(f"model.bankmine.{name}", 0.5) for name in run_bench.DBT_SQL_MODELS]
                + [("model.bankmine.int_customer_features", 9.0)],
            )
        return 1.0, 10.0, 0

    monkeypatch.setattr(run_bench, "ROOT", tmp_path)
    monkeypatch.setattr(run_bench, "run_phase", fake_run_phase)
    rows = run_bench.bench_size(100, months=2, seed=1)

    assert [step[:2] for step in seen] == [
        ("reference", False),
        ("build", False),
        ("selector", True),
    ]
    reference_command = seen[0][2]
    raw = tmp_path / "build" / "bench" / "100" / "data" / "raw"
    assert reference_command[reference_command.index("--raw") + 1] == str(raw)
    phases = [row["phase"] for row in rows]
    assert phases.index("reference_sql") < phases.index("dbt_build") < phases.index("dbt_sql")
    assert phases.index("dbt_sql") < phases.index("dbt_incremental_day")
    by_phase = {row["phase"]: row for row in rows}
    # the build saw 5 of the 10 transactions: the last day was held back
    assert by_phase["reference_sql"]["rows"] == by_phase["dbt_build"]["rows"] == 5
    seconds = 0.5 * len(run_bench.DBT_SQL_MODELS)
    assert by_phase["dbt_sql"]["wall_s"] == seconds
    assert by_phase["dbt_sql"]["status"] == f"node seconds; dbt/reference = {seconds / 4.0:.2f}x"
    # every field but `measured`, which main stamps on the whole run
    assert set(by_phase["dbt_sql"]) == set(run_bench.FIELDS) - {"measured"}


def bench_row(size: int, phase: str, measured: str) -> dict:
    return {
        "size": size,
        "phase": phase,
        "wall_s": 1.0,
        "peak_rss_mb": 10,
        "rows": 5,
        "status": "ok",
        "measured": measured,
    }


def test_a_run_of_one_size_keeps_the_other_sizes_figures(tmp_path, monkeypatch):
    monkeypatch.setattr(run_bench, "RESULTS", tmp_path)
    first = [bench_row(20000, "dbt_build", "d1 aaa"), bench_row(200000, "dbt_build", "d1 aaa")]
    run_bench.write_results(first)
    again = [bench_row(1000000, "generate", "d2 bbb"), bench_row(20000, "generate", "d2 bbb")]
    merged = run_bench.write_results(again)

    latest = run_bench.read_results(tmp_path / "latest.csv")
    assert latest == merged
    # 20,000 was measured again: its old rows are gone; 200,000 keeps its own
    assert [(row["size"], row["phase"], row["measured"]) for row in latest] == [
        (20000, "generate", "d2 bbb"),
        (200000, "dbt_build", "d1 aaa"),
        (1000000, "generate", "d2 bbb"),
    ]
    # each run's own copy holds that run only
    copies = [path for path in tmp_path.glob("*.csv") if path.name != "latest.csv"]
    assert sorted(len(run_bench.read_results(path)) for path in copies) in ([2, 2], [2])


def test_readme_says_when_and_on_which_commit_each_size_was_measured():
    rows = [
        bench_row(20000, "generate", "2026-11-27 aaa"),
        bench_row(20000, "dbt_build", "2026-11-27 aaa"),
        bench_row(200000, "generate", "2026-11-27 aaa"),
        bench_row(1000000, "generate", "2026-11-28 bbb"),
    ]
    block = run_bench.readme_block(rows, months=24)
    assert block.startswith(run_bench.README_START) and block.endswith(run_bench.README_END)
    assert (
        "(20,000, 200,000 customers on 2026-11-27 aaa; 1,000,000 customers on 2026-11-28 bbb)"
    ) in block
    assert "| 1,000,000 | generate | 1.0 | 10 | 5 | 5 | ok |" in block


def test_a_run_reports_its_own_failures_not_those_of_sizes_measured_before(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(run_bench, "RESULTS", tmp_path)
    monkeypatch.setattr(run_bench, "provenance", lambda: "d2 bbb")
    run_bench.write_results(
        [dict(bench_row(1000000, "dbt_build", "d1 aaa"), status="failed (exit 2)")]
    )
    outcomes = {20000: "ok"}
    monkeypatch.setattr(
        run_bench,
        "bench_size",
        lambda size, months, seed: [
            dict(bench_row(size, "dbt_build", None), status=outcomes[size])
        ],
    )
    monkeypatch.setattr("sys.argv", ["run_bench.py", "--sizes", "20000"])
    run_bench.main()
    assert "failed" not in capsys.readouterr().err

    outcomes[20000] = "failed (exit 1)"
    run_bench.main()
    assert "bench: failed: 20000:dbt_build;" in capsys.readouterr().err

    # the README-only path checks every row it shows
    monkeypatch.setattr("sys.argv", ["run_bench.py", "--readme-only"])
    run_bench.main()
    assert "1000000:dbt_build" in capsys.readouterr().err
