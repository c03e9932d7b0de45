{#-
    The longest window, in days, a rule joining its window members by day
    covers (aml_window_day_offsets); a longer one fails the test
    aml_windows_within_day_offsets (which lists the rules using the macro)
    instead of missing members silently.
-#}
{% macro aml_max_window_days() -%}
    {{ return(3660) }}
{%- endmacro %}

{#-
    Select statement of day_offset 0 (the anchor's day) to the SQL
    expression longest_window_days (at most aml_max_window_days()): the days
    an anchor's trailing window can touch. A rule joins each anchor to its
    members on customer and anchor day minus day_offset, then on the exact
    time, so an anchor meets the transactions of its window's days only, not
    every transaction of its customer.
-#}
{% macro aml_window_day_offsets(longest_window_days) -%}
    select series.generated_number - 1 as day_offset
    from ({{ dbt.generate_series(aml_max_window_days() + 1) }}) as series
    where series.generated_number - 1 <= ({{ longest_window_days }})
{%- endmacro %}
