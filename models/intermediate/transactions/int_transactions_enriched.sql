{#-
    Incremental (delete+insert on transaction_id), like fct_transactions: a
    run reads the staged transactions of the last var
    incremental_lookback_days days before the newest one already enriched
    and rewrites those that are new or whose content changed (row_hash);
    transactions staged before and quarantined since are deleted (post-hook).
    A transaction later than the window or a change to an account's
    customer, branch or product needs --full-refresh;
    transactions_reconcile_across_layers says when.
-#}
{{
    config(
        post_hook="{{ delete_rows_missing_from(
            ref('stg_core_banking__transactions'),
            'transaction_id',
            candidates='select transaction_id from ' ~ ref('base_core_banking__transactions') ~ ' where quarantine_reason is not null'
        ) }}"
    )
}}

with

transactions as (

    select
        staged.transaction_id,
        staged.account_id,
        staged.direction,
        staged.transaction_type,
        staged.channel,
        staged.counterparty_country,
        staged.merchant_category,
        staged.transaction_amount,
        staged.balance_after_amount,
        staged.transaction_at,
        staged.row_hash
    from {{ ref('stg_core_banking__transactions') }} as staged
    {%- if is_incremental() %}
    where {{ new_or_changed_in_lookback('staged', 'staged.transaction_at', is_timestamp=true) }}
    {%- endif %}

),

accounts as (

    select
        account_id,
        customer_id,
        branch_id,
        product_code
    from {{ ref('stg_core_banking__accounts') }}

),

country_risk as (

    select
        country_code,
        risk_level
    from {{ ref('country_risk') }}

),

merchant_category_groups as (

    select
        merchant_category,
        merchant_category_group
    from {{ ref('merchant_category_groups') }}

),

enriched as (

    select
        transactions.transaction_id,
        transactions.account_id,
        accounts.customer_id,
        accounts.branch_id,
        accounts.product_code as account_product_code,
        transactions.direction,
        transactions.transaction_type,
        transactions.channel,
        transactions.counterparty_country,
        transactions.merchant_category,
        coalesce(
            merchant_category_groups.merchant_category_group,
            case when transactions.merchant_category is not null then 'other' end
        ) as merchant_category_group,
        coalesce(country_risk.risk_level, 'standard') as country_risk_level,
        transactions.transaction_amount,
        case
            when transactions.direction = 'debit' then -transactions.transaction_amount
            else transactions.transaction_amount
        end as signed_amount,
        transactions.balance_after_amount,
        transactions.transaction_type in ('cash_deposit', 'cash_withdrawal') as is_cash,
        coalesce(
            transactions.counterparty_country != '{{ var("bank_country_code") }}', false
        ) as is_cross_border,
        coalesce(country_risk.risk_level = 'high', false) as is_high_risk_country,
        coalesce(transactions.channel in ('online', 'mobile'), false) as is_digital_channel,
        coalesce(transactions.channel != 'system', true) as is_customer_initiated,
        cast(transactions.transaction_at as date) as transaction_date,
        cast({{ dbt.date_trunc('month', 'transactions.transaction_at') }} as date) as transaction_month,
        transactions.transaction_at,
        transactions.row_hash
    from transactions
    inner join accounts
        on transactions.account_id = accounts.account_id
    left join country_risk
        on transactions.counterparty_country = country_risk.country_code
    left join merchant_category_groups
        on transactions.merchant_category = merchant_category_groups.merchant_category

)

select * from enriched
