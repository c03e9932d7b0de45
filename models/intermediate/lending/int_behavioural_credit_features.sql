{#-
    Input of the behavioural credit score (behavioural_credit_scores): the
    credit model's behaviour-only features, for two kinds of row.
    - loan_origination (one per loan originated by the as-of date, from
      int_loan_origination_features): the features as of origination and
      the 12-month default outcome where observable; the training rows.
    - customer_as_of (one per customer): the same features as of the as-of
      date, for a score of customers without a loan application; never
      labelled. Deposit balance, inflow and transactions are those of the
      three full months before the as-of month (as for a loan, the three
      months before its origination month); earlier loans and defaults
      count loans originated, and defaults dated, by the as-of date.
    No application attributes (amount, term, stated income, purpose): a
    customer who has not applied has none. Income is the one the customer
    record holds.
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
        deposit_balance_3m_amount,
        monthly_inflow_3m_amount,
        customer_transactions_3m,
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
        customer_transactions
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
        origination_features.deposit_balance_3m_amount,
        origination_features.monthly_inflow_3m_amount,
        origination_features.customer_transactions_3m,
        origination_features.earlier_loans,
        origination_features.earlier_defaults
    from origination_features

),

recent_behaviour as (

    select
        customer_months.customer_id,
        avg(customer_months.deposit_balance_amount) as deposit_balance_3m_amount,
        avg(customer_months.inflow_amount) as monthly_inflow_3m_amount,
        sum(customer_months.customer_transactions) as customer_transactions_3m
    from customer_months
    cross join as_of
    where
        customer_months.month_start < as_of.as_of_month
        and customer_months.month_start >= cast({{ dbt.dateadd('month', -3, 'as_of.as_of_month') }} as date)
    group by customer_months.customer_id

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
        cast(recent_behaviour.deposit_balance_3m_amount as double) as deposit_balance_3m_amount,
        cast(recent_behaviour.monthly_inflow_3m_amount as double) as monthly_inflow_3m_amount,
        cast(recent_behaviour.customer_transactions_3m as double) as customer_transactions_3m,
        cast(coalesce(loan_history.earlier_loans, 0) as double) as earlier_loans,
        cast(coalesce(loan_history.earlier_defaults, 0) as double) as earlier_defaults
    from customers
    cross join as_of
    left join recent_behaviour
        on customers.customer_id = recent_behaviour.customer_id
    left join loan_history
        on customers.customer_id = loan_history.customer_id
    where customers.customer_since_date <= as_of.as_of_date

),

final as (

    select * from loan_rows
    union all
    select * from customer_rows

)

select * from final
