{#-
    One row per application stage visit: when it was entered and left, how
    long it took, who handled it and whether it breached the stage's service
    level (seed loan_stage_service_levels). A stage still open on the as-of
    date counts its time so far and is breached once that exceeds the level,
    so applications stuck in a step are visible before they leave it.
-#}
with

stage_durations as (

    select
        stage_event_id,
        application_id,
        stage,
        staff_id,
        entered_at,
        left_at,
        is_open,
        duration_hours
    from {{ ref('int_application_stage_durations') }}

),

applications as (

    select
        application_id,
        branch_id,
        product_code
    from {{ ref('stg_lending__loan_applications') }}

),

service_levels as (

    select
        stage,
        stage_order,
        service_level_hours
    from {{ ref('loan_stage_service_levels') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

final as (

    select
        stage_durations.stage_event_id,
        stage_durations.application_id,
        applications.branch_id,
        applications.product_code,
        stage_durations.stage,
        cast(service_levels.stage_order as integer) as stage_order,
        stage_durations.staff_id,
        stage_durations.duration_hours,
        service_levels.service_level_hours,
        stage_durations.is_open,
        coalesce(stage_durations.duration_hours > service_levels.service_level_hours, false)
            as is_service_level_breached,
        cast({{ dbt.date_trunc('month', 'stage_durations.entered_at') }} as date) as entered_month,
        stage_durations.entered_at,
        stage_durations.left_at,
        as_of.as_of_date
    from stage_durations
    inner join applications
        on stage_durations.application_id = applications.application_id
    left join service_levels
        on stage_durations.stage = service_levels.stage
    cross join as_of

)

select * from final
