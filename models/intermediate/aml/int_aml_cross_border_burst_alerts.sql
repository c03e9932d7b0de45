{#-
    Rule cross_border_burst: a burst of cross-border transfers (in or out;
    counterparty country known and not var bank_country_code). An anchor is a
    cross-border transfer at which the customer has, in the trailing
    window_days (anchor included), at least min_transfer_count such transfers
    whose risk-weighted count (weight_standard, weight_elevated or
    weight_high by the country's level in seed country_risk) reaches
    min_weighted_count. Score: 100 x weighted count / (2 x
    min_weighted_count), capped at 100. Incremental on alert_id.
-#}

with

cross_border_transfers as (

    select
        transaction_id,
        customer_id,
        counterparty_country,
        country_risk_level,
        transaction_amount,
        transaction_date,
        transaction_at
    from {{ ref('int_aml_transactions') }}
    where
        transaction_type in ('transfer_in', 'transfer_out')
        and is_cross_border

),

parameter_versions as (

    {{ aml_parameter_versions(
        'cross_border_burst',
        ['window_days', 'min_transfer_count', 'min_weighted_count', 'weight_standard', 'weight_elevated',
         'weight_high', 'score_medium', 'score_high'],
    ) }}

),

scan_bounds as (

    select
        {{ aml_recompute_from(is_incremental()) }} as recompute_from_date,
        max(parameter_versions.window_days) as read_back_days
    from parameter_versions

),

scanned_transfers as (

    select cross_border_transfers.*
    from cross_border_transfers
    cross join scan_bounds
    where
        cross_border_transfers.transaction_date
        >= cast({{ dbt.dateadd('day', '-cast(scan_bounds.read_back_days as integer)', 'scan_bounds.recompute_from_date') }} as date)

),

transfer_anchors as (

    select
        scanned_transfers.transaction_id as anchor_transaction_id,
        scanned_transfers.customer_id,
        scanned_transfers.transaction_date as anchor_date,
        scanned_transfers.transaction_at as anchor_at,
        parameter_versions.parameter_version,
        parameter_versions.window_days,
        parameter_versions.min_transfer_count,
        parameter_versions.min_weighted_count,
        parameter_versions.weight_standard,
        parameter_versions.weight_elevated,
        parameter_versions.weight_high,
        parameter_versions.score_medium,
        parameter_versions.score_high
    from scanned_transfers
    inner join parameter_versions
        on
            scanned_transfers.transaction_date >= parameter_versions.valid_from_date
            and (
                parameter_versions.valid_to_date is null
                or scanned_transfers.transaction_date < parameter_versions.valid_to_date
            )

),

{#
    The days a window can touch: 0 (the anchor's day) to the longest
    window_days. Members are joined on customer and day, then on the exact
    time, so a customer's transfers are compared only with those of the
    window's days, not with all of the history.
#}
window_day_offsets as (

    {{ aml_window_day_offsets('select ceil(max(parameter_versions.window_days)) from parameter_versions') }}

),

anchor_days as (

    select
        transfer_anchors.anchor_transaction_id,
        transfer_anchors.customer_id,
        transfer_anchors.anchor_at,
        transfer_anchors.window_days,
        transfer_anchors.weight_standard,
        transfer_anchors.weight_elevated,
        transfer_anchors.weight_high,
        cast({{ dbt.dateadd('day', '-window_day_offsets.day_offset', 'transfer_anchors.anchor_date') }} as date)
            as member_date
    from transfer_anchors
    cross join window_day_offsets

),

anchor_members as (

    select
        anchor_days.anchor_transaction_id,
        scanned_transfers.transaction_id,
        scanned_transfers.transaction_amount,
        scanned_transfers.counterparty_country,
        scanned_transfers.transaction_at,
        case scanned_transfers.country_risk_level
            when 'high' then anchor_days.weight_high
            when 'elevated' then anchor_days.weight_elevated
            else anchor_days.weight_standard
        end as risk_weight
    from anchor_days
    inner join scanned_transfers
        on
            anchor_days.customer_id = scanned_transfers.customer_id
            and anchor_days.member_date = scanned_transfers.transaction_date
    where
        anchor_days.anchor_at >= scanned_transfers.transaction_at
        and scanned_transfers.transaction_at > {{ dbt.dateadd(
            'day', '-cast(anchor_days.window_days as integer)', 'anchor_days.anchor_at'
        ) }}

),

anchor_totals as (

    select
        transfer_anchors.anchor_transaction_id,
        transfer_anchors.customer_id,
        transfer_anchors.parameter_version,
        transfer_anchors.anchor_at,
        transfer_anchors.min_transfer_count,
        transfer_anchors.min_weighted_count,
        transfer_anchors.score_medium,
        transfer_anchors.score_high,
        count(*) as transfer_count,
        sum(anchor_members.risk_weight) as weighted_count
    from transfer_anchors
    inner join anchor_members
        on transfer_anchors.anchor_transaction_id = anchor_members.anchor_transaction_id
    group by
        transfer_anchors.anchor_transaction_id,
        transfer_anchors.customer_id,
        transfer_anchors.parameter_version,
        transfer_anchors.anchor_at,
        transfer_anchors.min_transfer_count,
        transfer_anchors.min_weighted_count,
        transfer_anchors.score_medium,
        transfer_anchors.score_high

),

qualifying_anchors as (

    select
        anchor_totals.anchor_transaction_id,
        anchor_totals.customer_id,
        anchor_totals.parameter_version,
        anchor_totals.anchor_at,
        least(100.0, 100.0 * anchor_totals.weighted_count / (2 * anchor_totals.min_weighted_count)) as score,
        {{ aml_severity_rank(
            'least(100.0, 100.0 * anchor_totals.weighted_count / (2 * anchor_totals.min_weighted_count))',
            'anchor_totals.score_medium',
            'anchor_totals.score_high',
        ) }} as severity_rank
    from anchor_totals
    where
        anchor_totals.transfer_count >= anchor_totals.min_transfer_count
        and anchor_totals.weighted_count >= anchor_totals.min_weighted_count

),

{{ aml_alerts_from_anchors('cross_border_burst') }}

select * from alerts
