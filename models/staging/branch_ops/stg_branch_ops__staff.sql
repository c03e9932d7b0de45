with

base as (

    select * from {{ ref('base_branch_ops__staff') }}

),

staged as (

    select
        base.staff_id,
        base.branch_id,
        base.role,
        base.first_name,
        base.last_name,
        base.hired_date,
        base.left_date
    from base
    where
        base.delivery_rank = 1
        and base.quarantine_reason is null

)

select * from staged
