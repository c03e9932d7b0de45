"""Benchmark: generate banks of given sizes and build them, recording time and memory.

Each phase runs as a child process; a sampler sums the resident memory of the
child and all its descendants every 0.1 s, so peak_rss_mb is the peak of the
whole process tree. Results go to bench/results/latest.csv (and a timestamped
copy) and, with --update-readme, to the table between the bench markers in
README.md.

    python bench/run_bench.py --sizes 20000 200000 [--months 24] [--update-readme]
"""

from __future__ import annotations

import argparse
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


def run_phase(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run command; return (wall seconds, peak tree RSS in MB). Raise on failure."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(process.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    done.set()
    sampler.join()
    wall = time.perf_counter() - started
    if process.returncode != 0:
        sys.stderr.write(output[-5000:])
        raise SystemExit(f"bench: {' '.join(command)} failed (exit {process.returncode})")
    return wall, peak / 1024


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

    def record(phase: str, command: list[str], row_count: int | None = None) -> None:
        print(f"[bench] {size:,} customers: {phase} ...", flush=True)
        wall, peak = run_phase(command, env)
        rows.append(
            {
                "size": size,
                "phase": phase,
                "wall_s": round(wall, 1),
                "peak_rss_mb": round(peak),
                "rows": row_count,
            }
        )
        print(f"[bench] {size:,} customers: {phase} {wall:.1f} s, peak {peak:,.0f} MB", flush=True)

    record(
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
    counts = count_rows(db_path, raw_dir)
    rows[-1]["rows"] = counts["all_raw"]
    record("dbt_seed", [str(BIN / "dbt"), "seed"])
    record("dbt_build", [str(BIN / "dbt"), "build"], counts["transactions"])
    return rows


def markdown_table(rows: list[dict]) -> str:
    lines = [
        "| customers | phase | wall (s) | peak RSS (MB) | rows | rows/s |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        rate = f"{row['rows'] / row['wall_s']:,.0f}" if row["rows"] and row["wall_s"] else ""
        count = f"{row['rows']:,}" if row["rows"] else ""
        lines.append(
            f"| {row['size']:,} | {row['phase']} | {row['wall_s']} | "
            f"{row['peak_rss_mb']:,} | {count} | {rate} |"
        )
    return "\n".join(lines)


def machine() -> str:
    cores = os.cpu_count()
    with open("/proc/meminfo") as meminfo:
        mem_gb = int(meminfo.readline().split()[1]) / 1024 / 1024
    return (
        f"{platform.machine()}, {cores} cores, {mem_gb:.0f} GB, Python {platform.python_version()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--update-readme", action="store_true")
    args = parser.parse_args()

    rows = []
    for size in args.sizes:
        rows += bench_size(size, args.months, args.seed)

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for path in (RESULTS / "latest.csv", RESULTS / f"{stamp}.csv"):
        with open(path, "w", newline="") as handle:
            writer = csv.DictWriter(
                handle, fieldnames=["size", "phase", "wall_s", "peak_rss_mb", "rows"]
            )
            writer.writeheader()
            writer.writerows(rows)
    table = markdown_table(rows)
    block = (
        f"{README_START}\nMeasured {dt.date.today()} on {machine()}, "
        f'{args.months} months, `make bench SIZES="{" ".join(map(str, args.sizes))}"`:\n\n'
        f"{table}\n{README_END}"
    )
    print(block)
    if args.update_readme:
        readme = ROOT / "README.md"
        text = readme.read_text()
        start, end = text.index(README_START), text.index(README_END) + len(README_END)
        readme.write_text(text[:start] + block + text[end:])


if __name__ == "__main__":
    main()
