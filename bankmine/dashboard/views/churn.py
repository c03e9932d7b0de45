"""Churn: how many customers may leave in the next 90 days, and which valuable ones to call."""

import altair as alt
import streamlit as st

from bankmine.dashboard import queries, ui

filters = ui.page(
    "Churn",
    "Probability that an active customer closes the relationship or stops transacting in the "
    "next 90 days (churn model, scored on the as-of date), in bands low, medium and high; "
    "inactive and closed customers are outside the scored population.",
    not_applying={"period": "churn scores describe the customers on the as-of date"},
)

headline = ui.load("churn_headline", filters).iloc[0]
bands = ui.load("churn_bands", filters)
ui.stop_when_empty(len(bands), "customers")

columns = st.columns(5)
columns[0].metric("Customers scored", ui.count(headline["scored_customers"]))
columns[1].metric(
    "Expected churn rate",
    ui.percent(headline["expected_churn_rate"]),
    help="Mean churn probability of the scored customers.",
)
columns[2].metric("High-risk customers", ui.count(headline["high_risk_customers"]))
columns[3].metric(
    "High value at high risk",
    ui.count(headline["high_value_at_risk"]),
    help="High churn risk and high value: deposits in the top decile or RFM champions.",
)
columns[4].metric("Deposits at high risk", ui.money(headline["high_risk_deposit_amount"]))

left, right = st.columns(2)
with left:
    st.subheader("Churn risk bands")
    ui.chart(
        alt.Chart(bands)
        .mark_bar()
        .encode(
            x=alt.X("churn_risk_band:N", sort=queries.CHURN_BANDS, title=None),
            y=alt.Y("customers:Q", title="customers"),
            color=alt.Color(
                "churn_risk_band:N",
                legend=None,
                scale=alt.Scale(
                    domain=queries.CHURN_BANDS,
                    range=["#4c9f70", "#f2b134", "#d64545", "#9e9e9e", "#616161"],
                ),
            ),
            tooltip=[
                "churn_risk_band",
                alt.Tooltip("customers:Q", format=","),
                alt.Tooltip("deposit_balance_amount:Q", format="$,.0f"),
                alt.Tooltip("mean_churn_probability:Q", format=".1%"),
            ],
        )
    )
with right:
    st.subheader("Risk by segment")
    by_segment = ui.load("churn_by_segment", filters)
    if not ui.nothing(by_segment, "scored customers"):
        by_segment = by_segment.assign(segment=by_segment["segment_name"].map(ui.label))
        ui.chart(
            alt.Chart(by_segment)
            .mark_bar()
            .encode(
                x=alt.X("customers:Q", stack="normalize", title="share of scored customers"),
                y=alt.Y("segment:N", title=None),
                color=alt.Color(
                    "churn_risk_band:N",
                    title="band",
                    sort=queries.CHURN_BANDS[:3],
                    scale=alt.Scale(
                        domain=queries.CHURN_BANDS[:3], range=["#4c9f70", "#f2b134", "#d64545"]
                    ),
                ),
                order=alt.Order("churn_risk_band:N", sort="descending"),
                tooltip=[
                    "segment",
                    "churn_risk_band",
                    "customers",
                    alt.Tooltip("mean_churn_probability:Q", format=".1%"),
                ],
            )
        )

st.subheader("Customers at high risk, most valuable first")
st.caption(
    "Pseudonymised customer keys only; resolving a key to a person needs the restricted "
    "schema of the warehouse, which the serving copy does not carry."
)
limit = st.slider("Customers shown", 10, 200, 50, step=10, key="churn_limit")
at_risk = ui.load("churn_high_value_at_risk", filters, limit=limit)
if not ui.nothing(at_risk, "customers at high churn risk"):
    st.dataframe(
        at_risk,
        hide_index=True,
        column_config={
            "customer_key": "customer key",
            "is_high_value": st.column_config.CheckboxColumn("high value"),
            "home_branch_id": "branch",
            "churn_probability": st.column_config.NumberColumn("churn risk", format="percent"),
            "deposit_balance_amount": st.column_config.NumberColumn("deposits", format="dollar"),
            "loan_balance_amount": st.column_config.NumberColumn("loans", format="dollar"),
            "days_since_last_transaction": "days since last transaction",
        },
    )
