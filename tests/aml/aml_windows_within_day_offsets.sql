{#-
    Every window of the burst rules fits the days macro aml_window_day_offsets
    covers (aml_max_window_days): a longer window_days or window_minutes in
    seed aml_rule_parameters would make the rules miss window members
    silently. The day counts are those the rule models pass to the macro; a
    rule that starts using the macro is added to the where clause below.
-#}
with window_spans as (

    select
        rule_id,
        parameter_version,
        parameter,
        parameter_value,
        case parameter
            when 'window_minutes' then floor(cast(parameter_value as decimal(18, 4)) / 1440.0) + 1
            else ceil(cast(parameter_value as decimal(18, 4)))
        end as window_day_span
    from {{ ref('int_aml_rule_parameters') }}
    where
        (rule_id = 'card_burst' and parameter = 'window_minutes')
        or (rule_id = 'cross_border_burst' and parameter = 'window_days')

)

select
    rule_id,
    parameter_version,
    parameter,
    parameter_value,
    window_day_span
from window_spans
where window_day_span > {{ aml_max_window_days() }}
