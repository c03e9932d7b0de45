{#-
    Warns for every group (not small) whose credit approval rate is below
    0.8 times the reference group's (the four-fifths rule).
-#}
{{ config(severity='warn') }}

select
    attribute,
    group_value,
    loans,
    approval_rate,
    reference_group,
    adverse_impact_ratio
from {{ ref('ml_fairness') }}
where
    adverse_impact_ratio < 0.8
    and not is_small_group
