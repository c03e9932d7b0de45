-- depends_on: {{ ref('stg_crm__campaigns') }}
-- depends_on: {{ ref('stg_core_banking__customers') }}
{{ stage_raw_table('crm', 'campaign_contacts') }}
