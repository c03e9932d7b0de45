with

base as (

    select * from {{ ref('base_crm__customer_feedback') }}

),

staged as (

    select
        base.feedback_id,
        base.customer_id,
        base.branch_id,
        base.staff_id,
        base.channel,
        base.feedback_type,
        base.complaint_category,
        base.nps_score,
        base.csat_score,
        base.submitted_at,
        base.resolved_at
    from base
    where
        base.delivery_rank = 1
        and base.quarantine_reason is null

)

select * from staged
