{#-
    Transactions as the AML rules read them: enriched, with the account's
    currency (amount thresholds are per currency). A view: each rule reads
    only its own transaction types and dates, and the filters reach the
    tables underneath.
-#}
{{ config(materialized='view') }}

with

transactions as (

    select
        transaction_id,
        account_id,
        customer_id,
        direction,
        transaction_type,
        channel,
        counterparty_country,
        country_risk_level,
        merchant_category,
        transaction_amount,
        is_cross_border,
        is_customer_initiated,
        transaction_date,
        transaction_at
    from {{ ref('int_transactions_enriched') }}

),

accounts as (

    select
        account_id,
        currency_code,
        opened_date
    from {{ ref('stg_core_banking__accounts') }}

),

final as (

    select
        transactions.transaction_id,
        transactions.account_id,
        transactions.customer_id,
        transactions.direction,
        transactions.transaction_type,
        transactions.channel,
        transactions.counterparty_country,
        transactions.country_risk_level,
        transactions.merchant_category,
        accounts.currency_code,
        transactions.transaction_amount,
        transactions.is_cross_border,
        transactions.is_customer_initiated,
        accounts.opened_date as account_opened_date,
        transactions.transaction_date,
        transactions.transaction_at
    from transactions
    inner join accounts
        on transactions.account_id = accounts.account_id

)

select * from final
