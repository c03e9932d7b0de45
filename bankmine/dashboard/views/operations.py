"""Operations: where loan applications wait, when branch queues are long, where tellers lack."""

import altair as alt
import streamlit as st

from bankmine.dashboard import ui

filters = ui.page(
    "Operations",
    "Loan-process stage times (applications entering a stage in the period), branch queue "
    "waits by hour of the week (tickets in the period) and the staffing plan: tellers an "
    "Erlang C model needs for the service target against those rostered.",
    not_applying={"segment": "operations are measured per branch, not per customer"},
)

headline = ui.load("operations_headline", filters).iloc[0]
columns = st.columns(5)
columns[0].metric("Mean branch wait", f"{ui.number(headline['mean_wait_minutes'])} min")
columns[1].metric("Served within target", ui.percent(headline["share_served_within_target"]))
columns[2].metric("Tickets abandoned", ui.percent(headline["abandonment_rate"]))
columns[3].metric("Loan stages past service level", ui.percent(headline["stage_breach_rate"]))
columns[4].metric(
    "Under-staffed slots",
    ui.count(headline["under_staffed_slots"]),
    help="Branch, weekday and hour slots rostered below what the service target needs "
    "(staffing plan from the last weeks of queue data; the period does not apply).",
)

st.subheader("Loan-process stage durations")
stages = ui.load("stage_durations", filters)
if not ui.nothing(stages, "loan application stages"):
    order = list(stages["stage"])
    base = alt.Chart(stages).encode(y=alt.Y("stage:N", sort=order, title=None))
    left, right = st.columns([3, 2])
    with left:
        ui.chart(
            alt.layer(
                base.mark_bar(color="#8ab4d9").encode(
                    x=alt.X("p90_duration_hours:Q", title="hours (bar: 90th percentile)")
                ),
                base.mark_bar(color="#1f77b4", size=8).encode(x="median_duration_hours:Q"),
                base.mark_tick(color="#d64545", thickness=3, size=24).encode(
                    x="service_level_hours:Q"
                ),
            ).encode(
                tooltip=[
                    "stage",
                    "stage_visits",
                    alt.Tooltip("median_duration_hours:Q", format=".1f"),
                    alt.Tooltip("p90_duration_hours:Q", format=".1f"),
                    "service_level_hours",
                    alt.Tooltip("breach_rate:Q", format=".1%"),
                ]
            )
        )
        st.caption(
            "Light bar: 90th percentile, dark bar: median hours of completed visits; "
            "red tick: the stage's service level."
        )
    with right:
        monthly = ui.load("stage_breaches_monthly", filters)
        if not ui.nothing(monthly, "stage months"):
            ui.chart(
                alt.Chart(monthly)
                .mark_line(point=True)
                .encode(
                    x=alt.X("yearmonth(month_start):T", title=None),
                    y=alt.Y("breach_rate:Q", title="past service level", axis=alt.Axis(format="%")),
                    color=alt.Color("stage:N", sort=order),
                    tooltip=["stage", "stage_visits", alt.Tooltip("breach_rate:Q", format=".1%")],
                )
            )

st.subheader("Branch wait by hour of the week")
waits = ui.load("wait_heatmap", filters)
if not ui.nothing(waits, "queue tickets"):
    ui.chart(
        alt.Chart(ui.day_names(waits))
        .mark_rect()
        .encode(
            x=alt.X("hour_of_day:O", title="hour (UTC)"),
            y=alt.Y("day:N", sort=ui.DAY_ORDER, title=None),
            color=alt.Color(
                "mean_wait_minutes:Q", title="mean wait (min)", scale=alt.Scale(scheme="orangered")
            ),
            tooltip=[
                "day",
                "hour_of_day",
                "arrivals",
                alt.Tooltip("mean_wait_minutes:Q", format=".1f"),
                alt.Tooltip("share_served_within_target:Q", format=".0%"),
            ],
        )
        .properties(height=220)
    )

st.subheader("Staffing gaps")
st.caption(
    "Tellers rostered on average minus tellers needed, per weekday and hour, in the branch "
    "with the smallest margin; negative is a shortfall. The plan uses the last weeks of queue "
    "data, so the period filter does not apply here."
)
plan = ui.load("staffing_plan", filters)
if not ui.nothing(plan, "staffing plan slots"):
    ui.chart(
        alt.Chart(ui.day_names(plan))
        .mark_rect()
        .encode(
            x=alt.X("hour_of_day:O", title="hour (UTC)"),
            y=alt.Y("day:N", sort=ui.DAY_ORDER, title=None),
            color=alt.Color(
                "worst_teller_gap:Q",
                title="teller gap",
                scale=alt.Scale(scheme="redblue", domainMid=0),
            ),
            tooltip=[
                "day",
                "hour_of_day",
                "tellers_needed",
                alt.Tooltip("mean_rostered_tellers:Q", format=".2f"),
                alt.Tooltip("worst_teller_gap:Q", format="+.2f", title="worst branch gap"),
                "under_staffed_branches",
            ],
        )
        .properties(height=220)
    )
    gaps = ui.load("staffing_gaps", filters)
    if gaps.empty:
        st.success("No slot is rostered below the tellers it needs.")
    else:
        st.dataframe(
            ui.day_names(gaps).drop(columns="day_of_week"),
            hide_index=True,
            column_order=[
                "branch_id",
                "day",
                "hour_of_day",
                "arrivals_per_hour",
                "tellers_needed",
                "mean_rostered_tellers",
                "teller_gap",
                "observed_mean_wait_minutes",
                "observed_share_within_target",
                "staffing_status",
            ],
            column_config={
                "arrivals_per_hour": st.column_config.NumberColumn(format="%.2f"),
                "mean_rostered_tellers": st.column_config.NumberColumn(format="%.2f"),
                "teller_gap": st.column_config.NumberColumn(format="%.2f"),
                "observed_mean_wait_minutes": st.column_config.NumberColumn(format="%.1f"),
                "observed_share_within_target": st.column_config.NumberColumn(format="percent"),
            },
        )
