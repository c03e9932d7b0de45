{#-
    Rule large_cash_withdrawal: a cash withdrawal of at least min_amount (in
    the rule's currency) that is far above the customer's own cash
    withdrawals of the trailing history_days (the withdrawal itself
    excluded): robust z-score = (amount - median) / max(1.4826 x median
    absolute deviation, min_spread_amount) of at least robust_z_threshold.
    No history counts as median 0, so the floor alone decides. Score:
    10 x z, capped at 100. Incremental on alert_id.
-#}

with

cash_withdrawals as (

    select
        transaction_id,
        customer_id,
        currency_code,
        counterparty_country,
        transaction_amount,
        transaction_date,
        transaction_at
    from {{ ref('int_aml_transactions') }}
    where transaction_type = 'cash_withdrawal'

),

parameter_versions as (

    {{ aml_parameter_versions(
        'large_cash_withdrawal',
        ['min_amount', 'history_days', 'robust_z_threshold', 'min_spread_amount', 'score_medium', 'score_high'],
        ['currency'],
    ) }}

),

scan_bounds as (

    select
        {{ aml_recompute_from(is_incremental()) }} as recompute_from_date,
        max(parameter_versions.history_days) as read_back_days
    from parameter_versions

),

scanned_withdrawals as (

    select cash_withdrawals.*
    from cash_withdrawals
    cross join scan_bounds
    where
        cash_withdrawals.transaction_date
        >= cast({{ dbt.dateadd('day', '-cast(scan_bounds.read_back_days as integer)', 'scan_bounds.recompute_from_date') }} as date)

),

large_withdrawals as (

    select
        scanned_withdrawals.transaction_id as anchor_transaction_id,
        scanned_withdrawals.customer_id,
        scanned_withdrawals.currency_code,
        scanned_withdrawals.transaction_amount,
        scanned_withdrawals.transaction_at as anchor_at,
        parameter_versions.parameter_version,
        parameter_versions.history_days,
        parameter_versions.robust_z_threshold,
        parameter_versions.min_spread_amount,
        parameter_versions.score_medium,
        parameter_versions.score_high
    from scanned_withdrawals
    inner join parameter_versions
        on
            scanned_withdrawals.transaction_date >= parameter_versions.valid_from_date
            and (
                parameter_versions.valid_to_date is null
                or scanned_withdrawals.transaction_date < parameter_versions.valid_to_date
            )
    where
        scanned_withdrawals.currency_code = parameter_versions.currency
        and scanned_withdrawals.transaction_amount >= parameter_versions.min_amount

),

withdrawal_history as (

    select
        large_withdrawals.anchor_transaction_id,
        scanned_withdrawals.transaction_amount
    from large_withdrawals
    inner join scanned_withdrawals
        on
            large_withdrawals.customer_id = scanned_withdrawals.customer_id
            and large_withdrawals.currency_code = scanned_withdrawals.currency_code
            and large_withdrawals.anchor_at > scanned_withdrawals.transaction_at
            and scanned_withdrawals.transaction_at >= {{ dbt.dateadd(
                'day', '-cast(large_withdrawals.history_days as integer)', 'large_withdrawals.anchor_at'
            ) }}

),

history_medians as (

    select
        withdrawal_history.anchor_transaction_id,
        percentile_cont(0.5) within group (order by withdrawal_history.transaction_amount) as median_amount
    from withdrawal_history
    group by withdrawal_history.anchor_transaction_id

),

history_deviations as (

    select
        withdrawal_history.anchor_transaction_id,
        percentile_cont(0.5) within group (
            order by abs(withdrawal_history.transaction_amount - history_medians.median_amount)
        ) as median_absolute_deviation
    from withdrawal_history
    inner join history_medians
        on withdrawal_history.anchor_transaction_id = history_medians.anchor_transaction_id
    group by withdrawal_history.anchor_transaction_id

),

robust_scores as (

    select
        large_withdrawals.anchor_transaction_id,
        large_withdrawals.customer_id,
        large_withdrawals.parameter_version,
        large_withdrawals.anchor_at,
        large_withdrawals.robust_z_threshold,
        large_withdrawals.score_medium,
        large_withdrawals.score_high,
        (large_withdrawals.transaction_amount - coalesce(history_medians.median_amount, 0))
        / greatest(
            1.4826 * coalesce(history_deviations.median_absolute_deviation, 0),
            large_withdrawals.min_spread_amount
        ) as robust_z_score
    from large_withdrawals
    left join history_medians
        on large_withdrawals.anchor_transaction_id = history_medians.anchor_transaction_id
    left join history_deviations
        on large_withdrawals.anchor_transaction_id = history_deviations.anchor_transaction_id

),

qualifying_anchors as (

    select
        robust_scores.anchor_transaction_id,
        robust_scores.customer_id,
        robust_scores.parameter_version,
        robust_scores.anchor_at,
        least(100.0, 10.0 * robust_scores.robust_z_score) as score,
        {{ aml_severity_rank(
            'least(100.0, 10.0 * robust_scores.robust_z_score)',
            'robust_scores.score_medium',
            'robust_scores.score_high',
        ) }} as severity_rank
    from robust_scores
    where robust_scores.robust_z_score >= robust_scores.robust_z_threshold

),

anchor_members as (

    select
        large_withdrawals.anchor_transaction_id,
        large_withdrawals.anchor_transaction_id as transaction_id,
        large_withdrawals.transaction_amount,
        cast(null as {{ dbt.type_string() }}) as counterparty_country,
        large_withdrawals.anchor_at as transaction_at
    from large_withdrawals

),

{{ aml_alerts_from_anchors('large_cash_withdrawal') }}

select * from alerts
