{#-
    Cast a raw text value to its contract type, yielding null (never an
    error) when it cannot be read, so staging can quarantine the row as
    unparsable. Expects trimmed text with '' as null (see stage_raw_table).

    - dates and timestamps: ISO text (YYYY-MM-DD, optional time, optional
      offset; an offset is converted to UTC), else one of the formats in var
      raw_date_formats (YYYYMMDD, DD-MM-YYYY...), optionally followed by a
      time. Only ISO-shaped text goes through a plain cast: DuckDB's cast is
      lenient and would read '31/02/20' as the year 31. The rules match
      `bankmine validate`.
    - decimals and doubles: a decimal comma when var raw_decimal_separator
      is ',' (a '.' is then a thousands separator).
    - booleans: true/false, t/f, 1/0, y/n, yes/no.

    regexp_matches, try_strptime and "at time zone" are DuckDB-specific:
    no cross-database macro parses dates by pattern. Plain casts go through
    try_cast_value.
-#}
{% macro cast_raw(text, data_type) %}
    {%- set type_name = data_type | lower -%}
    {%- set iso_date = "'^\\d{4}-\\d{1,2}-\\d{1,2}'" -%}
    {%- set iso_with_offset = "'^\\d{4}-\\d{1,2}-\\d{1,2}[ T]\\d{1,2}:\\d{2}.*(Z|UTC|[+-]\\d{2}(:?\\d{2})?)$'" -%}
    {%- set date_formats = var('raw_date_formats') -%}
    {%- set timestamp_formats = [] -%}
    {%- for format in date_formats -%}
        {%- do timestamp_formats.extend([format ~ ' %H:%M:%S', format ~ ' %H:%M', format]) -%}
    {%- endfor -%}
    {%- if type_name in ('varchar', 'text', 'string') -%}
        {{ text }}
    {%- elif type_name == 'date' -%}
        case
            when regexp_matches({{ text }}, {{ iso_date }})
                then cast({{ try_cast_value(text, 'timestamp') }} as date)
            else cast(try_strptime({{ text }}, {{ sql_list(date_formats) }}) as date)
        end
    {%- elif type_name == 'timestamp' -%}
        case
            when regexp_matches({{ text }}, {{ iso_with_offset }})
                then {{ try_cast_value(text, 'timestamptz') }} at time zone 'UTC'
            when regexp_matches({{ text }}, {{ iso_date }})
                then {{ try_cast_value(text, 'timestamp') }}
            else try_strptime({{ text }}, {{ sql_list(timestamp_formats) }})
        end
    {%- elif type_name == 'boolean' -%}
        case
            when lower({{ text }}) in ('true', 't', '1', 'y', 'yes') then true
            when lower({{ text }}) in ('false', 'f', '0', 'n', 'no') then false
        end
    {%- elif type_name.startswith('decimal') or type_name in ('double', 'float') -%}
        {%- if var('raw_decimal_separator', '.') == ',' -%}
            {{ try_cast_value("replace(replace(" ~ text ~ ", '.', ''), ',', '.')", data_type) }}
        {%- else -%}
            {{ try_cast_value(text, data_type) }}
        {%- endif -%}
    {%- else -%}
        {{ try_cast_value(text, data_type) }}
    {%- endif -%}
{% endmacro %}
