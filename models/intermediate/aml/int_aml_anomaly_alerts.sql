{#-
    Rule anomaly_score: the customer-weeks of transaction_anomaly_scores with
    the highest anomaly scores (ranked here, ties by key), as alerts in the
    shape of the rule alerts. The model flags anomalous_share of
    customer-weeks for review (its own meta); the alerts_per_100000_weeks
    parameter here (a far smaller share of all scored customer-weeks,
    highest score first, ties by key) decides how many reach an
    investigator. Only the weeks scoring at least the lowest is_anomalous
    score are ranked when enough weeks are flagged (rank_floor): the same
    ranks, without sorting every customer-week. Window and evidence: the
    customer's customer-initiated transactions of the ISO week; the anchor is the week's largest. Score:
    100 x anomaly score; severity from score_medium and score_high. A full
    build fits a new forest, and a daily run fits one when the stored one is
    due (var anomaly_refit_after_days), so a week's score can move between
    runs: an alert already raised stays (fct_aml_alerts never withdraws
    one), and an incremental run only emits the weeks it recomputes.
-#}

with

scored_weeks as (

    select count(*) as week_count from {{ ref('transaction_anomaly_scores') }}

),

parameter_versions as (

    {{ aml_parameter_versions('anomaly_score', ['alerts_per_100000_weeks', 'score_medium', 'score_high']) }}

),

alert_quota as (

    -- the most weeks any parameter version lets alert
    select ceil(max(parameter_versions.alerts_per_100000_weeks) * max(scored_weeks.week_count) / 100000.0) as max_alerted_weeks
    from parameter_versions
    cross join scored_weeks

),

rank_floor as (

    -- The lowest score of the weeks flagged is_anomalous, used only when at
    -- least max_alerted_weeks weeks are flagged: then the quota-th highest
    -- score of all weeks is at least the quota-th highest of the flagged
    -- ones, so no week below the floor can rank within any quota. The
    -- weeks from the floor up are a prefix of the ranking, so ranking them
    -- alone gives every one of them its rank among all weeks.
    select
        case
            when count(*) >= max(alert_quota.max_alerted_weeks) then min(scores.anomaly_score)
        end as floor_score
    from {{ ref('transaction_anomaly_scores') }} as scores
    cross join alert_quota
    where scores.is_anomalous

),

anomaly_scores as (

    select
        scores.customer_id,
        scores.customer_week_key,
        scores.week_start_date,
        scores.anomaly_score,
        row_number() over (order by scores.anomaly_score desc, scores.customer_week_key asc) as anomaly_rank
    from {{ ref('transaction_anomaly_scores') }} as scores
    cross join rank_floor
    where
        rank_floor.floor_score is null
        or scores.anomaly_score >= rank_floor.floor_score

),

transactions as (

    select
        transaction_id,
        customer_id,
        counterparty_country,
        transaction_amount,
        transaction_date,
        transaction_at
    from {{ ref('int_aml_transactions') }}
    where is_customer_initiated

),

scan_bounds as (

    select {{ aml_recompute_from(is_incremental()) }} as recompute_from_date

),

alerted_weeks as (

    select
        anomaly_scores.customer_id,
        anomaly_scores.week_start_date,
        anomaly_scores.anomaly_score,
        parameter_versions.parameter_version,
        parameter_versions.score_medium,
        parameter_versions.score_high
    from anomaly_scores
    cross join scored_weeks
    cross join scan_bounds
    inner join parameter_versions
        on
            anomaly_scores.week_start_date >= parameter_versions.valid_from_date
            and (
                parameter_versions.valid_to_date is null
                or anomaly_scores.week_start_date < parameter_versions.valid_to_date
            )
    where
        anomaly_scores.anomaly_rank <= ceil(parameter_versions.alerts_per_100000_weeks * scored_weeks.week_count / 100000.0)
        and anomaly_scores.week_start_date >= scan_bounds.recompute_from_date

),

week_transactions as (

    select
        alerted_weeks.customer_id,
        alerted_weeks.week_start_date,
        transactions.transaction_id,
        transactions.transaction_amount,
        transactions.counterparty_country,
        transactions.transaction_at,
        row_number() over (
            partition by alerted_weeks.customer_id, alerted_weeks.week_start_date
            order by transactions.transaction_amount desc, transactions.transaction_id asc
        ) as amount_rank
    from alerted_weeks
    inner join transactions
        on
            alerted_weeks.customer_id = transactions.customer_id
            and alerted_weeks.week_start_date <= transactions.transaction_date
            and transactions.transaction_date < {{ dbt.dateadd('day', '7', 'alerted_weeks.week_start_date') }}

),

qualifying_anchors as (

    select
        week_transactions.transaction_id as anchor_transaction_id,
        alerted_weeks.customer_id,
        alerted_weeks.parameter_version,
        week_transactions.transaction_at as anchor_at,
        100.0 * alerted_weeks.anomaly_score as score,
        {{ aml_severity_rank(
            '100.0 * alerted_weeks.anomaly_score',
            'alerted_weeks.score_medium',
            'alerted_weeks.score_high',
        ) }} as severity_rank
    from alerted_weeks
    inner join week_transactions
        on
            alerted_weeks.customer_id = week_transactions.customer_id
            and alerted_weeks.week_start_date = week_transactions.week_start_date
    where week_transactions.amount_rank = 1

),

anchor_members as (

    select
        qualifying_anchors.anchor_transaction_id,
        week_transactions.transaction_id,
        week_transactions.transaction_amount,
        week_transactions.counterparty_country,
        week_transactions.transaction_at
    from qualifying_anchors
    inner join week_transactions
        on
            qualifying_anchors.customer_id = week_transactions.customer_id
            and cast({{ dbt.date_trunc('week', 'qualifying_anchors.anchor_at') }} as date)
            = week_transactions.week_start_date

),

{{ aml_alerts_from_anchors('anomaly_score') }}

select * from alerts
