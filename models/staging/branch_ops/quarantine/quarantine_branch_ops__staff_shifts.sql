{{ quarantine_rows(ref('base_branch_ops__staff_shifts'), 'shift_id') }}
