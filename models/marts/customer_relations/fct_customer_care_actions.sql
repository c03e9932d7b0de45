{#-
    The relationship managers' care list on the as-of date: one row per open
    customer and reason to get in touch, with a priority (1 first) and the
    channel the segment playbook recommends. Reasons: a high-value customer
    who was a detractor in the last 90 days (detractor_follow_up) or has a
    complaint open (open_complaint); a high churn risk (retention_call); a
    birthday or a yearly customer anniversary in the as-of month
    (birthday_greeting, anniversary_greeting). High value: deposits in the
    top decile of open customers, or RFM segment champions. The list carries
    customer_key only; managers resolve it to a name through
    restricted.customers_identified, which only their role can read.
-#}
with

customers as (

    select
        customer_key,
        home_branch_id,
        lifecycle_status,
        rfm_segment,
        segment_name,
        recommended_channel,
        churn_risk_band,
        churn_probability,
        deposit_balance_amount,
        has_marketing_consent
    from {{ ref('dim_customers') }}
    where lifecycle_status != 'closed'

),

features as (

    select
        customer_id,
        birth_date,
        customer_since_date,
        as_of_date
    from {{ ref('int_customer_features') }}

),

feedback as (

    select
        customer_id,
        nps_group,
        complaint_category,
        is_open_complaint,
        is_within_service_level,
        submitted_date
    from {{ ref('int_customer_feedback') }}

),

identified as (

    select
        features.*,
        {{ pseudonymise('features.customer_id') }} as customer_key
    from features

),

valued as (

    select
        customers.*,
        identified.customer_id,
        identified.birth_date,
        identified.customer_since_date,
        identified.as_of_date,
        ntile(10) over (order by coalesce(customers.deposit_balance_amount, 0) desc, customers.customer_key asc) = 1
        or customers.rfm_segment = 'champions' as is_high_value
    from customers
    inner join identified
        on customers.customer_key = identified.customer_key

),

feedback_flags as (

    select
        feedback.customer_id,
        max(
            case
                when
                    feedback.nps_group = 'detractor'
                    and feedback.submitted_date > {{ dbt.dateadd('day', -90, 'valued.as_of_date') }}
                    then 1
                else 0
            end
        ) as is_recent_detractor,
        sum(case when feedback.is_open_complaint then 1 else 0 end) as open_complaints,
        max(case when feedback.is_open_complaint and not feedback.is_within_service_level then 1 else 0 end)
            as has_overdue_complaint,
        min(case when feedback.is_open_complaint then feedback.complaint_category end) as open_complaint_category
    from feedback
    inner join valued
        on feedback.customer_id = valued.customer_id
    group by feedback.customer_id

),

actions as (

    select
        valued.customer_key,
        'detractor_follow_up' as action_type,
        1 as priority,
        'high-value customer scored us 0-6 in the last 90 days' as reason
    from valued
    inner join feedback_flags
        on valued.customer_id = feedback_flags.customer_id
    where valued.is_high_value and feedback_flags.is_recent_detractor = 1

    union all

    select
        valued.customer_key,
        'open_complaint' as action_type,
        case when feedback_flags.has_overdue_complaint = 1 then 1 else 2 end as priority,
        'high-value customer has ' || cast(feedback_flags.open_complaints as {{ dbt.type_string() }})
        || ' open complaint(s), category ' || coalesce(feedback_flags.open_complaint_category, 'unknown')
        || case when feedback_flags.has_overdue_complaint = 1 then ', past the service level' else '' end
            as reason
    from valued
    inner join feedback_flags
        on valued.customer_id = feedback_flags.customer_id
    where valued.is_high_value and feedback_flags.open_complaints > 0

    union all

    select
        valued.customer_key,
        'retention_call' as action_type,
        case when valued.is_high_value then 1 else 2 end as priority,
        'churn probability ' || cast(round(100 * valued.churn_probability) as {{ dbt.type_string() }})
        || '% in the next 90 days' as reason
    from valued
    where valued.churn_risk_band = 'high'

    union all

    select
        valued.customer_key,
        'birthday_greeting' as action_type,
        3 as priority,
        'birthday this month' as reason
    from valued
    where extract(month from valued.birth_date) = extract(month from valued.as_of_date)

    union all

    select
        valued.customer_key,
        'anniversary_greeting' as action_type,
        3 as priority,
        cast(
            {{ whole_years_between('valued.customer_since_date', dbt.last_day('valued.as_of_date', 'month')) }}
            as {{ dbt.type_string() }}
        ) || ' years with the bank this month' as reason
    from valued
    where
        extract(month from valued.customer_since_date) = extract(month from valued.as_of_date)
        and valued.customer_since_date < {{ dbt.dateadd('year', -1, dbt.last_day('valued.as_of_date', 'month')) }}

),

final as (

    select
        {{ surrogate_key(['actions.customer_key', 'actions.action_type']) }} as care_action_key,
        actions.customer_key,
        actions.action_type,
        cast(actions.priority as integer) as priority,
        actions.reason,
        valued.home_branch_id,
        valued.segment_name,
        valued.recommended_channel,
        valued.is_high_value,
        valued.has_marketing_consent,
        valued.as_of_date
    from actions
    inner join valued
        on actions.customer_key = valued.customer_key

)

select * from final
