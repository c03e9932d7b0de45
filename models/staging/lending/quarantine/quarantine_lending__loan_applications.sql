{{ quarantine_rows(ref('base_lending__loan_applications'), 'application_id') }}
