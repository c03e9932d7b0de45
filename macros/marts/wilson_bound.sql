{#-
    Lower or upper end of the Wilson score interval (95% by default) of a
    proportion successes / trials; null when trials is 0. Unlike the Wald
    interval it stays sensible at 0% and 100% and on small groups, which
    campaign control groups often are.
-#}
{% macro wilson_bound(successes, trials, bound, z=1.96) -%}
    case
        when {{ trials }} > 0 then
            (
                cast({{ successes }} as double) / {{ trials }} + {{ z * z }} / (2.0 * {{ trials }})
                {{ '-' if bound == 'lower' else '+' }} {{ z }} * sqrt(
                    cast({{ successes }} as double) / {{ trials }}
                    * (1 - cast({{ successes }} as double) / {{ trials }}) / {{ trials }}
                    + {{ z * z }} / (4.0 * {{ trials }} * {{ trials }})
                )
            ) / (1 + {{ z * z }} / {{ trials }})
    end
{%- endmacro %}
