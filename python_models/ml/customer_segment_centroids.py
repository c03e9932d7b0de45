"""The fitted segmentation as data: one row per segment and feature, with the feature's
imputation, log scaling, mean and standard deviation and the centroid's z-score
(bankmine.ml.segments.centroid_table). customer_segments_in_sql assigns customers from it
in SQL. Refits with the same settings as customer_segments (the YAML anchor) and is checked
against the stored segments, like customer_segment_profiles."""

import bankmine

# see bankmine.model_imports: dbt-duckdb runs Python models on parallel threads
with bankmine.model_imports():
    from bankmine.ml.segments import (
        SegmentConfig,
        centroid_table,
        check_profiles_match,
        segment_customers,
    )


def model(dbt, session):
    config = SegmentConfig.from_meta(dbt.config.get("meta"))
    features = dbt.ref("int_customer_features")
    present = [name for name in config.numeric if name in features.columns]
    data = features.select(config.id_column, *present).to_arrow_table()
    rules = dbt.ref("segment_naming_rules").to_arrow_table()
    stored = dbt.ref("customer_segments").select("segment_id", "segment_name", "model_version")
    result = segment_customers(data, config, rules)
    check_profiles_match(result.profiles, stored.to_arrow_table())
    return centroid_table(result, config)
