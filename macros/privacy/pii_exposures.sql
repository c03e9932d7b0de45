{#-
    Columns of models in schema marts that carry personal data unmasked: a
    column named like a column tagged pii anywhere in the project, or tagged
    pii in the mart's own YAML without also being tagged masked. Reads the
    built relations, so undeclared columns are caught too. Returns a list of
    (model name, column name, problem).
-#}
{% macro pii_exposures(schema_name='marts') %}
{%- set pii_names = [] -%}
{%- set violations = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() | list + graph.sources.values() | list -%}
        {%- for column in node.get('columns', {}).values() -%}
            {%- set meta = {} -%}
            {%- do meta.update(column.get('meta', {}) or {}) -%}
            {%- do meta.update(column.get('config', {}).get('meta', {}) or {}) -%}
            {%- if meta.get('pii') and column.name | lower not in pii_names -%}
                {%- do pii_names.append(column.name | lower) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.schema == schema_name and node.package_name == project_name -%}
        {%- set declared = {} -%}
        {%- for column in node.columns.values() -%}
            {%- set meta = {} -%}
            {%- do meta.update(column.get('meta', {}) or {}) -%}
            {%- do meta.update(column.get('config', {}).get('meta', {}) or {}) -%}
            {%- do declared.update({column.name | lower: meta}) -%}
        {%- endfor -%}
        {%- set relation = adapter.get_relation(node.database, node.schema, node.alias) -%}
        {%- if relation is not none -%}
            {%- for column in adapter.get_columns_in_relation(relation) -%}
                {%- set name = column.name | lower -%}
                {%- set meta = declared.get(name, {}) -%}
                {%- if name in pii_names and not meta.get('masked') -%}
                    {%- do violations.append((node.name, name, 'same name as a pii column')) -%}
                {%- elif meta.get('pii') and not meta.get('masked') -%}
                    {%- do violations.append((node.name, name, 'tagged pii, not masked')) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}

    {{ return(violations) }}
{% endmacro %}
