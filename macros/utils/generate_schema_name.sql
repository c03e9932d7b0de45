{#-
    Schemas are named exactly as configured (staging, intermediate, marts,
    ml, quarantine, restricted), not prefixed with the target schema, so BI
    users and analysts find tables by stable names.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
