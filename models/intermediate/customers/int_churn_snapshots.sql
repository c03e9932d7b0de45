{#-
    Churn model input: one row per customer and snapshot date. Snapshots
    are every month end from the seventh month of history, plus the as-of
    date itself (the snapshot that is scored). The population at a snapshot
    is customers open on it with a customer-initiated transaction in the
    90 days before it. Features come from the 6 months up to the snapshot
    only. Label (where the 90 days after the snapshot have passed by the
    as-of date): the customer closed the relationship, or made no
    customer-initiated transaction, within those 90 days.
-#}
with

months as (

    select month_start from {{ ref('int_calendar_months') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

customers as (

    select
        customer_id,
        birth_date,
        customer_since_date,
        closed_date
    from {{ ref('stg_core_banking__customers') }}

),

customer_months as (

    select
        customer_id,
        month_start,
        deposit_balance_amount,
        inflow_amount,
        outflow_amount,
        customer_transactions,
        digital_transactions,
        cash_transactions
    from {{ ref('int_customer_months') }}

),

transactions as (

    select
        customer_id,
        transaction_date
    from {{ ref('int_transactions_enriched') }}
    where is_customer_initiated

),

feedback as (

    select
        customer_id,
        feedback_type,
        nps_score,
        submitted_at
    from {{ ref('stg_crm__customer_feedback') }}

),

snapshot_dates as (

    select cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'months.month_start')) }} as date) as snapshot_date
    from months
    cross join as_of
    where
        {{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'months.month_start')) }} < as_of.as_of_date
        and months.month_start >= (
            select {{ dbt.dateadd('month', 6, 'min(first_month.month_start)') }} from months as first_month
        )
    union all
    select as_of.as_of_date as snapshot_date
    from as_of

),

last_activity as (

    select
        snapshot_dates.snapshot_date,
        transactions.customer_id,
        max(transactions.transaction_date) as last_transaction_date
    from snapshot_dates
    inner join transactions
        on
            snapshot_dates.snapshot_date >= transactions.transaction_date
            and transactions.transaction_date > {{ dbt.dateadd('day', -90, 'snapshot_dates.snapshot_date') }}
    group by snapshot_dates.snapshot_date, transactions.customer_id

),

population as (

    select
        snapshot_dates.snapshot_date,
        customers.customer_id,
        customers.birth_date,
        customers.customer_since_date,
        customers.closed_date,
        cast({{ dbt.date_trunc('month', 'snapshot_dates.snapshot_date') }} as date) as snapshot_month
    from snapshot_dates
    inner join last_activity
        on snapshot_dates.snapshot_date = last_activity.snapshot_date
    inner join customers
        on last_activity.customer_id = customers.customer_id
    where
        customers.customer_since_date <= snapshot_dates.snapshot_date
        and (customers.closed_date is null or customers.closed_date > snapshot_dates.snapshot_date)

),

history as (

    select
        population.snapshot_date,
        population.customer_id,
        max(
            case
                when customer_months.month_start = population.snapshot_month
                    then customer_months.deposit_balance_amount
            end
        ) as balance_now_amount,
        avg(customer_months.deposit_balance_amount) as balance_6m_amount,
        sum(
            case
                when customer_months.month_start > {{ dbt.dateadd('month', -3, 'population.snapshot_month') }}
                    then customer_months.customer_transactions
                else 0
            end
        ) as transactions_last_3m,
        sum(
            case
                when customer_months.month_start <= {{ dbt.dateadd('month', -3, 'population.snapshot_month') }}
                    then customer_months.customer_transactions
                else 0
            end
        ) as transactions_prior_3m,
        sum(
            case
                when customer_months.month_start > {{ dbt.dateadd('month', -3, 'population.snapshot_month') }}
                    then customer_months.inflow_amount
                else 0
            end
        ) as inflow_last_3m_amount,
        sum(
            case
                when customer_months.month_start <= {{ dbt.dateadd('month', -3, 'population.snapshot_month') }}
                    then customer_months.inflow_amount
                else 0
            end
        ) as inflow_prior_3m_amount,
        sum(customer_months.outflow_amount) as outflow_6m_amount,
        sum(customer_months.inflow_amount) as inflow_6m_amount,
        sum(customer_months.customer_transactions) as transactions_6m,
        sum(customer_months.digital_transactions) as digital_transactions_6m,
        sum(customer_months.cash_transactions) as cash_transactions_6m
    from population
    inner join customer_months
        on
            population.customer_id = customer_months.customer_id
            and population.snapshot_month >= customer_months.month_start
            and customer_months.month_start > {{ dbt.dateadd('month', -6, 'population.snapshot_month') }}
    group by population.snapshot_date, population.customer_id

),

voice as (

    select
        population.snapshot_date,
        population.customer_id,
        sum(case when feedback.feedback_type = 'complaint' then 1 else 0 end) as complaints_6m,
        avg(feedback.nps_score) as mean_nps_6m
    from population
    inner join feedback
        on
            population.customer_id = feedback.customer_id
            and cast(feedback.submitted_at as date) <= population.snapshot_date
            and cast(feedback.submitted_at as date) > {{ dbt.dateadd('month', -6, 'population.snapshot_date') }}
    group by population.snapshot_date, population.customer_id

),

future_activity as (

    select
        population.snapshot_date,
        population.customer_id,
        count(*) as transactions_next_90d
    from population
    inner join transactions
        on
            population.customer_id = transactions.customer_id
            and population.snapshot_date < transactions.transaction_date
            and transactions.transaction_date <= {{ dbt.dateadd('day', 90, 'population.snapshot_date') }}
    group by population.snapshot_date, population.customer_id

),

final as (

    select
        {{ surrogate_key(['population.customer_id', 'population.snapshot_date']) }} as customer_snapshot_key,
        population.customer_id,
        population.snapshot_date,
        population.snapshot_date = as_of.as_of_date as is_scoring_snapshot,
        cast({{ whole_years_between('population.birth_date', 'population.snapshot_date') }} as double) as age_years,
        cast({{ dbt.datediff('population.customer_since_date', 'population.snapshot_date', 'month') }} as double)
            as tenure_months,
        cast(history.balance_now_amount as double) as balance_now_amount,
        cast(history.balance_6m_amount as double) as balance_6m_amount,
        cast(history.balance_now_amount as double) / nullif(cast(history.balance_6m_amount as double), 0)
            as balance_trend,
        cast(history.transactions_last_3m as double) as transactions_last_3m,
        cast(history.transactions_last_3m as double) / nullif(cast(history.transactions_prior_3m as double), 0)
            as transactions_trend,
        cast(history.inflow_last_3m_amount as double)
        / nullif(cast(history.inflow_prior_3m_amount as double), 0) as inflow_trend,
        cast(history.outflow_6m_amount as double) / nullif(cast(history.inflow_6m_amount as double), 0)
            as outflow_to_inflow_6m,
        cast(history.digital_transactions_6m as double) / nullif(cast(history.transactions_6m as double), 0)
            as digital_share_6m,
        cast(history.cash_transactions_6m as double) / nullif(cast(history.transactions_6m as double), 0)
            as cash_share_6m,
        cast(coalesce(voice.complaints_6m, 0) as double) as complaints_6m,
        cast(voice.mean_nps_6m as double) as mean_nps_6m,
        {{ dbt.dateadd('day', 90, 'population.snapshot_date') }} <= as_of.as_of_date as is_labelled,
        case
            when {{ dbt.dateadd('day', 90, 'population.snapshot_date') }} <= as_of.as_of_date
                then cast(
                    (
                        population.closed_date is not null
                        and population.closed_date <= {{ dbt.dateadd('day', 90, 'population.snapshot_date') }}
                    )
                    or future_activity.transactions_next_90d is null as integer
                )
        end as churned_next_90d
    from population
    cross join as_of
    left join history
        on
            population.snapshot_date = history.snapshot_date
            and population.customer_id = history.customer_id
    left join voice
        on
            population.snapshot_date = voice.snapshot_date
            and population.customer_id = voice.customer_id
    left join future_activity
        on
            population.snapshot_date = future_activity.snapshot_date
            and population.customer_id = future_activity.customer_id

)

select * from final
