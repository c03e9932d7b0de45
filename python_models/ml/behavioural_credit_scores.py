"""Behavioural probability of default: the credit model's method on behaviour-only features,
trained on loans as of origination and applied to every customer as of the as-of date, so a
customer without a loan gets an application-style score (logic: bankmine.ml.credit)."""

import bankmine

# see bankmine.model_imports: dbt-duckdb runs Python models on parallel threads
with bankmine.model_imports():
    import pyarrow as pa

    from bankmine.ml import common, credit

ROW_COLUMNS = ["row_key", "row_kind", "customer_id", "period_month", "is_outcome_observable"]


def model(dbt, session):
    dbt.config(materialized="table")
    meta = dbt.config.get("meta")
    numeric = list(meta["numeric_features"])
    relation = dbt.ref("int_behavioural_credit_features")
    rows = common.read_columns(relation, [*ROW_COLUMNS, "defaulted_within_12m", *numeric])
    # the credit code keys rows by loan_id and orders them by origination_month
    rows["loan_id"] = rows["row_kind"] + ":" + rows["row_key"]
    rows = rows.rename(columns={"period_month": "origination_month"})
    try:
        result = credit.train_and_score(
            rows, numeric, [], phrases=dict(meta.get("reason_phrases", {}))
        )
    except common.NotEnoughData as reason:
        result = credit.unscored(rows, str(reason))
    scores = result.scores.merge(
        rows[["loan_id", "row_key", "row_kind", "customer_id"]], on="loan_id", validate="1:1"
    )
    keys = [("row_key", pa.string()), ("row_kind", pa.string()), ("customer_id", pa.string())]
    return credit.score_table(scores, keys, "behavioural_credit", result.version)
