{#-
    Every product holding: deposit and card accounts, and loans, with the
    day it was opened and the day it closed (accounts: closed_date; loans:
    the status date once paid off or written off), up to the as-of date.
-#}
with

accounts as (

    select
        account_id,
        customer_id,
        product_code,
        opened_date,
        closed_date
    from {{ ref('stg_core_banking__accounts') }}

),

loans as (

    select
        loan_id,
        customer_id,
        product_code,
        originated_date,
        loan_status,
        status_date
    from {{ ref('stg_lending__loans') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

holdings as (

    select
        accounts.account_id as holding_id,
        accounts.customer_id,
        accounts.product_code,
        'account' as product_family,
        accounts.opened_date,
        accounts.closed_date
    from accounts

    union all

    select
        loans.loan_id as holding_id,
        loans.customer_id,
        loans.product_code,
        'loan' as product_family,
        loans.originated_date as opened_date,
        case when loans.loan_status in ('paid_off', 'written_off') then loans.status_date end as closed_date
    from loans

),

final as (

    select
        holdings.holding_id,
        holdings.customer_id,
        holdings.product_code,
        holdings.product_family,
        holdings.opened_date,
        case when holdings.closed_date <= as_of.as_of_date then holdings.closed_date end as closed_date
    from holdings
    cross join as_of
    where holdings.opened_date <= as_of.as_of_date

)

select * from final
