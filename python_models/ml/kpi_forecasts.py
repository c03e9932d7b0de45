"""KPI forecasts: each series of fct_kpi_monthly (complete months only) forecast `horizon`
months ahead with a prediction interval (logic: bankmine.ml.forecast; settings in this
model's config.meta)."""

import bankmine

# see bankmine.model_imports: dbt-duckdb runs Python models on parallel threads
with bankmine.model_imports():
    import dataclasses

    import pyarrow as pa

    from bankmine.ml.forecast import ForecastConfig, forecast_kpis
    from bankmine.ml.kpi_history import read_kpi_history


def model(dbt, session):
    dbt.config(materialized="table")
    config = ForecastConfig.from_meta(dbt.config.get("meta").get("forecast"))
    # the backtest is kpi_forecast_backtest's job; here only the forecasts are fitted
    config = dataclasses.replace(config, backtest_origins=0)
    forecasts, _ = forecast_kpis(read_kpi_history(dbt.ref("fct_kpi_monthly")), config)
    schema = pa.schema(
        [
            ("scope_id", pa.string()),
            ("kpi_name", pa.string()),
            ("forecast_month", pa.date32()),
            ("horizon_months", pa.int64()),
            ("forecast_value", pa.float64()),
            ("lower_value", pa.float64()),
            ("upper_value", pa.float64()),
            ("coverage", pa.float64()),
            ("method", pa.string()),
            ("history_months", pa.int64()),
        ]
    )
    forecasts = forecasts.rename(columns={"scope": "scope_id"})
    return pa.Table.from_pandas(forecasts[schema.names], schema=schema, preserve_index=False)
