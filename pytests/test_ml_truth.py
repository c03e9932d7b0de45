"""Honest evaluation of the ML models against the generator's hidden truth, on the demo
bank's size (20,000 customers, 24 months). Truth is read here only, never by a model.

Figures are printed (run with -s) and reported in the README."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from sklearn.metrics import adjusted_rand_score, roc_auc_score

from bankmine.generator import generate

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo_bank(tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("truth")
    generate(customers=20_000, months=24, seed=42, out_dir=work / "data")
    raw, db = work / "data" / "raw", work / "bank.duckdb"
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(ROOT),
        "BANKMINE_RAW": str(raw),
        "BANKMINE_DB": str(db),
    }
    dbt_bin = str(Path(sys.executable).parent / "dbt")
    target = ["--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    for args in (["seed"], ["run", "-s", "+ml_model_metrics"]):
        result = subprocess.run(
            [dbt_bin, *args, *target],
            check=False,
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout[-4000:]
    return {"db": db, "truth": work / "data" / "truth"}


def query(bank: dict, sql: str):
    con = duckdb.connect(str(bank["db"]), read_only=True)
    try:
        return con.execute(sql.format(truth=bank["truth"])).df()
    finally:
        con.close()


def test_credit_model_reaches_most_of_the_truth_auc_out_of_time(demo_bank):
    frame = query(
        demo_bank,
        """
        select scores.probability_of_default, features.defaulted_within_12m,
               truth.true_default_probability
        from ml.credit_risk_scores as scores
        inner join intermediate.int_loan_origination_features as features using (loan_id)
        inner join '{truth}/loan_truth.parquet' as truth using (loan_id)
        where scores.is_validation_row
    """,
    )
    model_auc = roc_auc_score(frame["defaulted_within_12m"], frame["probability_of_default"])
    truth_auc = roc_auc_score(frame["defaulted_within_12m"], frame["true_default_probability"])
    print(
        f"\ncredit: {len(frame)} validation loans, {int(frame['defaulted_within_12m'].sum())} "
        f"defaults; model AUC {model_auc:.3f}, true-probability AUC {truth_auc:.3f}, "
        f"ratio {model_auc / truth_auc:.3f}"
    )
    assert model_auc / truth_auc >= 0.95


def test_churn_model_auc_out_of_time(demo_bank):
    frame = query(
        demo_bank,
        """
        select scores.churn_probability, snapshots.churned_next_90d
        from ml.churn_probabilities as scores
        inner join intermediate.int_churn_snapshots as snapshots using (customer_snapshot_key)
        where scores.is_validation_row
    """,
    )
    auc = roc_auc_score(frame["churned_next_90d"], frame["churn_probability"])
    print(
        f"\nchurn: {len(frame)} validation customers, rate "
        f"{frame['churned_next_90d'].mean():.3f}; model AUC {auc:.3f}"
    )
    assert auc >= 0.8


def test_stored_metrics_match_what_the_scores_achieve(demo_bank):
    metrics = query(demo_bank, "select model_name, auc from ml.ml_model_metrics")
    stored = dict(zip(metrics["model_name"], metrics["auc"], strict=True))
    frame = query(
        demo_bank,
        """
        select scores.probability_of_default, features.defaulted_within_12m
        from ml.credit_risk_scores as scores
        inner join intermediate.int_loan_origination_features as features using (loan_id)
        where scores.is_validation_row
    """,
    )
    measured = roc_auc_score(frame["defaulted_within_12m"], frame["probability_of_default"])
    assert stored["credit_risk"] == pytest.approx(measured)


def test_segments_recover_part_of_the_hidden_customer_types(demo_bank):
    frame = query(
        demo_bank,
        """
        select segments.segment_id, segments.segment_name, truth.customer_type
        from ml.customer_segments as segments
        inner join '{truth}/customer_types.parquet' as truth using (customer_id)
    """,
    )
    by_id = adjusted_rand_score(frame["customer_type"], frame["segment_id"])
    by_name = adjusted_rand_score(frame["customer_type"], frame["segment_name"])
    print(f"\nsegments: adjusted Rand index {by_id:.3f} by segment, {by_name:.3f} by name")
    assert by_id > 0.2
