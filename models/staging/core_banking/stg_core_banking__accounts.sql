with

base as (

    select * from {{ ref('base_core_banking__accounts') }}

),

staged as (

    select
        base.account_id,
        base.customer_id,
        base.branch_id,
        base.product_code,
        base.currency_code,
        base.credit_limit_amount,
        base.interest_rate,
        base.opened_date,
        base.closed_date
    from base
    where
        base.delivery_rank = 1
        and base.quarantine_reason is null

)

select * from staged
