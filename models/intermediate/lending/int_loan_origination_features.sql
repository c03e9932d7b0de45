{#-
    One row per loan originated by the as-of date: what the bank knew when
    it lent (application attributes, the customer's behaviour in the three
    months before the origination month, earlier loans' repayment record up
    to origination) and, where the 12 months after origination have passed
    by the as-of date, whether the loan defaulted within them. Nothing from
    after origination enters a feature: this is the credit model's input.
-#}
with

loans as (

    select
        loan_id,
        customer_id,
        application_id,
        product_code,
        purpose,
        collateral_type,
        principal_amount,
        interest_rate,
        term_months,
        installment_amount,
        declared_income_amount,
        employment_years,
        existing_debt_amount,
        has_guarantor,
        originated_date
    from {{ ref('stg_lending__loans') }}

),

applications as (

    select
        application_id,
        declared_income_amount,
        employment_years,
        existing_debt_amount
    from {{ ref('stg_lending__loan_applications') }}

),

performance as (

    select
        loan_id,
        default_date
    from {{ ref('int_loan_performance') }}

),

customers as (

    select
        customer_id,
        annual_income_amount,
        birth_date,
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

schedule as (

    select
        loan_id,
        due_date,
        due_amount,
        paid_date,
        paid_amount
    from {{ ref('stg_lending__loan_schedule') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

originated as (

    select
        loans.*,
        coalesce(loans.declared_income_amount, applications.declared_income_amount) as stated_income_amount,
        coalesce(loans.employment_years, applications.employment_years) as stated_employment_years,
        coalesce(loans.existing_debt_amount, applications.existing_debt_amount) as stated_debt_amount,
        cast({{ dbt.date_trunc('month', 'loans.originated_date') }} as date) as origination_month
    from loans
    cross join as_of
    left join applications
        on loans.application_id = applications.application_id
    where loans.originated_date <= as_of.as_of_date

),

behaviour as (

    select
        originated.loan_id,
        avg(customer_months.deposit_balance_amount) as deposit_balance_3m_amount,
        avg(customer_months.inflow_amount) as monthly_inflow_3m_amount,
        sum(customer_months.customer_transactions) as customer_transactions_3m,
        count(*) as months_observed_3m
    from originated
    inner join customer_months
        on
            originated.customer_id = customer_months.customer_id
            and originated.origination_month > customer_months.month_start
            and customer_months.month_start
            >= cast({{ dbt.dateadd('month', -3, 'originated.origination_month') }} as date)
    group by originated.loan_id

),

earlier_loans as (

    select
        originated.loan_id,
        count(distinct earlier.loan_id) as earlier_loans,
        sum(case when earlier_performance.default_date < originated.originated_date then 1 else 0 end)
            as earlier_defaults
    from originated
    inner join loans as earlier
        on
            originated.customer_id = earlier.customer_id
            and originated.originated_date > earlier.originated_date
    left join performance as earlier_performance
        on earlier.loan_id = earlier_performance.loan_id
    group by originated.loan_id

),

earlier_repayment as (

    {#- instalments of the customer's other loans due before this origination,
        judged as of the origination date -#}
    select
        originated.loan_id,
        count(*) as earlier_installments_due,
        sum(
            case
                when schedule.paid_date is null or schedule.paid_date > originated.originated_date
                    then 1
                when schedule.paid_date > {{ dbt.dateadd('day', 5, 'schedule.due_date') }}
                    then 1
                else 0
            end
        ) as earlier_installments_late
    from originated
    inner join loans as earlier
        on
            originated.customer_id = earlier.customer_id
            and originated.loan_id != earlier.loan_id
    inner join schedule
        on
            earlier.loan_id = schedule.loan_id
            and originated.originated_date > schedule.due_date
    group by originated.loan_id

),

final as (

    select
        originated.loan_id,
        originated.customer_id,
        originated.product_code,
        originated.purpose,
        coalesce(originated.collateral_type, 'unknown') as collateral_type,
        originated.originated_date,
        originated.origination_month,
        cast(originated.principal_amount as double) as principal_amount,
        originated.interest_rate,
        cast(originated.term_months as double) as term_months,
        cast(coalesce(originated.has_guarantor, false) as integer) as has_guarantor,
        cast(coalesce(originated.stated_income_amount, customers.annual_income_amount) as double)
            as income_amount,
        cast(originated.stated_employment_years as double) as employment_years,
        cast(originated.stated_debt_amount as double)
        / nullif(cast(coalesce(originated.stated_income_amount, customers.annual_income_amount) as double), 0)
            as debt_to_income,
        cast(originated.principal_amount as double)
        / nullif(cast(coalesce(originated.stated_income_amount, customers.annual_income_amount) as double), 0)
            as loan_to_income,
        12 * cast(originated.installment_amount as double)
        / nullif(cast(coalesce(originated.stated_income_amount, customers.annual_income_amount) as double), 0)
            as payment_to_income,
        cast({{ whole_years_between('customers.birth_date', 'originated.originated_date') }} as double)
            as age_at_origination,
        cast({{ dbt.datediff('customers.customer_since_date', 'originated.originated_date', 'month') }} as double)
            as tenure_months_at_origination,
        cast(behaviour.deposit_balance_3m_amount as double) as deposit_balance_3m_amount,
        cast(behaviour.monthly_inflow_3m_amount as double) as monthly_inflow_3m_amount,
        cast(behaviour.customer_transactions_3m as double) as customer_transactions_3m,
        cast(coalesce(earlier_loans.earlier_loans, 0) as double) as earlier_loans,
        cast(coalesce(earlier_loans.earlier_defaults, 0) as double) as earlier_defaults,
        cast(coalesce(earlier_repayment.earlier_installments_late, 0) as double)
        / nullif(earlier_repayment.earlier_installments_due, 0) as earlier_late_share,
        {{ dbt.dateadd('day', 365, 'originated.originated_date') }} <= as_of.as_of_date as is_outcome_observable,
        case
            when {{ dbt.dateadd('day', 365, 'originated.originated_date') }} <= as_of.as_of_date
                then cast(
                    coalesce(
                        performance.default_date
                        <= {{ dbt.dateadd('day', 365, 'originated.originated_date') }},
                        false
                    ) as integer
                )
        end as defaulted_within_12m
    from originated
    cross join as_of
    inner join customers
        on originated.customer_id = customers.customer_id
    left join performance
        on originated.loan_id = performance.loan_id
    left join behaviour
        on originated.loan_id = behaviour.loan_id
    left join earlier_loans
        on originated.loan_id = earlier_loans.loan_id
    left join earlier_repayment
        on originated.loan_id = earlier_repayment.loan_id

)

select * from final
