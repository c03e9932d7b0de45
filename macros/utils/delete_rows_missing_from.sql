{#-
    Post-hook of an incremental model whose rows mirror a parent's by key:
    after an incremental run, delete the rows whose key the parent no longer
    has (a transaction staged before and quarantined since, e.g. when a
    second, different version of it arrives). A merge or delete+insert only
    rewrites the keys a run selects, so without this such rows would stay.
    Nothing to do on a full build.

    `candidates`, when given, is a select of the only keys that can have
    left the parent (for staged transactions: the keys with a quarantined
    row); the check then looks at those keys alone instead of anti-joining
    the whole table with the whole parent.
-#}
{% macro delete_rows_missing_from(parent, key, candidates=none) %}
    {%- if is_incremental() -%}
        {%- if candidates is none -%}
            delete from {{ this }}
            where {{ key }} not in (select parent.{{ key }} from {{ parent }} as parent)
        {%- else -%}
            delete from {{ this }}
            where
                {{ key }} in (select candidate.{{ key }} from ({{ candidates }}) as candidate)
                and {{ key }} not in (
                    select parent.{{ key }}
                    from {{ parent }} as parent
                    where parent.{{ key }} in (select candidate.{{ key }} from ({{ candidates }}) as candidate)
                )
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
