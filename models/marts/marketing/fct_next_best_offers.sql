{#-
    The next best offers for each eligible customer (see int_next_best_offers):
    rank, product, probability of take-up if contacted, expected revenue and
    the recommended channel, keyed by the pseudonymised customer key.
-#}
with

offers as (

    select * from {{ ref('int_next_best_offers') }}

),

keyed as (

    select
        offers.*,
        {{ pseudonymise('offers.customer_id') }} as customer_key
    from offers

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

final as (

    select
        {{ surrogate_key(['keyed.customer_key', 'keyed.offer_rank']) }} as next_best_offer_key,
        keyed.customer_key,
        keyed.offer_rank,
        keyed.product_code,
        keyed.offer_probability,
        keyed.expected_revenue_amount,
        keyed.recommended_channel,
        keyed.model_version,
        as_of.as_of_date
    from keyed
    cross join as_of

)

select * from final
