"""Anomaly score of every customer-week (logic: bankmine.aml.anomaly). Fitted on a sample
and scored in batches inside DuckDB, so the customer-weeks never sit in pandas whole."""

import bankmine

# see bankmine.model_imports: dbt-duckdb runs Python models on parallel threads
with bankmine.model_imports():
    from bankmine.aml import anomaly

CARRIED = ["customer_week_key", "customer_id", "week_start_date", "rfm_segment"]


def model(dbt, session):
    dbt.config(materialized="table")
    config = anomaly.AnomalyConfig.from_meta(dbt.config.get("meta"))
    scores, fitted = anomaly.score_relation(
        dbt.ref("int_aml_customer_weeks"), session, config, CARRIED, "transaction_anomaly"
    )
    return scores.select(
        "customer_week_key, customer_id, week_start_date, rfm_segment, anomaly_score,"
        " anomaly_rank, cast(is_anomalous as boolean) as is_anomalous, top_features,"
        f" 'transaction_anomaly' as model_name, '{fitted.version}' as model_version"
    )
