{#-
    Queue demand per branch, ISO day of week and hour over the trailing
    staffing_lookback_weeks weeks to the as-of date: mean arrivals per hour
    on the days the branch was open, mean handling minutes of served tickets
    (the branch's own mean where a slot served fewer than 5), mean tellers
    rostered, and the observed waits. Input to the Erlang C staffing plan.
-#}
with

service_hours as (

    select
        branch_id,
        service_date,
        hour_of_day,
        arrivals,
        served,
        served_within_target,
        handling_minutes,
        mean_wait_minutes,
        rostered_tellers
    from {{ ref('int_branch_service_hours') }}

),

as_of as (

    select
        as_of_date,
        {{ dbt.dateadd('day', -7 * var('staffing_lookback_weeks'), 'as_of_date') }} as window_start_date
    from {{ ref('int_as_of_date') }}

),

in_window as (

    select
        service_hours.*,
        {{ iso_day_of_week('service_hours.service_date') }} as day_of_week
    from service_hours
    cross join as_of
    where
        service_hours.service_date > as_of.window_start_date
        and service_hours.service_date <= as_of.as_of_date

),

open_days as (

    select
        in_window.branch_id,
        in_window.day_of_week,
        count(distinct in_window.service_date) as days_open
    from in_window
    group by in_window.branch_id, in_window.day_of_week

),

branch_handling as (

    select
        in_window.branch_id,
        sum(in_window.handling_minutes) / nullif(sum(in_window.served), 0) as branch_handling_minutes
    from in_window
    group by in_window.branch_id

),

slots as (

    select
        in_window.branch_id,
        in_window.day_of_week,
        in_window.hour_of_day,
        sum(in_window.arrivals) as arrivals,
        sum(in_window.served) as served,
        sum(in_window.served_within_target) as served_within_target,
        sum(in_window.handling_minutes) as handling_minutes,
        sum(in_window.mean_wait_minutes * in_window.served) / nullif(sum(in_window.served), 0)
            as observed_mean_wait_minutes,
        sum(in_window.rostered_tellers) as rostered_teller_hours
    from in_window
    group by in_window.branch_id, in_window.day_of_week, in_window.hour_of_day

),

final as (

    select
        {{ surrogate_key(['slots.branch_id', 'slots.day_of_week', 'slots.hour_of_day']) }} as branch_slot_key,
        slots.branch_id,
        cast(slots.day_of_week as integer) as day_of_week,
        cast(slots.hour_of_day as integer) as hour_of_day,
        cast(open_days.days_open as integer) as days_observed,
        cast(slots.arrivals as double) / open_days.days_open as arrivals_per_hour,
        case
            when slots.served >= 5 then slots.handling_minutes / slots.served
            else branch_handling.branch_handling_minutes
        end as handling_minutes,
        cast(slots.rostered_teller_hours as double) / open_days.days_open as mean_rostered_tellers,
        slots.observed_mean_wait_minutes,
        cast(slots.served_within_target as double) / nullif(slots.arrivals, 0) as observed_share_within_target,
        cast(slots.arrivals as integer) as arrivals
    from slots
    inner join open_days
        on
            slots.branch_id = open_days.branch_id
            and slots.day_of_week = open_days.day_of_week
    left join branch_handling
        on slots.branch_id = branch_handling.branch_id

)

select * from final
