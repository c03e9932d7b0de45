{#-
    Warns when a model listed in var ml_withhold_below_floor is below its
    AUC floor: the build goes on, and the marts leave its scores out (for
    the behavioural credit score: customers without a loan get no credit
    score, see int_customer_credit).
-#}
{{ config(severity='warn') }}

with

below_floor as (

    {{ ml_models_below_floor(ref('ml_model_metrics')) }}

)

select
    model_name,
    auc,
    auc_floor
from below_floor
where is_withheld
