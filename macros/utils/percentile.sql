{#-
    Continuous percentile of a numeric expression within a group (ordered-set
    aggregate). DuckDB, Postgres and Spark 3.3+ accept the standard
    "within group" form; Trino needs approx_percentile, so the macro
    dispatches and a Trino project can override trino__percentile.
-#}
{% macro percentile(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile', 'bankmine')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro trino__percentile(expression, fraction) -%}
    approx_percentile({{ expression }}, {{ fraction }})
{%- endmacro %}
