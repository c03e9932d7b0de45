"""Campaigns: did contacting customers make them buy, measured against a random control group."""

import altair as alt
import pandas as pd
import streamlit as st

from bankmine.dashboard import ui

filters = ui.page(
    "Campaigns",
    "Campaigns started in the period. Conversion of contacted customers against the random "
    "control group; uplift = the difference, with its 95% interval (Newcombe's score method). "
    "An interval that crosses zero means the campaign's effect is not shown.",
    not_applying={"branch": "campaigns are run and measured for the whole bank"},
)

headline = ui.load("campaign_headline", filters).iloc[0]
ui.stop_when_empty(headline["campaigns"], "campaigns")

columns = st.columns(5)
columns[0].metric("Campaigns", ui.count(headline["campaigns"]))
columns[1].metric("Customers contacted", ui.count(headline["treated"]))
columns[2].metric("Conversion, contacted", ui.percent(headline["treated_conversion_rate"]))
columns[3].metric("Conversion, control", ui.percent(headline["control_conversion_rate"]))
columns[4].metric(
    "Uplift",
    ui.points(headline["uplift"]),
    help=f"95% interval {ui.points(headline['uplift_lower_95'])} to "
    f"{ui.points(headline['uplift_upper_95'])}; all campaigns pooled.",
)


def uplift_chart(frame: pd.DataFrame, dimension: str, title: str) -> alt.LayerChart:
    """Uplift per group as a point with its 95% interval, and the zero line."""
    base = alt.Chart(frame).encode(y=alt.Y(f"{dimension}:N", title=title))
    tooltip = [
        dimension,
        alt.Tooltip("treated:Q", title="contacted"),
        alt.Tooltip("held_out:Q", title="control"),
        alt.Tooltip("treated_conversion_rate:Q", format=".1%", title="conversion contacted"),
        alt.Tooltip("control_conversion_rate:Q", format=".1%", title="conversion control"),
        alt.Tooltip("uplift:Q", format="+.1%"),
        alt.Tooltip("uplift_lower_95:Q", format="+.1%", title="lower 95%"),
        alt.Tooltip("uplift_upper_95:Q", format="+.1%", title="upper 95%"),
    ]
    return alt.layer(
        alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="gray").encode(x="zero:Q"),
        base.mark_rule(strokeWidth=2).encode(
            x=alt.X("uplift_lower_95:Q", title="uplift (95% interval)", axis=alt.Axis(format="%")),
            x2="uplift_upper_95:Q",
            tooltip=tooltip,
        ),
        base.mark_point(filled=True, size=80).encode(
            x="uplift:Q",
            color=alt.Color("is_uplift_significant:N", title="above zero", legend=None),
            tooltip=tooltip,
        ),
    )


def conversion_chart(frame: pd.DataFrame, dimension: str, title: str) -> alt.Chart:
    long = frame.melt(
        id_vars=dimension,
        value_vars=["treated_conversion_rate", "control_conversion_rate"],
        var_name="group",
        value_name="conversion_rate",
    )
    long["group"] = long["group"].map(
        {"treated_conversion_rate": "contacted", "control_conversion_rate": "control"}
    )
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("conversion_rate:Q", title="conversion rate", axis=alt.Axis(format="%")),
            y=alt.Y(f"{dimension}:N", title=title),
            yOffset="group:N",
            color=alt.Color("group:N", title=None),
            tooltip=[dimension, "group", alt.Tooltip("conversion_rate:Q", format=".1%")],
        )
    )


columns_shown = [
    "treated",
    "held_out",
    "treated_converted",
    "control_converted",
    "treated_conversion_rate",
    "control_conversion_rate",
    "uplift",
    "uplift_lower_95",
    "uplift_upper_95",
]
rate_columns = {name: st.column_config.NumberColumn(format="percent") for name in columns_shown[4:]}

for dimension, title in (("channel", "Channel"), ("age_band", "Age band")):
    st.subheader(f"By {title.lower()}")
    frame = ui.load("campaign_breakdown", filters, by=dimension)
    if ui.nothing(frame, "campaign contacts"):
        continue
    left, right = st.columns(2)
    with left:
        ui.chart(conversion_chart(frame, dimension, title))
    with right:
        ui.chart(uplift_chart(frame, dimension, title))

st.subheader("By campaign")
campaigns = ui.load("campaign_breakdown", filters, by="campaign")
if not ui.nothing(campaigns, "campaigns"):
    st.dataframe(
        campaigns[["campaign", *columns_shown, "incremental_conversions", "cost_amount"]],
        hide_index=True,
        column_config={
            **rate_columns,
            "incremental_conversions": st.column_config.NumberColumn(format="%.1f"),
            "cost_amount": st.column_config.NumberColumn("cost", format="dollar"),
        },
    )
