{#-
    Survey responses and complaints up to the as-of date, with NPS group,
    resolution time and whether a complaint was resolved within
    complaint_resolution_days (open complaints count as breached once older
    than that).
-#}
with

feedback as (

    select
        feedback_id,
        customer_id,
        branch_id,
        staff_id,
        channel,
        feedback_type,
        nps_score,
        csat_score,
        complaint_category,
        submitted_at,
        resolved_at
    from {{ ref('stg_crm__customer_feedback') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

final as (

    select
        feedback.feedback_id,
        feedback.customer_id,
        feedback.branch_id,
        feedback.staff_id,
        coalesce(feedback.channel, 'unknown') as channel,
        feedback.feedback_type,
        feedback.nps_score,
        case
            when feedback.nps_score >= 9 then 'promoter'
            when feedback.nps_score >= 7 then 'passive'
            when feedback.nps_score is not null then 'detractor'
        end as nps_group,
        feedback.csat_score,
        feedback.complaint_category,
        feedback.feedback_type = 'complaint' as is_complaint,
        feedback.feedback_type = 'complaint' and (
            feedback.resolved_at is null or cast(feedback.resolved_at as date) > as_of.as_of_date
        ) as is_open_complaint,
        case
            when feedback.feedback_type = 'complaint' and cast(feedback.resolved_at as date) <= as_of.as_of_date
                then cast({{ dbt.datediff('feedback.submitted_at', 'feedback.resolved_at', 'minute') }} as double) / 1440
        end as days_to_resolve,
        case
            when feedback.feedback_type != 'complaint' then null
            when feedback.resolved_at is not null and cast(feedback.resolved_at as date) <= as_of.as_of_date
                then (
                    {{ dbt.datediff('feedback.submitted_at', 'feedback.resolved_at', 'minute') }}
                    <= {{ var('complaint_resolution_days') }} * 1440
                )
            else (
                {{ dbt.datediff('cast(feedback.submitted_at as date)', 'as_of.as_of_date', 'day') }}
                <= {{ var('complaint_resolution_days') }}
            )
        end as is_within_service_level,
        cast(feedback.submitted_at as date) as submitted_date,
        cast({{ dbt.date_trunc('month', 'feedback.submitted_at') }} as date) as submitted_month,
        feedback.submitted_at,
        feedback.resolved_at,
        as_of.as_of_date
    from feedback
    cross join as_of
    where cast(feedback.submitted_at as date) <= as_of.as_of_date

)

select * from final
