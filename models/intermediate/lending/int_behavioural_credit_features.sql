{#-
    Input of the behavioural credit score (behavioural_credit_scores): the
    credit model's behaviour-only features, for two kinds of row.
    - loan_origination (one per loan originated by the as-of date, from
      int_loan_origination_features): the features as of origination and
      the 12-month default outcome where observable; the training rows.
    - customer_as_of (one per customer): the same features as of the as-of
      date, for a score of customers without a loan application; never
      labelled.
    Both kinds take their account behaviour from the same window, computed
    once below: the six full months before the row's period month (the
    origination month, or the as-of month), so a feature means the same for
    the rows the model learns from and the rows it scores.
    A loan originated before the account history begins (most labelled
    loans of a warehouse younger than a few years) has no behaviour: its
    behaviour features are null and the model imputes them. Earlier loans
    and defaults count loans originated, and defaults dated, before the
    origination (loan rows) or by the as-of date (customer rows).
    No application attributes (amount, term, stated income, purpose): a
    customer who has not applied has none. Income is the one the customer
    record holds, or the stated income of the application for loan rows.
-#}
with

origination_features as (

    select
        loan_id,
        customer_id,
        origination_month,
        is_outcome_observable,
        defaulted_within_12m,
        tenure_months_at_origination,
        income_amount,
        earlier_loans,
        earlier_defaults
    from {{ ref('int_loan_origination_features') }}

),

customers as (

    select
        customer_id,
        annual_income_amount,
        customer_since_date
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

loan_performance as (

    select
        customer_id,
        originated_date,
        default_date
    from {{ ref('int_loan_performance') }}

),

as_of as (

    select
        as_of_date,
        cast({{ dbt.date_trunc('month', 'as_of_date') }} as date) as as_of_month
    from {{ ref('int_as_of_date') }}

),

loan_rows as (

    select
        origination_features.loan_id as row_key,
        cast('loan_origination' as {{ dbt.type_string() }}) as row_kind,
        origination_features.customer_id,
        origination_features.origination_month as period_month,
        origination_features.is_outcome_observable,
        origination_features.defaulted_within_12m,
        origination_features.income_amount,
        origination_features.tenure_months_at_origination as tenure_months,
        origination_features.earlier_loans,
        origination_features.earlier_defaults
    from origination_features

),

loan_history as (

    select
        loan_performance.customer_id,
        count(*) as earlier_loans,
        sum(case when loan_performance.default_date <= as_of.as_of_date then 1 else 0 end) as earlier_defaults
    from loan_performance
    cross join as_of
    where loan_performance.originated_date <= as_of.as_of_date
    group by loan_performance.customer_id

),

customer_rows as (

    select
        customers.customer_id as row_key,
        cast('customer_as_of' as {{ dbt.type_string() }}) as row_kind,
        customers.customer_id,
        as_of.as_of_month as period_month,
        false as is_outcome_observable,
        cast(null as integer) as defaulted_within_12m,
        cast(customers.annual_income_amount as double) as income_amount,
        cast({{ dbt.datediff('customers.customer_since_date', 'as_of.as_of_date', 'month') }} as double)
            as tenure_months,
        cast(coalesce(loan_history.earlier_loans, 0) as double) as earlier_loans,
        cast(coalesce(loan_history.earlier_defaults, 0) as double) as earlier_defaults
    from customers
    cross join as_of
    left join loan_history
        on customers.customer_id = loan_history.customer_id
    where customers.customer_since_date <= as_of.as_of_date

),

scored_rows as (

    select * from loan_rows
    union all
    select * from customer_rows

),

behaviour_window as (

    {#- the six full months before the period month; recent = the last three -#}
    select
        scored_rows.row_kind,
        scored_rows.row_key,
        customer_months.deposit_balance_amount,
        customer_months.inflow_amount,
        customer_months.outflow_amount,
        customer_months.customer_transactions,
        customer_months.digital_transactions,
        customer_months.cash_transactions,
        customer_months.month_start
        >= cast({{ dbt.dateadd('month', -3, 'scored_rows.period_month') }} as date) as is_recent
    from scored_rows
    inner join customer_months
        on
            scored_rows.customer_id = customer_months.customer_id
            and scored_rows.period_month > customer_months.month_start
            and customer_months.month_start
            >= cast({{ dbt.dateadd('month', -6, 'scored_rows.period_month') }} as date)

),

behaviour as (

    select
        row_kind,
        row_key,
        avg(case when is_recent then deposit_balance_amount end) as deposit_balance_3m_amount,
        avg(case when not is_recent then deposit_balance_amount end) as deposit_balance_earlier_3m_amount,
        avg(case when is_recent then inflow_amount end) as monthly_inflow_3m_amount,
        sum(case when is_recent then outflow_amount end) as outflow_3m_amount,
        sum(case when is_recent then inflow_amount end) as inflow_3m_amount,
        sum(case when is_recent then customer_transactions end) as customer_transactions_3m,
        sum(case when is_recent then digital_transactions end) as digital_transactions_3m,
        sum(case when is_recent then cash_transactions end) as cash_transactions_3m,
        sum(case when deposit_balance_amount < 0 then 1 else 0 end) as overdrawn_months_6m
    from behaviour_window
    group by row_kind, row_key

),

final as (

    select
        scored_rows.row_key,
        scored_rows.row_kind,
        scored_rows.customer_id,
        scored_rows.period_month,
        scored_rows.is_outcome_observable,
        scored_rows.defaulted_within_12m,
        scored_rows.income_amount,
        scored_rows.tenure_months,
        cast(behaviour.deposit_balance_3m_amount as double) as deposit_balance_3m_amount,
        cast(behaviour.monthly_inflow_3m_amount as double) as monthly_inflow_3m_amount,
        cast(behaviour.customer_transactions_3m as double) as customer_transactions_3m,
        scored_rows.earlier_loans,
        scored_rows.earlier_defaults,
        {#- change of the average balance from the earlier three months to the
            recent three, relative to both: -1 (emptied) to 1 (from nothing) -#}
        cast(
            (behaviour.deposit_balance_3m_amount - behaviour.deposit_balance_earlier_3m_amount)
            / (abs(behaviour.deposit_balance_3m_amount) + abs(behaviour.deposit_balance_earlier_3m_amount) + 1)
            as double
        ) as deposit_balance_trend,
        {#- money out over money in, capped at 3 (a month with next to no inflow
            would otherwise dominate the scale) -#}
        cast(least(behaviour.outflow_3m_amount / nullif(behaviour.inflow_3m_amount, 0), 3) as double)
            as outflow_to_inflow_3m,
        cast(behaviour.overdrawn_months_6m as double) as overdrawn_months_6m,
        cast(behaviour.digital_transactions_3m as double)
        / nullif(behaviour.customer_transactions_3m, 0) as digital_share_3m,
        cast(behaviour.cash_transactions_3m as double)
        / nullif(behaviour.customer_transactions_3m, 0) as cash_share_3m
    from scored_rows
    left join behaviour
        on
            scored_rows.row_kind = behaviour.row_kind
            and scored_rows.row_key = behaviour.row_key

)

select * from final
