{#- Loan count and principal in fct_loans equal staged loans originated by the as-of date. -#}
with

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

staged as (

    select
        count(*) as loan_count,
        sum(loans.principal_amount) as principal_amount
    from {{ ref('stg_lending__loans') }} as loans
    cross join as_of
    where loans.originated_date <= as_of.as_of_date

),

fact as (

    select
        count(*) as loan_count,
        sum(fct_loans.principal_amount) as principal_amount
    from {{ ref('fct_loans') }} as fct_loans

)

select
    fact.loan_count,
    staged.loan_count as staged_loan_count,
    fact.principal_amount,
    staged.principal_amount as staged_principal_amount
from fact
cross join staged
where fact.loan_count != staged.loan_count or fact.principal_amount != staged.principal_amount
