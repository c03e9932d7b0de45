{#-
    Lower or upper end of the 95% interval of a difference of two
    proportions, treated_successes / treated_trials minus
    control_successes / control_trials, by Newcombe's hybrid score method
    (1998, method 10) built on the Wilson interval of each rate. Sound on
    small groups and at rates of 0% or 100%, where the usual Wald interval
    collapses. Null when either group is empty.
-#}
{% macro uplift_bound(treated_successes, treated_trials, control_successes, control_trials, bound) -%}
    {%- set treated_rate = '(cast(' ~ treated_successes ~ ' as double) / nullif(' ~ treated_trials ~ ', 0))' -%}
    {%- set control_rate = '(cast(' ~ control_successes ~ ' as double) / nullif(' ~ control_trials ~ ', 0))' -%}
    {%- if bound == 'lower' -%}
    ({{ treated_rate }} - {{ control_rate }}) - sqrt(
        power({{ treated_rate }} - {{ wilson_bound(treated_successes, treated_trials, 'lower') }}, 2)
        + power({{ wilson_bound(control_successes, control_trials, 'upper') }} - {{ control_rate }}, 2)
    )
    {%- else -%}
    ({{ treated_rate }} - {{ control_rate }}) + sqrt(
        power({{ wilson_bound(treated_successes, treated_trials, 'upper') }} - {{ treated_rate }}, 2)
        + power({{ control_rate }} - {{ wilson_bound(control_successes, control_trials, 'lower') }}, 2)
    )
    {%- endif -%}
{%- endmacro %}
