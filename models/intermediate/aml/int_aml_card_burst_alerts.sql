{#-
    Rule card_burst: card-fraud-like bursts. An anchor is a card payment at
    which the customer has, in the trailing window_minutes (anchor
    included), at least min_payment_count card payments of which at least
    min_unusual_count are unusual: abroad (counterparty country not var
    bank_country_code) or at a merchant category the customer did not pay
    at in the history_days before the window. Score: 10 x payments + 5 x
    unusual payments, capped at 100. Incremental on alert_id.
-#}

with

card_payments as (

    select
        transaction_id,
        customer_id,
        merchant_category,
        counterparty_country,
        is_cross_border,
        transaction_amount,
        transaction_date,
        transaction_at
    from {{ ref('int_aml_transactions') }}
    where transaction_type = 'card_payment'

),

parameter_versions as (

    {{ aml_parameter_versions(
        'card_burst',
        ['window_minutes', 'min_payment_count', 'min_unusual_count', 'history_days', 'score_medium',
         'score_high'],
    ) }}

),

scan_bounds as (

    select
        {{ aml_recompute_from(is_incremental()) }} as recompute_from_date,
        max(parameter_versions.history_days) + 1 as read_back_days
    from parameter_versions

),

scanned_payments as (

    select card_payments.*
    from card_payments
    cross join scan_bounds
    where
        card_payments.transaction_date
        >= cast({{ dbt.dateadd('day', '-cast(scan_bounds.read_back_days as integer)', 'scan_bounds.recompute_from_date') }} as date)

),

payment_anchors as (

    select
        scanned_payments.transaction_id as anchor_transaction_id,
        scanned_payments.customer_id,
        scanned_payments.transaction_at as anchor_at,
        {{ dbt.dateadd(
            'minute', '-cast(parameter_versions.window_minutes as integer)', 'scanned_payments.transaction_at'
        ) }} as window_start_at,
        parameter_versions.parameter_version,
        parameter_versions.history_days,
        parameter_versions.min_payment_count,
        parameter_versions.min_unusual_count,
        parameter_versions.score_medium,
        parameter_versions.score_high
    from scanned_payments
    inner join parameter_versions
        on
            scanned_payments.transaction_date >= parameter_versions.valid_from_date
            and (
                parameter_versions.valid_to_date is null
                or scanned_payments.transaction_date < parameter_versions.valid_to_date
            )
    cross join scan_bounds
    -- only weeks from recompute_from_date (a Monday) are emitted; the
    -- payments before it are history and window members, not anchors
    where scanned_payments.transaction_date >= scan_bounds.recompute_from_date

),

anchor_members as (

    select
        payment_anchors.anchor_transaction_id,
        scanned_payments.transaction_id,
        scanned_payments.transaction_amount,
        scanned_payments.counterparty_country,
        scanned_payments.transaction_at,
        (
            scanned_payments.is_cross_border
            or not exists (
                select 1
                from scanned_payments as history_payments
                where
                    history_payments.customer_id = payment_anchors.customer_id
                    and history_payments.merchant_category = scanned_payments.merchant_category
                    and history_payments.transaction_at <= payment_anchors.window_start_at
                    and history_payments.transaction_at > {{ dbt.dateadd(
                        'day', '-cast(payment_anchors.history_days as integer)', 'payment_anchors.window_start_at'
                    ) }}
            )
        ) as is_unusual
    from payment_anchors
    inner join scanned_payments
        on
            payment_anchors.customer_id = scanned_payments.customer_id
            and payment_anchors.anchor_at >= scanned_payments.transaction_at
            and payment_anchors.window_start_at < scanned_payments.transaction_at

),

anchor_totals as (

    select
        payment_anchors.anchor_transaction_id,
        payment_anchors.customer_id,
        payment_anchors.parameter_version,
        payment_anchors.anchor_at,
        payment_anchors.min_payment_count,
        payment_anchors.min_unusual_count,
        payment_anchors.score_medium,
        payment_anchors.score_high,
        count(*) as payment_count,
        sum(case when anchor_members.is_unusual then 1 else 0 end) as unusual_count
    from payment_anchors
    inner join anchor_members
        on payment_anchors.anchor_transaction_id = anchor_members.anchor_transaction_id
    group by
        payment_anchors.anchor_transaction_id,
        payment_anchors.customer_id,
        payment_anchors.parameter_version,
        payment_anchors.anchor_at,
        payment_anchors.min_payment_count,
        payment_anchors.min_unusual_count,
        payment_anchors.score_medium,
        payment_anchors.score_high

),

qualifying_anchors as (

    select
        anchor_totals.anchor_transaction_id,
        anchor_totals.customer_id,
        anchor_totals.parameter_version,
        anchor_totals.anchor_at,
        least(100.0, 10.0 * anchor_totals.payment_count + 5.0 * anchor_totals.unusual_count) as score,
        {{ aml_severity_rank(
            'least(100.0, 10.0 * anchor_totals.payment_count + 5.0 * anchor_totals.unusual_count)',
            'anchor_totals.score_medium',
            'anchor_totals.score_high',
        ) }} as severity_rank
    from anchor_totals
    where
        anchor_totals.payment_count >= anchor_totals.min_payment_count
        and anchor_totals.unusual_count >= anchor_totals.min_unusual_count

),

{{ aml_alerts_from_anchors('card_burst') }}

select * from alerts
