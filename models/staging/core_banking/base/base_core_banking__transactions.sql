-- depends_on: {{ ref('stg_core_banking__accounts') }}
{{ stage_raw_table('core_banking', 'transactions') }}
