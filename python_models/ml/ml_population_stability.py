"""Population stability index (PSI) of each model score and numeric feature between the
population a model trained on and the one it scores now (logic: bankmine.ml.monitoring).
Features are the ones ml_model_features lists from each model's YAML meta."""

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
        frame(
            dbt.ref("credit_risk_scores"),
            ["loan_id", "probability_of_default", "is_training_row", "is_validation_row"],
        ),
        frame(
            dbt.ref("int_loan_origination_features"),
            ["loan_id", "is_outcome_observable", *features.get("credit_risk", [])],
        ),
    )
    churn = monitoring.churn_populations(
        frame(
            dbt.ref("churn_probabilities"),
            [
                "customer_snapshot_key",
                "snapshot_date",
                "churn_probability",
                "is_scoring_snapshot",
                "is_validation_row",
            ],
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
                *features.get("churn", []),
            ],
        ),
    )
    result = pd.concat(
        [
            monitoring.stability_for(
                "credit_risk",
                credit,
                ["probability_of_default"],
                features.get("credit_risk", []),
            ),
            monitoring.stability_for(
                "churn", churn, ["churn_probability"], features.get("churn", [])
            ),
        ],
        ignore_index=True,
    )
    schema = pa.schema(
        [
            ("model_name", pa.string()),
            ("variable", pa.string()),
            ("variable_kind", pa.string()),
            ("reference_population", pa.string()),
            ("training_rows", pa.int64()),
            ("scoring_rows", pa.int64()),
            ("population_stability_index", pa.float64()),
            ("stability_status", pa.string()),
        ]
    )
    result = monitoring.as_frame(result.to_dict("records"), monitoring.STABILITY_COLUMNS)
    return pa.Table.from_pandas(result[schema.names], schema=schema, preserve_index=False)
