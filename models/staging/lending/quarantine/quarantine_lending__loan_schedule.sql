{{ quarantine_rows(ref('base_lending__loan_schedule'), 'installment_id') }}
