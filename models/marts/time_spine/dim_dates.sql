{#-
    One row per calendar day of every month from the first transaction month
    to the as-of month: the daily time spine MetricFlow joins metrics to, and
    a date dimension for BI tools.
-#}
with

calendar_months as (

    select month_start from {{ ref('int_calendar_months') }}

),

day_numbers as (

    {{ dbt.generate_series(31) }}

),

days as (

    select
        cast({{ dbt.dateadd('day', 'day_numbers.generated_number - 1', 'calendar_months.month_start') }} as date)
            as date_day,
        calendar_months.month_start
    from calendar_months
    cross join day_numbers

),

final as (

    select
        days.date_day,
        days.month_start
    from days
    where days.date_day < cast({{ dbt.dateadd('month', 1, 'days.month_start') }} as date)

)

select * from final
