"""Credit risk: the loan book by risk grade, expected loss by product, and why loans score high."""

import altair as alt
import streamlit as st

from bankmine.dashboard import ui

filters = ui.page(
    "Credit risk",
    "Loans originated in the period, scored at origination by the credit model: probability "
    "of default within 12 months, grade A (safest) to E, expected loss = PD x loss given "
    "default x outstanding principal. The segment is the borrower's.",
)

headline = ui.load("credit_headline", filters).iloc[0]
ui.stop_when_empty(headline["loans"], "loans")

columns = st.columns(5)
columns[0].metric("Open loans", ui.count(headline["open_loans"]))
columns[1].metric("Outstanding principal", ui.money(headline["outstanding_principal_amount"]))
columns[2].metric("Expected loss", ui.money(headline["expected_loss_amount"]))
columns[3].metric(
    "Expected loss rate",
    ui.percent(headline["expected_loss_rate"], 2),
    help="Expected loss over outstanding principal of open loans.",
)
columns[4].metric(
    "Default rate",
    ui.percent(headline["default_rate"]),
    help=f"{ui.count(headline['defaulted_loans'])} of {ui.count(headline['loans'])} loans "
    "originated in the period are in default (90+ days past due or reported defaulted).",
)

left, right = st.columns(2)
with left:
    st.subheader("Open loans by risk grade")
    grades = ui.load("credit_grades", filters)
    if not ui.nothing(grades, "open loans"):
        ui.chart(
            alt.Chart(grades)
            .mark_bar()
            .encode(
                x=alt.X("risk_grade:N", title="risk grade", sort="ascending"),
                y=alt.Y("outstanding_principal_amount:Q", title="outstanding principal ($)"),
                color=alt.Color("risk_grade:N", legend=None, scale=alt.Scale(scheme="orangered")),
                tooltip=[
                    "risk_grade",
                    alt.Tooltip("open_loans:Q", format=","),
                    alt.Tooltip("outstanding_principal_amount:Q", format="$,.0f"),
                    alt.Tooltip("expected_loss_amount:Q", format="$,.0f"),
                    alt.Tooltip("mean_probability_of_default:Q", format=".2%"),
                ],
            )
        )
        st.dataframe(
            grades,
            hide_index=True,
            column_config={
                "outstanding_principal_amount": st.column_config.NumberColumn(
                    "outstanding", format="dollar"
                ),
                "expected_loss_amount": st.column_config.NumberColumn(
                    "expected loss", format="dollar"
                ),
                "mean_probability_of_default": st.column_config.NumberColumn(
                    "mean PD", format="percent"
                ),
            },
        )
with right:
    st.subheader("Expected loss by product")
    products = ui.load("credit_loss_by_product", filters)
    if not ui.nothing(products, "open loans"):
        ui.chart(
            alt.Chart(products)
            .mark_bar()
            .encode(
                x=alt.X("expected_loss_amount:Q", title="expected loss ($)"),
                y=alt.Y("product_code:N", sort="-x", title=None),
                tooltip=[
                    "product_code",
                    alt.Tooltip("open_loans:Q", format=","),
                    alt.Tooltip("outstanding_principal_amount:Q", format="$,.0f"),
                    alt.Tooltip("expected_loss_amount:Q", format="$,.0f"),
                    alt.Tooltip("expected_loss_rate:Q", format=".2%"),
                ],
            )
        )

left, right = st.columns(2)
with left:
    st.subheader("Top reason codes")
    st.caption("The factors that raised an open loan's probability of default most.")
    reasons = ui.load("credit_reason_codes", filters, limit=10)
    if not ui.nothing(reasons, "reason codes"):
        ui.chart(
            alt.Chart(reasons)
            .mark_bar()
            .encode(
                x=alt.X("share:Q", title="share of open loans", axis=alt.Axis(format="%")),
                y=alt.Y("reason:N", sort="-x", title=None, axis=alt.Axis(labelLimit=300)),
                tooltip=["reason", "loans", alt.Tooltip("share:Q", format=".1%")],
            )
        )
with right:
    st.subheader("Default rate by vintage")
    vintages = ui.load("credit_default_by_vintage", filters)
    if not ui.nothing(vintages, "loans"):
        base = alt.Chart(vintages).encode(x=alt.X("vintage_quarter:N", title="vintage"))
        ui.chart(
            alt.layer(
                base.mark_bar(opacity=0.6).encode(
                    y=alt.Y("default_rate:Q", title="default rate", axis=alt.Axis(format="%")),
                    tooltip=["vintage_quarter", "loans", "defaulted_loans"],
                ),
                base.mark_line(point=True, color="black").encode(
                    y=alt.Y("mean_probability_of_default:Q"),
                ),
            )
        )
        st.caption("Bars: share of the vintage in default. Line: mean predicted PD.")

st.subheader("Customers by credit grade")
st.caption(
    "Open customers on the as-of date, graded by their riskiest open loan, or else by the "
    "behavioural score (behaviour only, no application: weaker, see ml_model_metrics); the "
    "period filter does not apply to this chart."
)
customer_grades = ui.load("credit_customer_grades", filters)
if not ui.nothing(customer_grades, "customers"):
    ui.chart(
        alt.Chart(customer_grades)
        .mark_bar()
        .encode(
            x=alt.X("customers:Q", title="customers"),
            y=alt.Y("risk_grade:N", title=None, sort="ascending"),
            color=alt.Color("score_source:N", title="graded by"),
            tooltip=[
                "risk_grade",
                "score_source",
                alt.Tooltip("customers:Q", format=","),
                alt.Tooltip("mean_probability_of_default:Q", format=".2%"),
            ],
        )
        .properties(height=180)
    )
