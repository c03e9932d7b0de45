"""Probability that a customer takes up a product if contacted (logic: bankmine.ml.offers).
Features are listed in this model's config.meta (_ml__offers.yml)."""

import bankmine

# see bankmine.model_imports: dbt-duckdb runs Python models on parallel threads
with bankmine.model_imports():
    import pyarrow as pa

    from bankmine.ml import common, offers


def model(dbt, session):
    dbt.config(materialized="table")
    meta = dbt.config.get("meta")
    numeric = list(meta["numeric_features"])
    categorical = list(meta.get("categorical_features", []))
    columns = {
        "offer_key",
        "customer_id",
        "product_code",
        "point_month",
        "is_scoring_row",
        "is_labelled",
        "converted",
        *numeric,
        *categorical,
    }
    frame = common.read_columns(dbt.ref("int_offer_features"), sorted(columns))
    try:
        result = offers.train_and_score(frame, numeric, categorical)
    except common.NotEnoughData as reason:
        result = offers.unscored(frame, str(reason))
    scores = result.scores
    scores["model_name"] = "offer_propensity"
    scores["model_version"] = result.version
    schema = pa.schema(
        [
            ("offer_key", pa.string()),
            ("customer_id", pa.string()),
            ("product_code", pa.string()),
            ("offer_probability", pa.float64()),
            ("is_scoring_row", pa.bool_()),
            ("is_validation_row", pa.bool_()),
            ("champion", pa.string()),
            ("validation_method", pa.string()),
            ("model_name", pa.string()),
            ("model_version", pa.string()),
        ]
    )
    return pa.Table.from_pandas(scores[schema.names], schema=schema, preserve_index=False)
