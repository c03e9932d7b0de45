-- depends_on: {{ ref('stg_core_banking__branches') }}
{{ stage_raw_table('branch_ops', 'staff_shifts') }}
