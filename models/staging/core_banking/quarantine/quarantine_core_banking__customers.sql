{{ quarantine_rows(ref('base_core_banking__customers'), 'customer_id') }}
