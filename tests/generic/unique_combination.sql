{#- Fails for each combination of the given columns that occurs more than once (a composite grain). -#}
{% test unique_combination(model, combination) %}

with

grouped as (

    select
        {{ combination | join(', ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ combination | join(', ') }}

)

select * from grouped
where row_count > 1

{% endtest %}
