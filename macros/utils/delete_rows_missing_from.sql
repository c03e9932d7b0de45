{#-
    Post-hook of an incremental model whose rows mirror a parent's by key:
    after an incremental run, delete the rows whose key the parent no longer
    has (a transaction staged before and quarantined since, e.g. when a
    second, different version of it arrives). A merge or delete+insert only
    rewrites the keys a run selects, so without this such rows would stay.
    Nothing to do on a full build.
-#}
{% macro delete_rows_missing_from(parent, key) %}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ key }} not in (select parent.{{ key }} from {{ parent }} as parent)
    {%- endif -%}
{% endmacro %}
