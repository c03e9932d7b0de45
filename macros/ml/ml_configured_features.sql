{#-
    Features a model's meta configures, in order: features.numeric +
    features.categorical (segments) or numeric_features +
    categorical_features (credit, churn). Names with an 'age' word are left
    out when the meta has allow_age_feature false, as credit_risk_scores.py
    does.
-#}
{% macro ml_configured_features(meta) %}
    {%- if meta.get('features') is mapping %}
        {%- set configured = meta['features'].get('numeric', []) + meta['features'].get('categorical', []) %}
    {%- else %}
        {%- set configured = meta.get('numeric_features', []) + meta.get('categorical_features', []) %}
    {%- endif %}
    {%- set kept = [] %}
    {%- for name in configured %}
        {%- if meta.get('allow_age_feature', true) or 'age' not in name.split('_') %}
            {%- do kept.append(name) %}
        {%- endif %}
    {%- endfor %}
    {{ return(kept) }}
{% endmacro %}
