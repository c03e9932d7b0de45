{#- Alerts of every AML rule model (and of the anomaly score), one row per alert, with the natural customer id (kept out of marts). -#}
with

{%- set rule_models = [
    'int_aml_structuring_alerts',
    'int_aml_large_cash_withdrawal_alerts',
    'int_aml_rapid_movement_alerts',
    'int_aml_cross_border_burst_alerts',
    'int_aml_dormant_reactivation_alerts',
    'int_aml_card_burst_alerts',
    'int_aml_anomaly_alerts',
] %}

{% for rule_model in rule_models %}
{{ rule_model }} as (

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
    from {{ ref(rule_model) }}

),
{% endfor %}

unioned as (
    {% for rule_model in rule_models %}
    select * from {{ rule_model }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {% endfor %}
)

select * from unioned
