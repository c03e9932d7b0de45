{#-
    Fails when a classifier's out-of-time AUC is below its floor (var
    ml_auc_floors). A model that could not be trained has no AUC and is
    reported by its validation_method instead of failing here.
-#}
{%- set floors = var('ml_auc_floors') %}
with

metrics as (

    select
        model_name,
        auc
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
where metrics.auc < floors.auc_floor
