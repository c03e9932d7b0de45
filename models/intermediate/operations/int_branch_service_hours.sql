{#-
    One row per branch, date and hour of the day with queue activity or a
    rostered teller: tickets drawn, served and abandoned, wait and handling
    times, and the teller-hours rostered. Hours are UTC clock hours of
    arrival.
-#}
with

tickets as (

    select
        branch_id,
        arrived_date,
        arrived_at,
        wait_minutes,
        handling_minutes,
        is_abandoned
    from {{ ref('int_service_tickets') }}

),

shift_hours as (

    select
        branch_id,
        shift_date,
        hour_of_day,
        rostered_tellers,
        rostered_staff_count
    from {{ ref('int_staff_shift_hours') }}

),

ticket_hours as (

    select
        tickets.branch_id,
        tickets.arrived_date as service_date,
        cast(extract(hour from tickets.arrived_at) as integer) as hour_of_day,
        count(*) as arrivals,
        sum(case when tickets.is_abandoned then 0 else 1 end) as served,
        sum(case when tickets.is_abandoned then 1 else 0 end) as abandoned,
        sum(
            case when not tickets.is_abandoned and tickets.wait_minutes <= {{ var('staffing_target_wait_minutes') }} then 1 else 0 end
        ) as served_within_target,
        avg(tickets.wait_minutes) as mean_wait_minutes,
        {{ percentile('tickets.wait_minutes', 0.9) }} as p90_wait_minutes,
        avg(tickets.handling_minutes) as mean_handling_minutes,
        sum(tickets.handling_minutes) as handling_minutes
    from tickets
    group by tickets.branch_id, tickets.arrived_date, cast(extract(hour from tickets.arrived_at) as integer)

),

final as (

    select
        coalesce(ticket_hours.branch_id, shift_hours.branch_id) as branch_id,
        coalesce(ticket_hours.service_date, shift_hours.shift_date) as service_date,
        coalesce(ticket_hours.hour_of_day, shift_hours.hour_of_day) as hour_of_day,
        coalesce(ticket_hours.arrivals, 0) as arrivals,
        coalesce(ticket_hours.served, 0) as served,
        coalesce(ticket_hours.abandoned, 0) as abandoned,
        coalesce(ticket_hours.served_within_target, 0) as served_within_target,
        ticket_hours.mean_wait_minutes,
        ticket_hours.p90_wait_minutes,
        ticket_hours.mean_handling_minutes,
        coalesce(ticket_hours.handling_minutes, 0) as handling_minutes,
        coalesce(shift_hours.rostered_tellers, 0) as rostered_tellers,
        coalesce(shift_hours.rostered_staff_count, 0) as rostered_staff_count
    from ticket_hours
    full outer join shift_hours
        on
            ticket_hours.branch_id = shift_hours.branch_id
            and ticket_hours.service_date = shift_hours.shift_date
            and ticket_hours.hour_of_day = shift_hours.hour_of_day

)

select * from final
