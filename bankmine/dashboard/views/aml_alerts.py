"""AML alerts: what the monitoring rules raised, how it trends, and which cases to review first."""

import altair as alt
import streamlit as st

from bankmine.dashboard import queries, ui

filters = ui.page(
    "AML alerts",
    "Alerts of the money-laundering monitoring rules (one per rule, customer and week) whose "
    "pattern started in the period, and the cases grouping a customer's overlapping alerts. "
    "Branch and segment are the customer's.",
)

headline = ui.load("aml_headline", filters).iloc[0]
columns = st.columns(5)
columns[0].metric("Alerts", ui.count(headline["alerts"]))
columns[1].metric("High-severity alerts", ui.count(headline["high_severity_alerts"]))
columns[2].metric("Customers alerted", ui.count(headline["alerted_customers"]))
columns[3].metric("Cases", ui.count(headline["cases"]))
columns[4].metric("Critical or high cases", ui.count(headline["critical_or_high_cases"]))
ui.stop_when_empty(headline["alerts"], "AML alerts")

severity_colours = alt.Scale(domain=queries.SEVERITIES, range=["#d64545", "#f2b134", "#8ab4d9"])
left, right = st.columns(2)
with left:
    st.subheader("Alerts by rule and severity")
    by_rule = ui.load("aml_alerts_by_rule", filters)
    ui.chart(
        alt.Chart(by_rule)
        .mark_bar()
        .encode(
            x=alt.X("alerts:Q", title="alerts"),
            y=alt.Y("rule_id:N", sort="-x", title=None),
            color=alt.Color("severity:N", scale=severity_colours, sort=queries.SEVERITIES),
            order=alt.Order("severity:N"),
            tooltip=["rule_id", "severity", "alerts", "customers", alt.Tooltip("mean_score:Q")],
        )
    )
with right:
    st.subheader("Alerts per month")
    monthly = ui.load("aml_alerts_monthly", filters)
    ui.chart(
        alt.Chart(monthly)
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(month_start):T", title="month the pattern started"),
            y=alt.Y("alerts:Q", title="alerts"),
            color=alt.Color("rule_id:N", title="rule"),
            tooltip=[alt.Tooltip("yearmonth(month_start):T", title="month"), "rule_id", "alerts"],
        )
    )

st.subheader("Alert rate, whole bank")
st.caption(
    "From fct_compliance_monthly: alerts per 1,000 customers with an open account in the month "
    "and customers transacting with high-risk countries. Bank-wide: the branch and segment "
    "filters do not apply to this chart."
)
compliance = ui.load("aml_compliance_monthly", filters)
if not ui.nothing(compliance, "months"):
    base = alt.Chart(compliance).encode(x=alt.X("yearmonth(month_start):T", title=None))
    ui.chart(
        alt.layer(
            base.mark_line(point=True).encode(
                y=alt.Y("alerts_per_1000_customers:Q", title="alerts per 1,000 customers"),
                tooltip=[
                    alt.Tooltip("yearmonth(month_start):T", title="month"),
                    "alerts",
                    "customers",
                    alt.Tooltip("alerts_per_1000_customers:Q", format=".2f"),
                    "high_risk_country_customers",
                ],
            ),
            base.mark_line(strokeDash=[4, 3], color="gray").encode(
                y=alt.Y("high_risk_country_customers:Q", title="customers with high-risk countries")
            ),
        ).resolve_scale(y="independent")
    )

st.subheader("Cases to review first")
cases = ui.load("aml_cases", filters, limit=50)
priorities = ui.load("aml_cases_by_priority", filters)
if not ui.nothing(cases, "cases"):
    st.caption(
        " · ".join(f"{row.priority}: {row.cases}" for row in priorities.itertuples())
        + " (50 shown at most; pseudonymised customer keys)"
    )
    st.dataframe(
        cases,
        hide_index=True,
        column_config={
            "case_start_at": st.column_config.DatetimeColumn("start", format="YYYY-MM-DD"),
            "case_end_at": st.column_config.DatetimeColumn("end", format="YYYY-MM-DD"),
            "has_high_risk_country": st.column_config.CheckboxColumn("high-risk country"),
        },
    )
