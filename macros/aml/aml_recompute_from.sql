{#-
    First alert week an AML rule model recomputes, as a SQL date expression.
    Full build: 1900-01-01 (everything). Incremental build: the Monday of the
    week holding (latest alert window end - var incremental_lookback_days -
    forward_days), so weeks that late rows or still-open forward windows can
    change are rebuilt whole and merged on alert_id; earlier weeks are kept.
    The latest alert never ends after the latest transaction already read, so
    this never skips a transaction that a previous run did not see (except
    rows later than the look-back, as for fct_transactions).
    The model passes is_incremental() (so unit tests can override it).
-#}
{% macro aml_recompute_from(incremental, forward_days='0') -%}
    {%- if incremental -%}
        coalesce(
            (
                select
                    cast({{ dbt.date_trunc('week', dbt.dateadd(
                        'day',
                        '-(' ~ var('incremental_lookback_days') ~ ' + ' ~ forward_days ~ ')',
                        'cast(max(existing.window_end_at) as date)',
                    )) }} as date)
                from {{ this }} as existing
            ),
            cast('1900-01-01' as date)
        )
    {%- else -%}
        cast('1900-01-01' as date)
    {%- endif -%}
{%- endmacro %}
