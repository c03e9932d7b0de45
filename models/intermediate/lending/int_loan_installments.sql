{#-
    Each instalment due on or before the as-of date, judged as of that date:
    a payment made after the as-of date does not count yet. An instalment
    is settled when what was paid by the as-of date covers what was due
    (to the cent). days_late: for a settled instalment, the days from due to
    payment (0 if early); for an open one, the days from due to the as-of
    date.
-#}
with

schedule as (

    select
        installment_id,
        loan_id,
        installment_number,
        due_amount,
        principal_due_amount,
        paid_amount,
        due_date,
        paid_date
    from {{ ref('stg_lending__loan_schedule') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

judged as (

    select
        schedule.installment_id,
        schedule.loan_id,
        schedule.installment_number,
        schedule.due_date,
        schedule.due_amount,
        schedule.principal_due_amount,
        as_of.as_of_date,
        case
            when schedule.paid_date <= as_of.as_of_date then coalesce(schedule.paid_amount, 0)
            else 0
        end as paid_amount_as_of,
        case when schedule.paid_date <= as_of.as_of_date then schedule.paid_date end as paid_date_as_of
    from schedule
    cross join as_of
    where schedule.due_date <= as_of.as_of_date

),

final as (

    select
        judged.installment_id,
        judged.loan_id,
        judged.installment_number,
        judged.due_date,
        judged.due_amount,
        judged.principal_due_amount,
        judged.paid_amount_as_of,
        judged.paid_date_as_of,
        judged.paid_amount_as_of >= judged.due_amount as is_settled,
        greatest(
            case
                when judged.paid_amount_as_of >= judged.due_amount
                    then {{ dbt.datediff('judged.due_date', 'judged.paid_date_as_of', 'day') }}
                else {{ dbt.datediff('judged.due_date', 'judged.as_of_date', 'day') }}
            end,
            0
        ) as days_late,
        greatest(judged.due_amount - judged.paid_amount_as_of, 0) as unpaid_amount
    from judged

)

select * from final
