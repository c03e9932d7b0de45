"""Adverse impact ratios of the credit model's grades by gender and by age band at
origination (logic: bankmine.ml.monitoring.adverse_impact). Approved = risk grade in meta
approved_grades. Gender and birth date are read in memory only; the table holds group
labels, counts and rates, no personal data."""

import bankmine

# see bankmine.model_imports: dbt-duckdb runs Python models on parallel threads
with bankmine.model_imports():
    import pandas as pd
    import pyarrow as pa

    from bankmine.ml import monitoring


def model(dbt, session):
    dbt.config(materialized="table")
    approved_grades = list(dbt.config.get("meta")["approved_grades"])
    min_group = int(dbt.config.get("meta").get("min_group_loans", monitoring.MIN_GROUP_LOANS))
    scored = (
        dbt.ref("int_loans_scored")
        .select("loan_id", "probability_of_default", "risk_grade")
        .to_arrow_table()
        .to_pandas()
    )
    loans = (
        dbt.ref("stg_lending__loans")
        .select("loan_id", "customer_id", "originated_date")
        .to_arrow_table()
        .to_pandas()
    )
    customers = (
        dbt.ref("stg_core_banking__customers")
        .select("customer_id", "gender", "birth_date")
        .to_arrow_table()
        .to_pandas()
    )
    decisions = (
        scored[scored["probability_of_default"].notna()]
        .merge(loans, on="loan_id", how="left")
        .merge(customers, on="customer_id", how="left")
    )
    decisions = pd.DataFrame(
        {
            "is_approved": decisions["risk_grade"].isin(approved_grades),
            "gender": decisions["gender"],
            "age_band": monitoring.age_band(decisions["birth_date"], decisions["originated_date"]),
        }
    )
    result = monitoring.adverse_impact(decisions, ["gender", "age_band"], min_group)
    schema = pa.schema(
        [
            ("attribute", pa.string()),
            ("group_value", pa.string()),
            ("loans", pa.int64()),
            ("approved", pa.int64()),
            ("approval_rate", pa.float64()),
            ("reference_group", pa.string()),
            ("adverse_impact_ratio", pa.float64()),
            ("is_small_group", pa.bool_()),
        ]
    )
    result = monitoring.as_frame(result.to_dict("records"), monitoring.FAIRNESS_COLUMNS)
    return pa.Table.from_pandas(result[schema.names], schema=schema, preserve_index=False)
