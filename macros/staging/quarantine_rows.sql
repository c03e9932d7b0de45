{#-
    Body of a quarantine_<source>__<table> model: the rows of a base model
    that could not be staged, first deliveries only (re-deliveries are
    counted, not repeated), with the reason, the offending column, the
    raw row as it arrived and the file it came from.
-#}
{% macro quarantine_rows(base_relation, key_column) %}
with

base as (

    select
        {{ key_column }} as record_key,
        quarantine_reason,
        quarantine_column,
        raw_record,
        source_file,
        row_hash
    from {{ base_relation }}
    where
        delivery_rank = 1
        and quarantine_reason is not null

)

select * from base
{% endmacro %}
