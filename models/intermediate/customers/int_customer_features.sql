{#-
    Customer-level activity and balance features as of the as-of date, for
    dim_customers and the ML models. Only transactions on or before the
    as-of date count; windows are the 90 and 365 days ending on it.
-#}
with

customers as (

    select
        customer_id,
        home_branch_id,
        gender,
        occupation,
        annual_income_amount,
        has_marketing_consent,
        birth_date,
        customer_since_date,
        closed_date
    from {{ ref('stg_core_banking__customers') }}

),

accounts as (

    select
        account_id,
        customer_id,
        product_code,
        opened_date,
        closed_date
    from {{ ref('stg_core_banking__accounts') }}

),

account_months as (

    select
        account_id,
        month_start,
        closing_balance_amount
    from {{ ref('int_account_months') }}

),

loans as (

    select
        loan_id,
        customer_id,
        outstanding_principal_amount,
        is_open
    from {{ ref('int_loan_performance') }}

),

transactions as (

    select
        customer_id,
        transaction_amount,
        is_cash,
        is_digital_channel,
        is_customer_initiated,
        is_cross_border,
        transaction_date
    from {{ ref('int_transactions_enriched') }}

),

as_of as (

    select
        as_of_date,
        as_of_month
    from {{ ref('int_as_of_date') }}

),

open_accounts as (

    select accounts.*
    from accounts
    cross join as_of
    where
        accounts.opened_date <= as_of.as_of_date
        and (accounts.closed_date is null or accounts.closed_date > as_of.as_of_date)

),

balances as (

    select
        open_accounts.customer_id,
        count(*) as open_account_count,
        count(distinct open_accounts.product_code) as account_product_count,
        max(case when open_accounts.product_code = 'current' then 1 else 0 end) = 1 as has_current_account,
        max(case when open_accounts.product_code = 'savings' then 1 else 0 end) = 1 as has_savings_account,
        max(case when open_accounts.product_code = 'term_deposit' then 1 else 0 end) = 1 as has_term_deposit,
        max(case when open_accounts.product_code = 'credit_card' then 1 else 0 end) = 1 as has_credit_card,
        sum(
            case
                when open_accounts.product_code != 'credit_card'
                    then greatest(coalesce(account_months.closing_balance_amount, 0), 0)
                else 0
            end
        ) as deposit_balance_amount,
        sum(
            case
                when open_accounts.product_code = 'credit_card'
                    then greatest(-coalesce(account_months.closing_balance_amount, 0), 0)
                else 0
            end
        ) as card_balance_amount
    from open_accounts
    cross join as_of
    left join account_months
        on
            open_accounts.account_id = account_months.account_id
            and as_of.as_of_month = account_months.month_start
    group by open_accounts.customer_id

),

loan_totals as (

    select
        loans.customer_id,
        count(*) as open_loan_count,
        sum(loans.outstanding_principal_amount) as loan_balance_amount
    from loans
    where loans.is_open
    group by loans.customer_id

),

activity as (

    select
        transactions.customer_id,
        max(
            case when transactions.is_customer_initiated then transactions.transaction_date end
        ) as last_transaction_date,
        sum(
            case
                when
                    transactions.is_customer_initiated
                    and transactions.transaction_date > {{ dbt.dateadd('day', -90, 'as_of.as_of_date') }}
                    then 1
                else 0
            end
        ) as transactions_90d,
        sum(
            case
                when
                    transactions.is_customer_initiated
                    and transactions.transaction_date > {{ dbt.dateadd('day', -365, 'as_of.as_of_date') }}
                    then 1
                else 0
            end
        ) as transactions_365d,
        sum(
            case
                when
                    transactions.is_customer_initiated
                    and transactions.transaction_date > {{ dbt.dateadd('day', -365, 'as_of.as_of_date') }}
                    then transactions.transaction_amount
                else 0
            end
        ) as transaction_value_365d,
        sum(
            case
                when
                    transactions.is_customer_initiated
                    and transactions.is_digital_channel
                    and transactions.transaction_date > {{ dbt.dateadd('day', -365, 'as_of.as_of_date') }}
                    then 1
                else 0
            end
        ) as digital_transactions_365d,
        sum(
            case
                when
                    transactions.is_cash
                    and transactions.transaction_date > {{ dbt.dateadd('day', -365, 'as_of.as_of_date') }}
                    then 1
                else 0
            end
        ) as cash_transactions_365d,
        sum(
            case
                when
                    transactions.is_cross_border
                    and transactions.transaction_date > {{ dbt.dateadd('day', -365, 'as_of.as_of_date') }}
                    then 1
                else 0
            end
        ) as cross_border_transactions_365d
    from transactions
    cross join as_of
    where transactions.transaction_date <= as_of.as_of_date
    group by transactions.customer_id

),

features as (

    select
        customers.customer_id,
        customers.home_branch_id,
        customers.gender,
        customers.occupation,
        customers.annual_income_amount,
        customers.has_marketing_consent,
        customers.birth_date,
        customers.customer_since_date,
        customers.closed_date,
        as_of.as_of_date,
        {{ whole_years_between('customers.birth_date', 'as_of.as_of_date') }} as age_years,
        cast({{ dbt.datediff('customers.customer_since_date', 'as_of.as_of_date', 'month') }} as integer)
            as tenure_months,
        cast(coalesce(balances.open_account_count, 0) as integer) as open_account_count,
        cast(coalesce(loan_totals.open_loan_count, 0) as integer) as open_loan_count,
        cast(
            coalesce(balances.account_product_count, 0)
            + case when coalesce(loan_totals.open_loan_count, 0) > 0 then 1 else 0 end as integer
        ) as products_held,
        coalesce(balances.has_current_account, false) as has_current_account,
        coalesce(balances.has_savings_account, false) as has_savings_account,
        coalesce(balances.has_term_deposit, false) as has_term_deposit,
        coalesce(balances.has_credit_card, false) as has_credit_card,
        coalesce(loan_totals.open_loan_count, 0) > 0 as has_loan,
        cast(coalesce(balances.deposit_balance_amount, 0) as decimal(18, 2)) as deposit_balance_amount,
        cast(coalesce(balances.card_balance_amount, 0) as decimal(18, 2)) as card_balance_amount,
        cast(coalesce(loan_totals.loan_balance_amount, 0) as decimal(18, 2)) as loan_balance_amount,
        activity.last_transaction_date,
        cast({{ dbt.datediff('activity.last_transaction_date', 'as_of.as_of_date', 'day') }} as integer)
            as days_since_last_transaction,
        cast(coalesce(activity.transactions_90d, 0) as integer) as transactions_90d,
        cast(coalesce(activity.transactions_365d, 0) as integer) as transactions_365d,
        cast(coalesce(activity.transaction_value_365d, 0) as decimal(18, 2)) as transaction_value_365d,
        case
            when coalesce(activity.transactions_365d, 0) > 0
                then cast(activity.digital_transactions_365d as double) / activity.transactions_365d
        end as digital_share,
        case
            when coalesce(activity.transactions_365d, 0) > 0
                then cast(activity.cash_transactions_365d as double) / activity.transactions_365d
        end as cash_share,
        cast(coalesce(activity.cross_border_transactions_365d, 0) as integer) as cross_border_transactions_365d
    from customers
    cross join as_of
    left join balances
        on customers.customer_id = balances.customer_id
    left join loan_totals
        on customers.customer_id = loan_totals.customer_id
    left join activity
        on customers.customer_id = activity.customer_id
    where customers.customer_since_date <= as_of.as_of_date

)

select * from features
