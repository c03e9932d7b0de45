{#-
    E-mail with the local part hidden but its first character and the
    domain kept (j***@example.com): enough to recognise a channel, not a
    person. Null stays null; text without '@' is fully masked.
-#}
{% macro mask_email(column) -%}
    case
        when {{ column }} is null then null
        when {{ dbt.position("'@'", column) }} > 1
            then {{ dbt.concat([
                "substring(" ~ column ~ ", 1, 1)",
                "'***'",
                "substring(" ~ column ~ ", " ~ dbt.position("'@'", column) ~ ")",
            ]) }}
        else '***'
    end
{%- endmacro %}
