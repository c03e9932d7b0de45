{{ quarantine_rows(ref('base_lending__application_stages'), 'stage_event_id') }}
