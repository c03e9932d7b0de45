with

base as (

    select * from {{ ref('base_crm__campaigns') }}

),

staged as (

    select
        base.campaign_id,
        base.campaign_name,
        base.product_code,
        base.channel,
        base.cost_amount,
        base.start_date,
        base.end_date
    from base
    where
        base.delivery_rank = 1
        and base.quarantine_reason is null

)

select * from staged
