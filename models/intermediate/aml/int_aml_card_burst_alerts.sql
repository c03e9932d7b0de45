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
        scanned_payments.transaction_date as anchor_date,
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

{#
    The days a window can touch: 0 (the anchor's day) to the longest window
    in days, rounded up. Members are joined on customer and day, then on the
    exact time, so a customer's payments are compared only with those of
    the same or nearby days, not with all of the history.
#}
window_day_offsets as (

    {{ aml_window_day_offsets(
        'select max(floor(parameter_versions.window_minutes / 1440.0)) + 1 from parameter_versions'
    ) }}

),

anchor_days as (

    select
        payment_anchors.anchor_transaction_id,
        payment_anchors.customer_id,
        payment_anchors.anchor_at,
        payment_anchors.window_start_at,
        payment_anchors.history_days,
        cast({{ dbt.dateadd('day', '-window_day_offsets.day_offset', 'payment_anchors.anchor_date') }} as date)
            as member_date
    from payment_anchors
    cross join window_day_offsets

),

{#
    A category is usual for a window when the customer paid at it in the
    history_days before the window start. The latest such payment is the
    one before the window's first payment at that category, so each payment
    carries the time of the previous one at its category, and the window's
    members of a category check that one time instead of the history.
#}
payment_history as (

    select
        scanned_payments.*,
        lag(scanned_payments.transaction_at) over (
            partition by scanned_payments.customer_id, scanned_payments.merchant_category
            order by scanned_payments.transaction_at, scanned_payments.transaction_id
        ) as previous_category_payment_at
    from scanned_payments

),

window_payments as (

    select
        anchor_days.anchor_transaction_id,
        payment_history.transaction_id,
        payment_history.transaction_amount,
        payment_history.counterparty_country,
        payment_history.transaction_at,
        payment_history.merchant_category,
        payment_history.is_cross_border,
        case
            when
                payment_history.merchant_category is not null
                and payment_history.previous_category_payment_at <= anchor_days.window_start_at
                and payment_history.previous_category_payment_at > {{ dbt.dateadd(
                    'day', '-cast(anchor_days.history_days as integer)', 'anchor_days.window_start_at'
                ) }}
                then 1
            else 0
        end as follows_history_payment
    from anchor_days
    inner join payment_history
        on
            anchor_days.customer_id = payment_history.customer_id
            and anchor_days.member_date = payment_history.transaction_date
    where
        anchor_days.anchor_at >= payment_history.transaction_at
        and anchor_days.window_start_at < payment_history.transaction_at

),

anchor_members as (

    select
        window_payments.anchor_transaction_id,
        window_payments.transaction_id,
        window_payments.transaction_amount,
        window_payments.counterparty_country,
        window_payments.transaction_at,
        (
            window_payments.is_cross_border
            or max(window_payments.follows_history_payment) over (
                partition by window_payments.anchor_transaction_id, window_payments.merchant_category
            ) = 0
        ) as is_unusual
    from window_payments

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
