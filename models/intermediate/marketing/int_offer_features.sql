{#-
    Rows for the next-best-offer model, each with the customer's features on
    a point date, computed only from data before it:
    - training rows: every treated (contacted) customer of a campaign that
      has ended by the as-of date, who did not hold the offered product when
      it started; point date = campaign start; label = converted;
    - scoring rows: every open customer and every product the bank has
      campaigned for that the customer does not hold now; point date = the
      day after the as-of date.
    Features: age, tenure, declared income, deposits at the last month end
    before the point date, transactions, inflow, outflow and digital and
    cash shares over the three months before it, products held on it, and
    the product offered and the channel (the campaign's for training rows;
    for scoring rows the channel customers of the same age band and segment
    respond to best, which is the one the offer will go out on). Grain: one row per offer_key.
-#}
with

contacts as (

    select
        contact_id,
        customer_id,
        product_code,
        channel,
        is_control_group,
        is_converted,
        campaign_start_date,
        campaign_end_date
    from {{ ref('int_campaign_contacts') }}

),

customers as (

    select
        customer_id,
        birth_date,
        customer_since_date,
        closed_date,
        annual_income_amount
    from {{ ref('stg_core_banking__customers') }}

),

holdings as (

    select
        customer_id,
        product_code,
        product_family,
        opened_date,
        closed_date
    from {{ ref('int_product_holdings') }}

),

customer_months as (

    select
        customer_id,
        month_start,
        deposit_balance_amount,
        inflow_amount,
        outflow_amount,
        customer_transactions,
        digital_transactions,
        cash_transactions
    from {{ ref('int_customer_months') }}

),

channel_preferences as (

    select
        age_band,
        segment_name,
        preferred_channel
    from {{ ref('int_channel_preferences') }}

),

segments as (

    select
        customer_id,
        segment_name
    from {{ ref('customer_segments') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

offered_products as (

    select distinct contacts.product_code
    from contacts
    where contacts.product_code is not null

),

training_points as (

    select
        contacts.contact_id as offer_key,
        contacts.customer_id,
        contacts.product_code,
        contacts.channel,
        contacts.campaign_start_date as point_date,
        false as is_scoring_row,
        contacts.is_converted as converted
    from contacts
    cross join as_of
    where
        not contacts.is_control_group
        and contacts.campaign_end_date <= as_of.as_of_date
        and not exists (
            select 1
            from holdings
            where
                holdings.customer_id = contacts.customer_id
                and holdings.product_code = contacts.product_code
                and holdings.opened_date < contacts.campaign_start_date
                and (holdings.closed_date is null or holdings.closed_date >= contacts.campaign_start_date)
        )

),

scoring_points as (

    select
        {{ surrogate_key(['customers.customer_id', 'offered_products.product_code']) }} as offer_key,
        customers.customer_id,
        offered_products.product_code,
        coalesce(channel_preferences.preferred_channel, 'unknown') as channel,
        cast({{ dbt.dateadd('day', 1, 'as_of.as_of_date') }} as date) as point_date,
        true as is_scoring_row,
        cast(null as boolean) as converted
    from customers
    cross join offered_products
    cross join as_of
    left join segments
        on customers.customer_id = segments.customer_id
    left join channel_preferences
        on
            coalesce(segments.segment_name, 'unsegmented') = channel_preferences.segment_name
            and {{ age_band(whole_years_between('customers.birth_date', 'as_of.as_of_date')) }}
            = channel_preferences.age_band
    where
        customers.customer_since_date <= as_of.as_of_date
        and (customers.closed_date is null or customers.closed_date > as_of.as_of_date)
        and not exists (
            select 1
            from holdings
            where
                holdings.customer_id = customers.customer_id
                and holdings.product_code = offered_products.product_code
                and holdings.closed_date is null
        )

),

points as (

    select * from training_points
    union all
    select * from scoring_points

),

recent_months as (

    select
        points.offer_key,
        sum(customer_months.customer_transactions) as transactions_3m,
        sum(customer_months.inflow_amount) as inflow_3m_amount,
        sum(customer_months.outflow_amount) as outflow_3m_amount,
        sum(customer_months.digital_transactions) as digital_transactions_3m,
        sum(customer_months.cash_transactions) as cash_transactions_3m,
        max(
            case
                when customer_months.month_start = cast({{ dbt.dateadd('month', -1, dbt.date_trunc('month', 'points.point_date')) }} as date)
                    then customer_months.deposit_balance_amount
            end
        ) as deposit_balance_amount
    from points
    inner join customer_months
        on
            points.customer_id = customer_months.customer_id
            and customer_months.month_start >= cast({{ dbt.dateadd('month', -3, dbt.date_trunc('month', 'points.point_date')) }} as date)
            and customer_months.month_start < cast({{ dbt.date_trunc('month', 'points.point_date') }} as date)
    group by points.offer_key

),

held as (

    select
        points.offer_key,
        count(*) as products_held,
        max(case when holdings.product_family = 'loan' then 1 else 0 end) as holds_loan,
        max(case when holdings.product_code = 'credit_card' then 1 else 0 end) as holds_credit_card
    from points
    inner join holdings
        on
            points.customer_id = holdings.customer_id
            and points.point_date > holdings.opened_date
            and (holdings.closed_date is null or points.point_date <= holdings.closed_date)
    group by points.offer_key

),

final as (

    select
        points.offer_key,
        points.customer_id,
        points.product_code,
        points.channel,
        points.point_date,
        cast({{ dbt.date_trunc('month', 'points.point_date') }} as date) as point_month,
        points.is_scoring_row,
        not points.is_scoring_row as is_labelled,
        points.converted,
        cast({{ whole_years_between('customers.birth_date', 'points.point_date') }} as double) as age_years,
        cast({{ dbt.datediff('customers.customer_since_date', 'points.point_date', 'month') }} as double)
            as tenure_months,
        cast(customers.annual_income_amount as double) as annual_income_amount,
        cast(recent_months.deposit_balance_amount as double) as deposit_balance_amount,
        cast(coalesce(recent_months.transactions_3m, 0) as double) as transactions_3m,
        cast(coalesce(recent_months.inflow_3m_amount, 0) as double) as inflow_3m_amount,
        cast(coalesce(recent_months.outflow_3m_amount, 0) as double) as outflow_3m_amount,
        cast(recent_months.digital_transactions_3m as double) / nullif(recent_months.transactions_3m, 0)
            as digital_share_3m,
        cast(recent_months.cash_transactions_3m as double) / nullif(recent_months.transactions_3m, 0)
            as cash_share_3m,
        cast(coalesce(held.products_held, 0) as double) as products_held,
        cast(coalesce(held.holds_loan, 0) as double) as holds_loan,
        cast(coalesce(held.holds_credit_card, 0) as double) as holds_credit_card
    from points
    inner join customers
        on points.customer_id = customers.customer_id
    left join recent_months
        on points.offer_key = recent_months.offer_key
    left join held
        on points.offer_key = held.offer_key

)

select * from final
