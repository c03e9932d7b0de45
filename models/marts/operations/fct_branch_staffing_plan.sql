{#-
    Staffing plan per branch, ISO day of week (1 Monday) and hour: the
    demand of the last staffing_lookback_weeks weeks, the tellers an Erlang C
    model says the service target needs, the tellers actually rostered on
    average, and whether the hour is under-staffed (rostered below need),
    over-staffed (a whole teller or more to spare) or matched.
-#}
with

demand as (

    select
        branch_slot_key,
        branch_id,
        day_of_week,
        hour_of_day,
        days_observed,
        arrivals,
        arrivals_per_hour,
        handling_minutes,
        mean_rostered_tellers,
        observed_mean_wait_minutes,
        observed_share_within_target
    from {{ ref('int_branch_hourly_demand') }}

),

requirements as (

    select
        branch_slot_key,
        tellers_needed,
        planned_service_level,
        planned_mean_wait_minutes,
        target_share,
        target_wait_minutes
    from {{ ref('int_branch_staffing_requirements') }}

),

final as (

    select
        demand.branch_slot_key,
        demand.branch_id,
        demand.day_of_week,
        demand.hour_of_day,
        demand.days_observed,
        demand.arrivals,
        demand.arrivals_per_hour,
        demand.handling_minutes,
        demand.arrivals_per_hour * demand.handling_minutes / 60 as offered_load_erlangs,
        cast(requirements.tellers_needed as integer) as tellers_needed,
        demand.mean_rostered_tellers,
        demand.mean_rostered_tellers - requirements.tellers_needed as teller_gap,
        case
            when demand.mean_rostered_tellers < requirements.tellers_needed then 'under_staffed'
            when demand.mean_rostered_tellers >= requirements.tellers_needed + 1 then 'over_staffed'
            else 'matched'
        end as staffing_status,
        requirements.planned_service_level,
        requirements.planned_mean_wait_minutes,
        demand.observed_mean_wait_minutes,
        demand.observed_share_within_target,
        requirements.target_share,
        requirements.target_wait_minutes
    from demand
    inner join requirements
        on demand.branch_slot_key = requirements.branch_slot_key

)

select * from final
