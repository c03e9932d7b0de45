{#-
    One row per branch and month: customers whose home branch it is (open
    at month end) and new ones, deposits held in its accounts at month end,
    transactions on its accounts, loans it originated, and its queue:
    tickets, abandoned share and mean wait.
-#}
with

branches as (

    select branch_id from {{ ref('stg_core_banking__branches') }}

),

months as (

    select month_start from {{ ref('int_calendar_months') }}

),

customers as (

    select
        home_branch_id,
        customer_since_date,
        closed_date
    from {{ ref('stg_core_banking__customers') }}

),

account_months as (

    select
        account_month_key,
        branch_id,
        product_code,
        month_start,
        closing_balance_amount,
        transaction_count
    from {{ ref('fct_account_monthly') }}

),

loans as (

    select
        branch_id,
        principal_amount,
        vintage_month
    from {{ ref('fct_loans') }}

),

tickets as (

    select
        branch_id,
        arrived_month,
        wait_minutes,
        is_abandoned
    from {{ ref('int_service_tickets') }}

),

branch_months as (

    select
        branches.branch_id,
        months.month_start,
        {{ dbt.dateadd('month', 1, 'months.month_start') }} as next_month_start
    from branches
    cross join months

),

customer_counts as (

    select
        branch_months.branch_id,
        branch_months.month_start,
        sum(
            case
                when
                    customers.customer_since_date < branch_months.next_month_start
                    and (customers.closed_date is null or customers.closed_date >= branch_months.next_month_start)
                    then 1
                else 0
            end
        ) as customers,
        sum(
            case
                when
                    customers.customer_since_date >= branch_months.month_start
                    and customers.customer_since_date < branch_months.next_month_start
                    then 1
                else 0
            end
        ) as new_customers
    from branch_months
    inner join customers
        on branch_months.branch_id = customers.home_branch_id
    group by branch_months.branch_id, branch_months.month_start

),

account_totals as (

    select
        account_months.branch_id,
        account_months.month_start,
        sum(
            case
                when account_months.product_code != 'credit_card'
                    then greatest(account_months.closing_balance_amount, 0)
                else 0
            end
        ) as deposit_balance_amount,
        sum(account_months.transaction_count) as transaction_count
    from account_months
    group by account_months.branch_id, account_months.month_start

),

loan_totals as (

    select
        loans.branch_id,
        loans.vintage_month as month_start,
        count(*) as loans_originated,
        sum(loans.principal_amount) as principal_originated_amount
    from loans
    group by loans.branch_id, loans.vintage_month

),

ticket_totals as (

    select
        tickets.branch_id,
        tickets.arrived_month as month_start,
        count(*) as tickets,
        sum(case when tickets.is_abandoned then 1 else 0 end) as abandoned_tickets,
        avg(tickets.wait_minutes) as mean_wait_minutes
    from tickets
    group by tickets.branch_id, tickets.arrived_month

),

final as (

    select
        {{ surrogate_key(['branch_months.branch_id', 'branch_months.month_start']) }} as branch_month_key,
        branch_months.branch_id,
        branch_months.month_start,
        cast(coalesce(customer_counts.customers, 0) as integer) as customers,
        cast(coalesce(customer_counts.new_customers, 0) as integer) as new_customers,
        cast(coalesce(account_totals.deposit_balance_amount, 0) as decimal(18, 2)) as deposit_balance_amount,
        cast(coalesce(account_totals.transaction_count, 0) as integer) as transaction_count,
        cast(coalesce(loan_totals.loans_originated, 0) as integer) as loans_originated,
        cast(coalesce(loan_totals.principal_originated_amount, 0) as decimal(18, 2))
            as principal_originated_amount,
        cast(coalesce(ticket_totals.tickets, 0) as integer) as tickets,
        cast(coalesce(ticket_totals.abandoned_tickets, 0) as integer) as abandoned_tickets,
        ticket_totals.mean_wait_minutes
    from branch_months
    left join customer_counts
        on
            branch_months.branch_id = customer_counts.branch_id
            and branch_months.month_start = customer_counts.month_start
    left join account_totals
        on
            branch_months.branch_id = account_totals.branch_id
            and branch_months.month_start = account_totals.month_start
    left join loan_totals
        on
            branch_months.branch_id = loan_totals.branch_id
            and branch_months.month_start = loan_totals.month_start
    left join ticket_totals
        on
            branch_months.branch_id = ticket_totals.branch_id
            and branch_months.month_start = ticket_totals.month_start

)

select * from final
