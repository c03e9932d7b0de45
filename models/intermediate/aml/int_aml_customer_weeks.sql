{#-
    Behaviour of each customer in each ISO week (Monday start) from the
    customer's first customer-initiated transaction to the week of the as-of
    date, weeks without activity included (so a trailing baseline counts
    silent weeks as zero). Features: counts and amounts of cash deposits and
    withdrawals, transfers in and out, cross-border and high-risk-country
    transfers, card payments (and those abroad), inflow and outflow,
    distinct counterparty countries, largest single amount; and, for the
    main ones, the ratio to the customer's own average over the previous
    baseline_weeks weeks, smoothed ((value + s) / (average + s), s = 1 for
    counts and 100 for amounts) and null until min_baseline_weeks prior
    weeks exist. Input of transaction_anomaly_scores.

    Incremental (delete+insert on customer_week_key): a run recomputes the
    weeks from the one holding (latest week already built - var
    incremental_lookback_days) on from their transactions, takes the
    baseline_weeks weeks before them for the baselines and the customers
    already built from those weeks (not from the whole history), so it
    equals a full build;
    transactions arriving later than the look-back need --full-refresh, as
    for fct_transactions.
    A build for an earlier day (var as_of_date set) is always a full
    refresh (+full_refresh in dbt_project.yml), so it holds nothing after that day.
-#}
{%- set baseline_weeks = 12 %}
{%- set min_baseline_weeks = 4 %}
{%- set baseline_features = [
    ('transaction_count', 1),
    ('inflow_amount', 100),
    ('outflow_amount', 100),
    ('cash_deposit_amount', 100),
    ('cash_withdrawal_amount', 100),
    ('transfer_in_amount', 100),
    ('transfer_out_amount', 100),
    ('cross_border_transfer_count', 1),
    ('card_payment_count', 1),
    ('max_transaction_amount', 100),
] %}

with

recompute_bounds as (

    {{ incremental_recompute_from(is_incremental(), 'week', 'week_start_date') }}

),

{# the baseline of the first recomputed week reads the built weeks before it #}
read_bounds as (

    select
        recompute_bounds.recompute_from as recompute_from_date,
        cast({{ dbt.dateadd('day', -7 * baseline_weeks, 'recompute_bounds.recompute_from') }} as date)
            as read_from_date
    from recompute_bounds

),

transactions as (

    select
        customer_id,
        transaction_type,
        direction,
        counterparty_country,
        transaction_amount,
        is_cross_border,
        is_high_risk_country,
        transaction_date
    from {{ ref('int_transactions_enriched') }}
    where
        is_customer_initiated
        and transaction_date >= (select read_bounds.recompute_from_date from read_bounds)

),

as_of_date as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

week_numbers as (

    {{ dbt.generate_series(5300) }}

),

dated_transactions as (

    select
        transactions.*,
        {#- DuckDB truncates to Monday (ISO week); adapters whose week starts on Sunday need a shift here. #}
        cast({{ dbt.date_trunc('week', 'transactions.transaction_date') }} as date) as week_start_date
    from transactions
    cross join as_of_date
    where transactions.transaction_date <= as_of_date.as_of_date

),

customer_first_weeks as (

    select
        first_weeks.customer_id,
        min(first_weeks.first_week_start_date) as first_week_start_date
    from (
        select
            dated_transactions.customer_id,
            min(dated_transactions.week_start_date) as first_week_start_date
        from dated_transactions
        group by dated_transactions.customer_id
        {%- if is_incremental() %}

        union all

        {#-
            Every built customer has a row in every week from its first to
            the last built one (the spine is dense), so the earliest built
            week from read_from_date on is its first week or a week before
            the recomputed ones: either gives the same spine, and the whole
            history is not scanned.
        #}
        select
            existing.customer_id,
            min(existing.week_start_date) as first_week_start_date
        from {{ this }} as existing
        cross join read_bounds
        where existing.week_start_date >= read_bounds.read_from_date
        group by existing.customer_id
        {%- endif %}
    ) as first_weeks
    group by first_weeks.customer_id

),

week_bounds as (

    select
        min(customer_first_weeks.first_week_start_date) as first_week_start_date,
        max(cast({{ dbt.date_trunc('week', 'as_of_date.as_of_date') }} as date)) as last_week_start_date
    from customer_first_weeks
    cross join as_of_date

),

weeks as (

    select
        cast({{ dbt.dateadd('day', '7 * (week_numbers.generated_number - 1)', 'week_bounds.first_week_start_date') }} as date)
            as week_start_date,
        week_bounds.last_week_start_date
    from week_numbers
    cross join week_bounds

),

customer_week_spine as (

    select
        customer_first_weeks.customer_id,
        weeks.week_start_date
    from customer_first_weeks
    cross join read_bounds
    inner join weeks
        on
            customer_first_weeks.first_week_start_date <= weeks.week_start_date
            and weeks.week_start_date <= weeks.last_week_start_date
    where weeks.week_start_date >= read_bounds.recompute_from_date

),

weekly_activity as (

    select
        dated_transactions.customer_id,
        dated_transactions.week_start_date,
        count(*) as transaction_count,
        sum(case when dated_transactions.direction = 'credit' then dated_transactions.transaction_amount end)
            as inflow_amount,
        sum(case when dated_transactions.direction = 'debit' then dated_transactions.transaction_amount end)
            as outflow_amount,
        sum(case when dated_transactions.transaction_type = 'cash_deposit' then 1 else 0 end) as cash_deposit_count,
        sum(
            case when dated_transactions.transaction_type = 'cash_deposit' then dated_transactions.transaction_amount end
        ) as cash_deposit_amount,
        sum(case when dated_transactions.transaction_type = 'cash_withdrawal' then 1 else 0 end)
            as cash_withdrawal_count,
        sum(
            case
                when dated_transactions.transaction_type = 'cash_withdrawal' then dated_transactions.transaction_amount
            end
        ) as cash_withdrawal_amount,
        sum(case when dated_transactions.transaction_type = 'transfer_in' then 1 else 0 end) as transfer_in_count,
        sum(
            case when dated_transactions.transaction_type = 'transfer_in' then dated_transactions.transaction_amount end
        ) as transfer_in_amount,
        sum(case when dated_transactions.transaction_type = 'transfer_out' then 1 else 0 end) as transfer_out_count,
        sum(
            case when dated_transactions.transaction_type = 'transfer_out' then dated_transactions.transaction_amount end
        ) as transfer_out_amount,
        sum(
            case
                when
                    dated_transactions.transaction_type in ('transfer_in', 'transfer_out')
                    and dated_transactions.is_cross_border
                    then 1
                else 0
            end
        ) as cross_border_transfer_count,
        sum(
            case
                when
                    dated_transactions.transaction_type in ('transfer_in', 'transfer_out')
                    and dated_transactions.is_cross_border
                    then dated_transactions.transaction_amount
            end
        ) as cross_border_transfer_amount,
        sum(
            case
                when
                    dated_transactions.transaction_type in ('transfer_in', 'transfer_out')
                    and dated_transactions.is_high_risk_country
                    then 1
                else 0
            end
        ) as high_risk_transfer_count,
        sum(
            case
                when
                    dated_transactions.transaction_type in ('transfer_in', 'transfer_out')
                    and dated_transactions.is_high_risk_country
                    then dated_transactions.transaction_amount
            end
        ) as high_risk_transfer_amount,
        sum(case when dated_transactions.transaction_type = 'card_payment' then 1 else 0 end) as card_payment_count,
        sum(
            case when dated_transactions.transaction_type = 'card_payment' then dated_transactions.transaction_amount end
        ) as card_payment_amount,
        sum(
            case
                when dated_transactions.transaction_type = 'card_payment' and dated_transactions.is_cross_border then 1
                else 0
            end
        ) as abroad_card_payment_count,
        count(distinct dated_transactions.counterparty_country) as counterparty_country_count,
        max(dated_transactions.transaction_amount) as max_transaction_amount
    from dated_transactions
    group by
        dated_transactions.customer_id,
        dated_transactions.week_start_date

),

customer_weeks as (

    select
        customer_week_spine.customer_id,
        customer_week_spine.week_start_date,
        cast(coalesce(weekly_activity.transaction_count, 0) as {{ dbt.type_int() }}) as transaction_count,
        coalesce(weekly_activity.inflow_amount, 0) as inflow_amount,
        coalesce(weekly_activity.outflow_amount, 0) as outflow_amount,
        cast(coalesce(weekly_activity.cash_deposit_count, 0) as {{ dbt.type_int() }}) as cash_deposit_count,
        coalesce(weekly_activity.cash_deposit_amount, 0) as cash_deposit_amount,
        cast(coalesce(weekly_activity.cash_withdrawal_count, 0) as {{ dbt.type_int() }}) as cash_withdrawal_count,
        coalesce(weekly_activity.cash_withdrawal_amount, 0) as cash_withdrawal_amount,
        cast(coalesce(weekly_activity.transfer_in_count, 0) as {{ dbt.type_int() }}) as transfer_in_count,
        coalesce(weekly_activity.transfer_in_amount, 0) as transfer_in_amount,
        cast(coalesce(weekly_activity.transfer_out_count, 0) as {{ dbt.type_int() }}) as transfer_out_count,
        coalesce(weekly_activity.transfer_out_amount, 0) as transfer_out_amount,
        cast(coalesce(weekly_activity.cross_border_transfer_count, 0) as {{ dbt.type_int() }}) as cross_border_transfer_count,
        coalesce(weekly_activity.cross_border_transfer_amount, 0) as cross_border_transfer_amount,
        cast(coalesce(weekly_activity.high_risk_transfer_count, 0) as {{ dbt.type_int() }}) as high_risk_transfer_count,
        coalesce(weekly_activity.high_risk_transfer_amount, 0) as high_risk_transfer_amount,
        cast(coalesce(weekly_activity.card_payment_count, 0) as {{ dbt.type_int() }}) as card_payment_count,
        coalesce(weekly_activity.card_payment_amount, 0) as card_payment_amount,
        cast(coalesce(weekly_activity.abroad_card_payment_count, 0) as {{ dbt.type_int() }}) as abroad_card_payment_count,
        cast(coalesce(weekly_activity.counterparty_country_count, 0) as {{ dbt.type_int() }}) as counterparty_country_count,
        coalesce(weekly_activity.max_transaction_amount, 0) as max_transaction_amount
    from customer_week_spine
    left join weekly_activity
        on
            customer_week_spine.customer_id = weekly_activity.customer_id
            and customer_week_spine.week_start_date = weekly_activity.week_start_date
    {%- if is_incremental() %}

    union all

    -- the weeks before the recomputed ones, as built: the spine is dense,
    -- so these are every week of the baselines
    select
        existing.customer_id,
        existing.week_start_date,
        existing.transaction_count,
        existing.inflow_amount,
        existing.outflow_amount,
        existing.cash_deposit_count,
        existing.cash_deposit_amount,
        existing.cash_withdrawal_count,
        existing.cash_withdrawal_amount,
        existing.transfer_in_count,
        existing.transfer_in_amount,
        existing.transfer_out_count,
        existing.transfer_out_amount,
        existing.cross_border_transfer_count,
        existing.cross_border_transfer_amount,
        existing.high_risk_transfer_count,
        existing.high_risk_transfer_amount,
        existing.card_payment_count,
        existing.card_payment_amount,
        existing.abroad_card_payment_count,
        existing.counterparty_country_count,
        existing.max_transaction_amount
    from {{ this }} as existing
    cross join read_bounds
    where
        existing.week_start_date >= read_bounds.read_from_date
        and existing.week_start_date < read_bounds.recompute_from_date
    {%- endif %}

),

baselines as (

    select
        customer_weeks.*,
        {%- for feature, smoothing in baseline_features %}
        avg(customer_weeks.{{ feature }}) over (
            partition by customer_weeks.customer_id
            order by customer_weeks.week_start_date
            rows between {{ baseline_weeks }} preceding and 1 preceding
        ) as {{ feature }}_baseline,
        {%- endfor %}
        count(*) over (
            partition by customer_weeks.customer_id
            order by customer_weeks.week_start_date
            rows between {{ baseline_weeks }} preceding and 1 preceding
        ) as baseline_week_count
    from customer_weeks

),

final as (

    select
        {{ surrogate_key(['baselines.customer_id', 'baselines.week_start_date']) }} as customer_week_key,
        baselines.customer_id,
        baselines.week_start_date,
        baselines.transaction_count,
        baselines.inflow_amount,
        baselines.outflow_amount,
        baselines.cash_deposit_count,
        baselines.cash_deposit_amount,
        baselines.cash_withdrawal_count,
        baselines.cash_withdrawal_amount,
        baselines.transfer_in_count,
        baselines.transfer_in_amount,
        baselines.transfer_out_count,
        baselines.transfer_out_amount,
        baselines.cross_border_transfer_count,
        baselines.cross_border_transfer_amount,
        baselines.high_risk_transfer_count,
        baselines.high_risk_transfer_amount,
        baselines.card_payment_count,
        baselines.card_payment_amount,
        baselines.abroad_card_payment_count,
        baselines.counterparty_country_count,
        baselines.max_transaction_amount,
        {%- for feature, smoothing in baseline_features %}
        case
            when baselines.baseline_week_count >= {{ min_baseline_weeks }}
                then
                    (cast(baselines.{{ feature }} as double) + {{ smoothing }})
                    / (baselines.{{ feature }}_baseline + {{ smoothing }})
        end as {{ feature }}_vs_baseline,
        {%- endfor %}
        baselines.baseline_week_count
    from baselines
    cross join read_bounds
    where baselines.week_start_date >= read_bounds.recompute_from_date

)

select * from final
