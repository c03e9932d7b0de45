{#-
    One row per staff member and month employed (within the data's months):
    loans originated and how many of them are in default as of the as-of
    date, applications handled and mean stage time, branch tickets served
    and mean handling time, and the NPS of survey responses naming them.
    Sources a bank lacks (staff, tickets, applications, feedback) give zero
    rows or zero counts, never a failure.
-#}
with

staff as (

    select
        staff_id,
        branch_id,
        role,
        hired_date,
        left_date
    from {{ ref('stg_branch_ops__staff') }}

),

months as (

    select month_start from {{ ref('int_calendar_months') }}

),

loans as (

    select
        officer_staff_id,
        principal_amount,
        is_default,
        originated_date
    from {{ ref('int_loan_performance') }}

),

stage_durations as (

    select
        staff_id,
        application_id,
        duration_hours,
        entered_at
    from {{ ref('int_application_stage_durations') }}

),

tickets as (

    select
        staff_id,
        handling_minutes,
        is_abandoned,
        arrived_month
    from {{ ref('int_service_tickets') }}

),

feedback as (

    select
        staff_id,
        nps_score,
        submitted_at
    from {{ ref('stg_crm__customer_feedback') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

staff_months as (

    select
        staff.staff_id,
        staff.branch_id,
        staff.role,
        months.month_start
    from staff
    inner join months
        on
            months.month_start >= cast({{ dbt.date_trunc('month', 'staff.hired_date') }} as date)
            and (
                staff.left_date is null
                or months.month_start <= cast({{ dbt.date_trunc('month', 'staff.left_date') }} as date)
            )

),

originated as (

    select
        loans.officer_staff_id as staff_id,
        cast({{ dbt.date_trunc('month', 'loans.originated_date') }} as date) as month_start,
        count(*) as loans_originated,
        sum(loans.principal_amount) as principal_originated_amount,
        sum(case when loans.is_default then 1 else 0 end) as originated_loans_in_default
    from loans
    where loans.officer_staff_id is not null
    group by 1, 2

),

handled as (

    select
        stage_durations.staff_id,
        cast({{ dbt.date_trunc('month', 'stage_durations.entered_at') }} as date) as month_start,
        count(distinct stage_durations.application_id) as applications_handled,
        avg(stage_durations.duration_hours) as mean_stage_hours
    from stage_durations
    where stage_durations.staff_id is not null
    group by 1, 2

),

served as (

    select
        tickets.staff_id,
        tickets.arrived_month as month_start,
        count(*) as tickets_served,
        avg(tickets.handling_minutes) as mean_handling_minutes
    from tickets
    where tickets.staff_id is not null and not tickets.is_abandoned
    group by 1, 2

),

rated as (

    select
        feedback.staff_id,
        cast({{ dbt.date_trunc('month', 'feedback.submitted_at') }} as date) as month_start,
        count(feedback.nps_score) as nps_responses,
        100.0 * (
            sum(case when feedback.nps_score >= 9 then 1 else 0 end)
            - sum(case when feedback.nps_score <= 6 then 1 else 0 end)
        ) / nullif(count(feedback.nps_score), 0) as net_promoter_score
    from feedback
    cross join as_of
    where
        feedback.staff_id is not null
        and cast(feedback.submitted_at as date) <= as_of.as_of_date
    group by 1, 2

),

final as (

    select
        {{ surrogate_key(['staff_months.staff_id', 'staff_months.month_start']) }} as staff_month_key,
        staff_months.staff_id,
        staff_months.branch_id,
        staff_months.role,
        staff_months.month_start,
        cast(coalesce(originated.loans_originated, 0) as integer) as loans_originated,
        cast(coalesce(originated.principal_originated_amount, 0) as decimal(18, 2))
            as principal_originated_amount,
        cast(coalesce(originated.originated_loans_in_default, 0) as integer) as originated_loans_in_default,
        cast(coalesce(handled.applications_handled, 0) as integer) as applications_handled,
        handled.mean_stage_hours,
        cast(coalesce(served.tickets_served, 0) as integer) as tickets_served,
        served.mean_handling_minutes,
        cast(coalesce(rated.nps_responses, 0) as integer) as nps_responses,
        rated.net_promoter_score
    from staff_months
    left join originated
        on
            staff_months.staff_id = originated.staff_id
            and staff_months.month_start = originated.month_start
    left join handled
        on
            staff_months.staff_id = handled.staff_id
            and staff_months.month_start = handled.month_start
    left join served
        on
            staff_months.staff_id = served.staff_id
            and staff_months.month_start = served.month_start
    left join rated
        on
            staff_months.staff_id = rated.staff_id
            and staff_months.month_start = rated.month_start

)

select * from final
