"""Probability of default within 12 months for every loan (logic: bankmine.ml.credit)."""

import bankmine

# see bankmine.model_imports: dbt-duckdb runs Python models on parallel threads
with bankmine.model_imports():
    import pyarrow as pa

    from bankmine.ml import common, credit


def model(dbt, session):
    dbt.config(materialized="table")
    meta = dbt.config.get("meta")
    numeric = list(meta["numeric_features"])
    categorical = list(meta["categorical_features"])
    if not meta.get("allow_age_feature", False):
        numeric = [name for name in numeric if "age" not in name.split("_")]
    columns = sorted(
        {"loan_id", "origination_month", "is_outcome_observable", "defaulted_within_12m"}
        | set(numeric)
        | set(categorical)
    )
    relation = dbt.ref("int_loan_origination_features")
    loans = common.read_columns(relation, columns)
    try:
        result = credit.train_and_score(
            loans, numeric, categorical, phrases=dict(meta.get("reason_phrases", {}))
        )
    except common.NotEnoughData as reason:
        result = credit.unscored(loans, str(reason))
    return credit.score_table(
        result.scores, [("loan_id", pa.string())], "credit_risk", result.version
    )
