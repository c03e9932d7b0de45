-- depends_on: {{ ref('stg_lending__loan_applications') }}
{{ stage_raw_table('lending', 'application_stages') }}
