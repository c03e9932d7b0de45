{{ quarantine_rows(ref('base_core_banking__accounts'), 'account_id') }}
