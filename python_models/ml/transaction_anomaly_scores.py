"""Anomaly score of every customer-week (logic: bankmine.aml.anomaly). Fitted on a sample
and scored in batches inside DuckDB, so the customer-weeks never sit in pandas whole.

Incremental: only the weeks from the one holding (latest scored week -
incremental_lookback_days) on, and weeks not scored before (anomaly.not_scored_yet), are
scored again; earlier scores are kept and ranked with the new ones. They are scored with
the forest that scored the latest week, read back from the warehouse's model store
(bankmine.ml.store), until the data reach refit_after_days past the data it was fitted on
(or the code, settings or libraries change): then a new forest is fitted and stored. A full
build always fits and stores a new forest. The peer segment is joined here (not in
int_aml_customer_weeks) because it is as of the as-of date and would otherwise make the
incremental customer-weeks differ from a full build; the daily selection does not rebuild
it (selectors.yml), so a daily run compares with the segments of the last full build."""

import bankmine

# see bankmine.model_imports: dbt-duckdb runs Python models on parallel threads
with bankmine.model_imports():
    from bankmine.aml import anomaly
    from bankmine.ml import store

MODEL_NAME = "transaction_anomaly"

CARRIED = ["customer_week_key", "customer_id", "week_start_date", "rfm_segment"]


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        unique_key="customer_week_key",
        incremental_strategy="delete+insert",
        on_schema_change="fail",
    )
    meta = dbt.config.get("meta")
    config = anomaly.AnomalyConfig.from_meta(meta)
    weeks = dbt.ref("int_aml_customer_weeks")
    ((data_through,),) = session.execute(
        f"select max(week_start_date) from ({weeks.sql_query()})"
    ).fetchall()
    rfm = dbt.ref("int_customer_rfm")
    # the peer segment: the customer's RFM segment as int_customer_rfm holds it, every week
    weeks_with_segment = session.sql(
        "select weeks.*, coalesce(rfm.rfm_segment, 'no_activity') as rfm_segment"
        f" from ({weeks.sql_query()}) as weeks"
        f" left join ({rfm.sql_query()}) as rfm on weeks.customer_id = rfm.customer_id"
    )
    score_where = kept_scores = stored_fit = None
    if dbt.is_incremental:
        lookback_days = int(meta["incremental_lookback_days"])
        ((rescore_from,),) = session.execute(
            f"select cast(date_trunc('week', max(week_start_date) - {lookback_days}) as date)"
            f" from {dbt.this}"
        ).fetchall()
        if rescore_from is not None:
            # earlier weeks whose keys differ from the scored ones' (rarely any): found
            # first, so that the recent weeks are read alone when there are none
            older = [
                week
                for week in anomaly.unmatched_periods(
                    session, weeks.sql_query(), str(dbt.this), "week_start_date"
                )
                if week < rescore_from
            ]
            score_where = [f"week_start_date >= date '{rescore_from}'"]
            if older:
                score_where.append(
                    anomaly.not_scored_yet(
                        weeks.sql_query(), str(dbt.this), "week_start_date", periods=older
                    )
                )
            kept_scores = (
                f"select customer_week_key, anomaly_score from {dbt.this}"
                f" where week_start_date < date '{rescore_from}'"
            )
            # the forest that scored the latest week, while it is not due for a refit
            ((latest_version,),) = session.execute(
                f"select arg_max(model_version, week_start_date) from {dbt.this}"
            ).fetchall()
            stored_fit = anomaly.stored_fit_to_reuse(
                session,
                MODEL_NAME,
                latest_version,
                config,
                data_through,
                int(meta["refit_after_days"]),
                weeks_with_segment.columns,
                database=dbt.this.database,
            )
    scores, fitted = anomaly.score_relation(
        weeks_with_segment,
        session,
        config,
        CARRIED,
        "transaction_anomaly",
        score_where=score_where,
        kept_scores=kept_scores,
        fitted=stored_fit,
    )
    if stored_fit is None:
        # the forests that scored the weeks kept stay in the store
        versions_in_use = (
            [
                version
                for (version,) in session.execute(
                    f"select distinct model_version from {dbt.this}"
                ).fetchall()
            ]
            if dbt.is_incremental
            else []
        )
        store.save(
            session,
            MODEL_NAME,
            fitted.version,
            fitted,
            anomaly.fit_signature(config),
            data_through,
            database=dbt.this.database,
            in_use=versions_in_use,
        )
    return scores.select(
        "customer_week_key, customer_id, week_start_date, rfm_segment, anomaly_score,"
        " cast(is_anomalous as boolean) as is_anomalous, top_features,"
        f" '{MODEL_NAME}' as model_name, '{fitted.version}' as model_version"
    )
