-- The rule and lookup tables the models read, straight from the seed CSV files
-- (dbt seed loads the same files with the column types of seeds/_seeds.yml).

create schema if not exists staging;
create schema if not exists quarantine;
create schema if not exists intermediate;

-- code_mappings as one map per code set: {code_set: {source_code: code}}
set variable code_maps = (
    select map(list(code_sets.code_set), list(code_sets.codes))
    from (
        select
            code_set,
            map(list(source_code), list(code)) as codes
        from read_csv(
            getvariable('seeds_path') || '/code_mappings.csv',
            header = true,
            columns = {'code_set': 'varchar', 'source_code': 'varchar', 'code': 'varchar', 'note': 'varchar'}
        )
        group by code_set
    ) as code_sets
);

-- a raw code in its contract spelling: looked up by code set, else lower-cased as it came
create or replace temp macro contract_code(code_set, source_text) as
    coalesce(getvariable('code_maps')[code_set][lower(source_text)], lower(source_text));

create or replace temp table country_risk as
select
    country_code,
    risk_level
from read_csv(
    getvariable('seeds_path') || '/country_risk.csv',
    header = true,
    columns = {
        'country_code': 'varchar',
        'country_name': 'varchar',
        'risk_level': 'varchar',
        'list_name': 'varchar',
        'source': 'varchar',
        'source_date': 'date'
    }
);

create or replace temp table merchant_category_groups as
select
    merchant_category,
    merchant_category_group
from read_csv(
    getvariable('seeds_path') || '/merchant_category_groups.csv',
    header = true,
    columns = {'merchant_category': 'varchar', 'merchant_category_group': 'varchar', 'is_discretionary': 'boolean'}
);

create or replace temp table rfm_segments as
select * exclude (description)
from read_csv(
    getvariable('seeds_path') || '/rfm_segments.csv',
    header = true,
    columns = {
        'priority': 'integer',
        'rfm_segment': 'varchar',
        'min_recency_score': 'integer',
        'max_recency_score': 'integer',
        'min_frequency_score': 'integer',
        'max_frequency_score': 'integer',
        'min_monetary_score': 'integer',
        'max_monetary_score': 'integer',
        'description': 'varchar'
    }
);
