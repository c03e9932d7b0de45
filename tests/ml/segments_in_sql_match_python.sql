{#-
    Scoring in SQL equals scoring in Python: every customer of
    customer_segments gets the same segment from customer_segments_in_sql,
    at the same distance to 1e-9 (Python stores it rounded to 9 decimals),
    and no customer is in one table only. Returns the disagreeing rows.
-#}
with

python_scored as (

    select
        customer_id,
        segment_id,
        distance_to_centroid
    from {{ ref('customer_segments') }}

),

sql_scored as (

    select
        customer_id,
        segment_id,
        distance_to_centroid
    from {{ ref('customer_segments_in_sql') }}

)

select
    coalesce(python_scored.customer_id, sql_scored.customer_id) as customer_id,
    python_scored.segment_id as python_segment_id,
    sql_scored.segment_id as sql_segment_id,
    python_scored.distance_to_centroid as python_distance,
    sql_scored.distance_to_centroid as sql_distance
from python_scored
full outer join sql_scored
    on python_scored.customer_id = sql_scored.customer_id
where
    python_scored.customer_id is null
    or sql_scored.customer_id is null
    or python_scored.segment_id != sql_scored.segment_id
    or abs(python_scored.distance_to_centroid - sql_scored.distance_to_centroid) > 1e-9
