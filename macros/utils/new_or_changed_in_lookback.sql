{#-
    Where-condition of an incremental model that mirrors transactions: the
    rows of `alias` dated within var incremental_lookback_days days before
    the newest transaction_date already loaded and not already loaded with
    the same content (transaction_id and row_hash); every row when nothing
    is loaded yet. Use only when the model is incremental.

    `column` is the row's date (a date) or, with is_timestamp, its time (a
    timestamp: a row is in the window from the bound's midnight). The bound
    is cast to the column's type so the comparison is a plain range on the
    column, which the database can push into its scan (a date compared with
    dbt.dateadd's timestamp is cast row by row and reads every row). The
    look-up of loaded rows is bounded the same way: row_hash covers every raw
    column, the time included, so a loaded row with the same content is
    inside the window too.
-#}
{% macro new_or_changed_in_lookback(alias, column, is_timestamp=false) -%}
    {%- set bound -%}
        (
            select
                cast(coalesce(
                    {{ dbt.dateadd('day', -var('incremental_lookback_days'), 'max(existing.transaction_date)') }},
                    cast('1900-01-01' as date)
                ) as date)
            from {{ this }} as existing
        )
    {%- endset -%}
    {{ column }} >= {{ 'cast(' ~ bound ~ ' as ' ~ dbt.type_timestamp() ~ ')' if is_timestamp else bound }}
    and not exists (
        select 1
        from {{ this }} as existing
        where
            existing.transaction_id = {{ alias }}.transaction_id
            and existing.row_hash = {{ alias }}.row_hash
            and existing.transaction_date >= {{ bound }}
    )
{%- endmacro %}
