{#-
    Fails for every column of a model in schema marts that carries personal
    data without masking:
      - a column whose name is a column tagged pii anywhere in the project
        (staging, restricted: e.g. email, national_id, birth_date), or
      - a column the mart's own YAML tags pii without also tagging it masked.
    Columns are read from the built relations, so a column added in SQL but
    not declared in YAML is caught too. Driven by meta, not by a list.
-#}
{%- set violations = pii_exposures('marts') if execute else [] -%}

{%- if violations | length > 0 %}
{%- for model_name, column_name, problem in violations %}
select
    '{{ model_name }}' as model_name,
    '{{ column_name }}' as column_name,
    '{{ problem }}' as problem
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}
{%- else %}
select
    cast(null as varchar) as model_name,
    cast(null as varchar) as column_name,
    cast(null as varchar) as problem
where 1 = 0
{%- endif %}
