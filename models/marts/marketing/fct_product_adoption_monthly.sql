{#-
    Product demand per month, product, customer segment and age band:
    holdings opened and closed in the month and active at month end.
    Segment and age band are the customer's now (dim_customers), so each
    series follows one fixed group of customers through time.
-#}
with

holdings as (

    select
        customer_id,
        product_code,
        product_family,
        opened_date,
        closed_date
    from {{ ref('int_product_holdings') }}

),

features as (

    select
        customer_id,
        age_years
    from {{ ref('int_customer_features') }}

),

segments as (

    select
        customer_id,
        segment_name
    from {{ ref('customer_segments') }}

),

months as (

    select month_start from {{ ref('int_calendar_months') }}

),

grouped_holdings as (

    select
        holdings.product_code,
        holdings.product_family,
        coalesce(segments.segment_name, 'unsegmented') as segment_name,
        {{ age_band('features.age_years') }} as age_band,
        cast({{ dbt.date_trunc('month', 'holdings.opened_date') }} as date) as opened_month,
        cast({{ dbt.date_trunc('month', 'holdings.closed_date') }} as date) as closed_month
    from holdings
    left join features
        on holdings.customer_id = features.customer_id
    left join segments
        on holdings.customer_id = segments.customer_id

),

first_month as (

    select min(months.month_start) as month_start from months

),

opened as (

    select
        product_code,
        product_family,
        segment_name,
        age_band,
        opened_month as month_start,
        count(*) as holdings
    from grouped_holdings
    group by product_code, product_family, segment_name, age_band, opened_month

),

closed as (

    select
        product_code,
        product_family,
        segment_name,
        age_band,
        closed_month as month_start,
        count(*) as holdings
    from grouped_holdings
    where closed_month is not null
    group by product_code, product_family, segment_name, age_band, closed_month

),

series as (

    select distinct
        product_code,
        product_family,
        segment_name,
        age_band
    from grouped_holdings

),

grid as (

    select
        series.product_code,
        series.product_family,
        series.segment_name,
        series.age_band,
        months.month_start
    from series
    cross join months

),

flows as (

    select
        grid.product_code,
        grid.product_family,
        grid.segment_name,
        grid.age_band,
        grid.month_start,
        coalesce(opened.holdings, 0) as opened_holdings,
        coalesce(closed.holdings, 0) as closed_holdings
    from grid
    left join opened
        on
            grid.product_code = opened.product_code
            and grid.segment_name = opened.segment_name
            and grid.age_band = opened.age_band
            and grid.month_start = opened.month_start
    left join closed
        on
            grid.product_code = closed.product_code
            and grid.segment_name = closed.segment_name
            and grid.age_band = closed.age_band
            and grid.month_start = closed.month_start

),

opening_stock as (

    select
        grouped_holdings.product_code,
        grouped_holdings.segment_name,
        grouped_holdings.age_band,
        sum(case when grouped_holdings.opened_month < first_month.month_start then 1 else 0 end)
        - sum(
            case when grouped_holdings.closed_month < first_month.month_start then 1 else 0 end
        ) as holdings
    from grouped_holdings
    cross join first_month
    group by grouped_holdings.product_code, grouped_holdings.segment_name, grouped_holdings.age_band

),

final as (

    select
        {{ surrogate_key(['flows.month_start', 'flows.product_code', 'flows.segment_name', 'flows.age_band']) }}
            as product_adoption_month_key,
        flows.month_start,
        flows.product_code,
        flows.product_family,
        flows.segment_name,
        flows.age_band,
        cast(flows.opened_holdings as integer) as opened_holdings,
        cast(flows.closed_holdings as integer) as closed_holdings,
        cast(
            coalesce(opening_stock.holdings, 0)
            + sum(flows.opened_holdings - flows.closed_holdings) over (
                partition by flows.product_code, flows.segment_name, flows.age_band
                order by flows.month_start
                rows between unbounded preceding and current row
            ) as integer
        ) as active_holdings
    from flows
    left join opening_stock
        on
            flows.product_code = opening_stock.product_code
            and flows.segment_name = opening_stock.segment_name
            and flows.age_band = opening_stock.age_band

)

select * from final
