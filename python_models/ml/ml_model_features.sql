{#-
    One row per model and configured feature, read from each scored model's
    YAML meta through the dbt graph, so monitoring uses exactly the features
    the models are configured with. Depends on no model: monitoring tables
    built on it still build when a model fails a test. A feature the data
    lacks is still listed (the model drops it at training with a note).
-#}
{%- set rows = [] %}
{%- for model_name, source_model in model.config.meta.get('source_models', {}).items() %}
{%- for feature in ml_configured_features(ml_model_meta(source_model)) %}
{%- do rows.append({'model_name': model_name, 'source_model': source_model, 'feature': feature, 'order': loop.index}) %}
{%- endfor %}
{%- endfor %}
with

configured as (

    {%- for row in rows %}
    select
        '{{ row.model_name }}' as model_name,
        '{{ row.source_model }}' as source_model,
        '{{ row.feature }}' as feature,
        {{ row.order }} as feature_order
    union all
    {%- endfor %}
    select
        null as model_name,
        null as source_model,
        null as feature,
        null as feature_order
    where false

),

final as (

    select
        cast(model_name as varchar) as model_name,
        cast(source_model as varchar) as source_model,
        cast(feature as varchar) as feature,
        cast(feature_order as integer) as feature_order
    from configured

)

select * from final
