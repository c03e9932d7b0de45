{#-
    Calendar months from the first transaction month to the as-of month, one
    row each (up to 100 years of history), with no gaps even in a month
    without transactions.
-#}
with

transactions as (

    select transaction_at from {{ ref('stg_core_banking__transactions') }}

),

as_of as (

    select as_of_month from {{ ref('int_as_of_date') }}

),

bounds as (

    select
        cast({{ dbt.date_trunc('month', 'min(transactions.transaction_at)') }} as date) as first_month,
        max(as_of.as_of_month) as last_month
    from transactions
    cross join as_of

),

month_numbers as (

    {{ dbt.generate_series(1200) }}

),

months as (

    select
        cast({{ dbt.dateadd('month', 'month_numbers.generated_number - 1', 'bounds.first_month') }} as date)
            as month_start,
        bounds.last_month
    from month_numbers
    cross join bounds

),

final as (

    select months.month_start
    from months
    where months.month_start <= months.last_month

)

select * from final
