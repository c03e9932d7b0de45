{#-
    Fails when a classifier's out-of-time AUC is below its floor (var
    ml_auc_floors) on a validation sample large enough to trust. A sample
    flagged is_validation_small (under 30 events or 200 rows) says nothing
    either way and is reported by that flag instead; a model that could not
    be trained has no AUC and is reported by its validation_method.
-#}
{%- set floors = var('ml_auc_floors') %}
with

metrics as (

    select
        model_name,
        auc,
        is_validation_small
    from {{ ref('ml_model_metrics') }}

),

floors as (

    {%- for model_name, floor in floors.items() %}
    select
        '{{ model_name }}' as model_name,
        {{ floor }} as auc_floor
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

)

select
    metrics.model_name,
    metrics.auc,
    floors.auc_floor
from metrics
inner join floors
    on metrics.model_name = floors.model_name
where
    metrics.auc < floors.auc_floor
    and not metrics.is_validation_small
