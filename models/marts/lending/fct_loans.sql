with

performance as (

    select
        loan_id,
        customer_id,
        account_id,
        application_id,
        branch_id,
        officer_staff_id,
        product_code,
        loan_status,
        principal_amount,
        interest_rate,
        term_months,
        installment_amount,
        outstanding_principal_amount,
        arrears_amount,
        current_days_past_due,
        worst_days_past_due,
        months_on_book,
        has_schedule,
        is_default,
        is_open,
        originated_date,
        maturity_date,
        default_date,
        as_of_date
    from {{ ref('int_loan_performance') }}

),

scored as (

    select
        loan_id,
        probability_of_default,
        credit_score,
        risk_grade,
        reason_codes,
        expected_loss_amount
    from {{ ref('int_loans_scored') }}

),

final as (

    select
        performance.loan_id,
        {{ pseudonymise('performance.customer_id') }} as customer_key,
        performance.account_id,
        performance.application_id,
        performance.branch_id,
        performance.officer_staff_id,
        performance.product_code,
        performance.loan_status,
        scored.risk_grade,
        scored.reason_codes,
        {{ dbt.concat([
            "cast(extract(year from performance.originated_date) as " ~ dbt.type_string() ~ ")",
            "'-Q'",
            "cast(extract(quarter from performance.originated_date) as " ~ dbt.type_string() ~ ")",
        ]) }} as vintage_quarter,
        performance.principal_amount,
        performance.interest_rate,
        performance.installment_amount,
        performance.outstanding_principal_amount,
        performance.arrears_amount,
        scored.expected_loss_amount,
        scored.probability_of_default,
        scored.credit_score,
        cast(performance.term_months as integer) as term_months,
        cast(performance.months_on_book as integer) as months_on_book,
        cast(performance.current_days_past_due as integer) as current_days_past_due,
        cast(performance.worst_days_past_due as integer) as worst_days_past_due,
        performance.has_schedule,
        performance.is_open,
        performance.is_default,
        performance.originated_date,
        cast({{ dbt.date_trunc('month', 'performance.originated_date') }} as date) as vintage_month,
        performance.maturity_date,
        performance.default_date,
        performance.as_of_date
    from performance
    left join scored
        on performance.loan_id = scored.loan_id

)

select * from final
