"""Univariate importance of each feature of the credit and churn models on their
out-of-time validation rows (logic: bankmine.ml.monitoring.univariate_importance): the
direction-free AUC of the feature alone against the label, and its share of missing values.
Not the champion's own importance (the fitted models are not stored)."""

import bankmine

# see bankmine.model_imports: dbt-duckdb runs Python models on parallel threads
with bankmine.model_imports():
    import pandas as pd
    import pyarrow as pa

    from bankmine.ml import monitoring
    from bankmine.ml.churn import read_snapshots as churn_snapshots
    from bankmine.ml.common import read_columns as frame


def model(dbt, session):
    dbt.config(materialized="table")
    configured = frame(dbt.ref("ml_model_features"), ["model_name", "feature", "feature_order"])
    features = {
        name: list(group.sort_values("feature_order")["feature"])
        for name, group in configured.groupby("model_name")
    }
    credit = monitoring.credit_populations(
        frame(dbt.ref("credit_risk_scores"), ["loan_id", "is_training_row", "is_validation_row"]),
        frame(
            dbt.ref("int_loan_origination_features"),
            [
                "loan_id",
                "is_outcome_observable",
                "defaulted_within_12m",
                *features.get("credit_risk", []),
            ],
        ),
    )
    churn = monitoring.churn_populations(
        frame(
            dbt.ref("churn_probabilities"),
            ["customer_snapshot_key", "snapshot_date", "is_scoring_snapshot", "is_validation_row"],
        ),
        # the rows the churn model reads: its training sample and the scoring snapshot
        churn_snapshots(
            dbt.ref("int_churn_snapshots"),
            session,
            [
                "customer_snapshot_key",
                "snapshot_date",
                "is_labelled",
                "is_scoring_snapshot",
                "churned_next_90d",
                *features.get("churn", []),
            ],
        ),
    )
    result = pd.concat(
        [
            monitoring.importance_for(
                "credit_risk", credit, "defaulted_within_12m", features.get("credit_risk", [])
            ),
            monitoring.importance_for(
                "churn", churn, "churned_next_90d", features.get("churn", [])
            ),
        ],
        ignore_index=True,
    )
    schema = pa.schema(
        [
            ("model_name", pa.string()),
            ("feature", pa.string()),
            ("univariate_auc", pa.float64()),
            ("missing_share", pa.float64()),
            ("rank", pa.int64()),
        ]
    )
    result = monitoring.as_frame(result.to_dict("records"), monitoring.IMPORTANCE_COLUMNS)
    return pa.Table.from_pandas(result[schema.names], schema=schema, preserve_index=False)
