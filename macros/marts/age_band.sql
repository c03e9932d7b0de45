{#- Age in whole years as a band: under_18, 18_24, 25_34, 35_44, 45_54, 55_64, 65_plus, unknown. -#}
{% macro age_band(age_years) -%}
    case
        when {{ age_years }} is null then 'unknown'
        when {{ age_years }} < 18 then 'under_18'
        when {{ age_years }} < 25 then '18_24'
        when {{ age_years }} < 35 then '25_34'
        when {{ age_years }} < 45 then '35_44'
        when {{ age_years }} < 55 then '45_54'
        when {{ age_years }} < 65 then '55_64'
        else '65_plus'
    end
{%- endmacro %}
