{#-
    Where-condition of an incremental model that mirrors transactions: the
    rows of `alias` dated within var incremental_lookback_days days before
    the newest transaction_date already loaded and not already loaded with
    the same content (transaction_id and row_hash); every row when nothing
    is loaded yet. Use only when the model is incremental.
-#}
{% macro new_or_changed_in_lookback(alias, date_expression) -%}
    {{ date_expression }} >= (
        select
            coalesce(
                {{ dbt.dateadd('day', -var('incremental_lookback_days'), 'max(existing.transaction_date)') }},
                cast('1900-01-01' as date)
            )
        from {{ this }} as existing
    )
    and not exists (
        select 1
        from {{ this }} as existing
        where
            existing.transaction_id = {{ alias }}.transaction_id
            and existing.row_hash = {{ alias }}.row_hash
    )
{%- endmacro %}
