{#- Annual income as a band: under_25k, 25k_50k, 50k_100k, 100k_250k, 250k_plus, unknown. -#}
{% macro income_band(income_amount) -%}
    case
        when {{ income_amount }} is null then 'unknown'
        when {{ income_amount }} < 25000 then 'under_25k'
        when {{ income_amount }} < 50000 then '25k_50k'
        when {{ income_amount }} < 100000 then '50k_100k'
        when {{ income_amount }} < 250000 then '100k_250k'
        else '250k_plus'
    end
{%- endmacro %}
