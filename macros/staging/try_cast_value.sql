{#-
    Cast that yields null instead of failing. dbt.safe_cast is the portable
    macro, but dbt-duckdb does not override it, so on DuckDB it renders a
    plain cast that aborts the whole model on one bad value; DuckDB's
    try_cast is its safe cast. Other adapters fall back to dbt.safe_cast
    (try_cast on Spark, Trino and Snowflake).
-#}
{% macro try_cast_value(expression, data_type) %}
    {{- return(adapter.dispatch('try_cast_value', 'bankmine')(expression, data_type)) -}}
{% endmacro %}

{% macro default__try_cast_value(expression, data_type) -%}
    {{ dbt.safe_cast(expression, data_type) }}
{%- endmacro %}

{% macro duckdb__try_cast_value(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}
