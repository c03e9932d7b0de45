{#-
    One row per account and calendar month from the account's first month
    (opening or first transaction, whichever is earlier) to its last (closing
    or the as-of month, or its last transaction if later), up to the as-of
    date. Closing balance: the last balance the core system reported in or
    before the month; for accounts whose export has no running balance, the
    cumulative net flow since the first transaction. The date of the month's
    last transaction gives dim_accounts its last activity without reading
    every transaction.

    Incremental (delete+insert on account_month_key): a run recomputes the
    months from the one holding (latest month built - var
    incremental_lookback_days) on, reading only their transactions; the
    balance carried into the first of them comes from the account's row of
    the month before (its closing balance is either the last reported
    balance or, when none was ever reported, the cumulative net flow), so
    the result equals a full build. An account without a row that month is
    rebuilt from its first month when it is new, arrived late, or ended
    earlier and has since been reopened, closed later than built or posted
    to in the recomputed months; an account that ended earlier without any
    of these keeps its rows. Transactions later than the look-back need
    --full-refresh, as for fct_transactions.
    A build for an earlier day (var as_of_date set) is always a full
    refresh (+full_refresh in dbt_project.yml), so it holds nothing after that day.
-#}

with

accounts as (

    select
        account_id,
        opened_date,
        closed_date
    from {{ ref('stg_core_banking__accounts') }}

),

as_of as (

    select
        as_of_date,
        as_of_month
    from {{ ref('int_as_of_date') }}

),

recompute_bounds as (

    {{ incremental_recompute_from(is_incremental(), 'month', 'month_start') }}

),

{# each account's first and last month as the accounts export has them #}
account_periods as (

    select
        accounts.account_id,
        cast({{ dbt.date_trunc('month', 'accounts.opened_date') }} as date) as opened_month,
        case
            when accounts.closed_date <= as_of.as_of_date
                then cast({{ dbt.date_trunc('month', 'accounts.closed_date') }} as date)
            else as_of.as_of_month
        end as end_month
    from accounts
    cross join as_of
    where accounts.opened_date <= as_of.as_of_date

),
{%- if is_incremental() %}

{# the month before the recomputed ones, whose rows carry the balances in #}
carried_month as (

    select cast({{ dbt.dateadd('month', -1, 'recompute_bounds.recompute_from') }} as date) as month_start
    from recompute_bounds

),

{# rows of the month before the recomputed ones: their accounts continue #}
continuing as (

    select
        existing.account_id,
        existing.month_start,
        existing.closing_balance_amount,
        existing.is_balance_reported
    from {{ this }} as existing
    inner join carried_month
        on existing.month_start = carried_month.month_start

),

{# accounts whose rows end before that month: closed and quiet since #}
ended_accounts as (

    select
        existing.account_id,
        max(existing.month_start) as last_built_month
    from {{ this }} as existing
    cross join carried_month
    group by existing.account_id, carried_month.month_start
    having max(existing.month_start) < carried_month.month_start

),

{#
    every other account is rebuilt from its first month: it is new, arrived
    late, or ended before and has since been reopened, closed later than
    built, or posted to in the recomputed months. An ended account without
    any of these keeps its rows as built (a rebuild would give them again).
#}
rebuilt_accounts as (

    select accounts.account_id
    from accounts
    left join ended_accounts
        on accounts.account_id = ended_accounts.account_id
    left join account_periods
        on accounts.account_id = account_periods.account_id
    where
        accounts.account_id not in (select continuing.account_id from continuing)
        and (
            ended_accounts.account_id is null
            or ended_accounts.last_built_month < account_periods.end_month
            or accounts.account_id in (
                select enriched.account_id
                from {{ ref('int_transactions_enriched') }} as enriched
                where enriched.transaction_month >= (select recompute_bounds.recompute_from from recompute_bounds)
            )
        )

),

{# the accounts this run gives rows for #}
built_accounts as (

    select continuing.account_id from continuing

    union all

    select rebuilt_accounts.account_id from rebuilt_accounts

),
{%- else %}

{# a full build reads every transaction anyway #}
rebuilt_accounts as (

    select accounts.account_id
    from accounts
    where 1 = 0

),

built_accounts as (

    select accounts.account_id from accounts

),
{%- endif %}

{# the recomputed months, and the earlier months of the rebuilt accounts (two
   disjoint parts: a range on the month alone reads only the recent rows) #}
transactions as (

    select
        enriched.transaction_id,
        enriched.account_id,
        enriched.direction,
        enriched.transaction_amount,
        enriched.signed_amount,
        enriched.balance_after_amount,
        enriched.transaction_month,
        enriched.transaction_date,
        enriched.transaction_at
    from {{ ref('int_transactions_enriched') }} as enriched
    where enriched.transaction_month >= (select recompute_bounds.recompute_from from recompute_bounds)

    union all

    select
        enriched.transaction_id,
        enriched.account_id,
        enriched.direction,
        enriched.transaction_amount,
        enriched.signed_amount,
        enriched.balance_after_amount,
        enriched.transaction_month,
        enriched.transaction_date,
        enriched.transaction_at
    from {{ ref('int_transactions_enriched') }} as enriched
    where
        enriched.transaction_month < (select recompute_bounds.recompute_from from recompute_bounds)
        and enriched.account_id in (select rebuilt_accounts.account_id from rebuilt_accounts)

),

{# the state carried into the first recomputed month: none in a full build #}
carried_in as (

    {%- if is_incremental() %}

    select
        continuing.account_id,
        case when continuing.is_balance_reported then continuing.closing_balance_amount end
            as reported_balance_amount,
        case when not continuing.is_balance_reported then continuing.closing_balance_amount else 0 end
            as cumulative_net_flow_amount
    from continuing
    {%- else %}

    select
        transactions.account_id,
        transactions.balance_after_amount as reported_balance_amount,
        transactions.signed_amount as cumulative_net_flow_amount
    from transactions
    where 1 = 0
    {%- endif %}

),

transactions_as_of as (

    select transactions.*
    from transactions
    cross join as_of
    where cast(transactions.transaction_at as date) <= as_of.as_of_date

),

months as (

    select month_start from {{ ref('int_calendar_months') }}

),

account_ends as (

    select
        account_periods.account_id,
        account_periods.opened_month,
        account_periods.end_month
    from account_periods
    where account_periods.account_id in (select built_accounts.account_id from built_accounts)

),

account_ranges as (

    select
        account_ends.account_id,
        case
            when min(carried_in.account_id) is not null then recompute_bounds.recompute_from
            else
                least(
                    account_ends.opened_month,
                    coalesce(min(transactions_as_of.transaction_month), account_ends.opened_month)
                )
        end as first_month,
        greatest(
            account_ends.end_month,
            coalesce(max(transactions_as_of.transaction_month), account_ends.end_month)
        ) as last_month
    from account_ends
    cross join recompute_bounds
    left join transactions_as_of
        on account_ends.account_id = transactions_as_of.account_id
    left join carried_in
        on account_ends.account_id = carried_in.account_id
    group by
        account_ends.account_id,
        account_ends.opened_month,
        account_ends.end_month,
        recompute_bounds.recompute_from

),

spine as (

    select
        account_ranges.account_id,
        months.month_start
    from account_ranges
    inner join months
        on
            account_ranges.first_month <= months.month_start
            and account_ranges.last_month >= months.month_start

),

last_in_month as (

    select
        transactions_as_of.account_id,
        transactions_as_of.transaction_month,
        transactions_as_of.balance_after_amount,
        row_number() over (
            partition by transactions_as_of.account_id, transactions_as_of.transaction_month
            order by transactions_as_of.transaction_at desc, transactions_as_of.transaction_id desc
        ) as position_from_end
    from transactions_as_of

),

flows as (

    select
        transactions_as_of.account_id,
        transactions_as_of.transaction_month,
        sum(
            case when transactions_as_of.direction = 'credit' then transactions_as_of.transaction_amount else 0 end
        ) as inflow_amount,
        sum(
            case when transactions_as_of.direction = 'debit' then transactions_as_of.transaction_amount else 0 end
        ) as outflow_amount,
        sum(transactions_as_of.signed_amount) as net_flow_amount,
        count(*) as transaction_count,
        max(transactions_as_of.transaction_date) as last_transaction_date
    from transactions_as_of
    group by transactions_as_of.account_id, transactions_as_of.transaction_month

),

monthly as (

    select
        spine.account_id,
        spine.month_start,
        last_in_month.balance_after_amount as reported_balance_amount,
        coalesce(flows.inflow_amount, 0) as inflow_amount,
        coalesce(flows.outflow_amount, 0) as outflow_amount,
        coalesce(flows.net_flow_amount, 0) as net_flow_amount,
        coalesce(flows.transaction_count, 0) as transaction_count,
        flows.last_transaction_date,
        coalesce(carried_in.cumulative_net_flow_amount, 0) + sum(coalesce(flows.net_flow_amount, 0)) over (
            partition by spine.account_id order by spine.month_start
            rows between unbounded preceding and current row
        ) as cumulative_net_flow_amount,
        carried_in.reported_balance_amount as carried_balance_amount,
        max(case when last_in_month.balance_after_amount is not null then spine.month_start end) over (
            partition by spine.account_id order by spine.month_start
            rows between unbounded preceding and current row
        ) as last_reported_month
    from spine
    left join carried_in
        on spine.account_id = carried_in.account_id
    left join flows
        on
            spine.account_id = flows.account_id
            and spine.month_start = flows.transaction_month
    left join last_in_month
        on
            spine.account_id = last_in_month.account_id
            and spine.month_start = last_in_month.transaction_month
            and last_in_month.position_from_end = 1

),

with_balance as (

    select
        monthly.account_id,
        monthly.month_start,
        monthly.inflow_amount,
        monthly.outflow_amount,
        monthly.net_flow_amount,
        monthly.transaction_count,
        monthly.last_transaction_date,
        coalesce(
            reported.reported_balance_amount, monthly.carried_balance_amount, monthly.cumulative_net_flow_amount
        ) as closing_balance_amount,
        coalesce(reported.reported_balance_amount, monthly.carried_balance_amount) is not null as is_balance_reported
    from monthly
    left join monthly as reported
        on
            monthly.account_id = reported.account_id
            and monthly.last_reported_month = reported.month_start

),

final as (

    select
        {{ surrogate_key(["with_balance.account_id", "with_balance.month_start"]) }}
            as account_month_key,
        with_balance.*
    from with_balance

)

select * from final
