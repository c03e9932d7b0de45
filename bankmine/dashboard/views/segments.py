"""Segments: who the customers are, what they hold, and what to offer them through which channel."""

import altair as alt
import streamlit as st

from bankmine.dashboard import ui

filters = ui.page(
    "Segments",
    "Behavioural segments (K-means on balances, activity and channel use) on the as-of date, "
    "with the offer and channel the segment playbook recommends for each.",
    not_applying={"period": "segments describe the customers on the as-of date"},
)

headline = ui.load("segment_headline", filters).iloc[0]
summary = ui.load("segment_summary", filters)
ui.stop_when_empty(len(summary), "customers")

columns = st.columns(5)
columns[0].metric("Customers", ui.count(headline["customers"]))
columns[1].metric("Active customers", ui.count(headline["active_customers"]))
columns[2].metric("Segments", ui.count(headline["segments"]))
columns[3].metric("Deposit balances", ui.money(headline["deposit_balance_amount"]))
columns[4].metric("Loan balances", ui.money(headline["loan_balance_amount"]))

summary = summary.assign(segment=summary["segment_name"].map(ui.label))
left, right = st.columns(2)
with left:
    st.subheader("Customer share")
    ui.chart(
        alt.Chart(summary)
        .mark_bar()
        .encode(
            x=alt.X("customer_share:Q", title="share of customers", axis=alt.Axis(format="%")),
            y=alt.Y("segment:N", sort="-x", title=None),
            tooltip=[
                "segment",
                alt.Tooltip("customers:Q", format=","),
                alt.Tooltip("customer_share:Q", format=".1%"),
            ],
        )
    )
with right:
    st.subheader("Balances")
    balances = summary.melt(
        id_vars="segment",
        value_vars=["deposit_balance_amount", "loan_balance_amount", "card_balance_amount"],
        var_name="balance",
        value_name="amount",
    )
    balances["balance"] = balances["balance"].map(
        {
            "deposit_balance_amount": "deposits",
            "loan_balance_amount": "loans",
            "card_balance_amount": "cards",
        }
    )
    ui.chart(
        alt.Chart(balances)
        .mark_bar()
        .encode(
            x=alt.X("amount:Q", title="balance ($)", axis=alt.Axis(format="~s")),
            y=alt.Y("segment:N", title=None),
            yOffset="balance:N",
            color=alt.Color("balance:N", title=None),
            tooltip=["segment", "balance", alt.Tooltip("amount:Q", format="$,.0f")],
        )
    )

st.subheader("Playbook: offer and channel per segment")
st.dataframe(
    summary[
        [
            "segment",
            "customers",
            "customer_share",
            "recommended_offer",
            "recommended_channel",
            "deposit_per_customer",
            "mean_products_held",
            "mean_digital_share",
            "mean_churn_probability",
        ]
    ],
    hide_index=True,
    column_config={
        "customer_share": st.column_config.NumberColumn("share", format="percent"),
        "recommended_offer": "offer",
        "recommended_channel": "channel",
        "deposit_per_customer": st.column_config.NumberColumn(
            "deposits per customer", format="dollar"
        ),
        "mean_products_held": st.column_config.NumberColumn("products held", format="%.1f"),
        "mean_digital_share": st.column_config.NumberColumn("digital share", format="percent"),
        "mean_churn_probability": st.column_config.NumberColumn("churn risk", format="percent"),
    },
)

left, right = st.columns(2)
with left:
    st.subheader("Next best offer")
    offers = ui.load("segment_next_best_offers", filters)
    if not ui.nothing(offers, "offers"):
        offers = offers.assign(segment=offers["segment_name"].map(ui.label))
        ui.chart(
            alt.Chart(offers)
            .mark_bar()
            .encode(
                x=alt.X("customers:Q", stack="normalize", title="share of customers"),
                y=alt.Y("segment:N", title=None),
                color=alt.Color("next_best_offer:N", title="product"),
                tooltip=["segment", "next_best_offer", "customers"],
            )
        )
with right:
    st.subheader("Actions on the care list")
    actions = ui.load("segment_actions", filters)
    if not ui.nothing(actions, "care actions"):
        actions = actions.assign(
            segment=actions["segment_name"].map(ui.label),
            action=actions["action_type"].map(ui.label),
        )
        ui.chart(
            alt.Chart(actions)
            .mark_bar()
            .encode(
                x=alt.X("customers:Q", title="customers"),
                y=alt.Y("segment:N", title=None),
                color=alt.Color("action:N", title="action"),
                tooltip=["segment", "action", "customers", "high_value_customers"],
            )
        )
