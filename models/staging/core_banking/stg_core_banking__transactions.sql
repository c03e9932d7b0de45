with

base as (

    select * from {{ ref('base_core_banking__transactions') }}

),

staged as (

    select
        base.transaction_id,
        base.account_id,
        base.direction,
        base.transaction_type,
        base.channel,
        base.counterparty_country,
        base.merchant_category,
        base.amount as transaction_amount,
        base.balance_after_amount,
        base.transaction_at,
        base.row_hash
    from base
    where
        base.delivery_rank = 1
        and base.quarantine_reason is null

)

select * from staged
