{#-
    One row per AML alert raised by the rule models (int_aml_*_alerts):
    customer (pseudonymised), rule, window, score, severity, evidence and
    the parameter version used. Incremental: merges only alerts that are new
    or whose content changed (alert_hash), so loaded_at shows when an alert
    was last written. The rule models themselves recompute only the recent
    weeks (aml_recompute_from). Alerts are never withdrawn by a run: once
    raised, an alert is closed by review, not by new data.
-#}

with

alerts as (

    select
        alert_id,
        rule_id,
        customer_id,
        parameter_version,
        alert_week_date,
        window_start_at,
        window_end_at,
        transaction_count,
        total_amount,
        score,
        severity,
        evidence_transaction_ids,
        evidence_amounts,
        evidence_countries
    from {{ ref('int_aml_alerts') }}

),

hashed_alerts as (

    select
        alerts.*,
        {{ surrogate_key([
            'alerts.parameter_version', 'alerts.window_start_at', 'alerts.window_end_at', 'alerts.score',
            'alerts.severity', 'alerts.evidence_transaction_ids', 'alerts.evidence_amounts',
        ]) }} as alert_hash
    from alerts

),

new_or_changed as (

    select hashed_alerts.*
    from hashed_alerts
    {%- if is_incremental() %}
    where not exists (
        select 1
        from {{ this }} as existing
        where
            existing.alert_id = hashed_alerts.alert_id
            and existing.alert_hash = hashed_alerts.alert_hash
    )
    {%- endif %}

),

final as (

    select
        new_or_changed.alert_id,
        {{ pseudonymise('new_or_changed.customer_id') }} as customer_key,
        new_or_changed.rule_id,
        new_or_changed.parameter_version,
        new_or_changed.alert_week_date,
        new_or_changed.window_start_at,
        new_or_changed.window_end_at,
        new_or_changed.transaction_count,
        new_or_changed.total_amount,
        new_or_changed.score,
        new_or_changed.severity,
        new_or_changed.evidence_transaction_ids,
        new_or_changed.evidence_amounts,
        new_or_changed.evidence_countries,
        cast('new' as {{ dbt.type_string() }}) as status,
        new_or_changed.alert_hash,
        {{ dbt.cast("'" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "'", api.Column.translate_type('timestamp')) }}
            as loaded_at
    from new_or_changed

)

select * from final
