{%- set stages = ['intake', 'document_check', 'credit_assessment', 'approval', 'disbursement'] -%}
with

applications as (

    select
        application_id,
        customer_id,
        branch_id,
        officer_staff_id,
        product_code,
        purpose,
        decision,
        requested_amount,
        declared_income_amount,
        existing_debt_amount,
        term_months,
        submitted_at,
        decided_at
    from {{ ref('stg_lending__loan_applications') }}

),

stage_durations as (

    select
        application_id,
        stage,
        staff_id,
        duration_hours
    from {{ ref('int_application_stage_durations') }}

),

loans as (

    select
        loan_id,
        application_id,
        originated_date
    from {{ ref('stg_lending__loans') }}
    where application_id is not null

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

per_application as (

    select
        stage_durations.application_id,
        count(*) as stage_count,
        count(distinct stage_durations.staff_id) as staff_involved_count,
        {%- for stage in stages %}
        sum(case when stage_durations.stage = '{{ stage }}' then stage_durations.duration_hours end)
            as {{ stage }}_hours,
        {%- endfor %}
        sum(stage_durations.duration_hours) as total_stage_hours
    from stage_durations
    group by stage_durations.application_id

),

first_loan as (

    {#- a loan originated after the as-of date (a lending export cut later than the
        core banking one) is not disbursed yet as of it, as in fct_loans -#}
    select
        loans.application_id,
        min(loans.loan_id) as loan_id
    from loans
    cross join as_of
    where loans.originated_date <= as_of.as_of_date
    group by loans.application_id

),

final as (

    select
        applications.application_id,
        {{ pseudonymise('applications.customer_id') }} as customer_key,
        applications.branch_id,
        applications.officer_staff_id,
        first_loan.loan_id,
        applications.product_code,
        applications.purpose,
        applications.decision,
        applications.requested_amount,
        applications.declared_income_amount,
        applications.existing_debt_amount,
        cast(applications.term_months as integer) as term_months,
        cast(
            {{ dbt.datediff('applications.submitted_at', 'applications.decided_at', 'minute') }} as double
        ) / 60 as hours_to_decision,
        {%- for stage in stages %}
        per_application.{{ stage }}_hours,
        {%- endfor %}
        per_application.total_stage_hours,
        cast(coalesce(per_application.stage_count, 0) as integer) as stage_count,
        cast(coalesce(per_application.staff_involved_count, 0) as integer) as staff_involved_count,
        first_loan.loan_id is not null as is_disbursed,
        cast(applications.submitted_at as date) as submitted_date,
        applications.submitted_at,
        applications.decided_at,
        as_of.as_of_date
    from applications
    cross join as_of
    left join per_application
        on applications.application_id = per_application.application_id
    left join first_loan
        on applications.application_id = first_loan.application_id
    where cast(applications.submitted_at as date) <= as_of.as_of_date

)

select * from final
