{#-
    Preferred contact channel per age band and customer segment, learned
    from past campaigns: the conversion rate of contacted customers on each
    channel, shrunk towards that channel's overall rate by
    channel_preference_prior_contacts pseudo-contacts (so a slice with few
    contacts follows the bank-wide pattern), highest rate first. This is a
    response rate, not an uplift: per-slice control groups are too small to
    measure uplift by channel. Grain: one row per (age_band, segment_name).
-#}
with

contacts as (

    select
        channel,
        segment_name,
        age_band,
        is_converted
    from {{ ref('int_campaign_contacts') }}
    where not is_control_group

),

channel_rates as (

    select
        contacts.channel,
        avg(case when contacts.is_converted then 1.0 else 0.0 end) as channel_rate
    from contacts
    group by contacts.channel

),

slices as (

    select distinct
        contacts.age_band,
        contacts.segment_name
    from contacts

),

slice_channel as (

    select
        slices.age_band,
        slices.segment_name,
        channel_rates.channel,
        channel_rates.channel_rate,
        count(contacts.channel) as contacted,
        sum(case when contacts.is_converted then 1 else 0 end) as converted
    from slices
    cross join channel_rates
    left join contacts
        on
            slices.age_band = contacts.age_band
            and slices.segment_name = contacts.segment_name
            and channel_rates.channel = contacts.channel
    group by slices.age_band, slices.segment_name, channel_rates.channel, channel_rates.channel_rate

),

ranked as (

    select
        slice_channel.*,
        (slice_channel.converted + {{ var('channel_preference_prior_contacts') }} * slice_channel.channel_rate)
        / (slice_channel.contacted + {{ var('channel_preference_prior_contacts') }}) as shrunk_rate,
        row_number() over (
            partition by slice_channel.age_band, slice_channel.segment_name
            order by
                (slice_channel.converted + {{ var('channel_preference_prior_contacts') }} * slice_channel.channel_rate)
                / (slice_channel.contacted + {{ var('channel_preference_prior_contacts') }}) desc,
                slice_channel.channel asc
        ) as channel_rank
    from slice_channel

),

final as (

    select
        ranked.age_band,
        ranked.segment_name,
        ranked.channel as preferred_channel,
        ranked.shrunk_rate as preferred_channel_response_rate,
        cast(ranked.contacted as integer) as slice_contacts_on_channel
    from ranked
    where ranked.channel_rank = 1

)

select * from final
