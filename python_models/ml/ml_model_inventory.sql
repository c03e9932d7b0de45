{#-
    One row per model of the ml schema: what it is for, who owns it, what it
    predicts for whom, the features it uses, how it was validated, its
    current version and whether it is trained. Descriptions come from this
    model's meta (inventory); the owner from each scored model's YAML meta
    (read from the dbt graph), the features from ml_model_features, version
    and validation from ml_model_metrics (re-measured from the stored
    predictions).
-#}
{%- set inventory = model.config.meta.get('inventory', {}) %}
{%- set default_owner = model.config.meta.get('default_owner', 'bankmine analytics') %}
with

metrics as (

    select
        model_name,
        model_version,
        champion,
        validation_method
    from {{ ref('ml_model_metrics') }}

),

model_features as (

    select
        model_name,
        feature,
        feature_order
    from {{ ref('ml_model_features') }}

),

registry as (

    {%- for model_name, entry in inventory.items() %}
    select
        '{{ model_name }}' as model_name,
        '{{ entry.source_model }}' as source_model,
        '{{ entry.purpose | replace("'", "''") }}' as purpose,
        '{{ ml_model_meta(entry.source_model).get('owner', default_owner) | replace("'", "''") }}'
            as owner,  -- noqa: RF04
        '{{ entry.target_definition | replace("'", "''") }}' as target_definition,
        '{{ entry.population | replace("'", "''") }}' as population
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

features_used as (

    select
        model_name,
        string_agg(feature, ', ' order by feature_order) as features_used
    from model_features
    group by model_name

),

final as (

    select
        registry.model_name,
        registry.source_model,
        registry.purpose,
        registry.owner,  -- noqa: RF04
        registry.target_definition,
        registry.population,
        features_used.features_used,
        metrics.champion,
        metrics.validation_method,
        metrics.model_version,
        case
            when metrics.model_version is null or metrics.champion is null or metrics.champion = 'none'
                then 'not_trained'
            else 'active'
        end as status
    from registry
    left join features_used
        on registry.model_name = features_used.model_name
    left join metrics
        on registry.model_name = metrics.model_name

)

select * from final
