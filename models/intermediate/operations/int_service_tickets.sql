{#- Branch queue tickets up to the as-of date with wait and handling times in minutes. -#}
with

tickets as (

    select
        ticket_id,
        branch_id,
        customer_id,
        staff_id,
        service_type,
        is_abandoned,
        arrived_at,
        called_at,
        completed_at
    from {{ ref('stg_branch_ops__service_tickets') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

final as (

    select
        tickets.ticket_id,
        tickets.branch_id,
        tickets.customer_id,
        tickets.staff_id,
        tickets.service_type,
        coalesce(tickets.is_abandoned, tickets.called_at is null) as is_abandoned,
        cast({{ dbt.datediff('tickets.arrived_at', 'tickets.called_at', 'second') }} as double) / 60 as wait_minutes,
        cast({{ dbt.datediff('tickets.called_at', 'tickets.completed_at', 'second') }} as double) / 60 as handling_minutes,
        cast(tickets.arrived_at as date) as arrived_date,
        cast({{ dbt.date_trunc('month', 'tickets.arrived_at') }} as date) as arrived_month,
        tickets.arrived_at,
        tickets.called_at,
        tickets.completed_at
    from tickets
    cross join as_of
    where cast(tickets.arrived_at as date) <= as_of.as_of_date

)

select * from final
