with

base as (

    select * from {{ ref('base_lending__application_stages') }}

),

staged as (

    select
        base.stage_event_id,
        base.application_id,
        base.staff_id,
        base.stage,
        base.entered_at,
        base.left_at
    from base
    where
        base.delivery_rank = 1
        and base.quarantine_reason is null

)

select * from staged
