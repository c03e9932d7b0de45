{#-
    One row per month, AML rule and severity (every combination, zeros
    included): alerts whose window started that month, customers alerted,
    alerts per 1,000 customers with an open account that month, and - the
    same on every row of a month - the customers with a transaction to or
    from a high-risk country (seed country_risk) and their share.
-#}
with

months as (

    select month_start from {{ ref('int_calendar_months') }}

),

rule_parameters as (

    select rule_id from {{ ref('int_aml_rule_parameters') }}

),

alerts as (

    select
        rule_id,
        customer_id,
        severity,
        window_start_at
    from {{ ref('int_aml_alerts') }}

),

accounts as (

    select
        customer_id,
        opened_date,
        closed_date
    from {{ ref('stg_core_banking__accounts') }}

),

transactions as (

    select
        customer_id,
        transaction_month,
        is_high_risk_country
    from {{ ref('int_transactions_enriched') }}

),

rules as (

    select distinct rule_parameters.rule_id
    from rule_parameters

),

severities as (

    select 'high' as severity
    union all
    select 'medium' as severity
    union all
    select 'low' as severity

),

customers_by_month as (

    select
        months.month_start,
        count(distinct accounts.customer_id) as customer_count
    from months
    inner join accounts
        on
            accounts.opened_date < {{ dbt.dateadd('month', 1, 'months.month_start') }}
            and (accounts.closed_date is null or months.month_start <= accounts.closed_date)
    group by months.month_start

),

high_risk_by_month as (

    select
        transactions.transaction_month as month_start,
        count(distinct transactions.customer_id) as high_risk_country_customer_count
    from transactions
    where transactions.is_high_risk_country
    group by transactions.transaction_month

),

alerts_by_month as (

    select
        cast({{ dbt.date_trunc('month', 'alerts.window_start_at') }} as date) as month_start,
        alerts.rule_id,
        alerts.severity,
        count(*) as alert_count,
        count(distinct alerts.customer_id) as alerted_customer_count
    from alerts
    group by
        cast({{ dbt.date_trunc('month', 'alerts.window_start_at') }} as date),
        alerts.rule_id,
        alerts.severity

),

final as (

    select
        {{ surrogate_key(['months.month_start', 'rules.rule_id', 'severities.severity']) }} as compliance_monthly_key,
        months.month_start,
        rules.rule_id,
        severities.severity,
        cast(coalesce(alerts_by_month.alert_count, 0) as integer) as alert_count,
        cast(coalesce(alerts_by_month.alerted_customer_count, 0) as integer) as alerted_customer_count,
        cast(coalesce(customers_by_month.customer_count, 0) as integer) as customer_count,
        cast(
            1000.0 * coalesce(alerts_by_month.alert_count, 0) / nullif(customers_by_month.customer_count, 0)
            as decimal(10, 3)
        ) as alerts_per_1000_customers,
        cast(coalesce(high_risk_by_month.high_risk_country_customer_count, 0) as integer)
            as high_risk_country_customer_count,
        cast(
            1.0 * coalesce(high_risk_by_month.high_risk_country_customer_count, 0)
            / nullif(customers_by_month.customer_count, 0)
            as decimal(7, 6)
        ) as high_risk_country_customer_share
    from months
    cross join rules
    cross join severities
    left join customers_by_month
        on months.month_start = customers_by_month.month_start
    left join high_risk_by_month
        on months.month_start = high_risk_by_month.month_start
    left join alerts_by_month
        on
            months.month_start = alerts_by_month.month_start
            and rules.rule_id = alerts_by_month.rule_id
            and severities.severity = alerts_by_month.severity

)

select * from final
