{#-
    Select statement: one row per version of an AML rule's parameters
    (parameter_version, valid_from_date, valid_to_date) with each named
    parameter as a column, numbers cast to decimal(18, 4) (exact, so a threshold of 0.8 x 10000 is 8000), text parameters as text.
-#}
{% macro aml_parameter_versions(rule_id, number_parameters, text_parameters=[]) -%}
    select
        rule_parameters.parameter_version,
        rule_parameters.valid_from_date,
        rule_parameters.valid_to_date,
        {%- for parameter in text_parameters %}
        max(case when rule_parameters.parameter = '{{ parameter }}' then rule_parameters.parameter_value end)
            as {{ parameter }},
        {%- endfor %}
        {%- for parameter in number_parameters %}
        max(
            case
                when rule_parameters.parameter = '{{ parameter }}'
                    then cast(rule_parameters.parameter_value as decimal(18, 4))
            end
        ) as {{ parameter }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('int_aml_rule_parameters') }} as rule_parameters
    where rule_parameters.rule_id = '{{ rule_id }}'
    group by
        rule_parameters.parameter_version,
        rule_parameters.valid_from_date,
        rule_parameters.valid_to_date
{%- endmacro %}
