"""Read the KPI series the forecasts need from fct_kpi_monthly."""

from __future__ import annotations

import pandas as pd

from .common import read_columns


def read_kpi_history(relation) -> pd.DataFrame:
    """Complete months of every (scope, KPI) series, in the columns forecast_kpis expects."""
    frame = read_columns(
        relation, ["scope_id", "kpi_name", "month_start", "kpi_value", "is_complete_month"]
    )
    frame = frame[frame["is_complete_month"].fillna(False).astype(bool)]
    return frame.rename(columns={"scope_id": "scope", "month_start": "kpi_month"})[
        ["scope", "kpi_name", "kpi_month", "kpi_value"]
    ].reset_index(drop=True)
