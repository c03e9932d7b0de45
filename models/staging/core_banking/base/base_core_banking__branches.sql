{{ stage_raw_table('core_banking', 'branches') }}
