{#-
    One row per survey response or complaint: who (pseudonymised) and where,
    NPS score and group (promoter 9-10, passive 7-8, detractor 0-6), CSAT,
    complaint category, days to resolve and whether it was resolved within
    complaint_resolution_days; with the customer's current segment.
-#}
with

feedback as (

    select * from {{ ref('int_customer_feedback') }}

),

segments as (

    select
        customer_id,
        segment_name
    from {{ ref('customer_segments') }}

),

final as (

    select
        feedback.feedback_id,
        {{ pseudonymise('feedback.customer_id') }} as customer_key,
        feedback.branch_id,
        feedback.staff_id,
        feedback.channel,
        coalesce(segments.segment_name, 'unsegmented') as segment_name,
        feedback.feedback_type,
        feedback.nps_score,
        feedback.nps_group,
        feedback.csat_score,
        feedback.complaint_category,
        feedback.is_complaint,
        feedback.is_open_complaint,
        feedback.days_to_resolve,
        feedback.is_within_service_level,
        feedback.submitted_month,
        feedback.submitted_at,
        feedback.resolved_at
    from feedback
    left join segments
        on feedback.customer_id = segments.customer_id

)

select * from final
