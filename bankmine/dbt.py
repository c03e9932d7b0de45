"""Run dbt for this project with the raw folder and warehouse file chosen."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from bankmine.errors import BankmineError


def dbt_executable() -> str:
    """The dbt of the interpreter running bankmine (the project's venv)."""
    candidate = Path(sys.executable).parent / "dbt"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("dbt")
    if not found:
        raise BankmineError("dbt is not installed in this environment: run `make setup`")
    return found


def dbt_env(raw_dir: Path, db_path: Path, project_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["BANKMINE_RAW"] = str(Path(raw_dir).resolve())
    env["BANKMINE_DB"] = str(Path(db_path).resolve())
    env.setdefault("DBT_PROFILES_DIR", str(project_dir))
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return env


def run_dbt(args: list[str], raw_dir: Path, db_path: Path, project_dir: Path) -> None:
    """Run `dbt ARGS` in the project; raise BankmineError if it fails."""
    Path(db_path).resolve().parent.mkdir(parents=True, exist_ok=True)
    command = [dbt_executable(), *args]
    result = subprocess.run(
        command, check=False, cwd=project_dir, env=dbt_env(raw_dir, db_path, project_dir)
    )
    if result.returncode != 0:
        raise BankmineError(
            f"`dbt {' '.join(args)}` failed (exit {result.returncode}); its log above says which "
            "model or test, and target/run_results.json has the details"
        )
