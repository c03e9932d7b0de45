{#-
    Rule structuring: several cash deposits just under the cash reporting
    threshold within a short window. An anchor is a cash deposit at which the
    customer has, in the trailing window_days (anchor included),
    min_deposit_count or more cash deposits in the rule's currency of at
    least near_threshold_ratio x reporting_threshold_amount and below the
    threshold. Score: 100 x total of those deposits / (threshold x
    (min_deposit_count + 1)), capped at 100. Incremental on alert_id.
-#}

with

cash_deposits as (

    select
        transaction_id,
        customer_id,
        currency_code,
        counterparty_country,
        transaction_amount,
        transaction_date,
        transaction_at
    from {{ ref('int_aml_transactions') }}
    where transaction_type = 'cash_deposit'

),

parameter_versions as (

    {{ aml_parameter_versions(
        'structuring',
        ['reporting_threshold_amount', 'near_threshold_ratio', 'window_days', 'min_deposit_count',
         'score_medium', 'score_high'],
        ['currency'],
    ) }}

),

scan_bounds as (

    select
        {{ aml_recompute_from(is_incremental()) }} as recompute_from_date,
        max(parameter_versions.window_days) as read_back_days
    from parameter_versions

),

scanned_deposits as (

    select cash_deposits.*
    from cash_deposits
    cross join scan_bounds
    where
        cash_deposits.transaction_date
        >= cast({{ dbt.dateadd('day', '-cast(scan_bounds.read_back_days as integer)', 'scan_bounds.recompute_from_date') }} as date)

),

near_threshold_anchors as (

    select
        scanned_deposits.transaction_id as anchor_transaction_id,
        scanned_deposits.customer_id,
        scanned_deposits.transaction_at as anchor_at,
        parameter_versions.parameter_version,
        parameter_versions.currency,
        parameter_versions.reporting_threshold_amount,
        parameter_versions.near_threshold_ratio * parameter_versions.reporting_threshold_amount
            as near_threshold_amount,
        parameter_versions.window_days,
        parameter_versions.min_deposit_count,
        parameter_versions.score_medium,
        parameter_versions.score_high
    from scanned_deposits
    inner join parameter_versions
        on
            scanned_deposits.transaction_date >= parameter_versions.valid_from_date
            and (
                parameter_versions.valid_to_date is null
                or scanned_deposits.transaction_date < parameter_versions.valid_to_date
            )
    where
        scanned_deposits.currency_code = parameter_versions.currency
        and scanned_deposits.transaction_amount
        >= parameter_versions.near_threshold_ratio * parameter_versions.reporting_threshold_amount
        and scanned_deposits.transaction_amount < parameter_versions.reporting_threshold_amount

),

anchor_members as (

    select
        near_threshold_anchors.anchor_transaction_id,
        scanned_deposits.transaction_id,
        scanned_deposits.transaction_amount,
        scanned_deposits.counterparty_country,
        scanned_deposits.transaction_at
    from near_threshold_anchors
    inner join scanned_deposits
        on
            near_threshold_anchors.customer_id = scanned_deposits.customer_id
            and near_threshold_anchors.anchor_at >= scanned_deposits.transaction_at
            and scanned_deposits.transaction_at > {{ dbt.dateadd(
                'day', '-cast(near_threshold_anchors.window_days as integer)', 'near_threshold_anchors.anchor_at'
            ) }}
            and near_threshold_anchors.currency = scanned_deposits.currency_code
            and near_threshold_anchors.near_threshold_amount <= scanned_deposits.transaction_amount
            and near_threshold_anchors.reporting_threshold_amount > scanned_deposits.transaction_amount

),

anchor_totals as (

    select
        near_threshold_anchors.anchor_transaction_id,
        near_threshold_anchors.customer_id,
        near_threshold_anchors.anchor_at,
        near_threshold_anchors.parameter_version,
        near_threshold_anchors.min_deposit_count,
        least(
            100.0,
            100.0 * sum(anchor_members.transaction_amount) / (
                near_threshold_anchors.reporting_threshold_amount
                * (near_threshold_anchors.min_deposit_count + 1)
            )
        ) as score,
        near_threshold_anchors.score_medium,
        near_threshold_anchors.score_high,
        count(*) as deposit_count
    from near_threshold_anchors
    inner join anchor_members
        on near_threshold_anchors.anchor_transaction_id = anchor_members.anchor_transaction_id
    group by
        near_threshold_anchors.anchor_transaction_id,
        near_threshold_anchors.customer_id,
        near_threshold_anchors.anchor_at,
        near_threshold_anchors.parameter_version,
        near_threshold_anchors.min_deposit_count,
        near_threshold_anchors.reporting_threshold_amount,
        near_threshold_anchors.score_medium,
        near_threshold_anchors.score_high

),

qualifying_anchors as (

    select
        anchor_totals.anchor_transaction_id,
        anchor_totals.customer_id,
        anchor_totals.parameter_version,
        anchor_totals.anchor_at,
        anchor_totals.score,
        {{ aml_severity_rank('anchor_totals.score', 'anchor_totals.score_medium', 'anchor_totals.score_high') }}
            as severity_rank
    from anchor_totals
    where anchor_totals.deposit_count >= anchor_totals.min_deposit_count

),

{{ aml_alerts_from_anchors('structuring') }}

select * from alerts
