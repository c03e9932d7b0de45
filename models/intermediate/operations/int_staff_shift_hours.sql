{#-
    Rostered tellers per branch, date and hour of the day: the teller-hours
    worked in that hour (a shift covering half the hour counts 0.5), from the
    rota export. Without a staff table every rostered shift counts; with one,
    only tellers do, since they serve the queue.
-#}
with

shifts as (

    select
        shift_id,
        staff_id,
        branch_id,
        shift_date,
        start_at,
        end_at
    from {{ ref('stg_branch_ops__staff_shifts') }}

),

staff as (

    select
        staff_id,
        role
    from {{ ref('stg_branch_ops__staff') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

hours as (

    select cast(generated_number - 1 as integer) as hour_of_day
    from ({{ dbt.generate_series(24) }}) as series

),

teller_shifts as (

    select shifts.*
    from shifts
    left join staff
        on shifts.staff_id = staff.staff_id
    cross join as_of
    where
        (staff.role = 'teller' or staff.role is null)
        and shifts.shift_date <= as_of.as_of_date

),

shift_hours as (

    select
        teller_shifts.branch_id,
        teller_shifts.shift_date,
        hours.hour_of_day,
        teller_shifts.staff_id,
        teller_shifts.start_at,
        teller_shifts.end_at,
        {{ dbt.dateadd('hour', 'hours.hour_of_day', 'cast(teller_shifts.shift_date as timestamp)') }} as hour_start_at,
        {{ dbt.dateadd('hour', 'hours.hour_of_day + 1', 'cast(teller_shifts.shift_date as timestamp)') }} as hour_end_at
    from teller_shifts
    cross join hours

),

shift_overlaps as (

    select
        shift_hours.branch_id,
        shift_hours.shift_date,
        shift_hours.hour_of_day,
        shift_hours.staff_id,
        {{ dbt.datediff(
            'greatest(shift_hours.start_at, shift_hours.hour_start_at)',
            'least(shift_hours.end_at, shift_hours.hour_end_at)',
            'second'
        ) }} as seconds_worked
    from shift_hours
    where
        shift_hours.start_at < shift_hours.hour_end_at
        and shift_hours.end_at > shift_hours.hour_start_at

),

final as (

    select
        shift_overlaps.branch_id,
        shift_overlaps.shift_date,
        shift_overlaps.hour_of_day,
        cast(sum(shift_overlaps.seconds_worked) as double) / 3600 as rostered_tellers,
        count(distinct shift_overlaps.staff_id) as rostered_staff_count
    from shift_overlaps
    group by shift_overlaps.branch_id, shift_overlaps.shift_date, shift_overlaps.hour_of_day

)

select * from final
