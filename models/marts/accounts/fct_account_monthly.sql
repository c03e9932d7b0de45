with

account_months as (

    select
        account_month_key,
        account_id,
        month_start,
        inflow_amount,
        outflow_amount,
        net_flow_amount,
        transaction_count,
        closing_balance_amount,
        is_balance_reported
    from {{ ref('int_account_months') }}

),

accounts as (

    select
        account_id,
        customer_id,
        branch_id,
        product_code
    from {{ ref('stg_core_banking__accounts') }}

),

final as (

    select
        account_months.account_month_key,
        account_months.account_id,
        {{ pseudonymise('accounts.customer_id') }} as customer_key,
        accounts.branch_id,
        accounts.product_code,
        account_months.month_start,
        cast(account_months.inflow_amount as decimal(18, 2)) as inflow_amount,
        cast(account_months.outflow_amount as decimal(18, 2)) as outflow_amount,
        cast(account_months.net_flow_amount as decimal(18, 2)) as net_flow_amount,
        cast(account_months.closing_balance_amount as decimal(18, 2)) as closing_balance_amount,
        cast(account_months.transaction_count as integer) as transaction_count,
        account_months.is_balance_reported
    from account_months
    inner join accounts
        on account_months.account_id = accounts.account_id

)

select * from final
