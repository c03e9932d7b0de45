{#- A list of strings as a SQL list literal: ['a', 'b']. Quotes are doubled. -#}
{% macro sql_list(values) -%}
    [{% for value in values %}'{{ value | replace("'", "''") }}'{% if not loop.last %}, {% endif %}{% endfor %}]
{%- endmacro %}
