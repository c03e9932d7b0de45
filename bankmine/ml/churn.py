"""Churn: probability that an active customer closes the relationship or stops making
customer-initiated transactions in the 90 days after a snapshot.

Training rows are past monthly snapshots whose 90 days have passed; the latest of them
is held out (out of time); the champion (logistic or gradient boosting, by out-of-time
AUC) is calibrated on the training snapshots and scores the as-of snapshot."""

from __future__ import annotations

import logging

import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from bankmine.ml import common

log = logging.getLogger("bankmine.ml.churn")

# Training snapshots are sampled down to this many rows (deterministically) on big banks.
MAX_TRAINING_ROWS = 150_000


ChurnResult = common.ModelResult


def candidates() -> dict:
    return {
        "logistic": LogisticRegression(C=0.5, max_iter=2000),
        "gradient_boosting": HistGradientBoostingClassifier(
            max_depth=4,
            learning_rate=0.06,
            max_iter=200,
            min_samples_leaf=50,
            l2_regularization=1.0,
            random_state=common.RANDOM_STATE,
        ),
    }


def sample_training_snapshots(train_rows: pd.DataFrame, limit: int) -> pd.DataFrame:
    """At most `limit` labelled snapshot rows, seeded: the latest snapshot (the out-of-time
    hold-out) keeps up to half of them, older snapshots fill the rest. On a big bank the
    latest snapshot alone can exceed the limit."""
    if len(train_rows) <= limit:
        return train_rows
    latest = train_rows["snapshot_date"] == train_rows["snapshot_date"].max()
    newest = train_rows[latest]
    if len(newest) > limit // 2:
        newest = newest.sample(limit // 2, random_state=common.RANDOM_STATE)
    older = train_rows[~latest]
    older = older.sample(min(limit - len(newest), len(older)), random_state=common.RANDOM_STATE)
    return pd.concat([older, newest]).sort_values(["snapshot_date", "customer_id"])


def snapshot_rows_query(query: str, limit: int, seed: int = common.RANDOM_STATE) -> str:
    """SQL selecting, from the snapshot rows of the SQL `query`, only those the model reads:
    every row of the scoring snapshot and at most `limit` labelled rows, chosen as
    sample_training_snapshots chooses them (the latest labelled snapshot keeps up to half,
    older snapshots fill the rest) but by the smallest seeded hash of the key, so the same
    data gives the same rows in any order and the other snapshots never reach pandas. All
    labelled rows when there are at most `limit`; unlabelled snapshots other than the
    scoring one are neither trained on nor scored, so they are not read."""
    half = limit // 2
    return f"""
with snapshots as ({query}),
labelled as (
    select
        customer_snapshot_key,
        snapshot_date = max(snapshot_date) over () as is_latest
    from snapshots
    where coalesce(is_labelled, false)
),
drawn as (
    select
        customer_snapshot_key,
        is_latest,
        row_number() over (
            partition by is_latest
            order by hash(customer_snapshot_key || '|{seed}'), customer_snapshot_key
        ) as draw,
        count(*) over () as labelled_rows,
        count(case when is_latest then 1 end) over () as latest_rows
    from labelled
),
chosen as (
    select customer_snapshot_key
    from drawn
    where
        labelled_rows <= {limit}
        or (is_latest and draw <= {half})
        or (not is_latest and draw <= {limit} - least(latest_rows, {half}))
)
select * from snapshots
where
    coalesce(is_scoring_snapshot, false)
    or customer_snapshot_key in (select customer_snapshot_key from chosen)
"""


def read_snapshots(relation, con, columns, limit: int = MAX_TRAINING_ROWS) -> pd.DataFrame:
    """The given columns (those the relation has, common.select_present) of the snapshot
    rows the model reads (snapshot_rows_query), from a DuckDB relation on connection `con`,
    as pandas. On a big bank that is the scoring snapshot and the training sample, not every
    past snapshot."""
    query = common.select_present(relation, columns).sql_query()
    return con.sql(snapshot_rows_query(query, limit)).to_arrow_table().to_pandas()


def train_and_score(*args, **kwargs) -> ChurnResult:
    """See _train_and_score; one OpenMP thread (see bankmine.ml.credit.train_and_score)."""
    with threadpool_limits(limits=1):
        return _train_and_score(*args, **kwargs)


def _train_and_score(
    snapshots: pd.DataFrame,
    numeric: list[str],
    categorical: list[str],
    holdout_share: float = 0.05,
) -> ChurnResult:
    """snapshots: one row per customer and snapshot with customer_snapshot_key, customer_id,
    snapshot_date, is_scoring_snapshot, is_labelled, churned_next_90d and the features.
    Returns scores for the validation snapshot(s) and the scoring snapshot."""
    snapshots = snapshots.sort_values(["snapshot_date", "customer_id"]).reset_index(drop=True)
    features = common.usable_features(snapshots, numeric, categorical)
    labelled = snapshots["is_labelled"].fillna(False).to_numpy(dtype=bool)
    train_rows = sample_training_snapshots(snapshots[labelled], MAX_TRAINING_ROWS)
    train_frame = common.model_frame(train_rows, features).reset_index(drop=True)
    labels = train_rows["churned_next_90d"].astype(int).reset_index(drop=True)
    periods = train_rows["snapshot_date"].reset_index(drop=True)
    if labels.nunique() < 2:
        raise common.NotEnoughData("the labelled snapshots hold no churners (or only churners)")
    trained = common.train_champion(
        train_frame, labels, periods, features, candidates(), holdout_share
    )
    log.info("churn model: %s", trained.metrics)

    validation_keys = set(train_rows["customer_snapshot_key"].iloc[trained.split.validation])
    keep = (
        snapshots["is_scoring_snapshot"].fillna(False).to_numpy(dtype=bool)
        | snapshots["customer_snapshot_key"].isin(validation_keys).to_numpy()
    )
    scored = snapshots[keep].reset_index(drop=True)
    probability = trained.model.predict_proba(common.model_frame(scored, features))[:, 1]
    version = common.model_version(
        [_train_and_score, candidates, common.train_champion, common.preprocessor],
        {"champion": trained.champion, "features": features.all, "holdout_share": holdout_share},
        pd.concat([train_frame, labels.rename("label")], axis=1),
    )
    scores = pd.DataFrame(
        {
            "customer_snapshot_key": scored["customer_snapshot_key"].astype(str),
            "customer_id": scored["customer_id"].astype(str),
            "snapshot_date": pd.to_datetime(scored["snapshot_date"]).dt.date,
            "churn_probability": probability.astype("float64"),
            "is_scoring_snapshot": scored["is_scoring_snapshot"].astype(bool),
            "is_validation_row": scored["customer_snapshot_key"].isin(validation_keys),
            "champion": trained.champion,
            "validation_method": trained.split.method,
        }
    )
    return ChurnResult(scores, trained.metrics, trained.champion, version, features)


def unscored(snapshots: pd.DataFrame, reason: str) -> ChurnResult:
    """The scoring snapshot without scores, when history cannot train a model yet."""
    log.warning("churn model not trained: %s", reason)
    scored = snapshots[snapshots["is_scoring_snapshot"].fillna(False).astype(bool)].reset_index(
        drop=True
    )
    scores = pd.DataFrame(
        {
            "customer_snapshot_key": scored["customer_snapshot_key"].astype(str),
            "customer_id": scored["customer_id"].astype(str),
            "snapshot_date": pd.to_datetime(scored["snapshot_date"]).dt.date,
            "churn_probability": pd.Series([None] * len(scored), dtype="float64"),
            "is_scoring_snapshot": True,
            "is_validation_row": False,
            "champion": "none",
            "validation_method": f"not_trained: {reason}",
        }
    )
    return ChurnResult(scores, {}, "none", "untrained", common.FeatureSet([], []))
