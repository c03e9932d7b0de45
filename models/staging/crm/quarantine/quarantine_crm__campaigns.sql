{{ quarantine_rows(ref('base_crm__campaigns'), 'campaign_id') }}
