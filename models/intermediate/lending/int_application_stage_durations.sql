{#-
    One row per application stage visit with its duration in hours. A stage
    still open at the as-of date runs to the as-of date (open_hours) and is
    flagged, so slow applications in progress are not invisible.
-#}
with

stages as (

    select
        stage_event_id,
        application_id,
        stage,
        staff_id,
        entered_at,
        left_at
    from {{ ref('stg_lending__application_stages') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

final as (

    select
        stages.stage_event_id,
        stages.application_id,
        stages.stage,
        stages.staff_id,
        stages.entered_at,
        stages.left_at,
        stages.left_at is null as is_open,
        cast(
            {{ dbt.datediff(
                'stages.entered_at',
                'coalesce(stages.left_at, cast(' ~ dbt.dateadd('day', 1, 'as_of.as_of_date') ~ ' as timestamp))',
                'minute'
            ) }} as double
        ) / 60 as duration_hours
    from stages
    cross join as_of
    where cast(stages.entered_at as date) <= as_of.as_of_date

)

select * from final
