{#-
    Campaign contacts and control-group members with their campaign, the
    customer's age band at the campaign start, and the customer's current
    behavioural segment (segments describe customers now, not at the time
    of the campaign: a slice by segment reads "customers who are now in this
    segment"). Campaigns starting after the as-of date are left out.
-#}
with

contacts as (

    select
        contact_id,
        campaign_id,
        customer_id,
        channel,
        is_control_group,
        is_delivered,
        is_opened,
        is_clicked,
        is_converted,
        contacted_at,
        converted_at
    from {{ ref('stg_crm__campaign_contacts') }}

),

campaigns as (

    select
        campaign_id,
        campaign_name,
        product_code,
        channel,
        start_date,
        end_date,
        cost_amount
    from {{ ref('stg_crm__campaigns') }}

),

customers as (

    select
        customer_id,
        birth_date
    from {{ ref('stg_core_banking__customers') }}

),

segments as (

    select
        customer_id,
        segment_name
    from {{ ref('customer_segments') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

final as (

    select
        contacts.contact_id,
        contacts.campaign_id,
        contacts.customer_id,
        campaigns.campaign_name,
        campaigns.product_code,
        coalesce(contacts.channel, campaigns.channel, 'unknown') as channel,
        coalesce(segments.segment_name, 'unsegmented') as segment_name,
        {{ age_band(whole_years_between('customers.birth_date', 'campaigns.start_date')) }} as age_band,
        contacts.is_control_group,
        coalesce(contacts.is_delivered, false) and not contacts.is_control_group as is_delivered,
        coalesce(contacts.is_opened, false) and not contacts.is_control_group as is_opened,
        coalesce(contacts.is_clicked, false) and not contacts.is_control_group as is_clicked,
        contacts.is_converted,
        campaigns.start_date as campaign_start_date,
        campaigns.end_date as campaign_end_date,
        campaigns.cost_amount as campaign_cost_amount,
        contacts.contacted_at,
        contacts.converted_at
    from contacts
    inner join campaigns
        on contacts.campaign_id = campaigns.campaign_id
    left join customers
        on contacts.customer_id = customers.customer_id
    left join segments
        on contacts.customer_id = segments.customer_id
    cross join as_of
    where campaigns.start_date <= as_of.as_of_date

)

select * from final
