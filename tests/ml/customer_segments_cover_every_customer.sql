{#-
    Row-count parity: every customer of int_customer_features has exactly one
    segment, and customer_segments holds no one else. Returns the customers
    found on one side only.
-#}
with

features as (

    select customer_id
    from {{ ref('int_customer_features') }}

),

segments as (

    select customer_id
    from {{ ref('customer_segments') }}

),

unmatched as (

    select
        coalesce(features.customer_id, segments.customer_id) as customer_id,
        case when segments.customer_id is null then 'not segmented' else 'not a customer' end as issue
    from features
    full outer join segments
        on features.customer_id = segments.customer_id
    where features.customer_id is null or segments.customer_id is null

)

select * from unmatched
