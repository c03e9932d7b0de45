{#-
    One row per staged transaction, enriched. Incremental: a run reads the
    last var incremental_lookback_days days (before the newest transaction
    already loaded) and merges only rows that are new or whose content
    changed (row_hash), so late-arriving rows within the window are picked
    up and unchanged rows are not rewritten (loaded_at shows when a row was
    last written); transactions gone from int_transactions_enriched (staged
    before, quarantined since, or of an account no longer staged when the
    enriched transactions were rebuilt) are deleted (post-hook). A row
    arriving later than the window needs
    `dbt build --full-refresh -s fct_transactions`; the conservation test
    against staging says when.
-#}
{{
    config(
        post_hook="{{ delete_rows_missing_from(
            ref('int_transactions_enriched'),
            'transaction_id',
            candidates='select transaction_id from ' ~ ref('base_core_banking__transactions')
                ~ ' where quarantine_reason is not null union all select transaction_id from '
                ~ this ~ ' where account_id not in (select account_id from '
                ~ ref('stg_core_banking__accounts') ~ ')'
        ) }}"
    )
}}

with

enriched as (

    select
        transaction_id,
        account_id,
        customer_id,
        branch_id,
        account_product_code,
        direction,
        transaction_type,
        channel,
        counterparty_country,
        merchant_category,
        merchant_category_group,
        country_risk_level,
        transaction_amount,
        signed_amount,
        balance_after_amount,
        is_cash,
        is_cross_border,
        is_high_risk_country,
        is_digital_channel,
        is_customer_initiated,
        transaction_date,
        transaction_month,
        transaction_at,
        row_hash
    from {{ ref('int_transactions_enriched') }}

),

new_or_changed as (

    select enriched.*
    from enriched
    {%- if is_incremental() %}
    where {{ new_or_changed_in_lookback('enriched', 'enriched.transaction_date') }}
    {%- endif %}

),

final as (

    select
        new_or_changed.transaction_id,
        new_or_changed.account_id,
        {{ pseudonymise('new_or_changed.customer_id') }} as customer_key,
        new_or_changed.branch_id,
        new_or_changed.account_product_code,
        new_or_changed.direction,
        new_or_changed.transaction_type,
        new_or_changed.channel,
        new_or_changed.counterparty_country,
        new_or_changed.merchant_category,
        new_or_changed.merchant_category_group,
        new_or_changed.country_risk_level,
        new_or_changed.transaction_amount,
        cast(new_or_changed.signed_amount as decimal(18, 2)) as signed_amount,
        new_or_changed.balance_after_amount,
        new_or_changed.is_cash,
        new_or_changed.is_cross_border,
        new_or_changed.is_high_risk_country,
        new_or_changed.is_digital_channel,
        new_or_changed.is_customer_initiated,
        new_or_changed.transaction_date,
        new_or_changed.transaction_month,
        new_or_changed.transaction_at,
        new_or_changed.row_hash,
        {{ dbt.cast("'" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "'", api.Column.translate_type('timestamp')) }}
            as loaded_at
    from new_or_changed

)

select * from final
