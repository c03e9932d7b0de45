"""Trends: the headline KPIs month by month, with the forecast and its band."""

import altair as alt
import pandas as pd
import streamlit as st

from bankmine.dashboard import queries, ui

filters = ui.page(
    "Trends",
    "Headline KPIs per month for the bank, or for the branch chosen, and their forecast for the "
    "next months (exponential smoothing; the band is the prediction interval). The period "
    "limits the history shown; forecasts always start after the last complete month.",
    not_applying={"segment": "the KPIs are kept per bank and branch, not per segment"},
)

LABELS = {
    "customers": "Customers",
    "deposit_balance_amount": "Deposit balances ($)",
    "transaction_count": "Transactions",
    "loans_originated": "Loans originated",
    "principal_originated_amount": "Principal originated ($)",
    "fee_income_amount": "Fee income ($)",
    "loan_defaults": "Loan defaults",
    "net_promoter_score": "Net promoter score",
}


def shown(kpi: str, value: object) -> str:
    if kpi == "net_promoter_score":
        return ui.number(value)
    return ui.money(value) if kpi.endswith("_amount") else ui.count(value)


latest = ui.load("kpi_latest", filters)
ui.stop_when_empty(len(latest), "complete months of KPIs")
month_shown = ui.month(latest["month_start"].max())
st.markdown(f"**{month_shown}**, change on the month before:")
columns = st.columns(4)
for index, row in enumerate(latest.itertuples()):
    delta, arrow = None, "auto"
    if not pd.isna(row.previous_value) and not pd.isna(row.kpi_value):
        change = row.kpi_value - row.previous_value
        delta = ("-" if change < 0 else "+") + shown(row.kpi_name, abs(change))
        arrow = "auto" if change else "off"
    columns[index % 4].metric(
        LABELS.get(row.kpi_name, ui.label(row.kpi_name)),
        shown(row.kpi_name, row.kpi_value),
        delta,
        delta_arrow=arrow,
    )

history = ui.load("kpi_history", filters)
forecast = ui.load("kpi_forecast", filters)
kpis = [kpi for kpi in queries.KPIS if kpi in set(history["kpi_name"])]
chosen = st.selectbox(
    "KPI", kpis, format_func=lambda kpi: LABELS.get(kpi, ui.label(kpi)), key="trend_kpi"
)
actual = history[history["kpi_name"] == chosen].assign(series="actual")
predicted = forecast[forecast["kpi_name"] == chosen]
st.subheader(LABELS.get(chosen, ui.label(chosen)))
layers = [
    alt.Chart(actual)
    .mark_line(point=True)
    .encode(
        x=alt.X("month_start:T", title=None),
        y=alt.Y("kpi_value:Q", title=LABELS.get(chosen, chosen), scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("yearmonth(month_start):T", title="month"), "kpi_value"],
    )
]
if predicted.empty:
    st.caption("No forecast for this series (too short a history); see ml.kpi_forecast_backtest.")
else:
    band = alt.Chart(predicted).encode(x=alt.X("forecast_month:T"))
    layers = [
        band.mark_area(opacity=0.25, color="#f2b134").encode(y="lower_value:Q", y2="upper_value:Q"),
        *layers,
        band.mark_line(point=True, strokeDash=[5, 3], color="#e07b00").encode(
            y="forecast_value:Q",
            tooltip=[
                alt.Tooltip("yearmonth(forecast_month):T", title="month"),
                alt.Tooltip("forecast_value:Q", format=",.1f"),
                alt.Tooltip("lower_value:Q", format=",.1f"),
                alt.Tooltip("upper_value:Q", format=",.1f"),
            ],
        ),
    ]
    coverage = predicted["coverage"].iloc[0]
    st.caption(
        f"Solid: actual. Dashed: forecast ({predicted['method'].iloc[0]}, "
        f"{int(predicted['history_months'].iloc[0])} months of history); band: "
        f"{coverage:.0%} prediction interval."
    )
ui.chart(alt.layer(*layers).properties(height=360))

if not predicted.empty:
    st.dataframe(
        predicted[["forecast_month", "forecast_value", "lower_value", "upper_value"]].round(
            {"forecast_value": 1, "lower_value": 1, "upper_value": 1}
        ),
        hide_index=True,
        column_config={
            "forecast_month": st.column_config.DateColumn("month", format="MMM YYYY"),
            "forecast_value": st.column_config.NumberColumn("forecast", format="localized"),
            "lower_value": st.column_config.NumberColumn("lower", format="localized"),
            "upper_value": st.column_config.NumberColumn("upper", format="localized"),
        },
    )
