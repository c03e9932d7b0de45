{#- Months as a customer as a band: under_1y, 1_3y, 3_5y, 5_10y, 10y_plus. -#}
{% macro tenure_band(tenure_months) -%}
    case
        when {{ tenure_months }} is null then 'unknown'
        when {{ tenure_months }} < 12 then 'under_1y'
        when {{ tenure_months }} < 36 then '1_3y'
        when {{ tenure_months }} < 60 then '3_5y'
        when {{ tenure_months }} < 120 then '5_10y'
        else '10y_plus'
    end
{%- endmacro %}
