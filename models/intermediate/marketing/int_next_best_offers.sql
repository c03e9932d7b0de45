{#-
    Top next_best_offer_count offers per eligible customer: the products the
    customer does not hold, ranked by expected revenue (offer probability x
    seed product_values; probability alone where a product has no value),
    with the channel preferred by customers of the same age band and
    segment. Not eligible: customers without marketing consent, with an
    open complaint, or with an open loan more than 30 days past due (in
    collections).
-#}
with

propensities as (

    select
        customer_id,
        product_code,
        offer_probability,
        model_version
    from {{ ref('offer_propensities') }}
    where is_scoring_row and offer_probability is not null

),

product_values as (

    select
        product_code,
        revenue_per_conversion_amount
    from {{ ref('product_values') }}

),

features as (

    select
        customer_id,
        age_years,
        has_marketing_consent
    from {{ ref('int_customer_features') }}

),

segments as (

    select
        customer_id,
        segment_name
    from {{ ref('customer_segments') }}

),

feedback as (

    select customer_id
    from {{ ref('int_customer_feedback') }}
    where is_open_complaint

),

loans as (

    select customer_id
    from {{ ref('int_loan_performance') }}
    where is_open and current_days_past_due > 30

),

channel_preferences as (

    select
        age_band,
        segment_name,
        preferred_channel
    from {{ ref('int_channel_preferences') }}

),

eligible as (

    select
        features.customer_id,
        {{ age_band('features.age_years') }} as age_band,
        coalesce(segments.segment_name, 'unsegmented') as segment_name
    from features
    left join segments
        on features.customer_id = segments.customer_id
    where
        coalesce(features.has_marketing_consent, false)
        and features.customer_id not in (select feedback.customer_id from feedback)
        and features.customer_id not in (select loans.customer_id from loans)

),

ranked as (

    select
        propensities.customer_id,
        propensities.product_code,
        propensities.offer_probability,
        propensities.model_version,
        eligible.age_band,
        eligible.segment_name,
        propensities.offer_probability * product_values.revenue_per_conversion_amount as expected_revenue_amount,
        row_number() over (
            partition by propensities.customer_id
            order by
                coalesce(
                    propensities.offer_probability * product_values.revenue_per_conversion_amount, 0
                ) desc,
                propensities.offer_probability desc,
                propensities.product_code asc
        ) as offer_rank
    from propensities
    inner join eligible
        on propensities.customer_id = eligible.customer_id
    left join product_values
        on propensities.product_code = product_values.product_code

),

final as (

    select
        ranked.customer_id,
        cast(ranked.offer_rank as integer) as offer_rank,
        ranked.product_code,
        ranked.offer_probability,
        cast(ranked.expected_revenue_amount as decimal(18, 2)) as expected_revenue_amount,
        coalesce(channel_preferences.preferred_channel, 'unknown') as recommended_channel,
        ranked.model_version
    from ranked
    left join channel_preferences
        on
            ranked.age_band = channel_preferences.age_band
            and ranked.segment_name = channel_preferences.segment_name
    where ranked.offer_rank <= {{ var('next_best_offer_count') }}

)

select * from final
