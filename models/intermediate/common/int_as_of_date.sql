{#- The day the warehouse describes: var as_of_date, else the last transaction date. -#}
with

transactions as (

    select transaction_at from {{ ref('stg_core_banking__transactions') }}

),

as_of as (

    select
            {%- if var('as_of_date', none) %}
        {{ dbt.cast("'" ~ var('as_of_date') ~ "'", api.Column.translate_type('date')) }} as as_of_date
        {%- else %}
        cast(max(transactions.transaction_at) as date) as as_of_date
        {%- endif %}
    from transactions

),

final as (

    select
        as_of.as_of_date,
        cast({{ dbt.date_trunc('month', 'as_of.as_of_date') }} as date) as as_of_month
    from as_of

)

select * from final
