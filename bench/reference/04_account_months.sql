-- int_account_months and int_customer_months from one aggregation of the transactions
-- up to the as-of date per account and month: flows, the balance of the month's last
-- transaction (arg_max_null instead of a row_number window) and the activity counts
-- int_customer_months needs. Month spines come from generate_series per account
-- (bounded by the calendar of int_calendar_months, as dbt's join to it bounds them), and
-- the last reported balance is carried forward with last_value ... ignore nulls instead
-- of a self-join.

create or replace temp table account_month_flows as
select
    account_id,
    any_value(customer_id) as customer_id,
    transaction_month as month_start,
    sum(case when direction = 'credit' then transaction_amount else 0 end) as inflow_amount,
    sum(case when direction = 'debit' then transaction_amount else 0 end) as outflow_amount,
    sum(signed_amount) as net_flow_amount,
    count(*) as transaction_count,
    max(transaction_date) as last_transaction_date,
    arg_max_null(balance_after_amount, (transaction_at, transaction_id)) as reported_balance_amount,
    count(*) filter (where is_customer_initiated) as customer_transactions,
    count(*) filter (where is_customer_initiated and is_digital_channel) as digital_transactions,
    count(*) filter (where is_cash) as cash_transactions
from intermediate.int_transactions_enriched
where transaction_date <= getvariable('as_of_date')
group by account_id, transaction_month;

create or replace table intermediate.int_account_months as
with

flow_bounds as (

    select
        account_id,
        min(month_start) as first_flow_month,
        max(month_start) as last_flow_month
    from account_month_flows
    group by account_id

),

account_ranges as (

    select
        accounts.account_id,
        greatest(
            least(
                cast(date_trunc('month', accounts.opened_date) as date),
                coalesce(flow_bounds.first_flow_month, getvariable('as_of_month'))
            ),
            getvariable('first_month')
        ) as first_month,
        greatest(
            case
                when accounts.closed_date <= getvariable('as_of_date')
                    then cast(date_trunc('month', accounts.closed_date) as date)
                else getvariable('as_of_month')
            end,
            flow_bounds.last_flow_month
        ) as last_month
    from staging.stg_core_banking__accounts as accounts
    left join flow_bounds
        on accounts.account_id = flow_bounds.account_id
    where accounts.opened_date <= getvariable('as_of_date')

),

spine as (

    select
        account_id,
        cast(unnest(generate_series(first_month, last_month, interval 1 month)) as date) as month_start
    from account_ranges

),

monthly as (

    select
        spine.account_id,
        spine.month_start,
        coalesce(account_month_flows.inflow_amount, 0) as inflow_amount,
        coalesce(account_month_flows.outflow_amount, 0) as outflow_amount,
        coalesce(account_month_flows.net_flow_amount, 0) as net_flow_amount,
        coalesce(account_month_flows.transaction_count, 0) as transaction_count,
        account_month_flows.last_transaction_date,
        sum(coalesce(account_month_flows.net_flow_amount, 0)) over account_history
            as cumulative_net_flow_amount,
        last_value(account_month_flows.reported_balance_amount ignore nulls) over account_history
            as last_reported_balance_amount
    from spine
    left join account_month_flows
        on
            spine.account_id = account_month_flows.account_id
            and spine.month_start = account_month_flows.month_start
    window account_history as (
        partition by spine.account_id
        order by spine.month_start
        rows between unbounded preceding and current row
    )

)

select
    md5(account_id || '|' || cast(month_start as varchar)) as account_month_key,
    account_id,
    month_start,
    inflow_amount,
    outflow_amount,
    net_flow_amount,
    transaction_count,
    last_transaction_date,
    coalesce(last_reported_balance_amount, cumulative_net_flow_amount) as closing_balance_amount,
    last_reported_balance_amount is not null as is_balance_reported
from monthly;

create or replace table intermediate.int_customer_months as
with

balances as (

    select
        accounts.customer_id,
        account_months.month_start,
        sum(
            case
                when accounts.product_code != 'credit_card' then account_months.closing_balance_amount
                else 0
            end
        ) as deposit_balance_amount,
        sum(account_months.inflow_amount) as inflow_amount,
        sum(account_months.outflow_amount) as outflow_amount
    from intermediate.int_account_months as account_months
    inner join staging.stg_core_banking__accounts as accounts
        on account_months.account_id = accounts.account_id
    group by accounts.customer_id, account_months.month_start

),

activity as (

    select
        customer_id,
        month_start,
        sum(customer_transactions) as customer_transactions,
        sum(digital_transactions) as digital_transactions,
        sum(cash_transactions) as cash_transactions
    from account_month_flows
    group by customer_id, month_start

)

select
    md5(balances.customer_id || '|' || cast(balances.month_start as varchar)) as customer_month_key,
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
        and balances.month_start = activity.month_start;

drop table account_month_flows;
