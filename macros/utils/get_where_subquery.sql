{#-
    dbt's get_where_subquery (how a data test applies its `where` config),
    overridden as dbt documents, for three placeholders: a where holding
    __data_test_from__, __data_test_from_week__ or __data_test_from_month__
    applies only when var data_test_from_date is set, with the placeholders
    read as that date, the Monday of its week and the first of its month.
    The date can also come from the environment variable
    BANKMINE_DATA_TEST_FROM (the var wins when both are set): a var that
    changes every day makes dbt parse the whole project again on every run,
    an environment variable read only while tests run does not.
    The key and row-level tests (not_null, accepted values, known codes,
    ranges) of the tables that grow every day carry such a where, so a
    daily run can check the rows of its recent days and periods instead of
    the whole history (pytests/test_manifest_rules.py: a model with one
    windowed row-level test has them all windowed):

        BANKMINE_DATA_TEST_FROM=2026-08-24 dbt build --selector daily_monitoring

    (a daily run writes mostly the rows of its look-back window and the
    periods it recomputes, and delete+insert or merge on the key leave no
    second row of a key they write). Not all: staging restages whole key
    groups, so a new file carrying an old-dated row (a late delivery, a
    re-delivery now a duplicate_key) writes rows before the window, and
    int_account_months rebuilds a new or reopened account from its first
    month. Those rows are checked by the next run without the date, such as
    the full build. Without the var, as in a full build, such tests check
    every row. Any other where works as in dbt.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where and '__data_test_from' in where -%}
        {%- set from_date = var('data_test_from_date', none) -%}
        {#- read only while executing, so that parsing does not depend on it -#}
        {%- if from_date is none and execute -%}
            {%- set from_date = env_var('BANKMINE_DATA_TEST_FROM', '') or none -%}
        {%- endif -%}
        {%- if from_date is none -%}
            {%- do return(relation) -%}
        {%- endif -%}
        {%- set day = modules.datetime.date.fromisoformat(from_date | string) -%}
        {%- set starts = {
            '__data_test_from_week__': day - modules.datetime.timedelta(days=day.weekday()),
            '__data_test_from_month__': day.replace(day=1),
            '__data_test_from__': day,
        } -%}
        {#- a set inside a for loop does not outlive it in Jinja: a namespace does -#}
        {%- set filter = namespace(where=where) -%}
        {%- for placeholder, start in starts.items() -%}
            {%- set filter.where = filter.where | replace(placeholder, dbt.cast("'" ~ start.isoformat() ~ "'", 'date')) -%}
        {%- endfor -%}
        {%- set where = filter.where -%}
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
