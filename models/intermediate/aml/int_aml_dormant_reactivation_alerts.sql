{#-
    Rule dormant_reactivation: an account holder silent for a long time
    suddenly moves large sums. An anchor is a customer-initiated transaction
    (channel not system, so interest and fees do not count as activity)
    coming at least dormant_days after the customer's previous one - or,
    with none, after the later of the customer's first account opening and
    the first transaction in the warehouse (dormancy must be observed) -
    where the customer-initiated flows in the rule's currency, in and out,
    from it through window_days later add up to at least min_flow_amount.
    Score: 50 x flows / min_flow_amount, capped at 100. The flow window
    looks forward, so an incremental run also rebuilds window_days back.
-#}

with

activity as (

    select
        transaction_id,
        customer_id,
        currency_code,
        counterparty_country,
        transaction_amount,
        transaction_date,
        transaction_at
    from {{ ref('int_aml_transactions') }}
    where is_customer_initiated

),

accounts as (

    select
        account_id,
        customer_id,
        opened_date
    from {{ ref('stg_core_banking__accounts') }}

),

all_transactions as (

    -- the dates of int_aml_transactions, without its join to the accounts
    -- for every column (an incremental enriched table can keep transactions
    -- of an account that has left staging)
    select enriched.transaction_date
    from {{ ref('int_transactions_enriched') }} as enriched
    where enriched.account_id in (select accounts.account_id from accounts)

),

parameter_versions as (

    {{ aml_parameter_versions(
        'dormant_reactivation',
        ['dormant_days', 'window_days', 'min_flow_amount', 'score_medium', 'score_high'],
        ['currency'],
    ) }}

),

scan_bounds as (

    select
        {{ aml_recompute_from(is_incremental(), '(select max(parameter_versions.window_days) from parameter_versions)') }}
            as recompute_from_date,
        max(parameter_versions.dormant_days) as read_back_days
    from parameter_versions

),

observation_start as (

    select
        cast({{ dbt.dateadd(
            'day', '-cast(scan_bounds.read_back_days as integer)', 'scan_bounds.recompute_from_date'
        ) }} as date) as scan_start_date,
        (select min(all_transactions.transaction_date) from all_transactions) as first_transaction_date
    from scan_bounds

),

customer_openings as (

    select
        accounts.customer_id,
        min(accounts.opened_date) as first_opened_date
    from accounts
    group by accounts.customer_id

),

scanned_activity as (

    select activity.*
    from activity
    cross join observation_start
    where activity.transaction_date >= observation_start.scan_start_date

),

prior_activity as (

    -- each customer's last activity before the weeks recomputed (none on a
    -- full build)
    select
        scanned_activity.customer_id,
        max(scanned_activity.transaction_at) as last_activity_at
    from scanned_activity
    cross join scan_bounds
    where scanned_activity.transaction_date < scan_bounds.recompute_from_date
    group by scanned_activity.customer_id

),

sequenced_activity as (

    -- only weeks from recompute_from_date (a Monday) are emitted, so only
    -- their transactions can anchor; the first one's previous activity is
    -- the last before them
    select
        scanned_activity.transaction_id,
        scanned_activity.customer_id,
        scanned_activity.transaction_date,
        scanned_activity.transaction_at,
        coalesce(
            lag(scanned_activity.transaction_at) over (
                partition by scanned_activity.customer_id
                order by scanned_activity.transaction_at, scanned_activity.transaction_id
            ),
            prior_activity.last_activity_at
        ) as previous_activity_at
    from scanned_activity
    cross join scan_bounds
    left join prior_activity
        on scanned_activity.customer_id = prior_activity.customer_id
    where scanned_activity.transaction_date >= scan_bounds.recompute_from_date

),

reactivations as (

    select
        sequenced_activity.transaction_id as anchor_transaction_id,
        sequenced_activity.customer_id,
        sequenced_activity.transaction_at as anchor_at,
        parameter_versions.parameter_version,
        parameter_versions.currency,
        parameter_versions.window_days,
        parameter_versions.min_flow_amount,
        parameter_versions.score_medium,
        parameter_versions.score_high
    from sequenced_activity
    inner join parameter_versions
        on
            sequenced_activity.transaction_date >= parameter_versions.valid_from_date
            and (
                parameter_versions.valid_to_date is null
                or sequenced_activity.transaction_date < parameter_versions.valid_to_date
            )
    cross join observation_start
    left join customer_openings
        on sequenced_activity.customer_id = customer_openings.customer_id
    where
        {{ dbt.datediff(
            'coalesce(cast(sequenced_activity.previous_activity_at as date), greatest(customer_openings.first_opened_date, observation_start.first_transaction_date, observation_start.scan_start_date))',
            'sequenced_activity.transaction_date',
            'day',
        ) }} >= parameter_versions.dormant_days

),

anchor_members as (

    select
        reactivations.anchor_transaction_id,
        scanned_activity.transaction_id,
        scanned_activity.transaction_amount,
        scanned_activity.counterparty_country,
        scanned_activity.transaction_at
    from reactivations
    inner join scanned_activity
        on
            reactivations.customer_id = scanned_activity.customer_id
            and reactivations.currency = scanned_activity.currency_code
            and reactivations.anchor_at <= scanned_activity.transaction_at
            and scanned_activity.transaction_at <= {{ dbt.dateadd(
                'day', 'cast(reactivations.window_days as integer)', 'reactivations.anchor_at'
            ) }}

),

flow_totals as (

    select
        anchor_members.anchor_transaction_id,
        sum(anchor_members.transaction_amount) as flow_amount
    from anchor_members
    group by anchor_members.anchor_transaction_id

),

qualifying_anchors as (

    select
        reactivations.anchor_transaction_id,
        reactivations.customer_id,
        reactivations.parameter_version,
        reactivations.anchor_at,
        least(100.0, 50.0 * flow_totals.flow_amount / reactivations.min_flow_amount) as score,
        {{ aml_severity_rank(
            'least(100.0, 50.0 * flow_totals.flow_amount / reactivations.min_flow_amount)',
            'reactivations.score_medium',
            'reactivations.score_high',
        ) }} as severity_rank
    from reactivations
    inner join flow_totals
        on reactivations.anchor_transaction_id = flow_totals.anchor_transaction_id
    where flow_totals.flow_amount >= reactivations.min_flow_amount

),

{{ aml_alerts_from_anchors('dormant_reactivation') }}

select * from alerts
