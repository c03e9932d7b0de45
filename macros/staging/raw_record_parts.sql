{#-
    Parts for dbt.concat that spell a raw row as text,
    "col=value|col=value", with <null> for missing values. Used to hash a
    row (to find exact re-deliveries) and to show a quarantined row as it
    arrived. prefix is put before each column name (e.g. 'texts.').
-#}
{% macro raw_record_parts(columns, prefix) %}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- if not loop.first -%}{%- do parts.append("'|'") -%}{%- endif -%}
        {%- do parts.append("'" ~ column.name ~ "='") -%}
        {%- do parts.append("coalesce(" ~ prefix ~ column.name ~ ", '<null>')") -%}
    {%- endfor -%}
    {{ return(parts) }}
{% endmacro %}
