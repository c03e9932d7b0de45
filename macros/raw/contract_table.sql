{#- One table of the raw-data contract (see contract_tables). -#}
{% macro contract_table(source_name, table_name) %}
    {%- for table in contract_tables() -%}
        {%- if table.source_name == source_name and table.name == table_name -%}
            {{ return(table) }}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(
        "No contract table " ~ source_name ~ "." ~ table_name ~ " in the sources YAML"
    ) }}
{% endmacro %}
