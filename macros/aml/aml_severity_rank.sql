{#- Severity rank of an alert score: 3 high, 2 medium, 1 low (cut-offs from the rule's parameters). -#}
{% macro aml_severity_rank(score, medium_score, high_score) -%}
    case
        when {{ score }} >= {{ high_score }} then 3
        when {{ score }} >= {{ medium_score }} then 2
        else 1
    end
{%- endmacro %}
