{#-
    DuckDB table function reading located raw files (see locate_raw_files).
    CSV is read entirely as text (all_varchar) with a header line; the
    delimiter is detected unless var raw_csv_delimiter is set, and the
    encoding comes from var raw_csv_encoding. DuckDB-specific by nature.
-#}
{% macro raw_read_expression(located) %}
    {%- set file_list = "['" ~ located.files | join("', '") ~ "']" -%}
    {%- if located.kind == 'parquet' -%}
        {{ return("read_parquet(" ~ file_list ~ ", union_by_name = true, filename = true)") }}
    {%- else -%}
        {%- set options = ["header = true", "all_varchar = true", "union_by_name = true", "filename = true"] -%}
        {%- if var('raw_csv_delimiter', none) -%}
            {%- do options.append("delim = '" ~ var('raw_csv_delimiter') ~ "'") -%}
        {%- endif -%}
        {%- do options.append("encoding = '" ~ var('raw_csv_encoding', 'utf-8') ~ "'") -%}
        {{ return("read_csv(" ~ file_list ~ ", " ~ options | join(", ") ~ ")") }}
    {%- endif -%}
{% endmacro %}
