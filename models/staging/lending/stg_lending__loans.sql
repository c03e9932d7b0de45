with

base as (

    select * from {{ ref('base_lending__loans') }}

),

staged as (

    select
        base.loan_id,
        base.customer_id,
        base.account_id,
        base.application_id,
        base.branch_id,
        base.officer_staff_id,
        base.product_code,
        base.status as loan_status,
        base.purpose,
        base.collateral_type,
        base.principal_amount,
        base.interest_rate,
        base.term_months,
        base.installment_amount,
        base.declared_income_amount,
        base.employment_years,
        base.existing_debt_amount,
        base.has_guarantor,
        base.originated_date,
        base.maturity_date,
        base.status_date
    from base
    where
        base.delivery_rank = 1
        and base.quarantine_reason is null

)

select * from staged
