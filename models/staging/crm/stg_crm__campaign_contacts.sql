with

base as (

    select * from {{ ref('base_crm__campaign_contacts') }}

),

staged as (

    select
        base.contact_id,
        base.campaign_id,
        base.customer_id,
        base.channel,
        base.is_control_group,
        base.is_delivered,
        base.is_opened,
        base.is_clicked,
        base.is_converted,
        base.contacted_at,
        base.converted_at
    from base
    where
        base.delivery_rank = 1
        and base.quarantine_reason is null

)

select * from staged
