{{ quarantine_rows(ref('base_branch_ops__service_tickets'), 'ticket_id') }}
