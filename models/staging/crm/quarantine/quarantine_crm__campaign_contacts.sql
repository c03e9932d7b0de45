{{ quarantine_rows(ref('base_crm__campaign_contacts'), 'contact_id') }}
