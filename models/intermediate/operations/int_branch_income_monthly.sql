{#-
    Income the warehouse can derive per branch and month: fees charged to
    customers, interest charged on card and overdraft balances, the interest
    part of loan installments paid (in proportion to the amount paid), less
    interest paid to depositors. Other income (commissions, treasury) is not
    in the exports and not counted.
-#}
with

transactions as (

    select
        branch_id,
        transaction_month,
        transaction_type,
        direction,
        transaction_amount
    from {{ ref('int_transactions_enriched') }}
    where transaction_type in ('fee', 'interest')

),

installments as (

    select
        loan_id,
        due_amount,
        principal_due_amount,
        paid_amount_as_of,
        paid_date_as_of
    from {{ ref('int_loan_installments') }}
    where paid_date_as_of is not null

),

loans as (

    select
        loan_id,
        branch_id
    from {{ ref('stg_lending__loans') }}

),

transaction_income as (

    select
        transactions.branch_id,
        transactions.transaction_month as month_start,
        sum(case
            when transactions.transaction_type = 'fee' and transactions.direction = 'debit'
                then transactions.transaction_amount
            else 0
        end) as fee_income_amount,
        sum(case
            when transactions.transaction_type = 'interest' and transactions.direction = 'debit'
                then transactions.transaction_amount
            else 0
        end) as card_interest_income_amount,
        sum(case
            when transactions.transaction_type = 'interest' and transactions.direction = 'credit'
                then transactions.transaction_amount
            else 0
        end) as deposit_interest_expense_amount
    from transactions
    group by transactions.branch_id, transactions.transaction_month

),

loan_interest as (

    select
        loans.branch_id,
        cast({{ dbt.date_trunc('month', 'installments.paid_date_as_of') }} as date) as month_start,
        sum(
            (installments.due_amount - installments.principal_due_amount)
            * least(installments.paid_amount_as_of / nullif(installments.due_amount, 0), 1)
        ) as loan_interest_income_amount
    from installments
    inner join loans
        on installments.loan_id = loans.loan_id
    group by loans.branch_id, cast({{ dbt.date_trunc('month', 'installments.paid_date_as_of') }} as date)

),

final as (

    select
        coalesce(transaction_income.branch_id, loan_interest.branch_id) as branch_id,
        coalesce(transaction_income.month_start, loan_interest.month_start) as month_start,
        cast(coalesce(transaction_income.fee_income_amount, 0) as decimal(18, 2)) as fee_income_amount,
        cast(
            coalesce(transaction_income.card_interest_income_amount, 0) + coalesce(loan_interest.loan_interest_income_amount, 0)
            as decimal(18, 2)
        ) as interest_income_amount,
        cast(coalesce(transaction_income.deposit_interest_expense_amount, 0) as decimal(18, 2))
            as interest_expense_amount
    from transaction_income
    full outer join loan_interest
        on
            transaction_income.branch_id = loan_interest.branch_id
            and transaction_income.month_start = loan_interest.month_start

)

select * from final
