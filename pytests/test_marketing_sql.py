"""The campaign uplift interval macros against published values (rendered by dbt, run in
DuckDB)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# (treated conversions, treated, control conversions, control) -> Newcombe (1998) method 10
PUBLISHED = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
]


def test_uplift_interval_matches_newcombe(tmp_path, minimal_raw):
    selects = " union all ".join(
        f"select {i} as example, "
        f"{{{{ uplift_bound({a}, {n1}, {b}, {n0}, 'lower') }}}} as lower_bound, "
        f"{{{{ uplift_bound({a}, {n1}, {b}, {n0}, 'upper') }}}} as upper_bound, "
        f"{{{{ wilson_bound(0, 50, 'upper') }}}} as wilson_zero_of_50"
        for i, ((a, n1, b, n0), _) in enumerate(PUBLISHED)
    )
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(ROOT),
        "BANKMINE_RAW": str(minimal_raw),
        "BANKMINE_DB": str(tmp_path / "show.duckdb"),
    }
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "show",
            "--inline",
            selects + " order by example",
            "--output",
            "json",
            "--log-format",
            "json",
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    rows = None
    for line in result.stdout.splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        preview = event.get("data", {}).get("preview")
        if preview:
            rows = json.loads(preview) if isinstance(preview, str) else preview
    assert rows is not None, result.stdout[-2000:]
    for row, (_, (lower, upper)) in zip(rows, PUBLISHED, strict=True):
        assert row["lower_bound"] == pytest.approx(lower, abs=1e-4)
        assert row["upper_bound"] == pytest.approx(upper, abs=1e-4)
        # Wilson upper bound of 0/50: z^2 / (n + z^2)
        assert row["wilson_zero_of_50"] == pytest.approx(1.96**2 / (50 + 1.96**2), abs=1e-9)
