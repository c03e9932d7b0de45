-- int_customer_rfm and int_aml_customer_weeks. The RFM scores need only three
-- customer features (days since the last customer-initiated transaction, and the count
-- and value of those in the 365 days to the as-of date), computed here directly instead
-- of through the whole of int_customer_features. The weekly spine of each customer runs
-- from its first active week to the as-of week (generate_series per customer instead of
-- a join to a global week list), and the trailing baselines share one window.

create or replace table intermediate.int_customer_rfm as
with

activity as (

    select
        customer_id,
        max(transaction_date) as last_transaction_date,
        count(*) filter (where transaction_date > getvariable('as_of_date') - 365) as transactions_365d,
        sum(transaction_amount) filter (
            where transaction_date > getvariable('as_of_date') - 365
        ) as transaction_value_365d
    from intermediate.int_transactions_enriched
    where
        is_customer_initiated
        and transaction_date <= getvariable('as_of_date')
    group by customer_id

),

features as (

    select
        customers.customer_id,
        getvariable('as_of_date') - activity.last_transaction_date as days_since_last_transaction,
        coalesce(activity.transactions_365d, 0) as transactions_365d,
        cast(coalesce(activity.transaction_value_365d, 0) as decimal(18, 2)) as transaction_value_365d
    from staging.stg_core_banking__customers as customers
    left join activity
        on customers.customer_id = activity.customer_id
    where customers.customer_since_date <= getvariable('as_of_date')

),

scored as (

    select
        customer_id,
        cast(least(5, 1 + floor(percent_rank() over (order by days_since_last_transaction desc) * 5)) as integer)
            as rfm_recency_score,
        cast(least(5, 1 + floor(percent_rank() over (order by transactions_365d) * 5)) as integer)
            as rfm_frequency_score,
        cast(least(5, 1 + floor(percent_rank() over (order by transaction_value_365d) * 5)) as integer)
            as rfm_monetary_score
    from features
    where transactions_365d > 0

),

matched as (

    select
        scored.customer_id,
        arg_min(rfm_segments.rfm_segment, rfm_segments.priority) as rfm_segment
    from scored
    inner join rfm_segments
        on
            scored.rfm_recency_score between rfm_segments.min_recency_score and rfm_segments.max_recency_score
            and scored.rfm_frequency_score between rfm_segments.min_frequency_score
            and rfm_segments.max_frequency_score
            and scored.rfm_monetary_score between rfm_segments.min_monetary_score
            and rfm_segments.max_monetary_score
    group by scored.customer_id

)

select
    features.customer_id,
    scored.rfm_recency_score,
    scored.rfm_frequency_score,
    scored.rfm_monetary_score,
    case
        when scored.customer_id is null then 'no_activity'
        else coalesce(matched.rfm_segment, 'unclassified')
    end as rfm_segment
from features
left join scored
    on features.customer_id = scored.customer_id
left join matched
    on features.customer_id = matched.customer_id;

create or replace table intermediate.int_aml_customer_weeks as
with

weekly_activity as (

    select
        customer_id,
        cast(date_trunc('week', transaction_date) as date) as week_start_date,
        count(*) as transaction_count,
        sum(transaction_amount) filter (where direction = 'credit') as inflow_amount,
        sum(transaction_amount) filter (where direction = 'debit') as outflow_amount,
        count(*) filter (where transaction_type = 'cash_deposit') as cash_deposit_count,
        sum(transaction_amount) filter (where transaction_type = 'cash_deposit') as cash_deposit_amount,
        count(*) filter (where transaction_type = 'cash_withdrawal') as cash_withdrawal_count,
        sum(transaction_amount) filter (where transaction_type = 'cash_withdrawal') as cash_withdrawal_amount,
        count(*) filter (where transaction_type = 'transfer_in') as transfer_in_count,
        sum(transaction_amount) filter (where transaction_type = 'transfer_in') as transfer_in_amount,
        count(*) filter (where transaction_type = 'transfer_out') as transfer_out_count,
        sum(transaction_amount) filter (where transaction_type = 'transfer_out') as transfer_out_amount,
        count(*) filter (
            where transaction_type in ('transfer_in', 'transfer_out') and is_cross_border
        ) as cross_border_transfer_count,
        sum(transaction_amount) filter (
            where transaction_type in ('transfer_in', 'transfer_out') and is_cross_border
        ) as cross_border_transfer_amount,
        count(*) filter (
            where transaction_type in ('transfer_in', 'transfer_out') and is_high_risk_country
        ) as high_risk_transfer_count,
        sum(transaction_amount) filter (
            where transaction_type in ('transfer_in', 'transfer_out') and is_high_risk_country
        ) as high_risk_transfer_amount,
        count(*) filter (where transaction_type = 'card_payment') as card_payment_count,
        sum(transaction_amount) filter (where transaction_type = 'card_payment') as card_payment_amount,
        count(*) filter (where transaction_type = 'card_payment' and is_cross_border) as abroad_card_payment_count,
        count(distinct counterparty_country) as counterparty_country_count,
        max(transaction_amount) as max_transaction_amount
    from intermediate.int_transactions_enriched
    where
        is_customer_initiated
        and transaction_date <= getvariable('as_of_date')
    group by customer_id, cast(date_trunc('week', transaction_date) as date)

),

customer_week_spine as (

    select
        customer_id,
        cast(
            unnest(
                generate_series(
                    min(week_start_date),
                    cast(date_trunc('week', getvariable('as_of_date')) as date),
                    interval 7 day
                )
            ) as date
        ) as week_start_date
    from weekly_activity
    group by customer_id

),

customer_weeks as (

    select
        customer_week_spine.customer_id,
        customer_week_spine.week_start_date,
        cast(coalesce(weekly_activity.transaction_count, 0) as integer) as transaction_count,
        coalesce(weekly_activity.inflow_amount, 0) as inflow_amount,
        coalesce(weekly_activity.outflow_amount, 0) as outflow_amount,
        cast(coalesce(weekly_activity.cash_deposit_count, 0) as integer) as cash_deposit_count,
        coalesce(weekly_activity.cash_deposit_amount, 0) as cash_deposit_amount,
        cast(coalesce(weekly_activity.cash_withdrawal_count, 0) as integer) as cash_withdrawal_count,
        coalesce(weekly_activity.cash_withdrawal_amount, 0) as cash_withdrawal_amount,
        cast(coalesce(weekly_activity.transfer_in_count, 0) as integer) as transfer_in_count,
        coalesce(weekly_activity.transfer_in_amount, 0) as transfer_in_amount,
        cast(coalesce(weekly_activity.transfer_out_count, 0) as integer) as transfer_out_count,
        coalesce(weekly_activity.transfer_out_amount, 0) as transfer_out_amount,
        cast(coalesce(weekly_activity.cross_border_transfer_count, 0) as integer) as cross_border_transfer_count,
        coalesce(weekly_activity.cross_border_transfer_amount, 0) as cross_border_transfer_amount,
        cast(coalesce(weekly_activity.high_risk_transfer_count, 0) as integer) as high_risk_transfer_count,
        coalesce(weekly_activity.high_risk_transfer_amount, 0) as high_risk_transfer_amount,
        cast(coalesce(weekly_activity.card_payment_count, 0) as integer) as card_payment_count,
        coalesce(weekly_activity.card_payment_amount, 0) as card_payment_amount,
        cast(coalesce(weekly_activity.abroad_card_payment_count, 0) as integer) as abroad_card_payment_count,
        cast(coalesce(weekly_activity.counterparty_country_count, 0) as integer) as counterparty_country_count,
        coalesce(weekly_activity.max_transaction_amount, 0) as max_transaction_amount
    from customer_week_spine
    left join weekly_activity
        on
            customer_week_spine.customer_id = weekly_activity.customer_id
            and customer_week_spine.week_start_date = weekly_activity.week_start_date

),

baselines as (

    select
        *,
        avg(transaction_count) over previous_weeks as transaction_count_baseline,
        avg(inflow_amount) over previous_weeks as inflow_amount_baseline,
        avg(outflow_amount) over previous_weeks as outflow_amount_baseline,
        avg(cash_deposit_amount) over previous_weeks as cash_deposit_amount_baseline,
        avg(cash_withdrawal_amount) over previous_weeks as cash_withdrawal_amount_baseline,
        avg(transfer_in_amount) over previous_weeks as transfer_in_amount_baseline,
        avg(transfer_out_amount) over previous_weeks as transfer_out_amount_baseline,
        avg(cross_border_transfer_count) over previous_weeks as cross_border_transfer_count_baseline,
        avg(card_payment_count) over previous_weeks as card_payment_count_baseline,
        avg(max_transaction_amount) over previous_weeks as max_transaction_amount_baseline,
        count(*) over previous_weeks as baseline_week_count
    from customer_weeks
    window previous_weeks as (
        partition by customer_id
        order by week_start_date
        rows between 12 preceding and 1 preceding
    )

),

-- (value + s) / (baseline + s), s = 1 for counts and 100 for amounts, from 4 prior weeks.
-- The value is cast to double, as the model casts it.
final as (

    select
        md5(baselines.customer_id || '|' || cast(baselines.week_start_date as varchar)) as customer_week_key,
        baselines.customer_id,
        baselines.week_start_date,
        baselines.transaction_count,
        baselines.inflow_amount,
        baselines.outflow_amount,
        baselines.cash_deposit_count,
        baselines.cash_deposit_amount,
        baselines.cash_withdrawal_count,
        baselines.cash_withdrawal_amount,
        baselines.transfer_in_count,
        baselines.transfer_in_amount,
        baselines.transfer_out_count,
        baselines.transfer_out_amount,
        baselines.cross_border_transfer_count,
        baselines.cross_border_transfer_amount,
        baselines.high_risk_transfer_count,
        baselines.high_risk_transfer_amount,
        baselines.card_payment_count,
        baselines.card_payment_amount,
        baselines.abroad_card_payment_count,
        baselines.counterparty_country_count,
        baselines.max_transaction_amount,
        case
            when baselines.baseline_week_count >= 4
                then (cast(baselines.transaction_count as double) + 1) / (baselines.transaction_count_baseline + 1)
        end as transaction_count_vs_baseline,
        case
            when baselines.baseline_week_count >= 4
                then (cast(baselines.inflow_amount as double) + 100) / (baselines.inflow_amount_baseline + 100)
        end as inflow_amount_vs_baseline,
        case
            when baselines.baseline_week_count >= 4
                then (cast(baselines.outflow_amount as double) + 100) / (baselines.outflow_amount_baseline + 100)
        end as outflow_amount_vs_baseline,
        case
            when baselines.baseline_week_count >= 4
                then
                    (cast(baselines.cash_deposit_amount as double) + 100)
                    / (baselines.cash_deposit_amount_baseline + 100)
        end as cash_deposit_amount_vs_baseline,
        case
            when baselines.baseline_week_count >= 4
                then
                    (cast(baselines.cash_withdrawal_amount as double) + 100)
                    / (baselines.cash_withdrawal_amount_baseline + 100)
        end as cash_withdrawal_amount_vs_baseline,
        case
            when baselines.baseline_week_count >= 4
                then
                    (cast(baselines.transfer_in_amount as double) + 100)
                    / (baselines.transfer_in_amount_baseline + 100)
        end as transfer_in_amount_vs_baseline,
        case
            when baselines.baseline_week_count >= 4
                then
                    (cast(baselines.transfer_out_amount as double) + 100)
                    / (baselines.transfer_out_amount_baseline + 100)
        end as transfer_out_amount_vs_baseline,
        case
            when baselines.baseline_week_count >= 4
                then
                    (cast(baselines.cross_border_transfer_count as double) + 1)
                    / (baselines.cross_border_transfer_count_baseline + 1)
        end as cross_border_transfer_count_vs_baseline,
        case
            when baselines.baseline_week_count >= 4
                then (cast(baselines.card_payment_count as double) + 1) / (baselines.card_payment_count_baseline + 1)
        end as card_payment_count_vs_baseline,
        case
            when baselines.baseline_week_count >= 4
                then
                    (cast(baselines.max_transaction_amount as double) + 100)
                    / (baselines.max_transaction_amount_baseline + 100)
        end as max_transaction_amount_vs_baseline,
        baselines.baseline_week_count
    from baselines

)

select * from final;
