-- Transactions: staging (stg_ and quarantine_ models, checked as in
-- 02_staging_core_banking.sql) and int_transactions_enriched in one pass over the raw
-- parts. The checks keep only what each row needs from the raw read (codes as raw text,
-- mapped once the row is staged). stg_core_banking__transactions is a view of the
-- enriched table: every staged transaction has a staged account (unknown_reference), so
-- the enriched table holds exactly the staged rows. Then int_as_of_date,
-- int_calendar_months and the int_aml_transactions view.

create or replace temp macro transaction_record(
    transaction_id, account_id, transaction_at, amount, direction, transaction_type, channel,
    counterparty_country, merchant_category, balance_after_amount
) as
    'transaction_id=' || coalesce(transaction_id, '<null>')
    || '|account_id=' || coalesce(account_id, '<null>')
    || '|transaction_at=' || coalesce(cast(transaction_at as varchar), '<null>')
    || '|amount=' || coalesce(cast(amount as varchar), '<null>')
    || '|direction=' || coalesce(direction, '<null>')
    || '|transaction_type=' || coalesce(transaction_type, '<null>')
    || '|channel=' || coalesce(channel, '<null>')
    || '|counterparty_country=' || coalesce(counterparty_country, '<null>')
    || '|merchant_category=' || coalesce(merchant_category, '<null>')
    || '|balance_after_amount=' || coalesce(cast(balance_after_amount as varchar), '<null>');

create or replace temp table transactions_checked as
with

raw_transactions as (

    select
        nullif(trim(transaction_id), '') as transaction_id,
        nullif(trim(account_id), '') as account_id,
        transaction_at,
        amount,
        nullif(trim(direction), '') as direction_text,
        nullif(trim(transaction_type), '') as transaction_type_text,
        nullif(trim(channel), '') as channel_text,
        nullif(trim(counterparty_country), '') as counterparty_country,
        nullif(trim(merchant_category), '') as merchant_category,
        balance_after_amount,
        filename as source_file
    from read_parquet(getvariable('transactions_files'), union_by_name = true, filename = true)

),

hashed as (

    select
        *,
        md5(
            transaction_record(
                transaction_id, account_id, transaction_at, amount, direction_text,
                transaction_type_text, channel_text, counterparty_country, merchant_category,
                balance_after_amount
            )
        ) as row_hash
    from raw_transactions

),

first_deliveries as (

    select
        *,
        first_value(row_hash) over same_key < last_value(row_hash) over (
            same_key rows between unbounded preceding and unbounded following
        ) as has_other_versions
    from hashed
    window same_key as (partition by transaction_id order by row_hash, source_file)
    qualify row_hash is distinct from lag(row_hash) over same_key

),

checked as (

    select
        first_deliveries.* exclude (has_other_versions),
        case
            when first_deliveries.transaction_id is null
                then {'reason': 'missing_key', 'column_name': 'transaction_id'}
            when first_deliveries.has_other_versions
                then {'reason': 'duplicate_key', 'column_name': 'transaction_id'}
            when first_deliveries.account_id is null
                then {'reason': 'missing_value', 'column_name': 'account_id'}
            when first_deliveries.transaction_at is null
                then {'reason': 'missing_value', 'column_name': 'transaction_at'}
            when first_deliveries.amount is null
                then {'reason': 'missing_value', 'column_name': 'amount'}
            when first_deliveries.direction_text is null
                then {'reason': 'missing_value', 'column_name': 'direction'}
            when first_deliveries.transaction_type_text is null
                then {'reason': 'missing_value', 'column_name': 'transaction_type'}
            when first_deliveries.amount < 0.01
                then {'reason': 'out_of_range', 'column_name': 'amount'}
            when first_deliveries.amount > 100000000
                then {'reason': 'out_of_range', 'column_name': 'amount'}
            when first_deliveries.transaction_at < timestamp '1900-01-01'
                then {'reason': 'date_before_1900', 'column_name': 'transaction_at'}
            when cast(first_deliveries.transaction_at as date) > getvariable('latest_valid_date')
                then {'reason': 'date_in_future', 'column_name': 'transaction_at'}
            when first_deliveries.account_id is not null and accounts.account_id is null
                then {'reason': 'unknown_reference', 'column_name': 'account_id'}
        end as quarantine
    from first_deliveries
    left join staging.stg_core_banking__accounts as accounts
        on first_deliveries.account_id = accounts.account_id

)

select
    * exclude (quarantine),
    quarantine.reason as quarantine_reason,
    quarantine.column_name as quarantine_column
from checked;

create or replace table quarantine.quarantine_core_banking__transactions as
select
    transaction_id as record_key,
    quarantine_reason,
    quarantine_column,
    transaction_record(
        transaction_id, account_id, transaction_at, amount, direction_text, transaction_type_text,
        channel_text, counterparty_country, merchant_category, balance_after_amount
    ) as raw_record,
    source_file,
    row_hash
from transactions_checked
where quarantine_reason is not null;

create or replace table intermediate.int_transactions_enriched as
with

staged as (

    select
        transaction_id,
        account_id,
        contract_code('direction', direction_text) as direction,
        contract_code('transaction_type', transaction_type_text) as transaction_type,
        contract_code('channel', channel_text) as channel,
        counterparty_country,
        merchant_category,
        amount as transaction_amount,
        balance_after_amount,
        transaction_at,
        row_hash
    from transactions_checked
    where quarantine_reason is null

),

enriched as (

    select
        staged.transaction_id,
        staged.account_id,
        accounts.customer_id,
        accounts.branch_id,
        accounts.product_code as account_product_code,
        staged.direction,
        staged.transaction_type,
        staged.channel,
        staged.counterparty_country,
        staged.merchant_category,
        coalesce(
            merchant_category_groups.merchant_category_group,
            case when staged.merchant_category is not null then 'other' end
        ) as merchant_category_group,
        coalesce(country_risk.risk_level, 'standard') as country_risk_level,
        staged.transaction_amount,
        case
            when staged.direction = 'debit' then -staged.transaction_amount
            else staged.transaction_amount
        end as signed_amount,
        staged.balance_after_amount,
        staged.transaction_type in ('cash_deposit', 'cash_withdrawal') as is_cash,
        coalesce(staged.counterparty_country != getvariable('bank_country_code'), false) as is_cross_border,
        coalesce(country_risk.risk_level = 'high', false) as is_high_risk_country,
        coalesce(staged.channel in ('online', 'mobile'), false) as is_digital_channel,
        coalesce(staged.channel != 'system', true) as is_customer_initiated,
        cast(staged.transaction_at as date) as transaction_date,
        cast(date_trunc('month', staged.transaction_at) as date) as transaction_month,
        staged.transaction_at,
        staged.row_hash
    from staged
    inner join staging.stg_core_banking__accounts as accounts
        on staged.account_id = accounts.account_id
    left join country_risk
        on staged.counterparty_country = country_risk.country_code
    left join merchant_category_groups
        on staged.merchant_category = merchant_category_groups.merchant_category

)

select * from enriched;

drop table transactions_checked;

create or replace view staging.stg_core_banking__transactions as
select
    transaction_id,
    account_id,
    direction,
    transaction_type,
    channel,
    counterparty_country,
    merchant_category,
    transaction_amount,
    balance_after_amount,
    transaction_at,
    row_hash
from intermediate.int_transactions_enriched;

-- the as-of date: the as_of_date parameter, else the last staged transaction date
create or replace table intermediate.int_as_of_date as
with

as_of as (

    select coalesce(getvariable('as_of_date'), max(transaction_date)) as as_of_date
    from intermediate.int_transactions_enriched

)

select
    as_of_date,
    cast(date_trunc('month', as_of_date) as date) as as_of_month
from as_of;

set variable as_of_date = (select as_of_date from intermediate.int_as_of_date);
set variable as_of_month = (select as_of_month from intermediate.int_as_of_date);
set variable first_month = (
    select cast(date_trunc('month', min(transaction_at)) as date)
    from intermediate.int_transactions_enriched
);

create or replace table intermediate.int_calendar_months as
select cast(month_start as date) as month_start
from unnest(
    generate_series(getvariable('first_month'), getvariable('as_of_month'), interval 1 month)
) as months (month_start);

create or replace view intermediate.int_aml_transactions as
select
    transactions.transaction_id,
    transactions.account_id,
    transactions.customer_id,
    transactions.direction,
    transactions.transaction_type,
    transactions.channel,
    transactions.counterparty_country,
    transactions.country_risk_level,
    transactions.merchant_category,
    accounts.currency_code,
    transactions.transaction_amount,
    transactions.is_cross_border,
    transactions.is_customer_initiated,
    accounts.opened_date as account_opened_date,
    transactions.transaction_date,
    transactions.transaction_at
from intermediate.int_transactions_enriched as transactions
inner join staging.stg_core_banking__accounts as accounts
    on transactions.account_id = accounts.account_id;
