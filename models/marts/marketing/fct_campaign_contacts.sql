{#-
    One row per campaign contact or control-group member: who (pseudonymised),
    which campaign, product and channel, the funnel (delivered, opened,
    clicked, converted) and days from contact to conversion.
-#}
with

contacts as (

    select * from {{ ref('int_campaign_contacts') }}

),

final as (

    select
        contacts.contact_id,
        contacts.campaign_id,
        {{ pseudonymise('contacts.customer_id') }} as customer_key,
        contacts.campaign_name,
        contacts.product_code,
        contacts.channel,
        contacts.segment_name,
        contacts.age_band,
        contacts.is_control_group,
        contacts.is_delivered,
        contacts.is_opened,
        contacts.is_clicked,
        contacts.is_converted,
        cast(
            {{ dbt.datediff('coalesce(contacts.contacted_at, cast(contacts.campaign_start_date as timestamp))', 'contacts.converted_at', 'day') }}
            as integer
        ) as days_to_conversion,
        contacts.campaign_start_date,
        contacts.contacted_at,
        contacts.converted_at
    from contacts

)

select * from final
