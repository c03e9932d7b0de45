{#-
    Staff scorecard per staff member and month: volume (loans originated,
    applications handled, tickets served), quality (default rate of the
    loans they originated that month, complaints naming them per 100
    customers served, NPS of the customers they served) and speed (mean
    stage hours, mean handling minutes), each beside the median of peers in
    the same role, branch type and month. Measures on fewer cases than the
    scorecard_min_* vars are flagged and not ranked, so a small number
    never puts anyone at the top or bottom.
-#}
with

staff_months as (

    select
        staff_month_key,
        staff_id,
        branch_id,
        role,
        month_start,
        loans_originated,
        originated_loans_in_default,
        applications_handled,
        mean_stage_hours,
        tickets_served,
        mean_handling_minutes,
        nps_responses,
        net_promoter_score
    from {{ ref('fct_staff_monthly') }}

),

branches as (

    select
        branch_id,
        branch_type
    from {{ ref('dim_branches') }}

),

feedback as (

    select
        staff_id,
        submitted_at,
        feedback_type
    from {{ ref('stg_crm__customer_feedback') }}
    where staff_id is not null

),

complaints as (

    select
        feedback.staff_id,
        cast({{ dbt.date_trunc('month', 'feedback.submitted_at') }} as date) as month_start,
        count(*) as complaints
    from feedback
    where feedback.feedback_type = 'complaint'
    group by feedback.staff_id, cast({{ dbt.date_trunc('month', 'feedback.submitted_at') }} as date)

),

measures as (

    select
        staff_months.*,
        coalesce(branches.branch_type, 'unknown') as branch_type,
        coalesce(complaints.complaints, 0) as complaints,
        case
            when staff_months.loans_originated >= {{ var('scorecard_min_loans') }}
                then cast(staff_months.originated_loans_in_default as double) / staff_months.loans_originated
        end as default_rate,
        case
            when staff_months.tickets_served + staff_months.applications_handled >= {{ var('scorecard_min_served') }}
                then
                    100.0 * coalesce(complaints.complaints, 0)
                    / (staff_months.tickets_served + staff_months.applications_handled)
        end as complaints_per_100_served,
        case
            when staff_months.nps_responses >= {{ var('scorecard_min_responses') }}
                then staff_months.net_promoter_score
        end as scored_net_promoter_score,
        case
            when staff_months.applications_handled >= {{ var('scorecard_min_loans') }}
                then staff_months.mean_stage_hours
        end as scored_mean_stage_hours,
        case
            when staff_months.tickets_served >= {{ var('scorecard_min_served') }}
                then staff_months.mean_handling_minutes
        end as scored_mean_handling_minutes,
        staff_months.loans_originated + staff_months.applications_handled + staff_months.tickets_served
            as cases_handled
    from staff_months
    left join branches
        on staff_months.branch_id = branches.branch_id
    left join complaints
        on
            staff_months.staff_id = complaints.staff_id
            and staff_months.month_start = complaints.month_start

),

peers as (

    select
        measures.role,
        measures.branch_type,
        measures.month_start,
        count(*) as peer_count,
        {{ percentile('measures.cases_handled', 0.5) }} as peer_median_cases_handled,
        {{ percentile('measures.default_rate', 0.5) }} as peer_median_default_rate,
        {{ percentile('measures.complaints_per_100_served', 0.5) }} as peer_median_complaints_per_100_served,
        {{ percentile('measures.scored_net_promoter_score', 0.5) }} as peer_median_net_promoter_score,
        {{ percentile('measures.scored_mean_stage_hours', 0.5) }} as peer_median_stage_hours,
        {{ percentile('measures.scored_mean_handling_minutes', 0.5) }} as peer_median_handling_minutes
    from measures
    group by measures.role, measures.branch_type, measures.month_start

),

final as (

    select
        measures.staff_month_key,
        measures.staff_id,
        measures.branch_id,
        measures.role,
        measures.branch_type,
        measures.month_start,
        cast(measures.cases_handled as integer) as cases_handled,
        cast(measures.loans_originated as integer) as loans_originated,
        cast(measures.applications_handled as integer) as applications_handled,
        cast(measures.tickets_served as integer) as tickets_served,
        cast(measures.complaints as integer) as complaints,
        measures.default_rate,
        measures.complaints_per_100_served,
        measures.scored_net_promoter_score as net_promoter_score,
        measures.scored_mean_stage_hours as mean_stage_hours,
        measures.scored_mean_handling_minutes as mean_handling_minutes,
        cast(peers.peer_count as integer) as peer_count,
        peers.peer_median_cases_handled,
        peers.peer_median_default_rate,
        peers.peer_median_complaints_per_100_served,
        peers.peer_median_net_promoter_score,
        peers.peer_median_stage_hours,
        peers.peer_median_handling_minutes,
        measures.cases_handled / nullif(peers.peer_median_cases_handled, 0) as volume_vs_peer_median,
        measures.default_rate is null
        and measures.complaints_per_100_served is null
        and measures.scored_net_promoter_score is null
        and measures.scored_mean_stage_hours is null
        and measures.scored_mean_handling_minutes is null as is_volume_too_small,
        case
            when measures.cases_handled >= {{ var('scorecard_min_served') }} and peers.peer_count >= 3
                then cast(rank() over (
                    partition by
                        measures.role, measures.branch_type, measures.month_start,
                        (measures.cases_handled >= {{ var('scorecard_min_served') }} and peers.peer_count >= 3)
                    order by measures.cases_handled desc
                ) as integer)
        end as volume_rank_in_peer_group
    from measures
    inner join peers
        on
            measures.role = peers.role
            and measures.branch_type = peers.branch_type
            and measures.month_start = peers.month_start

)

select * from final
