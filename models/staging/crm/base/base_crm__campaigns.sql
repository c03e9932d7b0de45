{{ stage_raw_table('crm', 'campaigns') }}
