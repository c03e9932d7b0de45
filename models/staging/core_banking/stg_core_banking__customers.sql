with

base as (

    select * from {{ ref('base_core_banking__customers') }}

),

staged as (

    select
        base.customer_id,
        base.national_id,
        base.home_branch_id,
        base.first_name,
        base.last_name,
        base.gender,
        base.phone,
        base.email,
        base.address,
        base.city,
        base.occupation,
        base.annual_income_amount,
        base.has_marketing_consent,
        base.birth_date,
        base.customer_since_date,
        base.closed_date
    from base
    where
        base.delivery_rank = 1
        and base.quarantine_reason is null

)

select * from staged
