{#-
    One row per branch, date and hour with queue activity or rostered
    tellers: arrivals, served, abandoned, mean and 90th-percentile wait,
    handling time, tellers on duty and teller utilisation (handling minutes
    over rostered teller minutes).
-#}
with

service_hours as (

    select * from {{ ref('int_branch_service_hours') }}

),

final as (

    select
        {{ surrogate_key(['service_hours.branch_id', 'service_hours.service_date', 'service_hours.hour_of_day']) }}
            as branch_service_hour_key,
        service_hours.branch_id,
        service_hours.service_date,
        cast(service_hours.hour_of_day as integer) as hour_of_day,
        {{ iso_day_of_week('service_hours.service_date') }} as day_of_week,
        cast(service_hours.arrivals as integer) as arrivals,
        cast(service_hours.served as integer) as served,
        cast(service_hours.abandoned as integer) as abandoned,
        cast(service_hours.served_within_target as integer) as served_within_target,
        service_hours.mean_wait_minutes,
        service_hours.p90_wait_minutes,
        service_hours.mean_handling_minutes,
        cast(service_hours.rostered_tellers as double) as rostered_tellers,
        cast(service_hours.rostered_staff_count as integer) as rostered_staff_count,
        service_hours.handling_minutes / nullif(service_hours.rostered_tellers * 60, 0) as teller_utilisation
    from service_hours

)

select * from final
