{{ quarantine_rows(ref('base_lending__loans'), 'loan_id') }}
