-- Staging of branches, customers and accounts: what stage_raw_table, the stg_ and the
-- quarantine_ models do, for Parquet already in the contract types. Per table:
--   1. text columns trimmed ('' is null), typed columns used as they are (the Parquet
--      type is the contract type, so nothing can be unparsable); codes keep their raw
--      text until the staged table maps them;
--   2. row_hash = md5 of the row spelled "column=value|..." (raw text, <null>), which
--      is also the quarantined row's raw_record;
--   3. first deliveries only (an exact re-delivery is neither staged nor quarantined),
--      and whether the key arrived with different content too. One window sort does
--      both: rows of a key ordered by hash and file, the first row of each hash is its
--      first delivery (a hash spells the key, so a hash never spans two keys), and the
--      key has another version when its first and last hashes differ;
--   4. the first failing check, as stage_raw_table orders them.

-- 1. branches ------------------------------------------------------------------------

create or replace temp macro branch_record(
    branch_id, branch_name, city, region, branch_type, opened_date
) as
    'branch_id=' || coalesce(branch_id, '<null>')
    || '|branch_name=' || coalesce(branch_name, '<null>')
    || '|city=' || coalesce(city, '<null>')
    || '|region=' || coalesce(region, '<null>')
    || '|branch_type=' || coalesce(branch_type, '<null>')
    || '|opened_date=' || coalesce(cast(opened_date as varchar), '<null>');

create or replace temp table branches_checked as
with

raw_branches as (

    select
        nullif(trim(branch_id), '') as branch_id,
        nullif(trim(branch_name), '') as branch_name,
        nullif(trim(city), '') as city,
        nullif(trim(region), '') as region,
        nullif(trim(branch_type), '') as branch_type_text,
        opened_date,
        filename as source_file
    from read_parquet(getvariable('branches_files'), union_by_name = true, filename = true)

),

hashed as (

    select
        *,
        md5(branch_record(branch_id, branch_name, city, region, branch_type_text, opened_date)) as row_hash
    from raw_branches

),

first_deliveries as (

    select
        *,
        first_value(row_hash) over same_key < last_value(row_hash) over (
            same_key rows between unbounded preceding and unbounded following
        ) as has_other_versions
    from hashed
    window same_key as (partition by branch_id order by row_hash, source_file)
    qualify row_hash is distinct from lag(row_hash) over same_key

),

checked as (

    select
        * exclude (has_other_versions),
        case
            when branch_id is null then {'reason': 'missing_key', 'column_name': 'branch_id'}
            when has_other_versions then {'reason': 'duplicate_key', 'column_name': 'branch_id'}
            when branch_name is null then {'reason': 'missing_value', 'column_name': 'branch_name'}
            when opened_date < date '1900-01-01'
                then {'reason': 'date_before_1900', 'column_name': 'opened_date'}
            when opened_date > getvariable('latest_valid_date')
                then {'reason': 'date_in_future', 'column_name': 'opened_date'}
        end as quarantine
    from first_deliveries

)

select
    * exclude (quarantine),
    quarantine.reason as quarantine_reason,
    quarantine.column_name as quarantine_column
from checked;

create or replace table staging.stg_core_banking__branches as
select
    branch_id,
    branch_name,
    city,
    region,
    contract_code('branch_type', branch_type_text) as branch_type,
    opened_date
from branches_checked
where quarantine_reason is null;

create or replace table quarantine.quarantine_core_banking__branches as
select
    branch_id as record_key,
    quarantine_reason,
    quarantine_column,
    branch_record(branch_id, branch_name, city, region, branch_type_text, opened_date) as raw_record,
    source_file,
    row_hash
from branches_checked
where quarantine_reason is not null;

-- 2. customers -----------------------------------------------------------------------

create or replace temp macro customer_record(
    customer_id, first_name, last_name, national_id, birth_date, gender, phone, email,
    address, city, occupation, annual_income_amount, home_branch_id, customer_since_date,
    closed_date, has_marketing_consent
) as
    'customer_id=' || coalesce(customer_id, '<null>')
    || '|first_name=' || coalesce(first_name, '<null>')
    || '|last_name=' || coalesce(last_name, '<null>')
    || '|national_id=' || coalesce(national_id, '<null>')
    || '|birth_date=' || coalesce(cast(birth_date as varchar), '<null>')
    || '|gender=' || coalesce(gender, '<null>')
    || '|phone=' || coalesce(phone, '<null>')
    || '|email=' || coalesce(email, '<null>')
    || '|address=' || coalesce(address, '<null>')
    || '|city=' || coalesce(city, '<null>')
    || '|occupation=' || coalesce(occupation, '<null>')
    || '|annual_income_amount=' || coalesce(cast(annual_income_amount as varchar), '<null>')
    || '|home_branch_id=' || coalesce(home_branch_id, '<null>')
    || '|customer_since_date=' || coalesce(cast(customer_since_date as varchar), '<null>')
    || '|closed_date=' || coalesce(cast(closed_date as varchar), '<null>')
    || '|has_marketing_consent=' || coalesce(cast(has_marketing_consent as varchar), '<null>');

create or replace temp table customers_checked as
with

raw_customers as (

    select
        nullif(trim(customer_id), '') as customer_id,
        nullif(trim(first_name), '') as first_name,
        nullif(trim(last_name), '') as last_name,
        nullif(trim(national_id), '') as national_id,
        birth_date,
        nullif(trim(gender), '') as gender_text,
        nullif(trim(phone), '') as phone,
        nullif(trim(email), '') as email,
        nullif(trim(address), '') as address,
        nullif(trim(city), '') as city,
        nullif(trim(occupation), '') as occupation,
        annual_income_amount,
        nullif(trim(home_branch_id), '') as home_branch_id,
        customer_since_date,
        closed_date,
        has_marketing_consent,
        filename as source_file
    from read_parquet(getvariable('customers_files'), union_by_name = true, filename = true)

),

hashed as (

    select
        *,
        md5(
            customer_record(
                customer_id, first_name, last_name, national_id, birth_date, gender_text, phone,
                email, address, city, occupation, annual_income_amount, home_branch_id,
                customer_since_date, closed_date, has_marketing_consent
            )
        ) as row_hash
    from raw_customers

),

first_deliveries as (

    select
        *,
        first_value(row_hash) over same_key < last_value(row_hash) over (
            same_key rows between unbounded preceding and unbounded following
        ) as has_other_versions
    from hashed
    window same_key as (partition by customer_id order by row_hash, source_file)
    qualify row_hash is distinct from lag(row_hash) over same_key

),

checked as (

    select
        first_deliveries.* exclude (has_other_versions),
        case
            when first_deliveries.customer_id is null
                then {'reason': 'missing_key', 'column_name': 'customer_id'}
            when first_deliveries.has_other_versions
                then {'reason': 'duplicate_key', 'column_name': 'customer_id'}
            when first_deliveries.customer_since_date is null
                then {'reason': 'missing_value', 'column_name': 'customer_since_date'}
            when first_deliveries.annual_income_amount < 0
                then {'reason': 'out_of_range', 'column_name': 'annual_income_amount'}
            when first_deliveries.annual_income_amount > 1000000000
                then {'reason': 'out_of_range', 'column_name': 'annual_income_amount'}
            when first_deliveries.birth_date < date '1900-01-01'
                then {'reason': 'date_before_1900', 'column_name': 'birth_date'}
            when first_deliveries.birth_date > getvariable('latest_valid_date')
                then {'reason': 'date_in_future', 'column_name': 'birth_date'}
            when first_deliveries.customer_since_date < date '1900-01-01'
                then {'reason': 'date_before_1900', 'column_name': 'customer_since_date'}
            when first_deliveries.customer_since_date > getvariable('latest_valid_date')
                then {'reason': 'date_in_future', 'column_name': 'customer_since_date'}
            when first_deliveries.closed_date < date '1900-01-01'
                then {'reason': 'date_before_1900', 'column_name': 'closed_date'}
            when first_deliveries.closed_date > getvariable('latest_valid_date')
                then {'reason': 'date_in_future', 'column_name': 'closed_date'}
            when first_deliveries.home_branch_id is not null and branches.branch_id is null
                then {'reason': 'unknown_reference', 'column_name': 'home_branch_id'}
        end as quarantine
    from first_deliveries
    left join staging.stg_core_banking__branches as branches
        on first_deliveries.home_branch_id = branches.branch_id

)

select
    * exclude (quarantine),
    quarantine.reason as quarantine_reason,
    quarantine.column_name as quarantine_column
from checked;

create or replace table staging.stg_core_banking__customers as
select
    customer_id,
    national_id,
    home_branch_id,
    first_name,
    last_name,
    contract_code('gender', gender_text) as gender,
    phone,
    email,
    address,
    city,
    occupation,
    annual_income_amount,
    has_marketing_consent,
    birth_date,
    customer_since_date,
    closed_date
from customers_checked
where quarantine_reason is null;

create or replace table quarantine.quarantine_core_banking__customers as
select
    customer_id as record_key,
    quarantine_reason,
    quarantine_column,
    customer_record(
        customer_id, first_name, last_name, national_id, birth_date, gender_text, phone, email,
        address, city, occupation, annual_income_amount, home_branch_id, customer_since_date,
        closed_date, has_marketing_consent
    ) as raw_record,
    source_file,
    row_hash
from customers_checked
where quarantine_reason is not null;

-- 3. accounts ------------------------------------------------------------------------

create or replace temp macro account_record(
    account_id, customer_id, branch_id, product_code, currency_code, opened_date, closed_date,
    credit_limit_amount, interest_rate
) as
    'account_id=' || coalesce(account_id, '<null>')
    || '|customer_id=' || coalesce(customer_id, '<null>')
    || '|branch_id=' || coalesce(branch_id, '<null>')
    || '|product_code=' || coalesce(product_code, '<null>')
    || '|currency_code=' || coalesce(currency_code, '<null>')
    || '|opened_date=' || coalesce(cast(opened_date as varchar), '<null>')
    || '|closed_date=' || coalesce(cast(closed_date as varchar), '<null>')
    || '|credit_limit_amount=' || coalesce(cast(credit_limit_amount as varchar), '<null>')
    || '|interest_rate=' || coalesce(cast(interest_rate as varchar), '<null>');

create or replace temp table accounts_checked as
with

raw_accounts as (

    select
        nullif(trim(account_id), '') as account_id,
        nullif(trim(customer_id), '') as customer_id,
        nullif(trim(branch_id), '') as branch_id,
        nullif(trim(product_code), '') as product_code_text,
        nullif(trim(currency_code), '') as currency_code,
        opened_date,
        closed_date,
        credit_limit_amount,
        interest_rate,
        filename as source_file
    from read_parquet(getvariable('accounts_files'), union_by_name = true, filename = true)

),

hashed as (

    select
        *,
        md5(
            account_record(
                account_id, customer_id, branch_id, product_code_text, currency_code, opened_date,
                closed_date, credit_limit_amount, interest_rate
            )
        ) as row_hash
    from raw_accounts

),

first_deliveries as (

    select
        *,
        first_value(row_hash) over same_key < last_value(row_hash) over (
            same_key rows between unbounded preceding and unbounded following
        ) as has_other_versions
    from hashed
    window same_key as (partition by account_id order by row_hash, source_file)
    qualify row_hash is distinct from lag(row_hash) over same_key

),

checked as (

    select
        first_deliveries.* exclude (has_other_versions),
        case
            when first_deliveries.account_id is null
                then {'reason': 'missing_key', 'column_name': 'account_id'}
            when first_deliveries.has_other_versions
                then {'reason': 'duplicate_key', 'column_name': 'account_id'}
            when first_deliveries.customer_id is null
                then {'reason': 'missing_value', 'column_name': 'customer_id'}
            when first_deliveries.product_code_text is null
                then {'reason': 'missing_value', 'column_name': 'product_code'}
            when first_deliveries.opened_date is null
                then {'reason': 'missing_value', 'column_name': 'opened_date'}
            when first_deliveries.credit_limit_amount < 0
                then {'reason': 'out_of_range', 'column_name': 'credit_limit_amount'}
            when first_deliveries.credit_limit_amount > 100000000
                then {'reason': 'out_of_range', 'column_name': 'credit_limit_amount'}
            when first_deliveries.interest_rate < 0
                then {'reason': 'out_of_range', 'column_name': 'interest_rate'}
            when first_deliveries.interest_rate > 1
                then {'reason': 'out_of_range', 'column_name': 'interest_rate'}
            when first_deliveries.opened_date < date '1900-01-01'
                then {'reason': 'date_before_1900', 'column_name': 'opened_date'}
            when first_deliveries.opened_date > getvariable('latest_valid_date')
                then {'reason': 'date_in_future', 'column_name': 'opened_date'}
            when first_deliveries.closed_date < date '1900-01-01'
                then {'reason': 'date_before_1900', 'column_name': 'closed_date'}
            when first_deliveries.closed_date > getvariable('latest_valid_date')
                then {'reason': 'date_in_future', 'column_name': 'closed_date'}
            when first_deliveries.customer_id is not null and customers.customer_id is null
                then {'reason': 'unknown_reference', 'column_name': 'customer_id'}
            when first_deliveries.branch_id is not null and branches.branch_id is null
                then {'reason': 'unknown_reference', 'column_name': 'branch_id'}
        end as quarantine
    from first_deliveries
    left join staging.stg_core_banking__customers as customers
        on first_deliveries.customer_id = customers.customer_id
    left join staging.stg_core_banking__branches as branches
        on first_deliveries.branch_id = branches.branch_id

)

select
    * exclude (quarantine),
    quarantine.reason as quarantine_reason,
    quarantine.column_name as quarantine_column
from checked;

create or replace table staging.stg_core_banking__accounts as
select
    account_id,
    customer_id,
    branch_id,
    contract_code('account_product', product_code_text) as product_code,
    currency_code,
    credit_limit_amount,
    interest_rate,
    opened_date,
    closed_date
from accounts_checked
where quarantine_reason is null;

create or replace table quarantine.quarantine_core_banking__accounts as
select
    account_id as record_key,
    quarantine_reason,
    quarantine_column,
    account_record(
        account_id, customer_id, branch_id, product_code_text, currency_code, opened_date,
        closed_date, credit_limit_amount, interest_rate
    ) as raw_record,
    source_file,
    row_hash
from accounts_checked
where quarantine_reason is not null;
