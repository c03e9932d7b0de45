"""One row per model: validation figures re-measured from the predictions each model stored
(logic: bankmine.ml.monitoring). Credit (loan and behavioural) and churn: out-of-time AUC, Gini, KS, Brier score,
calibration error and top-decile lift on the validation rows; next-best offer: the same on its
held-out campaign contacts; segments: k, silhouette and stability; KPI forecasts (bank level, one row per KPI): backtest MASE and MAPE against the
naive baseline."""

import bankmine

# see bankmine.model_imports: dbt-duckdb runs Python models on parallel threads
with bankmine.model_imports():
    import pyarrow as pa

    from bankmine.ml import common, monitoring


# what every scoring model stores beside its key and probability
PREDICTION_COLUMNS = ["is_validation_row", "model_version", "champion", "validation_method"]


def model(dbt, session):
    dbt.config(materialized="table")

    # dbt reads each dbt.ref(...) from the code: the names must be literals here
    def read(relation, columns: list[str], where: str | None = None):
        return common.read_columns(relation.filter(where) if where else relation, columns)

    credit = read(
        dbt.ref("credit_risk_scores"),
        ["loan_id", "probability_of_default", "is_training_row", *PREDICTION_COLUMNS],
    )
    labels = read(dbt.ref("int_loan_origination_features"), ["loan_id", "defaulted_within_12m"])
    behavioural = read(
        dbt.ref("behavioural_credit_scores"),
        ["row_key", "probability_of_default", "is_training_row", *PREDICTION_COLUMNS],
        "row_kind = 'loan_origination'",
    )
    churn = read(
        dbt.ref("churn_probabilities"),
        ["customer_snapshot_key", "churn_probability", *PREDICTION_COLUMNS],
    )
    outcomes = read(dbt.ref("int_churn_snapshots"), ["customer_snapshot_key", "churned_next_90d"])
    profiles = read(
        dbt.ref("customer_segment_profiles"),
        ["k", "silhouette", "stability", "n_sampled", "model_version"],
    )
    offers = read(
        dbt.ref("offer_propensities"), ["offer_key", "offer_probability", *PREDICTION_COLUMNS]
    )
    offer_labels = read(dbt.ref("int_offer_features"), ["offer_key", "converted"])
    backtest = read(
        dbt.ref("kpi_forecast_backtest"),
        [
            "scope_id",
            "kpi_name",
            "method",
            "origins",
            "baseline_name",
            "mase",
            "baseline_mase",
            "mape",
            "baseline_mape",
            "beats_baseline",
            "note",
        ],
    )
    rows = [
        monitoring.classifier_metrics(
            "credit_risk",
            credit.merge(labels, on="loan_id"),
            "probability_of_default",
            "defaulted_within_12m",
        ),
        monitoring.classifier_metrics(
            "behavioural_credit",
            behavioural.merge(labels.rename(columns={"loan_id": "row_key"}), on="row_key"),
            "probability_of_default",
            "defaulted_within_12m",
        ),
        monitoring.classifier_metrics(
            "churn",
            churn.merge(outcomes, on="customer_snapshot_key"),
            "churn_probability",
            "churned_next_90d",
        ),
        monitoring.classifier_metrics(
            "offer_propensity",
            offers.merge(offer_labels, on="offer_key"),
            "offer_probability",
            "converted",
        ),
        monitoring.segment_metrics(profiles),
        *monitoring.forecast_metrics(backtest),
    ]
    schema = pa.schema(
        [
            ("model_name", pa.string()),
            ("model_version", pa.string()),
            ("champion", pa.string()),
            ("validation_method", pa.string()),
            ("training_rows", pa.int64()),
            ("training_event_rate", pa.float64()),
            ("validation_rows", pa.int64()),
            ("validation_events", pa.int64()),
            ("validation_event_rate", pa.float64()),
            ("is_validation_small", pa.bool_()),
            ("auc", pa.float64()),
            ("gini", pa.float64()),
            ("ks", pa.float64()),
            ("brier_score", pa.float64()),
            ("calibration_error", pa.float64()),
            ("top_decile_lift", pa.float64()),
            ("segment_count", pa.int64()),
            ("silhouette", pa.float64()),
            ("stability", pa.float64()),
            ("mase", pa.float64()),
            ("baseline_mase", pa.float64()),
            ("mape", pa.float64()),
            ("baseline_mape", pa.float64()),
            ("beats_baseline", pa.bool_()),
        ]
    )
    frame = monitoring.as_frame(rows, monitoring.METRIC_COLUMNS)
    return pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
