{#-
    Campaign results measured against the random control group, per
    campaign (breakdown_level 'campaign') and per campaign, channel, segment
    and age band (breakdown_level 'campaign_channel_segment_age'; the other
    rows carry 'all' in those columns). Uplift is the treated conversion
    rate minus the control conversion rate with a 95% interval (Newcombe's
    hybrid score interval, sound for small groups and zero rates); incremental conversions = uplift x treated customers; cost is
    the campaign's cost, shared across its slices by treated customers;
    return on spend uses seed product_values. Groups with fewer than
    campaign_min_group_size treated or control customers are flagged, not
    hidden.
-#}
with

contacts as (

    select
        campaign_id,
        campaign_name,
        product_code,
        channel,
        segment_name,
        age_band,
        is_control_group,
        is_delivered,
        is_opened,
        is_clicked,
        is_converted,
        campaign_start_date,
        campaign_cost_amount
    from {{ ref('int_campaign_contacts') }}

),

product_values as (

    select
        product_code,
        revenue_per_conversion_amount
    from {{ ref('product_values') }}

),

campaign_totals as (

    select
        contacts.campaign_id,
        sum(case when contacts.is_control_group then 0 else 1 end) as campaign_treated
    from contacts
    group by contacts.campaign_id

),

slices as (

    select
        contacts.campaign_id,
        contacts.channel,
        contacts.segment_name,
        contacts.age_band,
        min(contacts.campaign_name) as campaign_name,
        min(contacts.product_code) as product_code,
        min(contacts.campaign_start_date) as campaign_start_date,
        min(contacts.campaign_cost_amount) as campaign_cost_amount,
        sum(case when contacts.is_control_group then 0 else 1 end) as treated,
        sum(case when contacts.is_control_group then 1 else 0 end) as held_out,
        sum(case when contacts.is_delivered then 1 else 0 end) as delivered,
        sum(case when contacts.is_opened then 1 else 0 end) as opened,
        sum(case when contacts.is_clicked then 1 else 0 end) as clicked,
        sum(case when not contacts.is_control_group and contacts.is_converted then 1 else 0 end) as treated_converted,
        sum(case when contacts.is_control_group and contacts.is_converted then 1 else 0 end) as control_converted
    from contacts
    group by contacts.campaign_id, contacts.channel, contacts.segment_name, contacts.age_band

),

grouped as (

    -- the counts add up, so the campaign rows are the sums of its slices
    select
        slices.campaign_id,
        'campaign_channel_segment_age' as breakdown_level,
        slices.channel,
        slices.segment_name,
        slices.age_band,
        slices.campaign_name,
        slices.product_code,
        slices.campaign_start_date,
        slices.campaign_cost_amount,
        slices.treated,
        slices.held_out,
        slices.delivered,
        slices.opened,
        slices.clicked,
        slices.treated_converted,
        slices.control_converted
    from slices

    union all

    select
        slices.campaign_id,
        'campaign' as breakdown_level,
        'all' as channel,
        'all' as segment_name,
        'all' as age_band,
        min(slices.campaign_name) as campaign_name,
        min(slices.product_code) as product_code,
        min(slices.campaign_start_date) as campaign_start_date,
        min(slices.campaign_cost_amount) as campaign_cost_amount,
        sum(slices.treated) as treated,
        sum(slices.held_out) as held_out,
        sum(slices.delivered) as delivered,
        sum(slices.opened) as opened,
        sum(slices.clicked) as clicked,
        sum(slices.treated_converted) as treated_converted,
        sum(slices.control_converted) as control_converted
    from slices
    group by slices.campaign_id

),

rates as (

    select
        grouped.*,
        cast(grouped.treated_converted as double) / nullif(grouped.treated, 0) as treated_conversion_rate,
        cast(grouped.control_converted as double) / nullif(grouped.held_out, 0) as control_conversion_rate,
        grouped.campaign_cost_amount * grouped.treated / nullif(campaign_totals.campaign_treated, 0)
            as allocated_cost_amount
    from grouped
    inner join campaign_totals
        on grouped.campaign_id = campaign_totals.campaign_id

),

intervals as (

    select
        rates.*,
        rates.treated_conversion_rate - rates.control_conversion_rate as uplift,
        {{ uplift_bound('rates.treated_converted', 'rates.treated', 'rates.control_converted', 'rates.held_out', 'lower') }}
            as uplift_lower_95,
        {{ uplift_bound('rates.treated_converted', 'rates.treated', 'rates.control_converted', 'rates.held_out', 'upper') }}
            as uplift_upper_95
    from rates

),

final as (

    select
        {{ surrogate_key([
            'intervals.campaign_id', 'intervals.breakdown_level', 'intervals.channel', 'intervals.segment_name', 'intervals.age_band'
        ]) }} as campaign_performance_key,
        intervals.campaign_id,
        intervals.breakdown_level,
        intervals.channel,
        intervals.segment_name,
        intervals.age_band,
        intervals.campaign_name,
        intervals.product_code,
        intervals.campaign_start_date,
        cast(intervals.treated as integer) as treated,
        cast(intervals.held_out as integer) as held_out,
        cast(intervals.delivered as integer) as delivered,
        cast(intervals.opened as integer) as opened,
        cast(intervals.clicked as integer) as clicked,
        cast(intervals.treated_converted as integer) as treated_converted,
        cast(intervals.control_converted as integer) as control_converted,
        cast(intervals.delivered as double) / nullif(intervals.treated, 0) as delivery_rate,
        cast(intervals.opened as double) / nullif(intervals.delivered, 0) as open_rate,
        cast(intervals.clicked as double) / nullif(intervals.opened, 0) as click_rate,
        intervals.treated_conversion_rate,
        intervals.control_conversion_rate,
        intervals.uplift,
        intervals.uplift_lower_95,
        intervals.uplift_upper_95,
        coalesce(intervals.uplift_lower_95 > 0, false) as is_uplift_significant,
        intervals.uplift * intervals.treated as incremental_conversions,
        cast(intervals.allocated_cost_amount as decimal(18, 2)) as cost_amount,
        case
            when intervals.uplift * intervals.treated > 0
                then cast(intervals.allocated_cost_amount / (intervals.uplift * intervals.treated) as decimal(18, 2))
        end as cost_per_incremental_conversion_amount,
        cast(intervals.uplift * intervals.treated * product_values.revenue_per_conversion_amount as decimal(18, 2))
            as incremental_revenue_amount,
        (intervals.uplift * intervals.treated * product_values.revenue_per_conversion_amount - intervals.allocated_cost_amount)
        / nullif(intervals.allocated_cost_amount, 0) as return_on_spend,
        intervals.treated < {{ var('campaign_min_group_size') }}
        or intervals.held_out < {{ var('campaign_min_group_size') }} as is_small_group
    from intervals
    left join product_values
        on intervals.product_code = product_values.product_code

)

select * from final
