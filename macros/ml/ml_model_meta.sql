{#- The YAML meta of a project model, read from the dbt graph ({} at parse time or when absent). -#}
{% macro ml_model_meta(model_name) %}
    {%- set found = namespace(meta={}) %}
    {%- if execute %}
        {%- for node in graph.nodes.values() %}
            {%- if node.resource_type == 'model' and node.name == model_name %}
                {%- set found.meta = node.config.meta %}
            {%- endif %}
        {%- endfor %}
    {%- endif %}
    {{ return(found.meta) }}
{% endmacro %}
