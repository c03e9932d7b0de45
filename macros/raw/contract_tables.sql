{#-
    The raw-data contract as seen by dbt: the source tables of this project
    with their contract meta (see _core_banking__sources.yml). Returns a list
    of dicts: source_name, name, required, primary_key, columns (list of
    dicts with name, data_type and every meta key).
-#}
{% macro contract_tables() %}
    {%- set tables = [] -%}
    {%- for node in graph.sources.values() | sort(attribute='unique_id') -%}
        {%- if node.package_name == project_name -%}
            {%- set table_meta = node.get('config', {}).get('meta', {}) or node.get('meta', {}) -%}
            {%- set columns = [] -%}
            {%- for column in node.columns.values() -%}
                {%- set column_meta = {} -%}
                {%- do column_meta.update(column.get('meta', {}) or {}) -%}
                {%- do column_meta.update(column.get('config', {}).get('meta', {}) or {}) -%}
                {%- do column_meta.update({'name': column.name, 'data_type': column.data_type}) -%}
                {%- do columns.append(column_meta) -%}
            {%- endfor -%}
            {%- do tables.append({
                'source_name': node.source_name,
                'name': node.name,
                'required': table_meta.get('required', false),
                'primary_key': table_meta.get('primary_key'),
                'columns': columns,
            }) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(tables) }}
{% endmacro %}
