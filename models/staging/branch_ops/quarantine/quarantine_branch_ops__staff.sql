{{ quarantine_rows(ref('base_branch_ops__staff'), 'staff_id') }}
