-- depends_on: {{ ref('stg_lending__loans') }}
{{ stage_raw_table('lending', 'loan_schedule') }}
