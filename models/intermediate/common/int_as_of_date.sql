{#- The day the warehouse describes: var as_of_date, else the last transaction date. -#}
with

transactions as (

    select transaction_at from {{ ref('stg_core_banking__transactions') }}

),

as_of as (

    {#- one row either way: the var's date (no aggregate, so no table to read
        from: with one, it gave a row per transaction), else the latest date -#}
    {%- if var('as_of_date', none) %}
    select {{ dbt.cast("'" ~ var('as_of_date') ~ "'", api.Column.translate_type('date')) }} as as_of_date
    {%- else %}
    select cast(max(transactions.transaction_at) as date) as as_of_date
    from transactions
    {%- endif %}

),

final as (

    select
        as_of.as_of_date,
        cast({{ dbt.date_trunc('month', 'as_of.as_of_date') }} as date) as as_of_month
    from as_of

)

select * from final
