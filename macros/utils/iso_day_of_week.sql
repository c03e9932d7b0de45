{#-
    ISO day of the week of a date or timestamp: 1 = Monday ... 7 = Sunday.
    Standard extract(isodow) in DuckDB and Postgres; dispatched for engines
    that spell it differently.
-#}
{% macro iso_day_of_week(expression) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'bankmine')(expression)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(expression) -%}
    cast(extract(isodow from {{ expression }}) as integer)
{%- endmacro %}

{% macro spark__iso_day_of_week(expression) -%}
    cast(((dayofweek({{ expression }}) + 5) % 7) + 1 as integer)
{%- endmacro %}

{% macro trino__iso_day_of_week(expression) -%}
    cast(day_of_week({{ expression }}) as integer)
{%- endmacro %}
