"""Home page: what the serving copy holds, and the way to each page."""

import altair as alt
import pandas as pd
import streamlit as st

from bankmine.dashboard import queries, ui

ui.page(
    "bankmine dashboard",
    "The bank at a glance, read from the BI serving copy that `bankmine publish` writes: "
    "marts and forecasts only, customers by pseudonymised key.",
    not_applying={
        "branch": "this page describes the whole serving copy",
        "segment": "this page describes the whole serving copy",
        "period": "this page describes the whole serving copy",
    },
)

info = ui.load("serving_info").iloc[0]
headline = ui.load("segment_headline").iloc[0]
columns = st.columns(4)
columns[0].metric("As of", f"{pd.Timestamp(info['as_of_date']):%d %b %Y}")
published = pd.Timestamp(info["published_at"])
columns[1].metric("Published", f"{published:%d %b %Y}", help=f"{published:%d %b %Y %H:%M:%S %Z}")
columns[2].metric("Customers", ui.count(headline["customers"]))
columns[3].metric("Tables published", ui.count(info["table_count"]))

history = ui.load("kpi_history")
left, right = st.columns(2)
for column, kpi, title in (
    (left, "customers", "Customers"),
    (right, "deposit_balance_amount", "Deposit balances ($)"),
):
    series = history[history["kpi_name"] == kpi]
    with column:
        st.subheader(title)
        if not ui.nothing(series, "KPI history"):
            ui.chart(
                alt.Chart(series)
                .mark_area(line=True, opacity=0.3)
                .encode(
                    x=alt.X("month_start:T", title=None),
                    y=alt.Y("kpi_value:Q", title=None, scale=alt.Scale(zero=False)),
                    tooltip=[alt.Tooltip("yearmonth(month_start):T", title="month"), "kpi_value"],
                )
                .properties(height=200)
            )

st.subheader("Pages")
PAGES = {
    "segments.py": ("Segments", "customer share and balances per segment, offer and channel"),
    "credit_risk.py": ("Credit risk", "risk grades, expected loss by product, reason codes"),
    "churn.py": ("Churn", "churn risk bands and the high-value customers at risk"),
    "aml_alerts.py": ("AML alerts", "alerts by rule and severity, monthly trend, cases"),
    "campaigns.py": ("Campaigns", "conversion and uplift against control, with 95% intervals"),
    "operations.py": ("Operations", "loan-stage times, branch waits by hour, staffing gaps"),
    "trends.py": ("Trends", "monthly KPIs with their forecast bands"),
}
for file, (title, text) in PAGES.items():
    st.page_link(f"views/{file}", label=f"**{title}**: {text}")

with st.expander("Connect another BI tool to the same copy"):
    st.markdown(
        f"The serving copy is `{queries.serving_path()}`. Open it **read-only** (a new "
        "connection after each `bankmine publish` sees the new copy):"
    )
    st.code(
        "import duckdb\n"
        f"con = duckdb.connect({str(queries.serving_path())!r}, read_only=True)\n"
        "con.sql('select * from marts.dim_customers limit 5')",
        language="python",
    )
    tables = ui.load("published_tables")
    st.dataframe(tables, hide_index=True, height=300)
