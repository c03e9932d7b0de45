{{ quarantine_rows(ref('base_branch_ops__operating_costs'), 'cost_entry_id') }}
