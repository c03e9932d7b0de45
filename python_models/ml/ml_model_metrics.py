"""One row per model: validation figures re-measured from the predictions each model stored
(logic: bankmine.ml.monitoring). Credit (loan and behavioural) and churn: out-of-time AUC, Gini, KS, Brier score,
calibration error and top-decile lift on the validation rows; next-best offer: the same on its
held-out campaign contacts; segments: k, silhouette and stability; KPI forecasts (bank level, one row per KPI): backtest MASE and MAPE against the
naive baseline."""

import bankmine

# see bankmine.model_imports: dbt-duckdb runs Python models on parallel threads
with bankmine.model_imports():
    import pyarrow as pa

    from bankmine.ml import monitoring


def model(dbt, session):
    dbt.config(materialized="table")
    credit = (
        dbt.ref("credit_risk_scores")
        .select(
            "loan_id",
            "probability_of_default",
            "is_training_row",
            "is_validation_row",
            "model_version",
            "champion",
            "validation_method",
        )
        .to_arrow_table()
        .to_pandas()
    )
    labels = (
        dbt.ref("int_loan_origination_features")
        .select("loan_id", "defaulted_within_12m")
        .to_arrow_table()
        .to_pandas()
    )
    behavioural = (
        dbt.ref("behavioural_credit_scores")
        .filter("row_kind = 'loan_origination'")
        .select(
            "row_key",
            "probability_of_default",
            "is_training_row",
            "is_validation_row",
            "model_version",
            "champion",
            "validation_method",
        )
        .to_arrow_table()
        .to_pandas()
    )
    churn = (
        dbt.ref("churn_probabilities")
        .select(
            "customer_snapshot_key",
            "churn_probability",
            "is_validation_row",
            "model_version",
            "champion",
            "validation_method",
        )
        .to_arrow_table()
        .to_pandas()
    )
    outcomes = (
        dbt.ref("int_churn_snapshots")
        .select("customer_snapshot_key", "churned_next_90d")
        .to_arrow_table()
        .to_pandas()
    )
    profiles = (
        dbt.ref("customer_segment_profiles")
        .select("k", "silhouette", "stability", "n_sampled", "model_version")
        .to_arrow_table()
        .to_pandas()
    )
    offers = (
        dbt.ref("offer_propensities")
        .select(
            "offer_key",
            "offer_probability",
            "is_validation_row",
            "model_version",
            "champion",
            "validation_method",
        )
        .to_arrow_table()
        .to_pandas()
    )
    offer_labels = (
        dbt.ref("int_offer_features").select("offer_key", "converted").to_arrow_table().to_pandas()
    )
    backtest = (
        dbt.ref("kpi_forecast_backtest")
        .select(
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
        )
        .to_arrow_table()
        .to_pandas()
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
