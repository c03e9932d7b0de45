{#-
    The last logical CTEs of every AML rule model: from its qualifying
    anchors to one alert per customer and alert week (the Monday of the
    anchor's date), then `select * from alerts`.
    The model must define CTEs
      - scan_bounds (recompute_from_date: first alert week to emit),
      - qualifying_anchors (anchor_transaction_id, customer_id,
        parameter_version, anchor_at, score, severity_rank), one row per
        transaction at which the rule's pattern is met,
      - anchor_members (anchor_transaction_id, transaction_id,
        transaction_amount, counterparty_country, transaction_at): the
        transactions that make up each anchor's pattern, the anchor included.
    An alert's window runs from its first to its last member transaction;
    its score, severity and parameter version are the highest of its anchors.
-#}
{% macro aml_alerts_from_anchors(rule_id) -%}
alert_anchors as (

    select
        qualifying_anchors.anchor_transaction_id,
        qualifying_anchors.customer_id,
        qualifying_anchors.parameter_version,
        qualifying_anchors.score,
        qualifying_anchors.severity_rank,
        cast({{ dbt.date_trunc('week', 'qualifying_anchors.anchor_at') }} as date) as alert_week_date
    from qualifying_anchors
    cross join scan_bounds
    where cast({{ dbt.date_trunc('week', 'qualifying_anchors.anchor_at') }} as date) >= scan_bounds.recompute_from_date

),

alert_members as (

    select distinct
        alert_anchors.customer_id,
        alert_anchors.alert_week_date,
        anchor_members.transaction_id,
        anchor_members.transaction_amount,
        anchor_members.counterparty_country,
        anchor_members.transaction_at
    from alert_anchors
    inner join anchor_members
        on alert_anchors.anchor_transaction_id = anchor_members.anchor_transaction_id

),

alert_evidence as (

    select
        alert_members.customer_id,
        alert_members.alert_week_date,
        count(*) as transaction_count,
        sum(alert_members.transaction_amount) as total_amount,
        min(alert_members.transaction_at) as window_start_at,
        max(alert_members.transaction_at) as window_end_at,
        {{ dbt.listagg(
            'alert_members.transaction_id',
            "', '",
            'order by alert_members.transaction_at, alert_members.transaction_id',
        ) }} as evidence_transaction_ids,
        {{ dbt.listagg(
            'cast(alert_members.transaction_amount as ' ~ dbt.type_string() ~ ')',
            "', '",
            'order by alert_members.transaction_at, alert_members.transaction_id',
        ) }} as evidence_amounts,
        {{ dbt.listagg(
            "coalesce(alert_members.counterparty_country, '-')",
            "', '",
            'order by alert_members.transaction_at, alert_members.transaction_id',
        ) }} as evidence_countries
    from alert_members
    group by
        alert_members.customer_id,
        alert_members.alert_week_date

),

alert_scores as (

    select
        alert_anchors.customer_id,
        alert_anchors.alert_week_date,
        max(alert_anchors.parameter_version) as parameter_version,
        max(alert_anchors.score) as score,
        max(alert_anchors.severity_rank) as severity_rank
    from alert_anchors
    group by
        alert_anchors.customer_id,
        alert_anchors.alert_week_date

),

alerts as (

    select
        {{ surrogate_key(["'" ~ rule_id ~ "'", 'alert_scores.customer_id', 'alert_scores.alert_week_date']) }}
            as alert_id,
        cast('{{ rule_id }}' as {{ dbt.type_string() }}) as rule_id,
        alert_scores.customer_id,
        alert_scores.parameter_version,
        alert_scores.alert_week_date,
        alert_evidence.window_start_at,
        alert_evidence.window_end_at,
        cast(alert_evidence.transaction_count as integer) as transaction_count,
        cast(alert_evidence.total_amount as decimal(18, 2)) as total_amount,
        cast(round(alert_scores.score, 1) as decimal(5, 1)) as score,
        case alert_scores.severity_rank
            when 3 then 'high'
            when 2 then 'medium'
            else 'low'
        end as severity,
        alert_evidence.evidence_transaction_ids,
        alert_evidence.evidence_amounts,
        alert_evidence.evidence_countries
    from alert_scores
    inner join alert_evidence
        on
            alert_scores.customer_id = alert_evidence.customer_id
            and alert_scores.alert_week_date = alert_evidence.alert_week_date

)
{%- endmacro %}
