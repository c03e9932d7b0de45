{#-
    Decision funnel per month of submission, branch and product: applications
    submitted, approved, declined, withdrawn, still pending and disbursed,
    the approval rate among decided applications, and the median and
    90th-percentile hours from submission to decision.
-#}
with

applications as (

    select
        branch_id,
        product_code,
        decision,
        is_disbursed,
        hours_to_decision,
        submitted_date
    from {{ ref('fct_loan_applications') }}

),

funnel as (

    select
        cast({{ dbt.date_trunc('month', 'applications.submitted_date') }} as date) as month_start,
        applications.branch_id,
        applications.product_code,
        count(*) as submitted,
        sum(case when applications.decision = 'approved' then 1 else 0 end) as approved,
        sum(case when applications.decision = 'declined' then 1 else 0 end) as declined,
        sum(case when applications.decision = 'withdrawn' then 1 else 0 end) as withdrawn,
        sum(case when applications.decision = 'pending' or applications.decision is null then 1 else 0 end)
            as pending,
        sum(case when applications.is_disbursed then 1 else 0 end) as disbursed,
        {{ percentile('applications.hours_to_decision', 0.5) }} as median_hours_to_decision,
        {{ percentile('applications.hours_to_decision', 0.9) }} as p90_hours_to_decision
    from applications
    group by
        cast({{ dbt.date_trunc('month', 'applications.submitted_date') }} as date),
        applications.branch_id,
        applications.product_code

),

final as (

    select
        {{ surrogate_key(['funnel.month_start', 'funnel.branch_id', 'funnel.product_code']) }}
            as loan_funnel_month_key,
        funnel.month_start,
        funnel.branch_id,
        funnel.product_code,
        cast(funnel.submitted as integer) as submitted,
        cast(funnel.approved as integer) as approved,
        cast(funnel.declined as integer) as declined,
        cast(funnel.withdrawn as integer) as withdrawn,
        cast(funnel.pending as integer) as pending,
        cast(funnel.disbursed as integer) as disbursed,
        cast(funnel.approved as double) / nullif(funnel.approved + funnel.declined, 0) as approval_rate,
        funnel.median_hours_to_decision,
        funnel.p90_hours_to_decision
    from funnel

)

select * from final
