{#-
    dbt's get_where_subquery (how a data test applies its `where` config),
    overridden as dbt documents, for one placeholder: a where holding
    __data_test_from__ applies only when var data_test_from_date is set,
    with the placeholder read as that date. Key and reference tests of the
    tables that grow every day carry such a where, so a daily run can check
    the rows dated from a recent day instead of every row of the history:

        dbt build --selector daily_monitoring --vars '{data_test_from_date: 2026-09-14}'

    (the rows a daily run writes are those of its look-back window, and
    delete+insert or merge on the key leaves no second row of a key it
    writes). Without the var, as in a full build, such tests check every
    row. Any other where works as in dbt.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where and '__data_test_from__' in where -%}
        {%- set from_date = var('data_test_from_date', none) -%}
        {%- if from_date is none -%}
            {%- do return(relation) -%}
        {%- endif -%}
        {%- set where = where | replace('__data_test_from__', dbt.cast("'" ~ from_date ~ "'", 'date')) -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
