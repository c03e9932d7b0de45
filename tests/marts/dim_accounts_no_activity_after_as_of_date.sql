{#-
    No account shows a transaction after the day the warehouse describes:
    a build for an earlier day (var as_of_date) must not leak later activity
    into dim_accounts.
-#}
select
    account_id,
    last_transaction_date,
    as_of_date
from {{ ref('dim_accounts') }}
where last_transaction_date > as_of_date
