with

base as (

    select * from {{ ref('base_lending__loan_applications') }}

),

staged as (

    select
        base.application_id,
        base.customer_id,
        base.branch_id,
        base.officer_staff_id,
        base.product_code,
        base.purpose,
        base.decision,
        base.requested_amount,
        base.term_months,
        base.declared_income_amount,
        base.employment_years,
        base.existing_debt_amount,
        base.submitted_at,
        base.decided_at
    from base
    where
        base.delivery_rank = 1
        and base.quarantine_reason is null

)

select * from staged
