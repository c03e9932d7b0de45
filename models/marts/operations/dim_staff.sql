with

staff as (

    select
        staff_id,
        branch_id,
        role,
        hired_date,
        left_date
    from {{ ref('stg_branch_ops__staff') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

final as (

    select
        staff.staff_id,
        staff.branch_id,
        staff.role,
        coalesce(staff.left_date > as_of.as_of_date, true) as is_active,
        cast(
            {{ dbt.datediff(
                'staff.hired_date',
                'case when staff.left_date <= as_of.as_of_date then staff.left_date else as_of.as_of_date end',
                'month'
            ) }} as integer
        ) as tenure_months,
        staff.hired_date,
        staff.left_date,
        as_of.as_of_date
    from staff
    cross join as_of
    where staff.hired_date <= as_of.as_of_date

)

select * from final
