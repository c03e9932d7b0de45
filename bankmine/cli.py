"""bankmine command line: generate a demo bank, validate a raw folder, build, summarise, publish."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from bankmine.errors import BankmineError

DEFAULT_RAW = "data/raw"
DEFAULT_DB = "warehouse/bank.duckdb"


def _project_dir() -> Path:
    from bankmine.contract import find_project_dir

    return Path(find_project_dir())


def _raw_dir(value: str | None) -> Path:
    return Path(value or os.environ.get("BANKMINE_RAW") or DEFAULT_RAW).resolve()


def _db_path(value: str | None) -> Path:
    return Path(value or os.environ.get("BANKMINE_DB") or DEFAULT_DB).resolve()


def _serving_path(value: str | None, db_path: Path) -> Path:
    from bankmine.publish import default_serving_path

    chosen = value or os.environ.get("BANKMINE_SERVING")
    return Path(chosen).resolve() if chosen else default_serving_path(db_path)


def cmd_generate(args: argparse.Namespace) -> int:
    from bankmine.generator import generate

    started = time.perf_counter()
    counts = generate(
        customers=args.customers,
        months=args.months,
        seed=args.seed,
        out_dir=args.out,
        end_date=args.end_date,
    )
    elapsed = time.perf_counter() - started
    print(
        f"generated a bank of {args.customers:,} customers over {args.months} months "
        f"(seed {args.seed}) in {elapsed:.1f} s into {Path(args.out).resolve()}/raw"
    )
    for table, rows in counts.items():
        print(f"  {table:<20} {rows:>12,}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from bankmine.validate import exit_code, format_report, validate_folder

    raw_dir = _raw_dir(args.raw_dir)
    problems = validate_folder(raw_dir, project_dir=_project_dir())
    print(format_report(problems, raw_dir=raw_dir))
    return exit_code(problems)


# Row-level problems that staging quarantines row by row; any other error in
# the raw folder stops the build before dbt starts.
ROW_LEVEL_KINDS = {"unparsable_value"}


def _build(raw_dir: Path, db_path: Path, skip_validate: bool = False) -> None:
    from bankmine.dbt import run_dbt
    from bankmine.validate import format_report, validate_folder

    project_dir = _project_dir()
    if not skip_validate:
        problems = validate_folder(raw_dir, project_dir=project_dir)
        errors = [p for p in problems if p.severity == "error"]
        if any(p.kind not in ROW_LEVEL_KINDS for p in errors):
            raise BankmineError(
                "the raw folder does not match the contract; nothing was built:\n"
                + format_report(problems)
            )
        if errors:
            print(
                "validate: these rows will be quarantined with a reason:\n"
                + format_report(problems, show_info=False)
            )
    run_dbt(["seed"], raw_dir, db_path, project_dir)
    run_dbt(["build"], raw_dir, db_path, project_dir)


def cmd_build(args: argparse.Namespace) -> int:
    raw_dir, db_path = _raw_dir(args.raw), _db_path(args.db)
    _build(raw_dir, db_path, skip_validate=args.skip_validate)
    cmd_summary(args)
    print()
    return cmd_publish(args)


def cmd_summary(args: argparse.Namespace) -> int:
    from bankmine.summary import build_summary

    print(build_summary(_db_path(args.db), _project_dir()))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    out = Path(args.out).resolve()
    args.out = str(out)
    cmd_generate(args)
    raw_dir, db_path = out / "raw", _db_path(args.db)
    _build(raw_dir, db_path)
    print()
    cmd_summary(args)
    print()
    return cmd_publish(args)


def cmd_publish(args: argparse.Namespace) -> int:
    from bankmine.publish import default_run_results, format_publish, publish

    db_path = _db_path(args.db)
    run_results = (
        Path(args.run_results).resolve()
        if getattr(args, "run_results", None)
        else default_run_results(_project_dir())
    )
    result = publish(
        db_path,
        _serving_path(args.serving, db_path),
        run_results_path=run_results,
        parquet_dir=Path(args.parquet) if args.parquet else None,
    )
    print(format_publish(result))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bankmine", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def add_publish_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--serving",
            help="serving copy for BI tools (default $BANKMINE_SERVING or serving.duckdb next to "
            "the warehouse file)",
        )
        p.add_argument("--parquet", metavar="DIR", help="also write one Parquet file per table")

    def add_generate_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--customers", type=int, default=20_000, help="number of customers")
        p.add_argument("--months", type=int, default=24, help="months of history")
        p.add_argument("--seed", type=int, default=42, help="random seed (same seed, same bank)")
        p.add_argument("--out", default="data", help="output folder (raw/ and truth/ inside)")
        p.add_argument("--end-date", default="2026-09-30", help="last day of history")

    p = sub.add_parser("generate", help="generate a synthetic bank (raw/ and hidden truth/)")
    add_generate_options(p)
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("validate", help="check a raw folder against the raw-data contract")
    p.add_argument(
        "raw_dir", nargs="?", help=f"raw folder (default $BANKMINE_RAW or {DEFAULT_RAW})"
    )
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("build", help="validate, dbt seed and dbt build, then print the summary")
    p.add_argument("--raw", help=f"raw folder (default $BANKMINE_RAW or {DEFAULT_RAW})")
    p.add_argument("--db", help=f"warehouse file (default $BANKMINE_DB or {DEFAULT_DB})")
    p.add_argument("--skip-validate", action="store_true", help="let dbt report raw problems")
    add_publish_options(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("summary", help="rows per mart and quarantined rows per raw table")
    p.add_argument("--db", help=f"warehouse file (default $BANKMINE_DB or {DEFAULT_DB})")
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("demo", help="generate the demo bank, build it and print the summary")
    add_generate_options(p)
    p.add_argument("--db", help=f"warehouse file (default $BANKMINE_DB or {DEFAULT_DB})")
    add_publish_options(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "publish", help="copy marts and ml to the read-only serving file for BI tools"
    )
    p.add_argument("--db", help=f"warehouse file (default $BANKMINE_DB or {DEFAULT_DB})")
    add_publish_options(p)
    p.add_argument(
        "--run-results",
        help="run_results.json of the last dbt build (default target/run_results.json in the "
        "project, or $DBT_TARGET_PATH)",
    )
    p.set_defaults(func=cmd_publish)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BankmineError as error:
        print(f"bankmine: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bankmine: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if os.environ.get("BANKMINE_DEBUG"):
            raise
        print(
            f"bankmine: unexpected error: {type(error).__name__}: {error}\n"
            "  (set BANKMINE_DEBUG=1 to see the traceback)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
