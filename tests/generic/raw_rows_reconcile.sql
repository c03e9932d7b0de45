{#-
    Reconciliation of one raw table through staging: every raw row is
    staged, quarantined with a reason, or counted as an exact re-delivery.
    Fails with the four counts when raw <> staged + quarantined +
    deduplicated. Applied to each stg_<source>__<table> model.
-#}
{% test raw_rows_reconcile(model, source_name, table_name) %}

with

raw_rows as (

    select count(*) as row_count from {{ source(source_name, table_name) }}

),

staged_rows as (

    select count(*) as row_count from {{ model }}

),

quarantined_rows as (

    select count(*) as row_count
    from {{ ref('quarantine_' ~ source_name ~ '__' ~ table_name) }}

),

deduplicated_rows as (

    select count(*) as row_count
    from {{ ref('base_' ~ source_name ~ '__' ~ table_name) }}
    where delivery_rank > 1

),

counts as (

    select
        raw_rows.row_count as raw_row_count,
        staged_rows.row_count as staged_row_count,
        quarantined_rows.row_count as quarantined_row_count,
        deduplicated_rows.row_count as deduplicated_row_count
    from raw_rows
    cross join staged_rows
    cross join quarantined_rows
    cross join deduplicated_rows

)

select * from counts
where raw_row_count != staged_row_count + quarantined_row_count + deduplicated_row_count

{% endtest %}
