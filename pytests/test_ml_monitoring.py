"""Unit tests of the monitoring additions (PSI tables, univariate importance, fairness) on
small frames made here."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from bankmine.ml import monitoring


@pytest.mark.parametrize(
    ("psi", "status"),
    [(0.0, "stable"), (0.099, "stable"), (0.1, "watch"), (0.25, "watch"), (0.26, "shifted")],
)
def test_stability_status_bands(psi, status):
    assert monitoring.stability_status(psi) == status


def test_stability_status_is_none_without_an_index():
    assert monitoring.stability_status(float("nan")) is None
    assert monitoring.stability_status(None) is None


def test_numeric_columns_keeps_present_numbers_and_booleans_only():
    frame = pd.DataFrame({"a": [1.0], "b": ["x"], "c": [True], "d": [2]})
    assert monitoring.numeric_columns(frame, ["a", "b", "c", "d", "absent"]) == ["a", "c", "d"]
    assert monitoring.split_features(frame, ["b", "a", "absent"]) == (["a"], ["b"])


def test_population_stability_table_flags_a_shifted_score_and_a_stable_feature():
    rng = np.random.default_rng(0)
    training = pd.DataFrame({"score": rng.uniform(size=2000), "x": rng.normal(size=2000)})
    scoring = pd.DataFrame(
        {"score": rng.uniform(size=1000) ** 3, "x": rng.normal(size=1000), "text": "a"}
    )
    training["text"] = "a"
    table = monitoring.population_stability_table(
        "m", training, scoring, ["score"], training, scoring, ["x", "text", "absent"]
    )
    assert list(table.columns) == monitoring.STABILITY_COLUMNS
    by_variable = table.set_index("variable")
    assert set(by_variable.index) == {"score", "x"}  # text and absent columns left out
    assert by_variable.loc["score", "variable_kind"] == "score"
    assert by_variable.loc["score", "stability_status"] == "shifted"
    assert by_variable.loc["x", "variable_kind"] == "feature"
    assert by_variable.loc["x", "stability_status"] == "stable"
    assert by_variable.loc["x", "training_rows"] == 2000
    assert by_variable.loc["x", "scoring_rows"] == 1000


def test_credit_populations_split_training_validation_and_unobservable_loans():
    scores = pd.DataFrame(
        {
            "loan_id": ["L1", "L2", "L3", "L4"],
            "probability_of_default": [0.1, 0.2, 0.3, 0.4],
            "is_training_row": [True, False, False, False],
            "is_validation_row": [False, True, False, False],
        }
    )
    loans = pd.DataFrame(
        {"loan_id": ["L1", "L2", "L3", "L4"], "is_outcome_observable": [True, True, True, False]}
    )
    populations = monitoring.credit_populations(scores, loans)
    assert list(populations.training["loan_id"]) == ["L1"]
    assert list(populations.validation["loan_id"]) == ["L2"]
    assert list(populations.scoring["loan_id"]) == ["L4"]
    assert list(populations.score_reference["loan_id"]) == ["L1"]
    assert populations.score_reference_population == "training"


def test_churn_populations_leave_the_validation_snapshot_out_of_training():
    day = [dt.date(2024, month, 28) for month in (1, 2, 3, 4)]
    snapshots = pd.DataFrame(
        {
            "customer_snapshot_key": ["a1", "b1", "a2", "a3", "a4"],
            "snapshot_date": [day[0], day[0], day[1], day[2], day[3]],
            "is_labelled": [True, True, True, False, False],
            "is_scoring_snapshot": [False, False, False, False, True],
        }
    )
    probabilities = pd.DataFrame(
        {
            "customer_snapshot_key": ["a2", "a4"],
            "snapshot_date": [day[1], day[3]],
            "churn_probability": [0.1, 0.2],
            "is_scoring_snapshot": [False, True],
            "is_validation_row": [True, False],
        }
    )
    populations = monitoring.churn_populations(probabilities, snapshots)
    assert list(populations.training["customer_snapshot_key"]) == ["a1", "b1"]
    assert list(populations.validation["customer_snapshot_key"]) == ["a2"]
    assert list(populations.scoring["customer_snapshot_key"]) == ["a4"]
    assert list(populations.score_reference["customer_snapshot_key"]) == ["a2"]
    assert list(populations.score_scoring["customer_snapshot_key"]) == ["a4"]
    assert populations.score_reference_population == "validation"
    table = monitoring.stability_for("churn", populations, ["churn_probability"], [])
    assert table.loc[0, "reference_population"] == "validation"


def test_univariate_auc_is_direction_free_and_skips_missing_values():
    labels = np.array([0, 0, 1, 1, 1])
    assert monitoring.univariate_auc(labels, np.array([1.0, 2.0, 3.0, 4.0, np.nan])) == 1.0
    assert monitoring.univariate_auc(labels, np.array([4.0, 3.0, 2.0, 1.0, np.nan])) == 1.0
    assert monitoring.univariate_auc(labels, np.array([np.nan, np.nan, 1.0, 2.0, 3.0])) is None


def test_univariate_importance_ranks_features_and_encodes_categories_on_training():
    validation = pd.DataFrame(
        {
            "y": [0, 0, 0, 1, 1, 1],
            "strong": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "weak": [1.0, 4.0, 2.0, 3.0, None, 5.0],
            "group": ["a", "a", "b", "b", "c", None],
        }
    )
    # in training, b is the risky group; c is unseen and gets the overall rate
    training = pd.DataFrame({"y": [0, 0, 1, 1], "group": ["a", "a", "b", "b"]})
    table = monitoring.univariate_importance(
        "m", validation, "y", ["strong", "weak"], ["group"], training
    )
    assert list(table.columns) == monitoring.IMPORTANCE_COLUMNS
    by_feature = table.set_index("feature")
    assert by_feature.loc["strong", "univariate_auc"] == 1.0
    assert by_feature.loc["strong", "rank"] == 1
    assert by_feature.loc["weak", "missing_share"] == pytest.approx(1 / 6)
    assert by_feature.loc["group", "missing_share"] == pytest.approx(1 / 6)
    # encoded with training rates: a -> 0, b -> 1, c and missing (unseen) -> 0.5, so the
    # values [0, 0, 1, 1, 0.5, 0.5] against y: 6.5 of 9 pairs ranked right (ties count half)
    assert by_feature.loc["group", "univariate_auc"] == pytest.approx(6.5 / 9)
    assert sorted(table["rank"]) == [1, 2, 3]


def test_age_band_uses_whole_years_at_the_date_and_the_macro_labels():
    birth = pd.Series([dt.date(2000, 6, 15), dt.date(2000, 6, 15), None, dt.date(1950, 1, 1)])
    at = pd.Series(
        [dt.date(2025, 6, 14), dt.date(2025, 6, 15), dt.date(2025, 1, 1), dt.date(2025, 1, 1)]
    )
    assert list(monitoring.age_band(birth, at)) == ["18_24", "25_34", "unknown", "65_plus"]
    young = monitoring.age_band(pd.Series([dt.date(2010, 1, 1)]), pd.Series([dt.date(2025, 1, 1)]))
    assert list(young) == ["under_18"]


def test_adverse_impact_ratios_against_the_best_large_group():
    decisions = pd.DataFrame(
        {
            "is_approved": [True] * 40 + [False] * 60 + [True] * 20 + [False] * 20 + [True] * 5,
            "gender": ["female"] * 100 + ["male"] * 40 + [None] * 5,
        }
    )
    table = monitoring.adverse_impact(decisions, ["gender"], min_group=30)
    assert list(table.columns) == monitoring.FAIRNESS_COLUMNS
    by_group = table.set_index("group_value")
    # unknown approves everyone but is small: not the reference
    assert by_group.loc["unknown", "is_small_group"]
    assert (table["reference_group"] == "male").all()
    assert by_group.loc["male", "adverse_impact_ratio"] == pytest.approx(1.0)
    assert by_group.loc["female", "approval_rate"] == pytest.approx(0.4)
    assert by_group.loc["female", "adverse_impact_ratio"] == pytest.approx(0.8)
    assert by_group.loc["female", "loans"] == 100
    assert by_group.loc["female", "approved"] == 40
    assert by_group.loc["unknown", "adverse_impact_ratio"] == pytest.approx(2.0)


def test_adverse_impact_without_large_groups_or_approvals():
    decisions = pd.DataFrame({"is_approved": [False, False, False], "band": ["x", "x", "y"]})
    table = monitoring.adverse_impact(decisions, ["band"], min_group=30)
    assert table["is_small_group"].all()
    assert table["adverse_impact_ratio"].isna().all()
    assert monitoring.adverse_impact(decisions, []).empty


def test_adverse_impact_of_an_ungraded_book_is_empty():
    decisions = pd.DataFrame(
        {"is_approved": pd.Series([], dtype=bool), "gender": [], "age_band": []}
    )
    assert monitoring.adverse_impact(decisions, ["gender", "age_band"]).empty
