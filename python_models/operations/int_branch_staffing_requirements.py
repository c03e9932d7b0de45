"""Tellers needed per branch, day of week and hour for the service target, from an Erlang C
queueing model on the observed demand (logic: bankmine.ops.queueing). The target comes from
this model's config.meta (vars staffing_target_share and staffing_target_wait_minutes)."""

import bankmine

# see bankmine.model_imports: dbt-duckdb runs Python models on parallel threads
with bankmine.model_imports():
    import pyarrow as pa

    from bankmine.ml.common import read_columns
    from bankmine.ops.queueing import StaffingTarget, staffing_requirements


def model(dbt, session):
    dbt.config(materialized="table")
    target = StaffingTarget.from_meta(dbt.config.get("meta").get("staffing_target"))
    demand = read_columns(
        dbt.ref("int_branch_hourly_demand"),
        ["branch_slot_key", "arrivals_per_hour", "handling_minutes"],
    )
    plan = staffing_requirements(demand.sort_values("branch_slot_key"), target)
    schema = pa.schema(
        [
            ("branch_slot_key", pa.string()),
            ("tellers_needed", pa.int64()),
            ("planned_service_level", pa.float64()),
            ("planned_mean_wait_minutes", pa.float64()),
            ("target_share", pa.float64()),
            ("target_wait_minutes", pa.float64()),
        ]
    )
    return pa.Table.from_pandas(plan[schema.names], schema=schema, preserve_index=False)
