{#-
    Phone number reduced to its last two characters (***-**-34); values
    shorter than six characters are fully masked. Null stays null.
-#}
{% macro mask_phone(column) -%}
    case
        when {{ column }} is null then null
        when {{ dbt.length(column) }} < 6 then '***'
        else {{ dbt.concat(["'***-**-'", dbt.right(column, 2)]) }}
    end
{%- endmacro %}
