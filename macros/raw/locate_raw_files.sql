{#-
    Files of one contract table among the raw folder's listing:
    <table>.parquet, <table>.csv, or <table>/*.parquet, <table>/*.csv
    (first that exists, names case-insensitive). Returns a dict with kind
    ('parquet' or 'csv'), files (sorted list) and display (for messages).
-#}
{% macro locate_raw_files(files, raw_path, table_name) %}
    {%- set candidates = [
        ('parquet', raw_path ~ '/' ~ table_name ~ '.parquet', false),
        ('csv', raw_path ~ '/' ~ table_name ~ '.csv', false),
        ('parquet', raw_path ~ '/' ~ table_name ~ '/', true),
        ('csv', raw_path ~ '/' ~ table_name ~ '/', true),
    ] -%}
    {%- for kind, path, is_folder in candidates -%}
        {%- set matched = [] -%}
        {%- for file in files | sort -%}
            {%- if is_folder -%}
                {%- if (file | lower).startswith(path | lower)
                    and (file | lower).endswith('.' ~ kind) -%}
                    {%- do matched.append(file) -%}
                {%- endif -%}
            {%- elif (file | lower) == (path | lower) -%}
                {%- do matched.append(file) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if matched | length > 0 -%}
            {{ return({'kind': kind, 'files': matched, 'display': path if is_folder else matched[0]}) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return({'kind': none, 'files': [], 'display': none}) }}
{% endmacro %}
