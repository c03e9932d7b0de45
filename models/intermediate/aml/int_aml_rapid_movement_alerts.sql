{#-
    Rule rapid_movement: most of a large inflow leaves within a short time.
    An anchor is a single inflow (transfer in or cash deposit) of at least
    min_inflow_amount in the rule's currency after which the customer's
    outflows (transfers out, cash withdrawals, card payments, on any of the
    customer's accounts in that currency) within window_days add up to at
    least min_outflow_ratio of it. Outflows at the very second of the inflow
    are not counted (own-account sweeps post at the same time). Score:
    100 x outflow / inflow, capped at 100. The window looks forward, so an
    incremental run also rebuilds the weeks window_days back.
-#}

with

flows as (

    select
        transaction_id,
        customer_id,
        direction,
        transaction_type,
        currency_code,
        counterparty_country,
        transaction_amount,
        transaction_date,
        transaction_at
    from {{ ref('int_aml_transactions') }}
    where transaction_type in ('transfer_in', 'cash_deposit', 'transfer_out', 'cash_withdrawal', 'card_payment')

),

parameter_versions as (

    {{ aml_parameter_versions(
        'rapid_movement',
        ['min_inflow_amount', 'window_days', 'min_outflow_ratio', 'score_medium', 'score_high'],
        ['currency'],
    ) }}

),

scan_bounds as (

    select
        {{ aml_recompute_from(is_incremental(), '(select max(parameter_versions.window_days) from parameter_versions)') }}
            as recompute_from_date

),

scanned_flows as (

    select flows.*
    from flows
    cross join scan_bounds
    where flows.transaction_date >= scan_bounds.recompute_from_date

),

large_inflows as (

    select
        scanned_flows.transaction_id as anchor_transaction_id,
        scanned_flows.customer_id,
        scanned_flows.currency_code,
        scanned_flows.counterparty_country,
        scanned_flows.transaction_amount,
        scanned_flows.transaction_at as anchor_at,
        parameter_versions.parameter_version,
        parameter_versions.window_days,
        parameter_versions.min_outflow_ratio,
        parameter_versions.score_medium,
        parameter_versions.score_high
    from scanned_flows
    inner join parameter_versions
        on
            scanned_flows.transaction_date >= parameter_versions.valid_from_date
            and (
                parameter_versions.valid_to_date is null
                or scanned_flows.transaction_date < parameter_versions.valid_to_date
            )
    where
        scanned_flows.direction = 'credit'
        and scanned_flows.transaction_type in ('transfer_in', 'cash_deposit')
        and scanned_flows.currency_code = parameter_versions.currency
        and scanned_flows.transaction_amount >= parameter_versions.min_inflow_amount

),

following_outflows as (

    select
        large_inflows.anchor_transaction_id,
        scanned_flows.transaction_id,
        scanned_flows.transaction_amount,
        scanned_flows.counterparty_country,
        scanned_flows.transaction_at
    from large_inflows
    inner join scanned_flows
        on
            large_inflows.customer_id = scanned_flows.customer_id
            and large_inflows.currency_code = scanned_flows.currency_code
            and scanned_flows.direction = 'debit'
            and scanned_flows.transaction_type in ('transfer_out', 'cash_withdrawal', 'card_payment')
            and large_inflows.anchor_at < scanned_flows.transaction_at
            and scanned_flows.transaction_at <= {{ dbt.dateadd(
                'day', 'cast(large_inflows.window_days as integer)', 'large_inflows.anchor_at'
            ) }}

),

outflow_totals as (

    select
        following_outflows.anchor_transaction_id,
        sum(following_outflows.transaction_amount) as outflow_amount
    from following_outflows
    group by following_outflows.anchor_transaction_id

),

qualifying_anchors as (

    select
        large_inflows.anchor_transaction_id,
        large_inflows.customer_id,
        large_inflows.parameter_version,
        large_inflows.anchor_at,
        least(100.0, 100.0 * outflow_totals.outflow_amount / large_inflows.transaction_amount) as score,
        {{ aml_severity_rank(
            'least(100.0, 100.0 * outflow_totals.outflow_amount / large_inflows.transaction_amount)',
            'large_inflows.score_medium',
            'large_inflows.score_high',
        ) }} as severity_rank
    from large_inflows
    inner join outflow_totals
        on large_inflows.anchor_transaction_id = outflow_totals.anchor_transaction_id
    where outflow_totals.outflow_amount >= large_inflows.min_outflow_ratio * large_inflows.transaction_amount

),

anchor_members as (

    select
        large_inflows.anchor_transaction_id,
        large_inflows.anchor_transaction_id as transaction_id,
        large_inflows.transaction_amount,
        large_inflows.counterparty_country,
        large_inflows.anchor_at as transaction_at
    from large_inflows

    union all

    select
        following_outflows.anchor_transaction_id,
        following_outflows.transaction_id,
        following_outflows.transaction_amount,
        following_outflows.counterparty_country,
        following_outflows.transaction_at
    from following_outflows

),

{{ aml_alerts_from_anchors('rapid_movement') }}

select * from alerts
