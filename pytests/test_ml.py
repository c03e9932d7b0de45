"""Unit tests of the ML package on small frames made here."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from bankmine.ml import churn, common, credit, monitoring


def test_usable_features_drops_absent_and_empty_columns(caplog):
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [None, None], "c": ["x", "y"]})
    with caplog.at_level(logging.WARNING, logger="bankmine.ml"):
        features = common.usable_features(frame, ["a", "b", "missing"], ["c"])
    assert features.numeric == ["a"]
    assert features.categorical == ["c"]
    assert set(features.dropped) == {"b", "missing"}
    assert "feature b has no values" in caplog.text


def test_usable_features_refuses_when_nothing_is_left():
    with pytest.raises(ValueError, match="no usable features"):
        common.usable_features(pd.DataFrame({"a": [None]}), ["a"], [])


def test_out_of_time_split_holds_out_the_latest_periods():
    periods = pd.Series(np.repeat(np.arange(10), 100))
    labels = pd.Series(np.tile(np.r_[np.ones(10), np.zeros(90)], 10))
    split = common.out_of_time_split(periods, labels, holdout_share=0.2, min_events=15)
    assert split.method == "out_of_time_holdout"
    assert periods.iloc[split.validation].min() > periods.iloc[split.train].max()
    assert set(periods.iloc[split.validation]) == {8, 9}


def test_out_of_time_split_falls_back_to_time_ordered_folds_on_small_books():
    periods = pd.Series(np.repeat(np.arange(10), 30))
    labels = pd.Series(np.tile(np.r_[np.ones(3), np.zeros(27)], 10))
    split = common.out_of_time_split(periods, labels, holdout_share=0.25, min_events=30)
    assert split.method == "time_ordered_cv"
    for train, valid in split.folds:
        assert periods.iloc[valid].min() > periods.iloc[train].max()


def test_out_of_time_split_says_when_there_is_nothing_to_learn():
    periods = pd.Series([1, 1, 2, 2])
    with pytest.raises(common.NotEnoughData):
        common.out_of_time_split(periods, pd.Series([0, 0, 0, 0]))


def events_late_book(training_events: int):
    """8 monthly cohorts of 50; 9 events in the last cohort, `training_events` early on."""
    rng = np.random.default_rng(0)
    periods = pd.Series(np.repeat(np.arange(8), 50))
    labels = np.zeros(400, dtype=int)
    labels[np.arange(355, 400, 5)] = 1
    labels[np.arange(training_events) * 50 + 5] = 1
    frame = pd.DataFrame({"x": rng.normal(size=400) + labels})
    return frame, pd.Series(labels), periods


def test_a_book_with_one_event_before_validation_is_not_enough_to_calibrate():
    # found on a 1,500-customer bank: the calibration's stratified folds need an event each
    frame, labels, periods = events_late_book(1)
    with pytest.raises(common.NotEnoughData, match="cannot calibrate"):
        common.train_champion(
            frame, labels, periods, common.FeatureSet(["x"], []), credit.candidates()
        )
    frame, labels, periods = events_late_book(2)
    trained = common.train_champion(
        frame, labels, periods, common.FeatureSet(["x"], []), credit.candidates()
    )
    assert trained.metrics["validation_method"] == "time_ordered_cv"
    assert 0 <= trained.metrics["auc"] <= 1


def test_metrics_on_a_known_ranking():
    labels = np.array([0, 0, 0, 1, 1])
    perfect = np.array([0.1, 0.2, 0.3, 0.8, 0.9])
    metrics = common.binary_metrics(labels, perfect)
    assert metrics["auc"] == 1.0
    assert metrics["gini"] == 1.0
    assert metrics["ks"] == 1.0
    assert metrics["brier_score"] == pytest.approx(np.mean((perfect - labels) ** 2))
    assert (
        common.top_decile_lift(np.r_[np.ones(10), np.zeros(90)], np.r_[np.ones(10), np.zeros(90)])
        == 10
    )


def test_population_stability_is_zero_for_the_same_population_and_grows_with_shift():
    rng = np.random.default_rng(0)
    base = rng.normal(size=5000)
    assert common.population_stability(base, base) == pytest.approx(0, abs=1e-9)
    assert common.population_stability(base, base + 1.0) > 0.25


def test_credit_score_points_scale():
    # 600 points at 50:1 odds, 20 points to double the odds
    assert credit.credit_score(np.array([1 / 51]))[0] == 600
    assert credit.credit_score(np.array([1 / 101]))[0] == 620
    assert credit.credit_score(np.array([1 / 26]))[0] == 580


def loan_book(rows: int = 3000, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    debt_to_income = rng.gamma(2, 0.2, rows)
    employment_years = rng.gamma(2, 3, rows)
    logit = -4 + 3 * debt_to_income - 0.15 * employment_years
    defaulted = rng.random(rows) < 1 / (1 + np.exp(-logit))
    months = pd.date_range("2022-01-01", periods=30, freq="MS")
    return pd.DataFrame(
        {
            "loan_id": [f"L{i:05d}" for i in range(rows)],
            "origination_month": months[np.sort(rng.integers(0, 30, rows))],
            "is_outcome_observable": np.arange(rows) < rows * 0.8,
            "defaulted_within_12m": defaulted.astype(float),
            "debt_to_income": debt_to_income,
            "employment_years": employment_years,
            "product_code": rng.choice(["personal", "auto"], rows),
            "gender": rng.choice(["female", "male"], rows),
        }
    )


def test_credit_model_learns_the_signal_out_of_time_and_explains_it():
    loans = loan_book()
    result = credit.train_and_score(
        loans,
        ["debt_to_income", "employment_years"],
        ["product_code"],
        phrases={"debt_to_income": "debts high relative to income"},
    )
    assert result.metrics["validation_method"] == "out_of_time_holdout"
    assert result.metrics["auc"] > 0.7
    scores = result.scores
    assert len(scores) == len(loans)
    assert scores["probability_of_default"].between(0, 1).all()
    assert not (scores["is_training_row"] & scores["is_validation_row"]).any()
    riskiest = scores.sort_values("probability_of_default").iloc[-1]
    assert riskiest["reason_codes"].startswith("debts high relative to income")
    assert "gender" not in result.features.all


def test_credit_model_is_reproducible():
    loans = loan_book(seed=2)
    first = credit.train_and_score(loans, ["debt_to_income", "employment_years"], [])
    second = credit.train_and_score(loans, ["debt_to_income", "employment_years"], [])
    pd.testing.assert_frame_equal(first.scores, second.scores)
    assert first.version == second.version


def test_credit_model_without_defaults_says_so():
    loans = loan_book()
    loans["defaulted_within_12m"] = 0.0
    with pytest.raises(common.NotEnoughData):
        credit.train_and_score(loans, ["debt_to_income"], [])
    unscored = credit.unscored(loans, "no defaults").scores
    assert len(unscored) == len(loans)
    assert unscored["probability_of_default"].isna().all()


def test_churn_model_scores_the_latest_snapshot_and_validates_on_the_last_labelled_one():
    rng = np.random.default_rng(3)
    rows = []
    dates = pd.date_range("2024-01-31", periods=8, freq="ME")
    for index, date in enumerate(dates):
        activity = rng.gamma(2, 5, 600)
        churned = rng.random(600) < 1 / (1 + np.exp(0.5 * activity - 2))
        rows.append(
            pd.DataFrame(
                {
                    "customer_snapshot_key": [f"{index}-{c}" for c in range(600)],
                    "customer_id": [f"C{c}" for c in range(600)],
                    "snapshot_date": date.date(),
                    "is_scoring_snapshot": index == len(dates) - 1,
                    "is_labelled": index < len(dates) - 3,
                    "churned_next_90d": np.where(index < len(dates) - 3, churned, np.nan),
                    "transactions_last_3m": activity,
                }
            )
        )
    snapshots = pd.concat(rows, ignore_index=True)
    result = churn.train_and_score(snapshots, ["transactions_last_3m"], [])
    scores = result.scores
    assert scores.loc[scores["is_scoring_snapshot"], "customer_id"].nunique() == 600
    validation_dates = set(scores.loc[scores["is_validation_row"], "snapshot_date"])
    assert validation_dates == {dates[len(dates) - 4].date()}
    assert result.metrics["auc"] > 0.75


def test_monitoring_remeasures_from_stored_predictions():
    predictions = pd.DataFrame(
        {
            "p": [0.1, 0.2, 0.9, 0.8, 0.5],
            "y": [0, 0, 1, 1, 0],
            "is_validation_row": [True, True, True, True, False],
            "is_training_row": [False, False, False, False, True],
            "model_version": "v1",
            "champion": "logistic",
            "validation_method": "out_of_time_holdout",
        }
    )
    row = monitoring.classifier_metrics("m", predictions, "p", "y")
    assert row["auc"] == 1.0
    assert row["validation_rows"] == 4
    assert row["training_rows"] == 1
    assert row["is_validation_small"] is True
