{#-
    Each customer's credit standing, one row per customer with a score.
    With an open scored loan: that of the riskiest open loan (highest
    probability of default, lowest points, worst grade), source loan.
    Otherwise: the behavioural score as of the as-of date
    (behavioural_credit_scores, customer_as_of rows), graded with the same
    seed credit_risk_grades, source behavioural - unless the behavioural
    model is below its AUC floor and withheld (var ml_withhold_below_floor,
    macro ml_models_below_floor): then such a customer has no row.
-#}
with

loans_scored as (

    select
        customer_id,
        probability_of_default,
        credit_score,
        risk_grade
    from {{ ref('int_loans_scored') }}
    where is_open and probability_of_default is not null

),

behavioural_scores as (

    select
        customer_id,
        probability_of_default,
        credit_score
    from {{ ref('behavioural_credit_scores') }}
    where row_kind = 'customer_as_of' and probability_of_default is not null

),

models_below_floor as (

    {{ ml_models_below_floor(ref('ml_model_metrics')) }}

),

usable_behavioural_scores as (

    select behavioural_scores.*
    from behavioural_scores
    where not exists (
        select 1 from models_below_floor
        where
            models_below_floor.model_name = 'behavioural_credit'
            and models_below_floor.is_withheld
    )

),

grades as (

    select
        risk_grade,
        min_credit_score,
        max_credit_score
    from {{ ref('credit_risk_grades') }}

),

loan_credit as (

    select
        loans_scored.customer_id,
        max(loans_scored.probability_of_default) as probability_of_default,
        min(loans_scored.credit_score) as credit_score,
        max(loans_scored.risk_grade) as risk_grade
    from loans_scored
    group by loans_scored.customer_id

),

behavioural_credit as (

    select
        usable_behavioural_scores.customer_id,
        usable_behavioural_scores.probability_of_default,
        cast(usable_behavioural_scores.credit_score as integer) as credit_score,
        grades.risk_grade
    from usable_behavioural_scores
    left join grades
        on usable_behavioural_scores.credit_score between grades.min_credit_score and grades.max_credit_score
    where not exists (
        select 1 from loan_credit
        where loan_credit.customer_id = usable_behavioural_scores.customer_id
    )

),

final as (

    select
        customer_id,
        probability_of_default,
        credit_score,
        risk_grade,
        cast('loan' as {{ dbt.type_string() }}) as credit_score_source
    from loan_credit
    union all
    select
        customer_id,
        probability_of_default,
        credit_score,
        risk_grade,
        cast('behavioural' as {{ dbt.type_string() }}) as credit_score_source
    from behavioural_credit

)

select * from final
