with

base as (

    select * from {{ ref('base_core_banking__branches') }}

),

staged as (

    select
        base.branch_id,
        base.branch_name,
        base.city,
        base.region,
        base.branch_type,
        base.opened_date
    from base
    where
        base.delivery_rank = 1
        and base.quarantine_reason is null

)

select * from staged
