{#-
    Completed years from start_date to end_date (an age): the calendar year
    difference, less one if the anniversary has not come yet in end_date's
    year. dbt.datediff alone counts year boundaries crossed.
-#}
{% macro whole_years_between(start_date, end_date) -%}
    (
        {{ dbt.datediff(start_date, end_date, 'year') }}
        - case
            when {{ dbt.dateadd('year', dbt.datediff(start_date, end_date, 'year'), start_date) }} > {{ end_date }}
                then 1
            else 0
        end
    )
{%- endmacro %}
