"""Rolling-origin backtest of the KPI forecasts against a seasonal-naive (or naive) baseline,
one row per series (logic: bankmine.ml.forecast; same settings as kpi_forecasts through the
shared YAML anchor). ml_model_metrics reports the bank-level rows."""

import bankmine

# see bankmine.model_imports: dbt-duckdb runs Python models on parallel threads
with bankmine.model_imports():
    import pyarrow as pa

    from bankmine.ml.forecast import ForecastConfig, forecast_kpis
    from bankmine.ml.kpi_history import read_kpi_history


def model(dbt, session):
    dbt.config(materialized="table")
    config = ForecastConfig.from_meta(dbt.config.get("meta").get("forecast"))
    _, backtest = forecast_kpis(read_kpi_history(dbt.ref("fct_kpi_monthly")), config)
    schema = pa.schema(
        [
            ("scope_id", pa.string()),
            ("kpi_name", pa.string()),
            ("method", pa.string()),
            ("origins", pa.int64()),
            ("mase", pa.float64()),
            ("baseline_name", pa.string()),
            ("baseline_mase", pa.float64()),
            ("mape", pa.float64()),
            ("baseline_mape", pa.float64()),
            ("beats_baseline", pa.bool_()),
            ("note", pa.string()),
        ]
    )
    backtest = backtest.rename(columns={"scope": "scope_id"})
    return pa.Table.from_pandas(backtest[schema.names], schema=schema, preserve_index=False)
