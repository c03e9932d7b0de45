{{ quarantine_rows(ref('base_core_banking__branches'), 'branch_id') }}
