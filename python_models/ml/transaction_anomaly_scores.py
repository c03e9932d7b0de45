"""Anomaly score of every customer-week (logic: bankmine.aml.anomaly)."""

import bankmine

# see bankmine.model_imports: dbt-duckdb runs Python models on parallel threads
with bankmine.model_imports():
    import pyarrow as pa

    from bankmine.aml import anomaly


def model(dbt, session):
    dbt.config(materialized="table")
    config = anomaly.AnomalyConfig.from_meta(dbt.config.get("meta"))
    columns = {config.key_column, "customer_id", "week_start_date", config.segment_column}
    relation = dbt.ref("int_aml_customer_weeks")
    present = [name for name in sorted(columns | set(config.features)) if name in relation.columns]
    weeks = relation.select(*present).to_arrow_table().to_pandas()
    result = anomaly.score_customer_weeks(weeks, config)
    scores = result.scores
    scores["model_name"] = "transaction_anomaly"
    scores["model_version"] = result.version
    schema = pa.schema(
        [
            ("customer_week_key", pa.string()),
            ("customer_id", pa.string()),
            ("week_start_date", pa.date32()),
            ("rfm_segment", pa.string()),
            ("anomaly_score", pa.float64()),
            ("anomaly_rank", pa.int64()),
            ("is_anomalous", pa.bool_()),
            ("top_features", pa.string()),
            ("model_name", pa.string()),
            ("model_version", pa.string()),
        ]
    )
    return pa.Table.from_pandas(scores[schema.names], schema=schema, preserve_index=False)
