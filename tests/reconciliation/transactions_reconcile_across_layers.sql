{#-
    Transaction count and net amount agree to the cent across staging,
    fct_transactions and fct_account_monthly (for transactions up to the
    as-of date). Returns one row per layer that disagrees with staging.
-#}
with

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

staged as (

    select
        count(*) as transaction_count,
        sum(
            case
                when staged_transactions.direction = 'debit' then -staged_transactions.transaction_amount
                else staged_transactions.transaction_amount
            end
        ) as net_amount
    from {{ ref('stg_core_banking__transactions') }} as staged_transactions
    cross join as_of
    where cast(staged_transactions.transaction_at as date) <= as_of.as_of_date

),

fact as (

    select
        count(*) as transaction_count,
        sum(fct_transactions.signed_amount) as net_amount
    from {{ ref('fct_transactions') }} as fct_transactions
    cross join as_of
    where fct_transactions.transaction_date <= as_of.as_of_date

),

monthly as (

    select
        sum(fct_account_monthly.transaction_count) as transaction_count,
        sum(fct_account_monthly.inflow_amount - fct_account_monthly.outflow_amount) as net_amount
    from {{ ref('fct_account_monthly') }} as fct_account_monthly

),

layers as (

    select
        'fct_transactions' as layer,
        fact.transaction_count,
        fact.net_amount
    from fact
    union all
    select
        'fct_account_monthly' as layer,
        monthly.transaction_count,
        monthly.net_amount
    from monthly

)

select
    layers.layer,
    layers.transaction_count,
    staged.transaction_count as staged_transaction_count,
    layers.net_amount,
    staged.net_amount as staged_net_amount
from layers
cross join staged
where
    layers.transaction_count != staged.transaction_count
    or layers.net_amount != staged.net_amount
