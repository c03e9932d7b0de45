{{ quarantine_rows(ref('base_core_banking__transactions'), 'transaction_id') }}
