{#-
    One row per AML case: the alerts of one customer whose windows overlap
    (by date, any rule), chained - an alert joins the case when it starts
    on or before the latest end of the alerts before it. Priority: critical
    when several rules fired and one alert is high; high when several rules
    fired or one alert is high; medium when one is medium; else low.
-#}
with

alerts as (

    select
        alert_id,
        rule_id,
        customer_id,
        window_start_at,
        window_end_at,
        score,
        severity,
        evidence_countries
    from {{ ref('int_aml_alerts') }}

),

country_risk as (

    select
        country_code,
        risk_level
    from {{ ref('country_risk') }}

),

ordered_alerts as (

    select
        alerts.*,
        max(cast(alerts.window_end_at as date)) over (
            partition by alerts.customer_id
            order by alerts.window_start_at, alerts.alert_id
            rows between unbounded preceding and 1 preceding
        ) as previous_latest_end_date
    from alerts

),

case_starts as (

    select
        ordered_alerts.*,
        case
            when
                ordered_alerts.previous_latest_end_date is null
                or cast(ordered_alerts.window_start_at as date) > ordered_alerts.previous_latest_end_date
                then 1
            else 0
        end as is_case_start
    from ordered_alerts

),

case_numbers as (

    select
        case_starts.*,
        sum(case_starts.is_case_start) over (
            partition by case_starts.customer_id
            order by case_starts.window_start_at, case_starts.alert_id
            rows between unbounded preceding and current row
        ) as case_number
    from case_starts

),

high_risk_alerts as (

    select distinct alerts.alert_id
    from alerts
    inner join country_risk
        on {{ dbt.position("country_risk.country_code", "alerts.evidence_countries") }} > 0
    where country_risk.risk_level = 'high'

),

cases as (

    select
        case_numbers.customer_id,
        case_numbers.case_number,
        min(case_numbers.window_start_at) as case_start_at,
        max(case_numbers.window_end_at) as case_end_at,
        count(*) as alert_count,
        count(distinct case_numbers.rule_id) as rule_count,
        {{ dbt.listagg('distinct case_numbers.rule_id', "', '", 'order by case_numbers.rule_id') }} as rule_ids,
        {{ dbt.listagg('case_numbers.alert_id', "', '", 'order by case_numbers.window_start_at, case_numbers.alert_id') }}
            as alert_ids,
        max(case_numbers.score) as max_score,
        max(case when case_numbers.severity = 'high' then 3 when case_numbers.severity = 'medium' then 2 else 1 end)
            as severity_rank,
        max(case when high_risk_alerts.alert_id is not null then 1 else 0 end) as has_high_risk_country
    from case_numbers
    left join high_risk_alerts
        on case_numbers.alert_id = high_risk_alerts.alert_id
    group by
        case_numbers.customer_id,
        case_numbers.case_number

),

final as (

    select
        {{ surrogate_key(['cases.customer_id', 'cases.case_start_at']) }} as case_id,
        {{ pseudonymise('cases.customer_id') }} as customer_key,
        cases.case_start_at,
        cases.case_end_at,
        cast(cases.alert_count as integer) as alert_count,
        cast(cases.rule_count as integer) as rule_count,
        cases.rule_ids,
        cases.alert_ids,
        cases.max_score,
        case cases.severity_rank when 3 then 'high' when 2 then 'medium' else 'low' end as max_severity,
        cases.has_high_risk_country = 1 as has_high_risk_country,
        case
            when cases.rule_count >= 2 and cases.severity_rank = 3 then 'critical'
            when cases.rule_count >= 2 or cases.severity_rank = 3 then 'high'
            when cases.severity_rank = 2 then 'medium'
            else 'low'
        end as priority,
        cast('new' as {{ dbt.type_string() }}) as status
    from cases

)

select * from final
