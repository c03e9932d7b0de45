{#-
    Flags code values that are not codes of the given code set in
    seeds/code_mappings.csv. Staging keeps unmapped codes (lower-cased) so
    nothing is dropped; this test, at severity warn, is where they show up:
    add a mapping row to the seed to fix them.
-#}
{% test known_code(model, column_name, code_set) %}

with

known_codes as (

    select distinct code
    from {{ ref('code_mappings') }}
    where code_set = '{{ code_set }}'

),

unknown_values as (

    select
        {{ column_name }} as unknown_code,
        count(*) as row_count
    from {{ model }}
    where
        {{ column_name }} is not null
        and {{ column_name }} not in (select known_codes.code from known_codes)
    group by {{ column_name }}

)

select * from unknown_values

{% endtest %}
