with

features as (

    select
        customer_id,
        home_branch_id,
        gender,
        occupation,
        annual_income_amount,
        has_marketing_consent,
        customer_since_date,
        closed_date,
        as_of_date,
        age_years,
        tenure_months,
        open_account_count,
        open_loan_count,
        products_held,
        has_current_account,
        has_savings_account,
        has_term_deposit,
        has_credit_card,
        has_loan,
        deposit_balance_amount,
        card_balance_amount,
        loan_balance_amount,
        last_transaction_date,
        days_since_last_transaction,
        transactions_90d,
        transactions_365d,
        transaction_value_365d,
        digital_share,
        cash_share
    from {{ ref('int_customer_features') }}

),

rfm as (

    select
        customer_id,
        rfm_recency_score,
        rfm_frequency_score,
        rfm_monetary_score,
        rfm_segment
    from {{ ref('int_customer_rfm') }}

),

segments as (

    select
        customer_id,
        segment_id,
        segment_name
    from {{ ref('customer_segments') }}

),

next_best_offers as (

    select
        customer_id,
        product_code
    from {{ ref('int_next_best_offers') }}
    where offer_rank = 1

),

segment_playbook as (

    select
        segment_name,
        recommended_offer,
        recommended_channel
    from {{ ref('segment_playbook') }}

),

churn as (

    select
        customer_id,
        churn_probability
    from {{ ref('churn_probabilities') }}
    where is_scoring_snapshot

),

customer_credit as (

    select
        customer_id,
        probability_of_default,
        credit_score,
        risk_grade,
        credit_score_source
    from {{ ref('int_customer_credit') }}

),

contacts as (

    select
        customer_id,
        email,
        phone,
        city
    from {{ ref('stg_core_banking__customers') }}

),

customers as (

    select
        {{ pseudonymise('features.customer_id') }} as customer_key,
        {{ mask_email('contacts.email') }} as email_masked,
        {{ mask_phone('contacts.phone') }} as phone_masked,
        contacts.city,
        features.home_branch_id,
        coalesce(features.gender, 'unknown') as gender,
        features.occupation,
        {{ age_band('features.age_years') }} as age_band,
        {{ income_band('features.annual_income_amount') }} as income_band,
        {{ tenure_band('features.tenure_months') }} as tenure_band,
        case
            when features.closed_date <= features.as_of_date then 'closed'
            when
                features.days_since_last_transaction is null
                or features.days_since_last_transaction > {{ var('inactive_after_days') }}
                then 'inactive'
            else 'active'
        end as lifecycle_status,
        rfm.rfm_segment,
        segments.segment_name,
        segment_playbook.recommended_offer,
        segment_playbook.recommended_channel,
        next_best_offers.product_code as next_best_offer,
        case
            when features.closed_date <= features.as_of_date then 'closed'
            when churn.customer_id is null then 'inactive'
            when churn.churn_probability is null then 'unscored'
            when churn.churn_probability >= {{ var('churn_high_from') }} then 'high'
            when churn.churn_probability >= {{ var('churn_medium_from') }} then 'medium'
            else 'low'
        end as churn_risk_band,
        customer_credit.risk_grade,
        cast(segments.segment_id as integer) as segment_id,
        features.tenure_months,
        features.products_held,
        features.open_account_count,
        features.open_loan_count,
        features.deposit_balance_amount,
        features.card_balance_amount,
        features.loan_balance_amount,
        features.transactions_90d,
        features.transactions_365d,
        features.transaction_value_365d,
        features.days_since_last_transaction,
        rfm.rfm_recency_score,
        rfm.rfm_frequency_score,
        rfm.rfm_monetary_score,
        features.digital_share,
        features.cash_share,
        churn.churn_probability,
        customer_credit.probability_of_default,
        customer_credit.credit_score,
        customer_credit.credit_score_source,
        features.has_current_account,
        features.has_savings_account,
        features.has_term_deposit,
        features.has_credit_card,
        features.has_loan,
        coalesce(features.has_marketing_consent, false) as has_marketing_consent,
        features.customer_since_date,
        features.closed_date,
        features.last_transaction_date,
        features.as_of_date
    from features
    inner join contacts
        on features.customer_id = contacts.customer_id
    left join rfm
        on features.customer_id = rfm.customer_id
    left join segments
        on features.customer_id = segments.customer_id
    left join segment_playbook
        on segments.segment_name = segment_playbook.segment_name
    left join next_best_offers
        on features.customer_id = next_best_offers.customer_id
    left join churn
        on features.customer_id = churn.customer_id
    left join customer_credit
        on features.customer_id = customer_credit.customer_id

)

select * from customers
