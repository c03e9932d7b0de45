"""Anomaly score of customer-weeks (bankmine.aml.anomaly): unit tests on small frames made
here, and an evaluation against the generator's hidden truth on a generated bank.

Definitions used by the evaluation (3,000 customers x 12 months, seed 42):

- a case customer-week is an ISO week (Monday start) of a customer holding at least one of
  the case's injected transactions (``truth/aml_case_transactions.parquet``);
- recall of a typology: share of its case customer-weeks flagged ``is_anomalous``;
- precision: share of ``is_anomalous`` customer-weeks that are case customer-weeks of any
  typology; the base rate is the share of all scored customer-weeks that are.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import AML_BANK

from bankmine.aml import anomaly
from bankmine.ml import store

ROOT = Path(__file__).resolve().parents[1]
CUSTOMERS, MONTHS, SEED = AML_BANK["customers"], AML_BANK["months"], AML_BANK["seed"]
TYPOLOGIES = [
    "structuring",
    "rapid_pass_through",
    "cross_border_burst",
    "dormant_reactivation",
    "card_fraud_burst",
]
FEATURES = ["cash_deposit_amount", "transfer_out_count", "card_payment_count"]


def weeks_frame(rows: int = 300, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "customer_week_key": [f"k{i:04d}" for i in range(rows)],
            "customer_id": [f"c{i % 50}" for i in range(rows)],
            "rfm_segment": np.where(np.arange(rows) % 2 == 0, "loyal", "champions"),
            "cash_deposit_amount": rng.gamma(2.0, 200.0, rows).round(2),
            "transfer_out_count": rng.poisson(2, rows),
            "card_payment_count": rng.poisson(6, rows),
        }
    )


def config(**overrides) -> anomaly.AnomalyConfig:
    settings = {
        "features": FEATURES,
        "peer_features": ["cash_deposit_amount"],
        "anomalous_share": 0.01,
        "n_estimators": 100,
        "feature_phrases": {"cash_deposit_amount": "cash deposited"},
    }
    return anomaly.AnomalyConfig.from_meta({**settings, **overrides})


def test_an_obvious_outlier_ranks_first_and_names_its_feature():
    frame = weeks_frame()
    frame.loc[123, "cash_deposit_amount"] = 95_000.0
    scores = anomaly.score_customer_weeks(frame, config()).scores
    outlier = scores.loc[scores["customer_week_key"] == "k0123"].iloc[0]
    assert outlier["anomaly_rank"] == 1
    assert outlier["is_anomalous"]
    assert outlier["anomaly_score"] == scores["anomaly_score"].max()
    assert outlier["top_features"].startswith("cash deposited")
    assert scores["anomaly_score"].between(0, 1).all()
    assert sorted(scores["anomaly_rank"]) == list(range(1, len(frame) + 1))
    assert scores["is_anomalous"].sum() == 3  # ceil(1% of 300)
    assert set(scores["anomaly_rank"][scores["is_anomalous"]]) == {1, 2, 3}
    assert len(outlier["top_features"].split("; ")) == 3


def test_same_input_gives_the_same_output():
    frame = weeks_frame()
    first = anomaly.score_customer_weeks(frame, config())
    second = anomaly.score_customer_weeks(frame.copy(), config())
    pd.testing.assert_frame_equal(first.scores, second.scores)
    assert first.version == second.version
    shuffled = anomaly.score_customer_weeks(frame.sample(frac=1.0, random_state=3), config())
    pd.testing.assert_frame_equal(first.scores, shuffled.scores)
    other_seed = anomaly.score_customer_weeks(frame, config(random_state=1))
    assert not np.allclose(first.scores["anomaly_score"], other_seed.scores["anomaly_score"])


def test_only_anomalous_weeks_carry_an_explanation():
    scores = anomaly.score_customer_weeks(weeks_frame(), config()).scores
    assert scores["top_features"].notna().tolist() == scores["is_anomalous"].tolist()


def test_a_large_population_is_fitted_on_a_seeded_sample_of_keys():
    frame = weeks_frame(rows=600)
    settings = config(training_rows=200)
    sample = anomaly.training_sample(frame, settings)
    assert len(sample) == 200
    assert sample["customer_week_key"].is_monotonic_increasing
    shuffled = anomaly.training_sample(frame.sample(frac=1.0, random_state=5), settings)
    pd.testing.assert_frame_equal(sample, shuffled)
    other = anomaly.training_sample(frame, config(training_rows=200, random_state=1))
    assert set(other["customer_week_key"]) != set(sample["customer_week_key"])
    result = anomaly.score_customer_weeks(frame, settings)
    assert len(result.scores) == 600 and result.scores["anomaly_score"].notna().all()


def test_scoring_on_parallel_threads_gives_the_scores_of_one_thread(monkeypatch):
    frame = weeks_frame(rows=300)
    frame.loc[7, "cash_withdrawal_amount"] = 70_000.0
    one = anomaly.score_customer_weeks(frame, config(scoring_threads=1)).scores
    monkeypatch.setattr(anomaly, "MIN_ROWS_PER_THREAD", 100)
    monkeypatch.setattr(anomaly, "available_cores", lambda: 8)
    assert anomaly.scoring_threads(config(scoring_threads=3), 300) == 3
    assert anomaly.scoring_threads(config(scoring_threads=3), 150) == 2
    assert anomaly.scoring_threads(config(scoring_threads=0), 300) == 1
    three = anomaly.score_customer_weeks(frame, config(scoring_threads=3)).scores
    # bit for bit: a row's score does not depend on the chunk it was scored in
    assert three["anomaly_score"].tolist() == one["anomaly_score"].tolist()
    pd.testing.assert_frame_equal(one, three)


def test_batched_scoring_in_duckdb_equals_scoring_in_memory():
    frame = weeks_frame(rows=500)
    frame.loc[42, "cash_deposit_amount"] = 80_000.0
    settings = config(batch_rows=64)
    expected = anomaly.score_customer_weeks(frame, settings)
    con = duckdb.connect()
    shuffled = frame.sample(frac=1.0, random_state=9)  # noqa: F841 (read by the SQL below)
    con.execute("create table weeks_table as select * from shuffled")
    carried = ["customer_week_key", "customer_id", "rfm_segment"]
    relation, fitted = anomaly.score_relation(
        con.query("select * from weeks_table"), con, settings, carried, "test"
    )
    actual = relation.order("customer_week_key").to_arrow_table().to_pandas()
    assert fitted.version == expected.version
    expected_scores = expected.scores.sort_values("customer_week_key").reset_index(drop=True)
    np.testing.assert_allclose(
        actual["anomaly_score"], expected_scores["anomaly_score"], rtol=0, atol=1e-12
    )
    assert "anomaly_rank" not in actual.columns, "flags come from a threshold, not a rank"
    assert actual["is_anomalous"].tolist() == expected_scores["is_anomalous"].tolist()
    assert actual["top_features"].fillna("").tolist() == (
        expected_scores["top_features"].fillna("").tolist()
    )


def test_not_scored_yet_finds_the_keys_missing_from_the_scores_and_only_those():
    con = duckdb.connect()
    con.execute(
        "create table weeks as select 'k' || i as customer_week_key,"
        " date '2025-01-06' + cast(7 * (i % 4) as integer) as week_start_date from range(40) as t(i)"
    )
    # scored: all but k5 (week 1: one key short) and k38, replaced by a stale key in its
    # week (week 2: same count, other checksum)
    con.execute(
        "create table scores as select * from weeks where customer_week_key not in ('k5', 'k38')"
        " union all select 'stale', date '2025-01-20'"
    )
    predicate = anomaly.not_scored_yet("select * from weeks", "scores", "week_start_date")
    found = con.execute(
        f"select customer_week_key from weeks where {predicate} order by 1"
    ).fetchall()
    assert found == [("k38",), ("k5",)]
    weeks = anomaly.unmatched_periods(con, "select * from weeks", "scores", "week_start_date")
    assert weeks == [dt.date(2025, 1, 13), dt.date(2025, 1, 20)]
    for periods, expected in ((weeks, found), (weeks[1:], [("k38",)]), ([], [])):
        listed = anomaly.not_scored_yet(
            "select * from weeks", "scores", "week_start_date", periods=periods
        )
        keys = con.execute(f"select customer_week_key from weeks where {listed} order by 1")
        assert keys.fetchall() == expected
    con.execute("delete from scores where customer_week_key = 'stale'")
    con.execute("insert into scores select * from weeks where customer_week_key in ('k5', 'k38')")
    assert con.execute(f"select count(*) from weeks where {predicate}").fetchall() == [(0,)]


def test_a_tie_at_the_flag_threshold_is_broken_by_key_in_duckdb_as_in_memory():
    """Three identical outlier weeks share the highest score; only two may be flagged
    (ceil(0.004 x 500) = 2), so the two smallest keys are, in both scoring paths."""
    frame = weeks_frame(rows=500)
    for row in (14, 10, 12):  # one peer segment (even rows), so one score
        frame.loc[row, FEATURES] = [90_000.0, 80, 70]
    settings = config(anomalous_share=0.004)
    expected = anomaly.score_customer_weeks(frame, settings).scores
    con = duckdb.connect()
    con.execute("create table weeks_table as select * from frame")
    relation, _ = anomaly.score_relation(
        con.query("select * from weeks_table"),
        con,
        settings,
        ["customer_week_key", "rfm_segment"],
        "tie",
    )
    actual = relation.order("customer_week_key").to_arrow_table().to_pandas()
    tied = ["k0010", "k0012", "k0014"]
    assert expected.set_index("customer_week_key").loc[tied, "anomaly_score"].nunique() == 1
    assert sorted(actual.loc[actual["is_anomalous"], "customer_week_key"]) == ["k0010", "k0012"]
    assert actual["is_anomalous"].tolist() == expected["is_anomalous"].tolist()


@pytest.mark.parametrize("limit", [1, 7, 50, 240, 3000])
def test_the_threshold_is_found_among_few_candidates_and_is_the_exact_one(limit):
    """The limit-th highest (score, key) among the candidates above the floor equals the
    one among every row, ties at the threshold included; candidates are few when the
    limit is small, and every row when it is not."""
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(  # noqa: F841 (read by the SQL below)
        {
            "customer_week_key": [f"k{i:05d}" for i in range(10_000)],
            # rounded, so that many rows tie
            "anomaly_score": rng.beta(2, 5, 10_000).round(3),
        }
    )
    con = duckdb.connect()
    con.execute("create table population as select * from frame")
    population = "select customer_week_key, anomaly_score from population"
    candidates = anomaly._threshold_candidates(con, population, limit, 10_000)

    def threshold(rows: str) -> list[tuple]:
        return con.execute(
            f"select anomaly_score, customer_week_key from ({rows})"
            f" order by anomaly_score desc, customer_week_key limit 1 offset {limit - 1}"
        ).fetchall()

    assert threshold(candidates) == threshold(population)
    ((count,),) = con.execute(f"select count(*) from ({candidates})").fetchall()
    if limit * 4 >= 10_000:
        assert candidates == population
    else:
        assert limit <= count <= max(20 * limit, 200), count
    # a floor above the limit-th highest score (fewer than limit rows at or above it) is
    # refused by the count: every row is a candidate again
    # (with limit 1 the floor is the highest score itself, which the count accepts)
    too_high = anomaly._threshold_candidates(con, population, limit, 10_000, margin=0.3)
    assert threshold(too_high) == threshold(population)
    if limit > 1:
        assert too_high == population


def test_scoring_part_of_the_rows_with_the_others_kept_equals_scoring_them_all():
    """The incremental path: the rows matching score_where are scored, the kept scores of
    the others are ranked with them, so each scored row gets the same score, is_anomalous
    and explanation as in a run that scores every row (the forest is the same: its sample
    is drawn from every row either way)."""
    frame = weeks_frame(rows=500)
    frame.loc[42, "cash_deposit_amount"] = 80_000.0
    frame.loc[460, "transfer_out_count"] = 90
    settings = config(batch_rows=64, anomalous_share=0.02)
    con = duckdb.connect()
    con.execute("create table weeks_table as select * from frame")
    carried = ["customer_week_key", "customer_id", "rfm_segment"]
    weeks = con.query("select * from weeks_table")
    every, _ = anomaly.score_relation(weeks, con, settings, carried, "every")
    every.create("every_score")
    part, _ = anomaly.score_relation(
        weeks,
        con,
        settings,
        carried,
        "part",
        score_where=[
            "customer_week_key >= 'k0450'",
            "customer_week_key between 'k0400' and 'k0449'",
        ],
        kept_scores=(
            "select customer_week_key, anomaly_score from every_score"
            " where customer_week_key < 'k0400'"
        ),
    )
    actual = part.order("customer_week_key").to_arrow_table().to_pandas()
    expected = (
        con.sql("select * from every_score where customer_week_key >= 'k0400' order by 1")
        .to_arrow_table()
        .to_pandas()
    )
    assert len(actual) == 100
    pd.testing.assert_frame_equal(actual, expected)
    assert actual["is_anomalous"].sum() >= 1, "row 460 should stand out among the part"
    (flagged_elsewhere,) = con.execute(
        "select count(*) from every_score where is_anomalous and customer_week_key < 'k0400'"
    ).fetchone()
    assert flagged_elsewhere >= 1, "the kept rows must take part in the ranking"


def test_a_stored_forest_scores_new_rows_as_when_it_was_fitted():
    """The daily path with a stored forest: no new sample is drawn (the new rows would
    change it), the forest read back from the store gives the rows the scores it gave when
    fitted, and the scores carry its version; the flagged share and the explanations follow
    the run's settings."""
    frame = weeks_frame(rows=400)
    frame.loc[42, "cash_deposit_amount"] = 80_000.0
    settings = config(batch_rows=64)
    con = duckdb.connect()
    con.execute("create table weeks_table as select * from frame")
    carried = ["customer_week_key", "customer_id", "rfm_segment"]
    first, fitted = anomaly.score_relation(
        con.query("select * from weeks_table"), con, settings, carried, "first"
    )
    first.create("first_scores")
    signature = anomaly.fit_signature(settings)
    store.save(con, "anomaly", fitted.version, fitted, signature, dt.date(2025, 1, 6))
    more = weeks_frame(rows=600, seed=8).assign(  # noqa: F841 (read by the SQL below)
        customer_week_key=lambda f: [f"n{i:04d}" for i in range(len(f))]
    )
    con.execute("insert into weeks_table select * from more")
    stored = store.load(con, "anomaly", fitted.version, signature)
    later = config(batch_rows=64, anomalous_share=0.05, feature_phrases={})
    second, used = anomaly.score_relation(
        con.query("select * from weeks_table"), con, later, carried, "second", fitted=stored.model
    )
    assert used.version == fitted.version and used.config == later
    refitted = anomaly.score_relation(
        con.query("select * from weeks_table"), con, later, carried, "refit"
    )[1]
    assert refitted.version != fitted.version, "the new rows change a fresh sample"
    second.create("second_scores")
    ((differences,),) = con.execute(
        "select count(*) from first_scores join second_scores using (customer_week_key)"
        " where first_scores.anomaly_score is distinct from second_scores.anomaly_score"
    ).fetchall()
    assert differences == 0
    flagged = con.sql("select * from second_scores where is_anomalous").to_arrow_table()
    flagged = flagged.to_pandas()
    assert len(flagged) == math.ceil(0.05 * 1000)
    assert flagged["top_features"].str.contains("cash deposit amount").any()


def test_a_stored_forest_is_refitted_when_missing_or_due():
    stored = store.StoredFit("m", "v", "s", dt.date(2025, 1, 6), dt.datetime(2025, 1, 7), None)
    assert anomaly.refit_reason(stored, dt.date(2025, 2, 2), 28) is None
    assert "28 days past" in anomaly.refit_reason(stored, dt.date(2025, 2, 3), 28)
    assert anomaly.refit_reason(None, dt.date(2025, 2, 2), 28) == "no usable stored fit"
    undated = store.StoredFit("m", "v", "s", None, dt.datetime(2025, 1, 7), None)
    assert anomaly.refit_reason(undated, dt.date(2025, 2, 2), 28) is not None


def test_the_stored_forest_is_reused_only_while_its_signature_and_age_allow(caplog):
    con = duckdb.connect()
    settings = config()
    fitted = anomaly.fit(weeks_frame(), settings)
    signature = anomaly.fit_signature(settings)
    store.save(con, "anomaly", fitted.version, fitted, signature, dt.date(2025, 1, 6))

    every_column = list(weeks_frame().columns)

    def reused(version, settings, through, columns=None):
        return anomaly.stored_fit_to_reuse(
            con, "anomaly", version, settings, through, 28, columns or every_column
        )

    assert reused(fitted.version, settings, dt.date(2025, 1, 27)).version == fitted.version
    with caplog.at_level(logging.INFO, logger="bankmine.aml.anomaly"):
        assert reused(fitted.version, settings, dt.date(2025, 2, 3)) is None
        assert reused(fitted.version, config(n_estimators=50), dt.date(2025, 1, 6)) is None
        assert reused(None, settings, dt.date(2025, 1, 6)) is None
        lacking = [c for c in weeks_frame().columns if c != "transfer_out_count"]
        assert reused(fitted.version, settings, dt.date(2025, 1, 6), lacking) is None
    assert caplog.text.count("fitting a new forest") == 4
    assert "lacks features" in caplog.text


def test_the_fit_signature_follows_fit_settings_only():
    base = anomaly.fit_signature(config())
    same = [config(anomalous_share=0.2), config(batch_rows=10), config(feature_phrases={})]
    assert all(anomaly.fit_signature(other) == base for other in same)
    changed = [config(n_estimators=50), config(features=FEATURES[:2]), config(random_state=1)]
    assert all(anomaly.fit_signature(other) != base for other in changed)


def test_absent_or_empty_features_are_dropped_with_a_note(caplog):
    frame = weeks_frame()
    frame["high_risk_transfer_count"] = np.nan
    settings = config(features=[*FEATURES, "high_risk_transfer_count", "not_a_column"])
    with caplog.at_level(logging.WARNING):
        result = anomaly.score_customer_weeks(frame, settings)
    assert result.dropped == ["high_risk_transfer_count", "not_a_column"]
    assert "feature high_risk_transfer_count has no values: dropped" in caplog.text
    assert "feature not_a_column is not in the input: dropped" in caplog.text
    assert "high_risk_transfer_count" not in result.columns
    assert len(result.scores) == len(frame)
    assert result.scores["anomaly_score"].notna().all()


def test_peer_relative_compares_with_the_segment_median_of_active_weeks():
    logged = pd.Series(np.log1p([0.0, 100.0, 300.0, 10_000.0, 0.0, 50.0]))
    segments = pd.Series(["a", "a", "a", "a", "b", "b"])
    relative = anomaly.peer_relative(logged, segments)
    median_a = np.median(np.log1p([100.0, 300.0, 10_000.0]))
    assert relative[0] == 0.0 and relative[4] == 0.0  # silent weeks are not above peers
    assert relative[1] == 0.0  # below the segment's typical week: floored
    assert relative[3] == pytest.approx(np.log1p(10_000.0) - median_a)
    assert relative[5] == 0.0  # the only active week of its segment is its median


def test_baseline_ratios_are_logged_around_one():
    ratios = anomaly.log_scaled("inflow_amount_vs_baseline", pd.Series([1.0, 10.0, 0.1, None]))
    assert ratios[0] == 0.0 and ratios[1] == pytest.approx(-ratios[2])
    assert np.isnan(ratios[3])


# --- evaluation against the generator's truth ---------------------------------------------


@pytest.fixture(scope="module")
def evaluation(aml_bank) -> dict:
    """On the session's AML bank (conftest.aml_bank: 3,000 x 12, seed 42, built with the
    AML marts, whose parents include transaction_anomaly_scores)."""
    truth, db = aml_bank["truth"], aml_bank["db"]
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute(f"""
            create temp table case_weeks as
            select distinct
                cases.typology,
                tx.customer_id,
                cast(date_trunc('week', tx.transaction_date) as date) as week_start_date
            from read_parquet('{truth}/aml_cases.parquet') as cases
            inner join read_parquet('{truth}/aml_case_transactions.parquet') as case_tx
                on cases.case_id = case_tx.case_id
            inner join intermediate.int_transactions_enriched as tx
                on case_tx.transaction_id = tx.transaction_id
        """)
        recall = dict(
            con.execute("""
                select case_weeks.typology, avg(case when scores.is_anomalous then 1.0 else 0.0 end)
                from case_weeks
                left join ml.transaction_anomaly_scores as scores
                    on case_weeks.customer_id = scores.customer_id
                    and case_weeks.week_start_date = scores.week_start_date
                group by case_weeks.typology
            """).fetchall()
        )
        rows, flagged, true_flagged, case_rows = con.execute("""
            select
                count(*),
                count(*) filter (where scores.is_anomalous),
                count(*) filter (where scores.is_anomalous and exists (
                    select 1 from case_weeks
                    where case_weeks.customer_id = scores.customer_id
                    and case_weeks.week_start_date = scores.week_start_date)),
                count(*) filter (where exists (
                    select 1 from case_weeks
                    where case_weeks.customer_id = scores.customer_id
                    and case_weeks.week_start_date = scores.week_start_date))
            from ml.transaction_anomaly_scores as scores
        """).fetchone()
        (feature_rows,) = con.execute(
            "select count(*) from intermediate.int_aml_customer_weeks"
        ).fetchone()
    finally:
        con.close()
    result = {
        "recall": {typology: round(recall.get(typology, 0.0), 3) for typology in TYPOLOGIES},
        "customer_weeks": rows,
        "feature_rows": feature_rows,
        "anomalous": flagged,
        "true_anomalous": true_flagged,
        "precision": true_flagged / flagged if flagged else 0.0,
        "base_rate": case_rows / rows if rows else 0.0,
    }
    print(f"\nanomaly evaluation ({CUSTOMERS} customers, {MONTHS} months, seed {SEED}): {result}")
    return result


def test_every_customer_week_is_scored(evaluation):
    assert evaluation["customer_weeks"] == evaluation["feature_rows"] > 0
    assert evaluation["anomalous"] == int(np.ceil(0.005 * evaluation["customer_weeks"]))


def test_anomalous_weeks_find_most_typologies(evaluation):
    # unsupervised: no promise per typology, but most injected patterns should stand out
    found = [typology for typology, value in evaluation["recall"].items() if value >= 0.5]
    assert len(found) >= 3, evaluation


def test_anomalous_weeks_are_far_richer_in_cases_than_the_base_rate(evaluation):
    assert evaluation["precision"] >= 20 * evaluation["base_rate"], evaluation
