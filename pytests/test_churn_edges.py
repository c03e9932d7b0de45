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


def snapshot_table(latest_labelled_rows: int = 300):
    """Labelled snapshots of January to March (March the latest labelled, with
    latest_labelled_rows rows), April unlabelled, May the scoring snapshot."""
    frames = []
    for month, rows, labelled, scoring in (
        ("2025-01-31", 300, True, False),
        ("2025-02-28", 300, True, False),
        ("2025-03-31", latest_labelled_rows, True, False),
        ("2025-04-30", 300, False, False),
        ("2025-05-31", 300, False, True),
    ):
        frames.append(
            pd.DataFrame(
                {
                    "customer_snapshot_key": [f"{month}-{i:04d}" for i in range(rows)],
                    "customer_id": [f"c{i:04d}" for i in range(rows)],
                    "snapshot_date": pd.Timestamp(month).date(),
                    "is_labelled": labelled,
                    "is_scoring_snapshot": scoring,
                    "activity": range(rows),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def read(table: pd.DataFrame, limit: int) -> pd.DataFrame:
    import duckdb

    con = duckdb.connect()
    con.register("snapshots_frame", table)
    relation = con.sql("select * from snapshots_frame")
    columns = ["customer_snapshot_key", "snapshot_date", "is_labelled", "is_scoring_snapshot"]
    return churn.read_snapshots(relation, con, [*columns, "activity", "absent"], limit=limit)


def test_only_the_scoring_snapshot_and_a_training_sample_are_read():
    table = snapshot_table()
    rows = read(table, limit=200)
    months = rows["snapshot_date"].astype(str).value_counts().to_dict()
    # the latest labelled snapshot keeps half, older ones fill the rest, April is not read
    assert months["2025-03-31"] == 100
    assert months.get("2025-01-31", 0) + months.get("2025-02-28", 0) == 100
    assert months["2025-05-31"] == 300
    assert "2025-04-30" not in months
    assert "absent" not in rows.columns and "activity" in rows.columns
    # the same rows whatever the order of the input
    shuffled = read(table.sample(frac=1.0, random_state=4), limit=200)
    assert set(shuffled["customer_snapshot_key"]) == set(rows["customer_snapshot_key"])
    # what is read trains as it is: the model's own sample keeps every labelled row
    labelled = rows[rows["is_labelled"]]
    assert churn.sample_training_snapshots(labelled, 200) is labelled


def test_a_small_latest_snapshot_is_read_whole_and_older_ones_fill_the_budget():
    rows = read(snapshot_table(latest_labelled_rows=30), limit=200)
    months = rows["snapshot_date"].astype(str).value_counts().to_dict()
    assert months["2025-03-31"] == 30
    assert months.get("2025-01-31", 0) + months.get("2025-02-28", 0) == 170


def test_every_labelled_row_is_read_within_the_budget():
    rows = read(snapshot_table(), limit=1000)
    assert rows["is_labelled"].sum() == 900
    assert len(rows) == 1200
