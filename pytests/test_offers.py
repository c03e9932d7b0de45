"""Next-best-offer model (bankmine.ml.offers) on small frames made here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bankmine.ml import common, offers

NUMERIC = ["annual_income_amount", "products_held", "missing_feature"]
CATEGORICAL = ["product_code"]


def _frame(n_per_month: int = 400, months: int = 8, seed: int = 3) -> pd.DataFrame:
    """Contacts whose take-up rises with income, for one product more than another,
    plus scoring rows for the same customers."""
    rng = np.random.default_rng(seed)
    rows = []
    for month in range(months):
        income = rng.lognormal(10.8, 0.5, n_per_month)
        product = rng.choice(["savings", "mortgage"], n_per_month)
        logit = -4.5 + 1.6 * (np.log(income) - 10.8) / 0.5 + np.where(product == "savings", 1.0, 0)
        converted = rng.random(n_per_month) < 1 / (1 + np.exp(-logit))
        for i in range(n_per_month):
            rows.append(
                {
                    "offer_key": f"k{month}-{i}",
                    "customer_id": f"c{i}",
                    "product_code": product[i],
                    "point_month": pd.Timestamp(2025, 1 + month, 1),
                    "is_scoring_row": False,
                    "is_labelled": True,
                    "converted": bool(converted[i]),
                    "annual_income_amount": float(income[i]),
                    "products_held": float(rng.integers(1, 4)),
                    "missing_feature": None,
                }
            )
    for i in range(200):
        for product in ("savings", "mortgage"):
            rows.append(
                {
                    "offer_key": f"s{i}-{product}",
                    "customer_id": f"c{i}",
                    "product_code": product,
                    "point_month": pd.Timestamp(2025, 1 + months, 1),
                    "is_scoring_row": True,
                    "is_labelled": False,
                    "converted": None,
                    "annual_income_amount": 20_000.0 + 1_000.0 * i,
                    "products_held": 2.0,
                    "missing_feature": None,
                }
            )
    return pd.DataFrame(rows)


def test_learns_take_up_and_validates_out_of_time():
    frame = _frame()
    result = offers.train_and_score(frame, NUMERIC, CATEGORICAL)
    scores = result.scores
    scoring = scores[scores["is_scoring_row"]]
    assert len(scoring) == 400
    assert scoring["offer_probability"].between(0, 1).all()
    # richer customers and the savings product are more likely to take up
    by_income = scoring[scoring["product_code"] == "savings"].set_index("customer_id")
    assert by_income.loc["c199", "offer_probability"] > by_income.loc["c0", "offer_probability"]
    pair = scoring[scoring["customer_id"] == "c100"].set_index("product_code")
    assert pair.loc["savings", "offer_probability"] > pair.loc["mortgage", "offer_probability"]
    # validation rows are the latest months, never the scoring rows
    validation_keys = set(scores.loc[scores["is_validation_row"], "offer_key"])
    assert validation_keys and all(key.startswith(("k6-", "k7-")) for key in validation_keys)
    assert result.metrics["auc"] > 0.7
    assert "missing_feature" in result.features.dropped


def test_same_input_same_output():
    frame = _frame()
    first = offers.train_and_score(frame, NUMERIC, CATEGORICAL)
    second = offers.train_and_score(frame.sample(frac=1.0, random_state=1), NUMERIC, CATEGORICAL)
    pd.testing.assert_frame_equal(
        first.scores.sort_values("offer_key").reset_index(drop=True),
        second.scores.sort_values("offer_key").reset_index(drop=True),
    )
    assert first.version == second.version


def test_no_conversions_leaves_scoring_rows_unscored():
    frame = _frame()
    frame.loc[~frame["is_scoring_row"], "converted"] = False
    with pytest.raises(common.NotEnoughData):
        offers.train_and_score(frame, NUMERIC, CATEGORICAL)
    result = offers.unscored(frame, "no conversions")
    assert len(result.scores) == 400
    assert result.scores["offer_probability"].isna().all()
    assert (result.scores["champion"] == "none").all()


def test_training_sample_keeps_every_conversion():
    frame = _frame()
    labelled = frame[frame["is_labelled"]]
    sample = offers._sample_training(labelled, 1_000)
    assert len(sample) == 1_000
    assert sample["converted"].sum() == labelled["converted"].sum()
    assert offers._sample_training(labelled, 10_000) is labelled


def test_a_bank_without_campaigns_gets_unscored_rows_not_a_crash():
    empty = _frame().iloc[0:0]
    with pytest.raises(common.NotEnoughData):
        offers.train_and_score(empty, NUMERIC, CATEGORICAL)
    assert len(offers.unscored(empty, "no campaigns").scores) == 0
