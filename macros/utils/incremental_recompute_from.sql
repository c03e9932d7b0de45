{#-
    Select statement with one column, recompute_from (a date): the first
    period an incremental model rebuilds. Incremental run: the start of the
    `datepart` period (week: Monday; month: the 1st) holding the latest
    period already built minus var incremental_lookback_days days, so late
    rows within the look-back and the still-open period are rebuilt.
    Full build, or nothing built yet: 1900-01-01. The model passes
    is_incremental() (so unit tests can override it).
-#}
{% macro incremental_recompute_from(incremental, datepart, period_column) -%}
    {%- if incremental %}
    select
        coalesce(
            cast({{ dbt.date_trunc(datepart, dbt.dateadd(
                'day', -var('incremental_lookback_days'), 'max(existing.' ~ period_column ~ ')'
            )) }} as date),
            cast('1900-01-01' as date)
        ) as recompute_from
    from {{ this }} as existing
    {%- else %}
    select cast('1900-01-01' as date) as recompute_from
    {%- endif %}
{%- endmacro %}
