{#-
    on-run-start hook: make every contract table of the raw folder
    (var raw_path, env BANKMINE_RAW) available as a view in schema `raw`.

    A table is <raw>/<table>.parquet, <raw>/<table>.csv, or a folder
    <raw>/<table>/ of .parquet or .csv files (names case-insensitive). CSV
    is read as text so that staging, not the reader, decides what is
    unparsable. Columns are renamed through var raw_column_aliases; an
    optional column the file lacks becomes a typed null; an optional table
    that is absent becomes an empty view with the contract's columns, so a
    bank without CRM or branch data still builds. A missing required table
    or column stops the run with one message listing every problem.

    DuckDB-specific (glob, read_parquet, read_csv): reading files is the
    adapter's job and there is no cross-database macro for it.
-#}
{% macro register_raw_tables() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set raw_path = var('raw_path') | string | trim -%}
    {%- set raw_path = raw_path.rstrip('/') -%}
    {%- set listing = run_query(
        "select file from glob('" ~ raw_path ~ "/*') union all "
        ~ "select file from glob('" ~ raw_path ~ "/*/*')"
    ) -%}
    {%- set files = listing.columns[0].values() | list -%}
    {%- set problems = [] -%}
    {%- if files | length == 0 -%}
        {%- do problems.append(
            "raw folder '" ~ raw_path ~ "' is missing or empty: run `bankmine generate` or set BANKMINE_RAW"
        ) -%}
    {%- endif -%}
    {%- set aliases = var('raw_column_aliases', {}) or {} -%}
    {%- set statements = ["create schema if not exists raw"] -%}

    {%- for table in contract_tables() -%}
        {%- set located = locate_raw_files(files, raw_path, table.name) -%}
        {%- set view = 'raw.' ~ table.name -%}
        {%- if located.files | length == 0 -%}
            {%- if table.required and files | length > 0 -%}
                {%- do problems.append(
                    table.name ~ ": required table missing (expected " ~ table.name
                    ~ ".parquet, " ~ table.name ~ ".csv or a folder " ~ table.name ~ "/ in " ~ raw_path ~ ")"
                ) -%}
            {%- endif -%}
            {%- set select_list = [] -%}
            {%- for column in table.columns -%}
                {%- do select_list.append("cast(null as " ~ column.data_type ~ ") as " ~ column.name) -%}
            {%- endfor -%}
            {%- do select_list.append("cast(null as varchar) as source_file") -%}
            {%- do statements.append(
                "create or replace view " ~ view ~ " as select " ~ select_list | join(", ") ~ " where 1 = 0"
            ) -%}
        {%- else -%}
            {%- set reader = raw_read_expression(located) -%}
            {%- set described = run_query("describe select * from " ~ reader) -%}
            {%- set file_columns = {} -%}
            {%- set table_aliases = aliases.get(table.name, {}) or {} -%}
            {%- for row in described.rows -%}
                {%- set contract_name = table_aliases.get(row[0], row[0]) | lower -%}
                {%- do file_columns.update({contract_name: row[0]}) -%}
            {%- endfor -%}
            {%- set select_list = [] -%}
            {%- for column in table.columns -%}
                {%- if column.name in file_columns -%}
                    {%- do select_list.append(adapter.quote(file_columns[column.name]) ~ " as " ~ column.name) -%}
                {%- else -%}
                    {%- if column.get('required') -%}
                        {%- do problems.append(
                            table.name ~ ": required column " ~ column.name ~ " missing in " ~ located.display
                        ) -%}
                    {%- endif -%}
                    {%- do select_list.append("cast(null as " ~ column.data_type ~ ") as " ~ column.name) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- do select_list.append("filename as source_file") -%}
            {%- do statements.append(
                "create or replace view " ~ view ~ " as select " ~ select_list | join(", ") ~ " from " ~ reader
            ) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- if problems | length > 0 -%}
        {{ exceptions.raise_compiler_error(
            "The raw folder does not match the raw-data contract ("
            ~ problems | length ~ " problems; `bankmine validate` lists them all):\n  - "
            ~ problems | join("\n  - ")
        ) }}
    {%- endif -%}
    {%- for statement in statements -%}
        {%- do run_query(statement) -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}
