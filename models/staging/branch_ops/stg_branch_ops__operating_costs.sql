with

base as (

    select * from {{ ref('base_branch_ops__operating_costs') }}

),

staged as (

    select
        base.cost_entry_id,
        base.branch_id,
        base.cost_category,
        base.amount,
        base.cost_month,
        base.posted_date
    from base
    where
        base.delivery_rank = 1
        and base.quarantine_reason is null

)

select * from staged
