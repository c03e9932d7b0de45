"""Customer segments: one row per customer of int_customer_features (see bankmine.ml.segments).

Thin by design: features and settings come from this model's config.meta (in
_ml__segments.yml), the fit and the naming rules live in the bankmine package.
"""

import bankmine

# see bankmine.model_imports: dbt-duckdb runs Python models on parallel threads
with bankmine.model_imports():
    from bankmine.ml.segments import SegmentConfig, segment_customers


def model(dbt, session):
    config = SegmentConfig.from_meta(dbt.config.get("meta"))
    features = dbt.ref("int_customer_features")
    present = [name for name in config.numeric if name in features.columns]
    data = features.select(config.id_column, *present).to_arrow_table()
    rules = dbt.ref("segment_naming_rules").to_arrow_table()
    return segment_customers(data, config, rules).assignments
