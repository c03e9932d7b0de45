"""Customer segment profiles: one row per segment of customer_segments, with its centroid in
original units and the run's quality figures (k, silhouette and stability per k).

Refits with the same configuration as customer_segments (the same meta, shared through a
YAML anchor): same data and seeds give the same fit. The refit is checked against the
stored customer_segments, so the two tables cannot disagree.
"""

import bankmine

# see bankmine.model_imports: dbt-duckdb runs Python models on parallel threads
with bankmine.model_imports():
    from bankmine.ml.segments import SegmentConfig, check_profiles_match, segment_customers


def model(dbt, session):
    config = SegmentConfig.from_meta(dbt.config.get("meta"))
    features = dbt.ref("int_customer_features")
    present = [name for name in config.numeric if name in features.columns]
    data = features.select(config.id_column, *present).to_arrow_table()
    rules = dbt.ref("segment_naming_rules").to_arrow_table()
    stored = dbt.ref("customer_segments").select("segment_id", "segment_name", "model_version")
    profiles = segment_customers(data, config, rules).profiles
    check_profiles_match(profiles, stored.to_arrow_table())
    return profiles
