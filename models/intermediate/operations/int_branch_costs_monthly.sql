{#-
    Operating cost per branch, month and cost category from the ledger
    export, summed over ledger lines (reversals net off), up to the as-of
    month.
-#}
with

costs as (

    select
        branch_id,
        cost_month,
        cost_category,
        amount
    from {{ ref('stg_branch_ops__operating_costs') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

final as (

    select
        costs.branch_id,
        cast({{ dbt.date_trunc('month', 'costs.cost_month') }} as date) as month_start,
        costs.cost_category,
        cast(sum(costs.amount) as decimal(18, 2)) as cost_amount
    from costs
    cross join as_of
    where costs.cost_month <= as_of.as_of_date
    group by
        costs.branch_id,
        cast({{ dbt.date_trunc('month', 'costs.cost_month') }} as date),
        costs.cost_category

)

select * from final
