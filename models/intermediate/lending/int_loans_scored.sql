{#-
    Each loan with its credit model output, grade (seed credit_risk_grades)
    and expected loss = probability of default x loss given default (seed
    loss_given_default) x outstanding principal. The probability is the
    12-month default probability estimated at origination; for a seasoned
    loan it is an origination view, not a forward one.
-#}
with

performance as (

    select
        loan_id,
        customer_id,
        product_code,
        outstanding_principal_amount,
        is_open
    from {{ ref('int_loan_performance') }}

),

scores as (

    select
        loan_id,
        probability_of_default,
        credit_score,
        reason_codes
    from {{ ref('credit_risk_scores') }}

),

grades as (

    select
        risk_grade,
        min_credit_score,
        max_credit_score
    from {{ ref('credit_risk_grades') }}

),

loss_given_default as (

    select
        product_code,
        loss_given_default
    from {{ ref('loss_given_default') }}

),

final as (

    select
        performance.loan_id,
        performance.customer_id,
        performance.is_open,
        scores.probability_of_default,
        cast(scores.credit_score as integer) as credit_score,
        grades.risk_grade,
        scores.reason_codes,
        loss_given_default.loss_given_default,
        cast(
            scores.probability_of_default
            * loss_given_default.loss_given_default
            * performance.outstanding_principal_amount as decimal(18, 2)
        ) as expected_loss_amount
    from performance
    left join scores
        on performance.loan_id = scores.loan_id
    left join grades
        on scores.credit_score between grades.min_credit_score and grades.max_credit_score
    left join loss_given_default
        on performance.product_code = loss_given_default.product_code

)

select * from final
