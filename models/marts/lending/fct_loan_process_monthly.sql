{#-
    One row per month a stage was entered, branch and stage: how many
    applications passed through, median and 90th-percentile hours of the
    completed visits, the share that breached the service level, and the
    stage's share of all stage hours of that branch and month, so the slowest
    step of the loan process stands out (is_slowest_stage).
-#}
with

process_stages as (

    select
        branch_id,
        stage,
        stage_order,
        entered_month,
        duration_hours,
        service_level_hours,
        is_open,
        is_service_level_breached
    from {{ ref('fct_loan_process_stages') }}

),

stage_months as (

    select
        process_stages.entered_month as month_start,
        process_stages.branch_id,
        process_stages.stage,
        min(process_stages.stage_order) as stage_order,
        min(process_stages.service_level_hours) as service_level_hours,
        count(*) as stage_visits,
        sum(case when process_stages.is_open then 1 else 0 end) as open_visits,
        sum(case when process_stages.is_service_level_breached then 1 else 0 end) as breached_visits,
        sum(process_stages.duration_hours) as total_hours,
        {{ percentile('case when not process_stages.is_open then process_stages.duration_hours end', 0.5) }}
            as median_duration_hours,
        {{ percentile('case when not process_stages.is_open then process_stages.duration_hours end', 0.9) }}
            as p90_duration_hours
    from process_stages
    group by process_stages.entered_month, process_stages.branch_id, process_stages.stage

),

with_shares as (

    select
        stage_months.*,
        stage_months.total_hours
        / nullif(sum(stage_months.total_hours) over (
            partition by stage_months.month_start, stage_months.branch_id
        ), 0) as share_of_process_hours,
        rank() over (
            partition by stage_months.month_start, stage_months.branch_id
            order by stage_months.total_hours desc, stage_months.stage_order asc
        ) as hours_rank
    from stage_months

),

final as (

    select
        {{ surrogate_key(['with_shares.month_start', 'with_shares.branch_id', 'with_shares.stage']) }}
            as loan_process_month_key,
        with_shares.month_start,
        with_shares.branch_id,
        with_shares.stage,
        cast(with_shares.stage_order as integer) as stage_order,
        cast(with_shares.stage_visits as integer) as stage_visits,
        cast(with_shares.open_visits as integer) as open_visits,
        cast(with_shares.breached_visits as integer) as breached_visits,
        cast(with_shares.breached_visits as double) / with_shares.stage_visits as breach_rate,
        with_shares.median_duration_hours,
        with_shares.p90_duration_hours,
        with_shares.service_level_hours,
        with_shares.total_hours,
        with_shares.share_of_process_hours,
        with_shares.hours_rank = 1 as is_slowest_stage
    from with_shares

)

select * from final
