{#-
    The only place a customer's identity and the pseudonymised key meet:
    for the few roles allowed to re-identify a customer (complaints, AML
    investigations). BI tools and analysts get schema marts, never this.
-#}
with

customers as (

    select
        customer_id,
        first_name,
        last_name,
        national_id,
        phone,
        email,
        address,
        city,
        birth_date
    from {{ ref('stg_core_banking__customers') }}

),

identified as (

    select
        {{ pseudonymise('customers.customer_id') }} as customer_key,
        customers.customer_id,
        customers.first_name,
        customers.last_name,
        customers.national_id,
        customers.phone,
        customers.email,
        customers.address,
        customers.city,
        customers.birth_date
    from customers

)

select * from identified
