{#-
    Cost per branch, month and category with its growth against the
    branch's volume: cost of the last three months against the three months
    ending six months earlier, beside the same growth in transactions and
    customers. A category is flagged when its cost grew by more than
    cost_growth_flag_margin above transaction growth (null growth until nine
    months of history exist).
-#}
with

costs as (

    select
        branch_id,
        month_start,
        cost_category,
        cost_amount
    from {{ ref('int_branch_costs_monthly') }}

),

branch_months as (

    select
        branch_id,
        month_start,
        customers,
        transaction_count
    from {{ ref('fct_branch_monthly') }}

),

joined as (

    select
        costs.branch_id,
        costs.month_start,
        costs.cost_category,
        costs.cost_amount,
        coalesce(branch_months.customers, 0) as customers,
        coalesce(branch_months.transaction_count, 0) as transaction_count
    from costs
    left join branch_months
        on
            costs.branch_id = branch_months.branch_id
            and costs.month_start = branch_months.month_start

),

trailing_sums as (

    select
        joined.*,
        sum(joined.cost_amount) over (
            partition by joined.branch_id, joined.cost_category order by joined.month_start
            rows between 2 preceding and current row
        ) as cost_3m_amount,
        sum(joined.transaction_count) over (
            partition by joined.branch_id, joined.cost_category order by joined.month_start
            rows between 2 preceding and current row
        ) as transactions_3m,
        count(*) over (
            partition by joined.branch_id, joined.cost_category order by joined.month_start
            rows between 8 preceding and current row
        ) as months_of_history
    from joined

),

lagged as (

    select
        trailing_sums.*,
        lag(trailing_sums.cost_3m_amount, 6) over (
            partition by trailing_sums.branch_id, trailing_sums.cost_category order by trailing_sums.month_start
        ) as cost_3m_earlier_amount,
        lag(trailing_sums.transactions_3m, 6) over (
            partition by trailing_sums.branch_id, trailing_sums.cost_category order by trailing_sums.month_start
        ) as transactions_3m_earlier
    from trailing_sums

),

final as (

    select
        {{ surrogate_key(['lagged.branch_id', 'lagged.month_start', 'lagged.cost_category']) }}
            as branch_cost_month_key,
        lagged.branch_id,
        lagged.month_start,
        lagged.cost_category,
        cast(lagged.cost_amount as decimal(18, 2)) as cost_amount,
        cast(lagged.customers as integer) as customers,
        cast(lagged.transaction_count as integer) as transaction_count,
        cast(lagged.cost_amount / nullif(lagged.customers, 0) as decimal(18, 2)) as cost_per_customer_amount,
        case
            when lagged.months_of_history >= 9
                then cast(lagged.cost_3m_amount as double) / nullif(cast(lagged.cost_3m_earlier_amount as double), 0) - 1
        end as cost_growth_6m,
        case
            when lagged.months_of_history >= 9
                then cast(lagged.transactions_3m as double) / nullif(cast(lagged.transactions_3m_earlier as double), 0) - 1
        end as transaction_growth_6m
    from lagged

),

flagged as (

    select
        final.*,
        coalesce(
            final.cost_growth_6m - final.transaction_growth_6m > {{ var('cost_growth_flag_margin') }}, false
        ) as is_growing_faster_than_volume
    from final

)

select * from flagged
