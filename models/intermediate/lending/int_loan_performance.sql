{#-
    One row per loan originated on or before the as-of date: how it stands
    on that date.

    With a repayment schedule: current days past due count from the oldest
    instalment not settled; worst days past due is the most any instalment
    was late; arrears are what was due and not paid; the default date is
    the first day an instalment reached 90 days past due. Outstanding
    principal is the principal less the principal of settled instalments.

    Without a schedule (many lending exports): the exported status decides
    (defaulted or written_off is a default, dated by status_date), days
    past due are unknown, and outstanding principal is the contractual
    annuity balance after the months elapsed (0 once paid off or written
    off).

    A loan is in default when it reached 90 days past due or its status
    says defaulted or written_off.
-#}
with

loans as (

    select
        loan_id,
        customer_id,
        account_id,
        application_id,
        branch_id,
        officer_staff_id,
        product_code,
        loan_status,
        principal_amount,
        interest_rate,
        term_months,
        installment_amount,
        originated_date,
        maturity_date,
        status_date
    from {{ ref('stg_lending__loans') }}

),

installments as (

    select
        loan_id,
        due_date,
        due_amount,
        principal_due_amount,
        paid_amount_as_of,
        is_settled,
        days_late,
        unpaid_amount
    from {{ ref('int_loan_installments') }}

),

all_installments as (

    select distinct loan_id from {{ ref('stg_lending__loan_schedule') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

schedule_status as (

    select
        installments.loan_id,
        count(*) as installments_due,
        sum(case when installments.is_settled then 1 else 0 end) as installments_settled,
        min(case when not installments.is_settled then installments.due_date end) as oldest_unsettled_due_date,
        max(installments.days_late) as worst_days_past_due,
        sum(installments.unpaid_amount) as arrears_amount,
        sum(
            case when installments.is_settled then coalesce(installments.principal_due_amount, 0) else 0 end
        ) as principal_repaid_amount,
        min(
            case
                when installments.days_late >= 90
                    then {{ dbt.dateadd('day', 90, 'installments.due_date') }}
            end
        ) as schedule_default_date
    from installments
    group by installments.loan_id

),

performance as (

    select
        loans.loan_id,
        loans.customer_id,
        loans.account_id,
        loans.application_id,
        loans.branch_id,
        loans.officer_staff_id,
        loans.product_code,
        loans.loan_status,
        loans.principal_amount,
        loans.interest_rate,
        loans.term_months,
        loans.installment_amount,
        loans.originated_date,
        coalesce(
            loans.maturity_date,
            cast({{ dbt.dateadd('month', 'loans.term_months', 'loans.originated_date') }} as date)
        ) as maturity_date,
        loans.status_date,
        as_of.as_of_date,
        all_installments.loan_id is not null as has_schedule,
        coalesce(schedule_status.installments_due, 0) as installments_due,
        coalesce(schedule_status.installments_settled, 0) as installments_settled,
        case
            when all_installments.loan_id is null then null
            when schedule_status.oldest_unsettled_due_date is null then 0
            else {{ dbt.datediff('schedule_status.oldest_unsettled_due_date', 'as_of.as_of_date', 'day') }}
        end as current_days_past_due,
        case
            when all_installments.loan_id is null then null
            else coalesce(schedule_status.worst_days_past_due, 0)
        end as worst_days_past_due,
        case
            when all_installments.loan_id is null then null
            else cast(coalesce(schedule_status.arrears_amount, 0) as decimal(18, 2))
        end as arrears_amount,
        schedule_status.principal_repaid_amount,
        schedule_status.schedule_default_date,
        {{ dbt.datediff('loans.originated_date', 'as_of.as_of_date', 'month') }} as months_on_book
    from loans
    cross join as_of
    left join schedule_status
        on loans.loan_id = schedule_status.loan_id
    left join all_installments
        on loans.loan_id = all_installments.loan_id
    where loans.originated_date <= as_of.as_of_date

),

final as (

    select
        performance.*,
        cast(
            case
                when performance.schedule_default_date is not null then performance.schedule_default_date
                when performance.loan_status in ('defaulted', 'written_off') then performance.status_date
            end as date
        ) as default_date,
        cast(
            case
                when performance.loan_status in ('paid_off', 'written_off') then 0
                when performance.has_schedule
                    then greatest(performance.principal_amount - coalesce(performance.principal_repaid_amount, 0), 0)
                when performance.interest_rate is null or performance.interest_rate = 0
                    then greatest(
                        performance.principal_amount
                        * (
                            1 - cast(least(performance.months_on_book, performance.term_months) as double)
                            / performance.term_months
                        ),
                        0
                    )
                else greatest(
                    performance.principal_amount
                    * (
                        power(1 + performance.interest_rate / 12, performance.term_months)
                        - power(
                            1 + performance.interest_rate / 12,
                            least(performance.months_on_book, performance.term_months)
                        )
                    )
                    / (power(1 + performance.interest_rate / 12, performance.term_months) - 1),
                    0
                )
            end as decimal(18, 2)
        ) as outstanding_principal_amount,
        coalesce(performance.worst_days_past_due >= 90, false)
        or performance.loan_status in ('defaulted', 'written_off') as is_default,
        performance.loan_status not in ('paid_off', 'written_off') as is_open
    from performance

)

select * from final
