{#-
    AML rule parameters by version: one row per rule, version and parameter.
    A rule's version starts on each effective_date of any of its rows in seed
    aml_rule_parameters and carries, for every parameter, the latest value
    effective on that day. A version is valid until the next one starts; the
    first version of a rule also covers all earlier dates, so history before
    the shipped defaults is scanned with them.
-#}
with

rule_parameter_rows as (

    select
        rule_id,
        parameter,
        value,
        jurisdiction,
        effective_date
    from {{ ref('aml_rule_parameters') }}

),

rule_versions as (

    select distinct
        rule_id,
        effective_date as version_date
    from rule_parameter_rows

),

version_bounds as (

    select
        rule_id,
        version_date,
        case
            when row_number() over (partition by rule_id order by version_date) = 1
                then cast('1900-01-01' as date)
            else version_date
        end as valid_from_date,
        lead(version_date) over (partition by rule_id order by version_date) as valid_to_date
    from rule_versions

),

values_in_force as (

    select
        version_bounds.rule_id,
        version_bounds.version_date,
        version_bounds.valid_from_date,
        version_bounds.valid_to_date,
        rule_parameter_rows.parameter,
        rule_parameter_rows.value,
        rule_parameter_rows.jurisdiction,
        row_number() over (
            partition by version_bounds.rule_id, version_bounds.version_date, rule_parameter_rows.parameter
            order by rule_parameter_rows.effective_date desc
        ) as recency_rank
    from version_bounds
    inner join rule_parameter_rows
        on
            version_bounds.rule_id = rule_parameter_rows.rule_id
            and version_bounds.version_date >= rule_parameter_rows.effective_date

),

final as (

    select
        {{ surrogate_key(['values_in_force.rule_id', 'values_in_force.version_date', 'values_in_force.parameter']) }}
            as rule_parameter_key,
        values_in_force.rule_id,
        {{ dbt.concat([
            'values_in_force.rule_id',
            "'@'",
            'cast(values_in_force.version_date as ' ~ dbt.type_string() ~ ')',
        ]) }} as parameter_version,
        values_in_force.parameter,
        values_in_force.value as parameter_value,
        values_in_force.jurisdiction,
        values_in_force.version_date,
        values_in_force.valid_from_date,
        values_in_force.valid_to_date
    from values_in_force
    where values_in_force.recency_rank = 1

)

select * from final
