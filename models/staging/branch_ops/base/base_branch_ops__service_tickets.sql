-- depends_on: {{ ref('stg_core_banking__branches') }}
-- depends_on: {{ ref('stg_core_banking__customers') }}
{{ stage_raw_table('branch_ops', 'service_tickets') }}
