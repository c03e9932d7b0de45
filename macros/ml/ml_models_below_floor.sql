{#-
    A select of the classifiers whose out-of-time AUC in ml_model_metrics is
    below their floor (var ml_auc_floors) on a validation sample large
    enough to trust (not is_validation_small): model_name, auc, auc_floor
    and is_withheld (the model is listed in var ml_withhold_below_floor, so
    its scores are kept out of the marts instead of failing the build).
    Shared by the floor tests and by the marts that use a withheld model.
-#}
{% macro ml_models_below_floor(metrics_relation) %}
    {%- set floors = var('ml_auc_floors') %}
    {%- set withheld = var('ml_withhold_below_floor', []) %}
    select
        metrics.model_name,
        metrics.auc,
        floors.auc_floor,
        floors.is_withheld
    from {{ metrics_relation }} as metrics
    inner join (
        {%- for model_name, floor in floors.items() %}
        select
            '{{ model_name }}' as model_name,
            {{ floor }} as auc_floor,
            {{ 'true' if model_name in withheld else 'false' }} as is_withheld
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    ) as floors
        on metrics.model_name = floors.model_name
    where
        metrics.auc < floors.auc_floor
        and not metrics.is_validation_small
{% endmacro %}
