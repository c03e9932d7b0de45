"""Churn model edge cases met on real data sizes: a bank too small to train, a bank so big
that one snapshot exceeds the training budget."""

from __future__ import annotations

import pandas as pd

from bankmine.ml import churn


def test_unscored_churn_rows_keep_their_customers():
    # the scoring snapshot sits after older snapshots (its index does not start at 0): the
    # unscored rows must still be exactly its customers, not a misaligned union
    snapshots = pd.DataFrame(
        {
            "customer_snapshot_key": ["a1", "b1", "a2", "b2"],
            "customer_id": ["a", "b", "a", "b"],
            "snapshot_date": pd.to_datetime(
                ["2025-01-31", "2025-01-31", "2025-02-28"] * 1 + ["2025-02-28"]
            ),
            "is_scoring_snapshot": [False, False, True, True],
        }
    )
    scores = churn.unscored(snapshots, "no churners").scores
    assert list(scores["customer_snapshot_key"]) == ["a2", "b2"]
    assert scores["churn_probability"].isna().all()


def test_churn_training_sample_when_the_latest_snapshot_alone_is_too_big():
    # at 200,000 customers the latest labelled snapshot held more rows than the whole
    # training budget, and the sample asked pandas for a negative number of older rows
    rows = pd.DataFrame(
        {
            "customer_id": [f"c{i:04d}" for i in range(300)] * 2,
            "snapshot_date": [pd.Timestamp("2025-01-31")] * 300
            + [pd.Timestamp("2025-02-28")] * 300,
        }
    )
    sample = churn.sample_training_snapshots(rows, 200)
    assert len(sample) == 200
    latest = sample["snapshot_date"] == pd.Timestamp("2025-02-28")
    assert latest.sum() == 100
    assert sample.equals(churn.sample_training_snapshots(rows, 200))
    assert churn.sample_training_snapshots(rows, 1000) is rows
