with

base as (

    select * from {{ ref('base_branch_ops__staff_shifts') }}

),

staged as (

    select
        base.shift_id,
        base.staff_id,
        base.branch_id,
        base.shift_date,
        base.start_at,
        base.end_at
    from base
    where
        base.delivery_rank = 1
        and base.quarantine_reason is null

)

select * from staged
