{#-
    One row per customer and month of their accounts up to the as-of date:
    deposit balance at month end (accounts other than cards), inflow and
    outflow, customer-initiated, digital and cash transactions. The shared
    history behind the churn and credit features.
-#}
with

account_months as (

    select
        account_id,
        month_start,
        inflow_amount,
        outflow_amount,
        closing_balance_amount
    from {{ ref('int_account_months') }}

),

accounts as (

    select
        account_id,
        customer_id,
        product_code
    from {{ ref('stg_core_banking__accounts') }}

),

transactions as (

    select
        customer_id,
        transaction_month,
        is_customer_initiated,
        is_digital_channel,
        is_cash,
        transaction_date
    from {{ ref('int_transactions_enriched') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

balances as (

    select
        accounts.customer_id,
        account_months.month_start,
        sum(
            case
                when accounts.product_code != 'credit_card'
                    then account_months.closing_balance_amount
                else 0
            end
        ) as deposit_balance_amount,
        sum(account_months.inflow_amount) as inflow_amount,
        sum(account_months.outflow_amount) as outflow_amount
    from account_months
    inner join accounts
        on account_months.account_id = accounts.account_id
    group by accounts.customer_id, account_months.month_start

),

activity as (

    select
        transactions.customer_id,
        transactions.transaction_month as month_start,
        sum(case when transactions.is_customer_initiated then 1 else 0 end) as customer_transactions,
        sum(
            case when transactions.is_customer_initiated and transactions.is_digital_channel then 1 else 0 end
        ) as digital_transactions,
        sum(case when transactions.is_cash then 1 else 0 end) as cash_transactions
    from transactions
    cross join as_of
    where transactions.transaction_date <= as_of.as_of_date
    group by transactions.customer_id, transactions.transaction_month

),

final as (

    select
        {{ surrogate_key(['balances.customer_id', 'balances.month_start']) }} as customer_month_key,
        balances.customer_id,
        balances.month_start,
        cast(balances.deposit_balance_amount as decimal(18, 2)) as deposit_balance_amount,
        cast(balances.inflow_amount as decimal(18, 2)) as inflow_amount,
        cast(balances.outflow_amount as decimal(18, 2)) as outflow_amount,
        cast(coalesce(activity.customer_transactions, 0) as integer) as customer_transactions,
        cast(coalesce(activity.digital_transactions, 0) as integer) as digital_transactions,
        cast(coalesce(activity.cash_transactions, 0) as integer) as cash_transactions
    from balances
    left join activity
        on
            balances.customer_id = activity.customer_id
            and balances.month_start = activity.month_start

)

select * from final
