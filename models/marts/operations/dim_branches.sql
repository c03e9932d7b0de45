with

branches as (

    select
        branch_id,
        branch_name,
        city,
        region,
        branch_type,
        opened_date
    from {{ ref('stg_core_banking__branches') }}

),

customers as (

    select
        home_branch_id,
        lifecycle_status
    from {{ ref('dim_customers') }}

),

staff as (

    select
        branch_id,
        is_active
    from {{ ref('dim_staff') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

customer_counts as (

    select
        customers.home_branch_id as branch_id,
        sum(case when customers.lifecycle_status != 'closed' then 1 else 0 end) as customers,
        sum(case when customers.lifecycle_status = 'active' then 1 else 0 end) as active_customers
    from customers
    group by customers.home_branch_id

),

staff_counts as (

    select
        staff.branch_id,
        sum(case when staff.is_active then 1 else 0 end) as active_staff
    from staff
    group by staff.branch_id

),

final as (

    select
        branches.branch_id,
        branches.branch_name,
        branches.city,
        branches.region,
        branches.branch_type,
        cast(coalesce(customer_counts.customers, 0) as integer) as customers,
        cast(coalesce(customer_counts.active_customers, 0) as integer) as active_customers,
        cast(coalesce(staff_counts.active_staff, 0) as integer) as active_staff,
        branches.opened_date,
        as_of.as_of_date
    from branches
    cross join as_of
    left join customer_counts
        on branches.branch_id = customer_counts.branch_id
    left join staff_counts
        on branches.branch_id = staff_counts.branch_id

)

select * from final
