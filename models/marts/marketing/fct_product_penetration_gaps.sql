{#-
    Where the market has gaps: for each customer segment, age band and
    product, the share of open customers holding the product now against
    the share in the same age band across the other segments. A gap of
    penetration_gap_min or more in a group of at least
    penetration_min_customers customers is flagged, with the customers who
    would hold it if the group matched its peers (the brief's "gaps in the
    market").
-#}
with

holdings as (

    select
        customer_id,
        product_code
    from {{ ref('int_product_holdings') }}
    where closed_date is null

),

customers as (

    select
        customer_id,
        closed_date,
        age_years
    from {{ ref('int_customer_features') }}
    where closed_date is null

),

segments as (

    select
        customer_id,
        segment_name
    from {{ ref('customer_segments') }}

),

products as (

    select distinct product_code from {{ ref('int_product_holdings') }}

),

customer_groups as (

    select
        customers.customer_id,
        coalesce(segments.segment_name, 'unsegmented') as segment_name,
        {{ age_band('customers.age_years') }} as age_band
    from customers
    left join segments
        on customers.customer_id = segments.customer_id

),

holders as (

    select distinct
        holdings.customer_id,
        holdings.product_code
    from holdings

),

group_rates as (

    select
        customer_groups.segment_name,
        customer_groups.age_band,
        products.product_code,
        count(*) as customers,
        sum(case when holders.customer_id is not null then 1 else 0 end) as holders
    from customer_groups
    cross join products
    left join holders
        on
            customer_groups.customer_id = holders.customer_id
            and products.product_code = holders.product_code
    group by customer_groups.segment_name, customer_groups.age_band, products.product_code

),

with_peers as (

    select
        group_rates.*,
        sum(group_rates.customers) over (partition by group_rates.age_band, group_rates.product_code)
        - group_rates.customers as peer_customers,
        sum(group_rates.holders) over (partition by group_rates.age_band, group_rates.product_code)
        - group_rates.holders as peer_holders
    from group_rates

),

final as (

    select
        {{ surrogate_key(['with_peers.segment_name', 'with_peers.age_band', 'with_peers.product_code']) }}
            as penetration_key,
        with_peers.segment_name,
        with_peers.age_band,
        with_peers.product_code,
        cast(with_peers.customers as integer) as customers,
        cast(with_peers.holders as integer) as holders,
        cast(with_peers.holders as double) / with_peers.customers as holding_rate,
        cast(with_peers.peer_customers as integer) as peer_customers,
        cast(with_peers.peer_holders as double) / nullif(with_peers.peer_customers, 0) as peer_holding_rate,
        cast(with_peers.peer_holders as double) / nullif(with_peers.peer_customers, 0)
        - cast(with_peers.holders as double) / with_peers.customers as penetration_gap,
        coalesce(
            cast(with_peers.peer_holders as double) / nullif(with_peers.peer_customers, 0)
            - cast(with_peers.holders as double) / with_peers.customers >= {{ var('penetration_gap_min') }}
            and with_peers.customers >= {{ var('penetration_min_customers') }},
            false
        ) as is_gap,
        greatest(
            cast(
                round(
                    (
                        cast(with_peers.peer_holders as double) / nullif(with_peers.peer_customers, 0)
                        - cast(with_peers.holders as double) / with_peers.customers
                    ) * with_peers.customers
                ) as integer
            ),
            0
        ) as potential_new_holders
    from with_peers

)

select * from final
