with

accounts as (

    select
        account_id,
        customer_id,
        branch_id,
        product_code,
        currency_code,
        credit_limit_amount,
        interest_rate,
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

{# from the account months (a few rows per account, up to the as-of date), not the
   transactions themselves: a daily run would otherwise read the whole history #}
last_activity as (

    select
        account_id,
        max(last_transaction_date) as last_transaction_date
    from {{ ref('int_account_months') }}
    group by account_id

),

as_of as (

    select
        as_of_date,
        as_of_month
    from {{ ref('int_as_of_date') }}

),

final as (

    select
        accounts.account_id,
        {{ pseudonymise('accounts.customer_id') }} as customer_key,
        accounts.branch_id,
        accounts.product_code,
        accounts.currency_code,
        case
            when accounts.closed_date <= as_of.as_of_date then 'closed'
            else 'open'
        end as account_status,
        accounts.credit_limit_amount,
        accounts.interest_rate,
        cast(coalesce(account_months.closing_balance_amount, 0) as decimal(18, 2)) as balance_amount,
        accounts.opened_date,
        accounts.closed_date,
        last_activity.last_transaction_date,
        as_of.as_of_date
    from accounts
    cross join as_of
    left join account_months
        on
            accounts.account_id = account_months.account_id
            and as_of.as_of_month = account_months.month_start
    left join last_activity
        on accounts.account_id = last_activity.account_id
    where accounts.opened_date <= as_of.as_of_date

)

select * from final
