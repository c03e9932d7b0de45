{#-
    Cost and income per branch and month: operating cost by category and in
    total, cost per customer, per transaction and per loan originated, the
    income derivable from the exports (fees and interest) and the
    cost-to-income ratio (null when net income is not positive: the ratio
    means nothing then). Months without a ledger export have no cost.
-#}
with

branch_months as (

    select
        branch_id,
        month_start,
        customers,
        transaction_count,
        loans_originated
    from {{ ref('fct_branch_monthly') }}

),

costs as (

    select
        branch_id,
        month_start,
        cost_category,
        cost_amount
    from {{ ref('int_branch_costs_monthly') }}

),

income as (

    select
        branch_id,
        month_start,
        fee_income_amount,
        interest_income_amount,
        interest_expense_amount
    from {{ ref('int_branch_income_monthly') }}

),

cost_totals as (

    select
        costs.branch_id,
        costs.month_start,
        sum(case when costs.cost_category = 'staff' then costs.cost_amount else 0 end) as staff_cost_amount,
        sum(case when costs.cost_category = 'premises' then costs.cost_amount else 0 end) as premises_cost_amount,
        sum(case when costs.cost_category = 'it' then costs.cost_amount else 0 end) as it_cost_amount,
        sum(case when costs.cost_category = 'marketing' then costs.cost_amount else 0 end) as marketing_cost_amount,
        sum(case when costs.cost_category not in ('staff', 'premises', 'it', 'marketing') then costs.cost_amount else 0 end)
            as other_cost_amount,
        sum(costs.cost_amount) as total_cost_amount
    from costs
    group by costs.branch_id, costs.month_start

),

final as (

    select
        {{ surrogate_key(['branch_months.branch_id', 'branch_months.month_start']) }} as branch_month_key,
        branch_months.branch_id,
        branch_months.month_start,
        branch_months.customers,
        branch_months.transaction_count,
        branch_months.loans_originated,
        cast(cost_totals.staff_cost_amount as decimal(18, 2)) as staff_cost_amount,
        cast(cost_totals.premises_cost_amount as decimal(18, 2)) as premises_cost_amount,
        cast(cost_totals.it_cost_amount as decimal(18, 2)) as it_cost_amount,
        cast(cost_totals.marketing_cost_amount as decimal(18, 2)) as marketing_cost_amount,
        cast(cost_totals.other_cost_amount as decimal(18, 2)) as other_cost_amount,
        cast(cost_totals.total_cost_amount as decimal(18, 2)) as total_cost_amount,
        cast(cost_totals.total_cost_amount / nullif(branch_months.customers, 0) as decimal(18, 2))
            as cost_per_customer_amount,
        cast(cost_totals.total_cost_amount / nullif(branch_months.transaction_count, 0) as decimal(18, 4))
            as cost_per_transaction_amount,
        cast(cost_totals.total_cost_amount / nullif(branch_months.loans_originated, 0) as decimal(18, 2))
            as cost_per_loan_originated_amount,
        cast(coalesce(income.fee_income_amount, 0) as decimal(18, 2)) as fee_income_amount,
        cast(coalesce(income.interest_income_amount, 0) as decimal(18, 2)) as interest_income_amount,
        cast(coalesce(income.interest_expense_amount, 0) as decimal(18, 2)) as interest_expense_amount,
        cast(
            coalesce(income.fee_income_amount, 0) + coalesce(income.interest_income_amount, 0)
            - coalesce(income.interest_expense_amount, 0) as decimal(18, 2)
        ) as net_income_amount,
        case
            when
                coalesce(income.fee_income_amount, 0) + coalesce(income.interest_income_amount, 0)
                - coalesce(income.interest_expense_amount, 0) > 0
                then cast(cost_totals.total_cost_amount as double) / cast(
                    coalesce(income.fee_income_amount, 0) + coalesce(income.interest_income_amount, 0)
                    - coalesce(income.interest_expense_amount, 0) as double
                )
        end as cost_to_income_ratio
    from branch_months
    left join cost_totals
        on
            branch_months.branch_id = cost_totals.branch_id
            and branch_months.month_start = cost_totals.month_start
    left join income
        on
            branch_months.branch_id = income.branch_id
            and branch_months.month_start = income.month_start

)

select * from final
