with

base as (

    select * from {{ ref('base_lending__loan_schedule') }}

),

staged as (

    select
        base.installment_id,
        base.loan_id,
        base.installment_number,
        base.due_amount,
        base.principal_due_amount,
        base.paid_amount,
        base.due_date,
        base.paid_date
    from base
    where
        base.delivery_rank = 1
        and base.quarantine_reason is null

)

select * from staged
