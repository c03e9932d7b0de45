{{ quarantine_rows(ref('base_crm__customer_feedback'), 'feedback_id') }}
