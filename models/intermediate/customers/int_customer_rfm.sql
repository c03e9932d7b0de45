{#-
    Recency, frequency and monetary scores (1 to 5, 5 best) of customers
    with customer-initiated transactions in the 365 days to the as-of date,
    and their RFM segment from the rfm_segments rule table. Scores are
    quintiles by percent rank, so tied customers share a score and a
    rebuild gives the same scores. Customers without such activity get no
    scores and the segment 'no_activity'.
-#}
with

features as (

    select
        customer_id,
        days_since_last_transaction,
        transactions_365d,
        transaction_value_365d
    from {{ ref('int_customer_features') }}

),

rules as (

    select
        priority,
        rfm_segment,
        min_recency_score,
        max_recency_score,
        min_frequency_score,
        max_frequency_score,
        min_monetary_score,
        max_monetary_score
    from {{ ref('rfm_segments') }}

),

active as (

    select features.*
    from features
    where features.transactions_365d > 0

),

ranked as (

    select
        active.customer_id,
        percent_rank() over (order by active.days_since_last_transaction desc) as recency_rank,
        percent_rank() over (order by active.transactions_365d) as frequency_rank,
        percent_rank() over (order by active.transaction_value_365d) as monetary_rank
    from active

),

scored as (

    select
        ranked.customer_id,
        cast(least(5, 1 + floor(ranked.recency_rank * 5)) as integer) as rfm_recency_score,
        cast(least(5, 1 + floor(ranked.frequency_rank * 5)) as integer) as rfm_frequency_score,
        cast(least(5, 1 + floor(ranked.monetary_rank * 5)) as integer) as rfm_monetary_score
    from ranked

),

matched as (

    select
        scored.customer_id,
        rules.rfm_segment,
        row_number() over (partition by scored.customer_id order by rules.priority) as rule_order
    from scored
    inner join rules
        on
            scored.rfm_recency_score between rules.min_recency_score and rules.max_recency_score
            and scored.rfm_frequency_score between rules.min_frequency_score and rules.max_frequency_score
            and scored.rfm_monetary_score between rules.min_monetary_score and rules.max_monetary_score

),

final as (

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
        on
            features.customer_id = matched.customer_id
            and matched.rule_order = 1

)

select * from final
