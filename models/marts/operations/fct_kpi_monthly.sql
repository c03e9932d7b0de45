{#-
    The bank's headline KPIs per month, for the whole bank (scope_type bank,
    scope_id 'bank') and for each branch (scope_type branch, scope_id the
    branch id), in long form so a BI tool pivots them and kpi_forecasts reads
    one series per scope and KPI. is_complete_month is false for an as-of
    month that has not ended; forecasts use complete months only.
    KPIs: customers (open at month end), deposit_balance_amount (month end),
    transaction_count, loans_originated, principal_originated_amount,
    fee_income_amount, loan_defaults (loans whose default date falls in the
    month), net_promoter_score (survey responses in the month).
-#}
with

branch_months as (

    select
        branch_id,
        month_start,
        customers,
        deposit_balance_amount,
        transaction_count,
        loans_originated,
        principal_originated_amount
    from {{ ref('fct_branch_monthly') }}

),

income as (

    select
        branch_id,
        month_start,
        fee_income_amount
    from {{ ref('int_branch_income_monthly') }}

),

loans as (

    select
        branch_id,
        default_date
    from {{ ref('fct_loans') }}
    where default_date is not null

),

feedback as (

    select
        branch_id,
        submitted_at,
        nps_score
    from {{ ref('stg_crm__customer_feedback') }}
    where nps_score is not null

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

default_counts as (

    select
        loans.branch_id,
        cast({{ dbt.date_trunc('month', 'loans.default_date') }} as date) as month_start,
        count(*) as loan_defaults
    from loans
    group by loans.branch_id, cast({{ dbt.date_trunc('month', 'loans.default_date') }} as date)

),

nps_by_branch as (

    select
        feedback.branch_id,
        cast({{ dbt.date_trunc('month', 'feedback.submitted_at') }} as date) as month_start,
        count(*) as responses,
        sum(case when feedback.nps_score >= 9 then 1 else 0 end) as promoters,
        sum(case when feedback.nps_score <= 6 then 1 else 0 end) as detractors
    from feedback
    group by feedback.branch_id, cast({{ dbt.date_trunc('month', 'feedback.submitted_at') }} as date)

),

branch_values as (

    select
        branch_months.branch_id,
        branch_months.month_start,
        cast(branch_months.customers as double) as customers,
        cast(branch_months.deposit_balance_amount as double) as deposit_balance_amount,
        cast(branch_months.transaction_count as double) as transaction_count,
        cast(branch_months.loans_originated as double) as loans_originated,
        cast(branch_months.principal_originated_amount as double) as principal_originated_amount,
        cast(coalesce(income.fee_income_amount, 0) as double) as fee_income_amount,
        cast(coalesce(default_counts.loan_defaults, 0) as double) as loan_defaults,
        coalesce(nps_by_branch.responses, 0) as nps_responses,
        coalesce(nps_by_branch.promoters, 0) as nps_promoters,
        coalesce(nps_by_branch.detractors, 0) as nps_detractors
    from branch_months
    left join income
        on
            branch_months.branch_id = income.branch_id
            and branch_months.month_start = income.month_start
    left join default_counts
        on
            branch_months.branch_id = default_counts.branch_id
            and branch_months.month_start = default_counts.month_start
    left join nps_by_branch
        on
            branch_months.branch_id = nps_by_branch.branch_id
            and branch_months.month_start = nps_by_branch.month_start

),

scoped as (

    select
        'branch' as scope_type,
        branch_values.branch_id as scope_id,
        branch_values.*
    from branch_values

    union all

    select
        'bank' as scope_type,
        'bank' as scope_id,
        null as branch_id,
        branch_values.month_start,
        sum(branch_values.customers) as customers,
        sum(branch_values.deposit_balance_amount) as deposit_balance_amount,
        sum(branch_values.transaction_count) as transaction_count,
        sum(branch_values.loans_originated) as loans_originated,
        sum(branch_values.principal_originated_amount) as principal_originated_amount,
        sum(branch_values.fee_income_amount) as fee_income_amount,
        sum(branch_values.loan_defaults) as loan_defaults,
        sum(branch_values.nps_responses) as nps_responses,
        sum(branch_values.nps_promoters) as nps_promoters,
        sum(branch_values.nps_detractors) as nps_detractors
    from branch_values
    group by branch_values.month_start

),

long_form as (

    {%- set kpis = [
        'customers', 'deposit_balance_amount', 'transaction_count', 'loans_originated',
        'principal_originated_amount', 'fee_income_amount', 'loan_defaults'
    ] %}
    {%- for kpi in kpis %}
    select
        scoped.scope_type,
        scoped.scope_id,
        scoped.month_start,
        '{{ kpi }}' as kpi_name,
        scoped.{{ kpi }} as kpi_value,
        null as sample_size
    from scoped

    union all
    {% endfor %}
    select
        scoped.scope_type,
        scoped.scope_id,
        scoped.month_start,
        'net_promoter_score' as kpi_name,
        100.0 * (scoped.nps_promoters - scoped.nps_detractors) / nullif(scoped.nps_responses, 0) as kpi_value,
        scoped.nps_responses as sample_size
    from scoped

),

final as (

    select
        {{ surrogate_key(['long_form.scope_id', 'long_form.month_start', 'long_form.kpi_name']) }} as kpi_month_key,
        long_form.scope_type,
        long_form.scope_id,
        long_form.month_start,
        long_form.kpi_name,
        cast(long_form.kpi_value as double) as kpi_value,
        cast(long_form.sample_size as integer) as sample_size,
        {{ dbt.last_day('long_form.month_start', 'month') }} <= as_of.as_of_date as is_complete_month
    from long_form
    cross join as_of

)

select * from final
