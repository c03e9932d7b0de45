{#-
    Service quality per month, for the bank and sliced by branch, feedback
    channel and customer segment (slice_type bank, branch, channel or
    segment; slice_value the branch id, channel or segment name, 'all' for
    the bank): responses, NPS, mean CSAT, complaints, complaints per 1,000
    customers (bank and segment slices: customers open at month end; branch
    slices: customers whose home branch it is; a channel has no customer
    base), median days to resolve and the share
    resolved within the service level.
-#}
with

feedback as (

    select
        customer_id,
        branch_id,
        channel,
        nps_group,
        csat_score,
        is_complaint,
        days_to_resolve,
        is_within_service_level,
        submitted_month
    from {{ ref('int_customer_feedback') }}

),

segments as (

    select
        customer_id,
        segment_name
    from {{ ref('customer_segments') }}

),

customers as (

    select
        customer_id,
        home_branch_id,
        customer_since_date,
        closed_date
    from {{ ref('stg_core_banking__customers') }}

),

months as (

    select month_start from {{ ref('int_calendar_months') }}

),

feedback_with_segments as (

    select
        feedback.*,
        coalesce(feedback.branch_id, 'unknown') as branch_value,
        coalesce(segments.segment_name, 'unsegmented') as segment_value
    from feedback
    left join segments
        on feedback.customer_id = segments.customer_id

),

slice_types as (

    select 'bank' as slice_type
    union all
    select 'branch' as slice_type
    union all
    select 'channel' as slice_type
    union all
    select 'segment' as slice_type

),

feedback_sliced as (

    -- each response counts once in every slice type: the bank, its branch, its channel
    -- and its customer's segment
    select
        feedback_with_segments.*,
        slice_types.slice_type,
        case slice_types.slice_type
            when 'branch' then feedback_with_segments.branch_value
            when 'channel' then feedback_with_segments.channel
            when 'segment' then feedback_with_segments.segment_value
            else 'all'
        end as slice_value
    from feedback_with_segments
    cross join slice_types

),

quality as (

    select
        feedback_sliced.submitted_month as month_start,
        feedback_sliced.slice_type,
        feedback_sliced.slice_value,
        count(feedback_sliced.nps_group) as nps_responses,
        sum(case when feedback_sliced.nps_group = 'promoter' then 1 else 0 end) as promoters,
        sum(case when feedback_sliced.nps_group = 'detractor' then 1 else 0 end) as detractors,
        avg(feedback_sliced.csat_score) as mean_csat_score,
        count(feedback_sliced.csat_score) as csat_responses,
        sum(case when feedback_sliced.is_complaint then 1 else 0 end) as complaints,
        {{ percentile('feedback_sliced.days_to_resolve', 0.5) }} as median_days_to_resolve,
        avg(case when feedback_sliced.is_within_service_level then 1.0 when feedback_sliced.is_complaint then 0.0 end)
            as share_within_service_level
    from feedback_sliced
    group by feedback_sliced.submitted_month, feedback_sliced.slice_type, feedback_sliced.slice_value

),

open_customers as (

    select
        months.month_start,
        customers.customer_id,
        customers.home_branch_id,
        coalesce(segments.segment_name, 'unsegmented') as segment_value
    from months
    inner join customers
        on
            customers.customer_since_date < {{ dbt.dateadd('month', 1, 'months.month_start') }}
            and (
                customers.closed_date is null
                or customers.closed_date >= {{ dbt.dateadd('month', 1, 'months.month_start') }}
            )
    left join segments
        on customers.customer_id = segments.customer_id

),

customer_base as (

    select
        open_customers.month_start,
        slice_types.slice_type,
        case slice_types.slice_type
            when 'branch' then open_customers.home_branch_id
            when 'segment' then open_customers.segment_value
            else 'all'
        end as slice_value,
        count(*) as customers
    from open_customers
    inner join slice_types
        on slice_types.slice_type in ('bank', 'branch', 'segment')
    group by
        open_customers.month_start,
        slice_types.slice_type,
        case slice_types.slice_type
            when 'branch' then open_customers.home_branch_id
            when 'segment' then open_customers.segment_value
            else 'all'
        end

),

final as (

    select
        {{ surrogate_key(['quality.month_start', 'quality.slice_type', 'quality.slice_value']) }}
            as service_quality_month_key,
        quality.month_start,
        quality.slice_type,
        quality.slice_value,
        cast(quality.nps_responses as integer) as nps_responses,
        100.0 * (quality.promoters - quality.detractors) / nullif(quality.nps_responses, 0) as net_promoter_score,
        cast(quality.csat_responses as integer) as csat_responses,
        quality.mean_csat_score,
        cast(quality.complaints as integer) as complaints,
        cast(customer_base.customers as integer) as customers,
        1000.0 * quality.complaints / nullif(customer_base.customers, 0) as complaints_per_1000_customers,
        quality.median_days_to_resolve,
        quality.share_within_service_level
    from quality
    left join customer_base
        on
            quality.month_start = customer_base.month_start
            and quality.slice_type = customer_base.slice_type
            and quality.slice_value = customer_base.slice_value

)

select * from final
