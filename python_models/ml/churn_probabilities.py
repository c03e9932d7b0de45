"""Probability of churn in the next 90 days (logic: bankmine.ml.churn)."""

import bankmine

# see bankmine.model_imports: dbt-duckdb runs Python models on parallel threads
with bankmine.model_imports():
    import pyarrow as pa

    from bankmine.ml import churn, common


def model(dbt, session):
    dbt.config(materialized="table")
    meta = dbt.config.get("meta")
    numeric = list(meta["numeric_features"])
    categorical = list(meta.get("categorical_features", []))
    columns = (
        {
            "customer_snapshot_key",
            "customer_id",
            "snapshot_date",
            "is_scoring_snapshot",
            "is_labelled",
            "churned_next_90d",
        }
        | set(numeric)
        | set(categorical)
    )
    relation = dbt.ref("int_churn_snapshots")
    # the scoring snapshot and the training sample only, not every past snapshot
    snapshots = churn.read_snapshots(relation, session, sorted(columns))
    try:
        result = churn.train_and_score(snapshots, numeric, categorical)
    except common.NotEnoughData as reason:
        result = churn.unscored(snapshots, str(reason))
    scores = result.scores
    scores["model_name"] = "churn"
    scores["model_version"] = result.version
    schema = pa.schema(
        [
            ("customer_snapshot_key", pa.string()),
            ("customer_id", pa.string()),
            ("snapshot_date", pa.date32()),
            ("churn_probability", pa.float64()),
            ("is_scoring_snapshot", pa.bool_()),
            ("is_validation_row", pa.bool_()),
            ("champion", pa.string()),
            ("validation_method", pa.string()),
            ("model_name", pa.string()),
            ("model_version", pa.string()),
        ]
    )
    return pa.Table.from_pandas(scores[schema.names], schema=schema, preserve_index=False)
