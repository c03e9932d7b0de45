with

base as (

    select * from {{ ref('base_branch_ops__service_tickets') }}

),

staged as (

    select
        base.ticket_id,
        base.branch_id,
        base.customer_id,
        base.staff_id,
        base.service_type,
        base.is_abandoned,
        base.arrived_at,
        base.called_at,
        base.completed_at
    from base
    where
        base.delivery_rank = 1
        and base.quarantine_reason is null

)

select * from staged
