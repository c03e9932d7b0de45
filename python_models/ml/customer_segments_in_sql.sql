{#-
    Customer segments assigned in SQL from the fitted model stored as data
    (customer_segment_centroids): each configured feature is imputed,
    log-scaled and standardised as the Python model does, and the customer
    goes to the nearest centroid (Euclidean, ties to the lower segment_id).
    Scoring where the data lives: it needs no Python, so a bank can assign
    new customers on an engine without it, with the model fitted elsewhere.
    A test requires the same segment and distance (to 1e-9) as
    customer_segments for every customer. The features are read from
    customer_segments' YAML meta; one that the fit dropped has no
    parameters and drops out here too.
-#}
{%- set features = ml_configured_features(ml_model_meta('customer_segments')) %}
with

customer_features as (

    select * from {{ ref('int_customer_features') }}

),

parameters as (

    select
        segment_id,
        segment_name,
        feature,
        is_log_scaled,
        impute_value,
        feature_mean,
        feature_std,
        centroid_z,
        model_version
    from {{ ref('customer_segment_centroids') }}

),

feature_values as (

    {%- for feature in features %}
    select
        customer_id,
        cast('{{ feature }}' as {{ dbt.type_string() }}) as feature,
        cast({{ feature }} as double) as feature_value
    from customer_features
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- if not features %}
    select
        cast(null as {{ dbt.type_string() }}) as customer_id,
        cast(null as {{ dbt.type_string() }}) as feature,
        cast(null as double) as feature_value
    where false
    {%- endif %}

),

feature_scaling as (

    select distinct
        feature,
        is_log_scaled,
        impute_value,
        feature_mean,
        feature_std
    from parameters

),

z_scores as (

    select
        feature_values.customer_id,
        feature_values.feature,
        (
            case
                when feature_scaling.is_log_scaled
                    then ln(1 + greatest(coalesce(feature_values.feature_value, feature_scaling.impute_value), 0))
                else coalesce(feature_values.feature_value, feature_scaling.impute_value)
            end
            - feature_scaling.feature_mean
        ) / feature_scaling.feature_std as z_score
    from feature_values
    inner join feature_scaling
        on feature_values.feature = feature_scaling.feature

),

distances as (

    select
        z_scores.customer_id,
        parameters.segment_id,
        parameters.segment_name,
        parameters.model_version,
        sqrt(sum((z_scores.z_score - parameters.centroid_z) * (z_scores.z_score - parameters.centroid_z)))
            as distance_to_centroid
    from z_scores
    inner join parameters
        on z_scores.feature = parameters.feature
    group by
        z_scores.customer_id,
        parameters.segment_id,
        parameters.segment_name,
        parameters.model_version

),

ranked as (

    select
        distances.*,
        row_number() over (
            partition by distances.customer_id
            order by distances.distance_to_centroid asc, distances.segment_id asc
        ) as distance_rank
    from distances

),

final as (

    select
        customer_id,
        cast(segment_id as integer) as segment_id,
        segment_name,
        distance_to_centroid,
        model_version
    from ranked
    where distance_rank = 1

)

select * from final
