"""Benchmark: generate banks of given sizes and build them, recording time and memory.

The last day of generated transactions is held back for the full build
(dbt_build) and then added as a new part for a timed daily run
(dbt_incremental_day: `dbt build --selector daily_monitoring`, key tests on the
last DAILY_TEST_DAYS days by BANKMINE_DATA_TEST_FROM, split per phase as
day:<group>). Before the build, the reference SQL (bench/reference_sql.py: the
heaviest models as plain DuckDB SQL, no dbt) runs on the same raw folder
(reference_sql; its scratch database is deleted once timed), and dbt_sql sums
the build's node seconds of the models it reproduces (DBT_SQL_MODELS); the
status of dbt_sql gives dbt's time as a multiple of the reference's, both
measured in the same run. Each phase runs as a child process; a sampler sums
the resident memory of the child and all its descendants every 0.1 s, so
peak_rss_mb is the peak of the whole process tree; on the rows of a dbt run's
phases (build:<group>, day:<group>) it is the peak while a node of that group
ran (node_peaks), and the log names the nodes with the highest peaks.
Each run's rows go to a timestamped copy in bench/results, and replace the rows of the
sizes it measured in bench/results/latest.csv (the other sizes keep theirs, with the date
and commit that measured them); with --update-readme, latest.csv becomes the table
between the bench markers in README.md.

    python bench/run_bench.py --sizes 20000 200000 [--months 24] [--update-readme]
"""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
README_START = "<!-- bench:start -->"
README_END = "<!-- bench:end -->"
# the daily run the bench times after adding one day to a built bank (selectors.yml)
DAILY_SELECTOR = "daily_monitoring"
# its key tests (a where on __data_test_from__, or its week or month) check the rows of
# this many days before the day added, and the periods holding them
# (BANKMINE_DATA_TEST_FROM, macro get_where_subquery): the periods a daily run recomputes
DAILY_TEST_DAYS = 31


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of pid and all its descendants, in kB (Linux /proc)."""
    total, stack, seen = 0, [pid], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    stack.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def run_phase(
    command: list[str], env: dict[str, str], samples: list | None = None
) -> tuple[float, float, int]:
    """Run command; return (wall seconds, peak tree RSS in MB, exit code). `samples`, when
    given, receives every reading as (Unix time in seconds, tree RSS in kB), so that the
    peak can be split over the dbt nodes that ran (node_peaks)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            reading = _tree_rss_kb(process.pid)
            peak = max(peak, reading)
            if samples is not None:
                samples.append((time.time(), reading))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    done.set()
    sampler.join()
    wall = time.perf_counter() - started
    if process.returncode != 0:
        sys.stderr.write(output[-5000:])
        sys.stderr.write(f"\nbench: {' '.join(command)} failed (exit {process.returncode})\n")
    return wall, peak / 1024, process.returncode


# The dbt models whose work bench/reference_sql.py reproduces: the tables it writes
# (reference_sql.REFERENCE_MODELS) and the base_ models it replaces with temporary tables.
# Not counted: int_customer_features and its lending parents, which dbt builds on the way
# to int_customer_rfm while the reference computes only the three features RFM needs;
# seeds (their own phase). pytests/test_bench_reference.py checks this list against the
# reference's tables and the manifest's dependencies.
DBT_SQL_MODELS = frozenset(
    {
        *(
            f"{layer}_core_banking__{table}"
            for layer in ("base", "stg", "quarantine")
            for table in ("branches", "customers", "accounts", "transactions")
        ),
        "int_as_of_date",
        "int_calendar_months",
        "int_transactions_enriched",
        "int_account_months",
        "int_customer_months",
        "int_aml_transactions",
        "int_customer_rfm",
        "int_aml_customer_weeks",
    }
)


# SQL models that score with a fitted model (compared with the Python model that fits and
# scores: python:customer_segments against sql:customer_segments_in_sql)
SCORED_IN_SQL = {"customer_segments_in_sql"}


def hold_back_last_day(transactions_dir: Path, held: Path) -> tuple[int, dt.date]:
    """Move the transactions of the last day out of the raw parts into `held` (a Parquet
    file outside the raw folder), so a build sees the bank as of the day before and the
    held day can arrive afterwards as a new part. Returns the rows held back and the day."""
    import duckdb

    con = duckdb.connect()
    try:
        parts = sorted(transactions_dir.glob("*.parquet"))
        glob = f"{transactions_dir}/*.parquet"
        (last_day,) = con.execute(
            f"select max(cast(transaction_at as date)) from read_parquet('{glob}')"
        ).fetchone()
        con.execute(
            f"copy (select * from read_parquet('{glob}') "
            f"where cast(transaction_at as date) = date '{last_day}') to '{held}' (format parquet)"
        )
        for part in parts:
            kept = part.with_suffix(".kept")
            con.execute(
                f"copy (select * from read_parquet('{part}') "
                f"where cast(transaction_at as date) < date '{last_day}') "
                f"to '{kept}' (format parquet)"
            )
            kept.replace(part)
        (rows,) = con.execute(f"select count(*) from read_parquet('{held}')").fetchone()
    finally:
        con.close()
    return rows, last_day


def node_group(result: dict) -> str:
    """Bench phase of one dbt node: its layer, each Python model alone, tests together."""
    unique_id = result["unique_id"]
    kind, _, name = unique_id.split(".", 2)
    if kind in ("test", "unit_test"):
        return "dbt_tests"
    if kind == "seed":
        return "dbt_seed_nodes"
    name = name.split(".")[-1]
    for prefix, group in (
        ("base_", "dbt_staging"),
        ("stg_", "dbt_staging"),
        ("quarantine_", "dbt_staging"),
        ("int_", "dbt_intermediate"),
    ):
        if name.startswith(prefix):
            return group
    if result.get("language") == "python":
        return f"python:{name}"
    if name in SCORED_IN_SQL:
        return f"sql:{name}"
    if name.startswith(("fct_", "dim_")) or name == "customers_identified":
        return "dbt_marts"
    return "dbt_ml_sql"


def _python_models(run_results: Path) -> set[str]:
    """unique_ids of the Python models, from the manifest beside run_results.json."""
    import json

    manifest = run_results.parent / "manifest.json"
    if not manifest.exists():
        return set()
    nodes = json.loads(manifest.read_text())["nodes"]
    return {key for key, node in nodes.items() if node.get("language") == "python"}


def build_breakdown(run_results: Path) -> dict[str, float]:
    """Seconds spent per bench phase inside one dbt build, from its run_results.json.
    With several threads the node times of a phase add up to more than its wall time."""
    import json

    if not run_results.exists():
        return {}
    results = json.loads(run_results.read_text())["results"]
    python_models = _python_models(run_results)
    totals: dict[str, float] = {}
    for result in results:
        result = dict(result, language="python" if result["unique_id"] in python_models else "sql")
        group = node_group(result)
        totals[group] = totals.get(group, 0.0) + float(result.get("execution_time") or 0.0)
    return totals


def _node_span(result: dict) -> tuple[float, float] | None:
    """Unix times at which a node of run_results.json started and ended (compile and
    execute), or None when dbt recorded no timing (a skipped node)."""
    times = [
        dt.datetime.fromisoformat(step[edge]).timestamp()
        for step in result.get("timing") or []
        for edge in ("started_at", "completed_at")
        if step.get(edge)
    ]
    return (min(times), max(times)) if times else None


def node_peaks(run_results: Path, samples: list[tuple[float, int]]) -> dict[str, float]:
    """Peak tree RSS in MB of each dbt node (unique_id) of one dbt run: the highest
    reading of `samples` (run_phase) taken while the node ran. It is the whole process
    tree's memory, what the dbt process already held included (DuckDB's buffer pool, memory
    not yet handed back), not the node's own increase; with several threads the nodes
    running alongside count too. Nodes with no reading in their time are left out."""
    import json

    if not run_results.exists() or not samples:
        return {}
    samples = sorted(samples)
    times = [when for when, _ in samples]
    peaks: dict[str, float] = {}
    for result in json.loads(run_results.read_text())["results"]:
        span = _node_span(result)
        if span is None:
            continue
        first, last = bisect.bisect_left(times, span[0]), bisect.bisect_right(times, span[1])
        if first < last:
            peaks[result["unique_id"]] = max(reading for _, reading in samples[first:last]) / 1024
    return peaks


def group_peaks(run_results: Path, peaks: dict[str, float]) -> dict[str, float]:
    """The highest node peak (node_peaks) of each bench phase (node_group)."""
    python_models = _python_models(run_results)
    groups: dict[str, float] = {}
    for unique_id, peak in peaks.items():
        language = "python" if unique_id in python_models else "sql"
        group = node_group({"unique_id": unique_id, "language": language})
        groups[group] = max(groups.get(group, 0.0), peak)
    return groups


def heaviest_nodes(peaks: dict[str, float], count: int = 8) -> str:
    """The `count` nodes with the highest peak (node_peaks), by name, for the bench's log."""
    ranked = sorted(peaks.items(), key=lambda item: (-item[1], item[0]))[:count]
    return ", ".join(f"{node_name(unique_id)} {peak:,.0f} MB" for unique_id, peak in ranked)


def node_name(unique_id: str) -> str:
    """A node's name without the project and a test's hash: model.p.m -> m,
    test.p.t.hash -> t, unit_test.p.m.t -> m.t (a unit test is named with its model)."""
    kind, _, rest = unique_id.split(".", 2)
    if kind == "test":
        return rest.split(".")[0]
    return rest


def breakdown_rows(
    size: int, prefix: str, run_results: Path, samples: list[tuple[float, int]] | None = None
) -> list[dict]:
    """CSV rows of one dbt run's node seconds per bench phase (build_breakdown), named
    <prefix>:<group>, with the phase's peak memory from the run's `samples` (node_peaks)."""
    by_node = node_peaks(run_results, samples or [])
    if by_node:
        print(f"[bench] {size:,} customers: {prefix} peaks by node: {heaviest_nodes(by_node)}")
    peaks = group_peaks(run_results, by_node)
    return [
        {
            "size": size,
            "phase": f"{prefix}:{group}",
            "wall_s": round(seconds, 1),
            "peak_rss_mb": round(peaks[group]) if group in peaks else None,
            "rows": None,
            "status": "node seconds",
        }
        for group, seconds in sorted(build_breakdown(run_results).items())
    ]


def dbt_sql_seconds(run_results: Path) -> tuple[float, set[str]]:
    """Node seconds of the DBT_SQL_MODELS in one dbt run (run_results.json), and the
    models of that list the run did not time (not selected, the run stopped early, or the
    node failed or was skipped: a failed node's seconds are not the model's time)."""
    import json

    if not run_results.exists():
        return 0.0, set(DBT_SQL_MODELS)
    seconds, timed = 0.0, set()
    for result in json.loads(run_results.read_text())["results"]:
        kind, _, name = result["unique_id"].split(".", 2)
        name = name.split(".")[-1]
        if (
            kind == "model"
            and name in DBT_SQL_MODELS
            and result.get("status", "success") == "success"
        ):
            seconds += float(result.get("execution_time") or 0.0)
            timed.add(name)
    return seconds, set(DBT_SQL_MODELS) - timed


def dbt_sql_row(size: int, run_results: Path, reference: dict | None, row_count) -> dict:
    """The dbt_sql row: the node seconds of the reproduced models, with dbt's time as a
    multiple of the reference's wall time in the status."""
    seconds, missing = dbt_sql_seconds(run_results)
    if missing:
        status = f"node seconds; {len(missing)} of {len(DBT_SQL_MODELS)} models not timed"
    elif reference is None or reference["status"] != "ok" or not reference["wall_s"]:
        status = "node seconds; no reference time"
    else:
        status = f"node seconds; dbt/reference = {seconds / reference['wall_s']:.2f}x"
    return {
        "size": size,
        "phase": "dbt_sql",
        "wall_s": round(seconds, 1),
        "peak_rss_mb": None,
        "rows": row_count,
        "status": status,
    }


def remove_scratch(db: Path) -> None:
    """Delete a scratch DuckDB database with its write-ahead log and spill folder."""
    import shutil

    for path in (db, db.with_name(db.name + ".wal")):
        path.unlink(missing_ok=True)
    shutil.rmtree(db.with_name(db.name + ".tmp"), ignore_errors=True)


def count_rows(db_path: Path, raw_dir: Path) -> dict[str, int]:
    import duckdb

    con = duckdb.connect()
    raw = con.execute(
        f"select count(*) from read_parquet('{raw_dir}/transactions/*.parquet')"
    ).fetchone()[0]
    total = con.execute(
        f"select sum(num_rows) from (select distinct file_name, num_rows from "
        f"parquet_file_metadata('{raw_dir}/**/*.parquet'))"
    ).fetchone()[0]
    return {"transactions": int(raw), "all_raw": int(total)}


def bench_size(size: int, months: int, seed: int) -> list[dict]:
    work = ROOT / "build" / "bench" / str(size)
    db_path = work / "bank.duckdb"
    raw_dir = work / "data" / "raw"
    work.mkdir(parents=True, exist_ok=True)
    if db_path.exists():
        db_path.unlink()
    env = dict(
        os.environ, BANKMINE_RAW=str(raw_dir), BANKMINE_DB=str(db_path), DBT_PROFILES_DIR=str(ROOT)
    )
    rows = []
    target = work / "target"

    samples: list[tuple[float, int]] = []

    def record(
        phase: str, command: list[str], row_count: int | None = None, extra_env=None
    ) -> bool:
        print(f"[bench] {size:,} customers: {phase} ...", flush=True)
        samples.clear()
        wall, peak, code = run_phase(command, {**env, **(extra_env or {})}, samples)
        status = "ok" if code == 0 else f"failed (exit {code})"
        rows.append(
            {
                "size": size,
                "phase": phase,
                "wall_s": round(wall, 1),
                "peak_rss_mb": round(peak),
                "rows": row_count,
                "status": status,
            }
        )
        print(
            f"[bench] {size:,} customers: {phase} {wall:.1f} s, peak {peak:,.0f} MB, {status}",
            flush=True,
        )
        return code == 0

    dbt_paths = ["--target-path", str(target), "--log-path", str(work / "logs")]
    ok = record(
        "generate",
        [
            str(BIN / "bankmine"),
            "generate",
            "--customers",
            str(size),
            "--months",
            str(months),
            "--seed",
            str(seed),
            "--out",
            str(work / "data"),
        ],
    )
    if not ok:
        return rows
    counts = count_rows(db_path, raw_dir)
    rows[-1]["rows"] = counts["all_raw"]
    held = work / "held_last_day.parquet"
    held_rows, held_day = hold_back_last_day(raw_dir / "transactions", held)
    if not record("dbt_seed", [str(BIN / "dbt"), "seed", *dbt_paths]):
        return rows
    # dbt seed wrote run_results.json too: a build killed before writing its own must not
    # be reported with the seed's timings
    (target / "run_results.json").unlink(missing_ok=True)
    # the day dbt's date_in_future check uses (run_started_at, UTC), for the reference
    build_day = dt.datetime.now(dt.UTC).date()
    built_rows = counts["transactions"] - held_rows
    # the reference first, on the raw folder the build will see (the held day is out),
    # into a scratch file deleted once timed: its tables are never read, and at 1,000,000
    # customers they took 14 GB (with 28 GB of spill) that the warehouse needs next
    reference_db = work / "reference.duckdb"
    remove_scratch(reference_db)
    record(
        "reference_sql",
        [
            sys.executable,
            str(ROOT / "bench" / "reference_sql.py"),
            "--raw",
            str(raw_dir),
            "--db",
            str(reference_db),
            "--latest-valid-date",
            build_day.isoformat(),
            "--quiet",
        ],
        built_rows,
    )
    reference = rows[-1]
    remove_scratch(reference_db)
    built = record("dbt_build", [str(BIN / "dbt"), "build", *dbt_paths], built_rows)
    # the build's own split, from dbt's per-node timings (also for a failed build: the
    # nodes that finished are timed)
    rows.extend(breakdown_rows(size, "build", target / "run_results.json", samples))
    rows.append(dbt_sql_row(size, target / "run_results.json", reference, built_rows))
    if built:
        # the next day arrives: its transactions as a new part, then the daily run
        held.replace(raw_dir / "transactions" / "part-next-day.parquet")
        (target / "run_results.json").unlink(missing_ok=True)
        # as a bank schedules it: key tests of the growing tables on the last month only,
        # the day given in the environment (a var would make dbt parse everything again)
        test_from = held_day - dt.timedelta(days=DAILY_TEST_DAYS)
        record(
            "dbt_incremental_day",
            [str(BIN / "dbt"), "build", "--selector", DAILY_SELECTOR, *dbt_paths],
            held_rows,
            extra_env={"BANKMINE_DATA_TEST_FROM": test_from.isoformat()},
        )
        rows.extend(breakdown_rows(size, "day", target / "run_results.json", samples))
    return rows


def markdown_table(rows: list[dict]) -> str:
    lines = [
        "| customers | phase | wall (s) | peak RSS (MB) | rows | rows/s | status |",
        "|---:|---|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        rate = f"{row['rows'] / row['wall_s']:,.0f}" if row["rows"] and row["wall_s"] else ""
        count = f"{row['rows']:,}" if row["rows"] else ""
        peak = f"{row['peak_rss_mb']:,}" if row["peak_rss_mb"] is not None else ""
        lines.append(
            f"| {row['size']:,} | {row['phase']} | {row['wall_s']} | "
            f"{peak} | {count} | {rate} | {row['status']} |"
        )
    return "\n".join(lines)


FIELDS = ["size", "phase", "wall_s", "peak_rss_mb", "rows", "status", "measured"]


def provenance() -> str:
    """When and on which commit a run measured: '<UTC date> <short commit>'."""
    day = dt.datetime.now(dt.UTC).date().isoformat()
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "no commit"
    return f"{day} {commit}"


def merge_results(previous: list[dict], rows: list[dict]) -> list[dict]:
    """The latest figures of every size: this run's rows replace the previous rows of the
    sizes it measured; sizes it did not measure keep their rows (and their `measured`)."""
    measured = {row["size"] for row in rows}
    kept = [row for row in previous if row["size"] not in measured]
    return sorted(kept + rows, key=lambda row: row["size"])


def write_results(rows: list[dict]) -> list[dict]:
    """Write this run's rows to a timestamped copy and merge them into latest.csv (one
    size's run does not erase the others' figures). Returns latest.csv's rows."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    latest = RESULTS / "latest.csv"
    merged = merge_results(read_results(latest) if latest.exists() else [], rows)
    for path, content in ((RESULTS / f"{stamp}.csv", rows), (latest, merged)):
        with open(path, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=FIELDS)
            writer.writeheader()
            writer.writerows(content)
    return merged


def read_results(path: Path) -> list[dict]:
    def number(text: str, kind):
        return kind(text) if text not in ("", None) else None

    with open(path, newline="") as handle:
        return [
            {
                "size": int(row["size"]),
                "phase": row["phase"],
                "wall_s": float(row["wall_s"]),
                "peak_rss_mb": number(row["peak_rss_mb"], int),
                "rows": number(row["rows"], int),
                "status": row.get("status") or "ok",
                "measured": row.get("measured") or "",
            }
            for row in csv.DictReader(handle)
        ]


def machine() -> str:
    cores = os.cpu_count()
    with open("/proc/meminfo") as meminfo:
        mem_gb = int(meminfo.readline().split()[1]) / 1024 / 1024
    return (
        f"{platform.machine()}, {cores} cores, {mem_gb:.0f} GB, Python {platform.python_version()}"
    )


def readme_block(rows: list[dict], months: int) -> str:
    """The README's table of latest.csv, headed by when each size was measured."""
    runs: dict[str, list[int]] = {}
    for row in rows:
        sizes = runs.setdefault(row.get("measured") or "an unrecorded run", [])
        if row["size"] not in sizes:
            sizes.append(row["size"])
    when = "; ".join(
        f"{', '.join(f'{size:,}' for size in sizes)} customers on {measured}"
        for measured, sizes in runs.items()
    )
    return (
        f"{README_START}\nMeasured on {machine()}, {months} months, by "
        f'`make bench SIZES="..."` ({when}):\n\n'
        f"{markdown_table(rows)}\n{README_END}"
    )


def failed_phases(rows: list[dict]) -> list[str]:
    """'<size>:<phase>' of each row whose status says it failed."""
    return [f"{row['size']}:{row['phase']}" for row in rows if row["status"].startswith("failed")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--update-readme", action="store_true")
    parser.add_argument(
        "--readme-only",
        action="store_true",
        help="write the README table from bench/results/latest.csv without running anything",
    )
    args = parser.parse_args()

    if args.readme_only:
        rows = read_results(RESULTS / "latest.csv")
        checked = rows
    else:
        run = []
        for size in args.sizes:
            run += bench_size(size, args.months, args.seed)
        stamp = provenance()
        rows = write_results([dict(row, measured=stamp) for row in run])
        # the sizes measured before keep their rows and their own failures
        checked = run
    block = readme_block(rows, args.months)
    print(block)
    if failed_phases(checked):
        print(
            f"bench: failed: {', '.join(failed_phases(checked))}; see the status column",
            file=sys.stderr,
        )
    if args.update_readme:
        readme = ROOT / "README.md"
        text = readme.read_text()
        start, end = text.index(README_START), text.index(README_END) + len(README_END)
        readme.write_text(text[:start] + block + text[end:])


if __name__ == "__main__":
    main()
