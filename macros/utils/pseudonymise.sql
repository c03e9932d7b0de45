{#-
    Pseudonymised key for BI: md5 of a secret salt (var pseudonym_salt, env
    BANKMINE_SALT) and the natural key. Stable across rebuilds for one salt;
    not reversible without it. The natural key stays in schema restricted.
-#}
{% macro pseudonymise(column) -%}
    {{ dbt.hash(dbt.concat(["'" ~ var('pseudonym_salt') ~ "'", "'|'", "cast(" ~ column ~ " as " ~ dbt.type_string() ~ ")"])) }}
{%- endmacro %}
