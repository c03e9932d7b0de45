"""Next-best offer: probability that a customer takes up a product if contacted.

Learned from past campaigns: each contacted customer of a finished campaign who did not hold
the offered product is a training row (label: converted), with features known before the
campaign started (int_offer_features). Validation is out of time: the latest campaign months
are held out (time-ordered folds when that would be too small, as for the other models); the
champion (logistic or gradient boosting, by out-of-time AUC) is calibrated on the earlier
months and scores every open customer for every campaigned product they do not hold.

The control group is not used to train: it says what happens without contact, which is the
campaign report's business (fct_campaign_performance), not this model's.
"""

from __future__ import annotations

import logging

import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from bankmine.ml import common

log = logging.getLogger("bankmine.ml.offers")

# Scoring runs in chunks of this many rows so a big bank never holds one huge matrix.
SCORING_BATCH_ROWS = 250_000
# Training rows are sampled down (stratified by outcome, seeded) beyond this many.
MAX_TRAINING_ROWS = 200_000


OfferResult = common.ModelResult


def candidates() -> dict:
    return {
        "logistic": LogisticRegression(C=0.5, max_iter=2000),
        "gradient_boosting": HistGradientBoostingClassifier(
            max_depth=3,
            learning_rate=0.05,
            max_iter=150,
            min_samples_leaf=40,
            l2_regularization=1.0,
            random_state=common.RANDOM_STATE,
        ),
    }


def train_and_score(*args, **kwargs) -> OfferResult:
    """See _train_and_score; one OpenMP thread (see bankmine.ml.credit.train_and_score)."""
    with threadpool_limits(limits=1):
        return _train_and_score(*args, **kwargs)


def _sample_training(rows: pd.DataFrame, limit: int) -> pd.DataFrame:
    """At most `limit` rows, every converted row kept first, the rest sampled (seeded)."""
    if len(rows) <= limit:
        return rows
    positives = rows[rows["converted"].astype(bool)]
    negatives = rows[~rows["converted"].astype(bool)]
    keep = max(limit - len(positives), 0)
    sampled = negatives.sample(n=min(keep, len(negatives)), random_state=common.RANDOM_STATE)
    return pd.concat([positives.head(limit), sampled]).sort_values(["point_month", "offer_key"])


def _train_and_score(
    frame: pd.DataFrame,
    numeric: list[str],
    categorical: list[str],
    holdout_share: float = 0.25,
) -> OfferResult:
    """frame: int_offer_features rows (offer_key, customer_id, product_code, point_month,
    is_scoring_row, is_labelled, converted and the features). Returns probabilities for the
    validation rows and for every scoring row."""
    frame = frame.sort_values(["point_month", "offer_key"]).reset_index(drop=True)
    labelled = frame["is_labelled"].fillna(False).to_numpy(dtype=bool)
    if not labelled.any():
        # a bank without campaign history (or without a CRM export) has nothing to learn from
        raise common.NotEnoughData("no contacted customer of a finished campaign")
    try:
        features = common.usable_features(frame, numeric, categorical)
    except ValueError as error:
        raise common.NotEnoughData(str(error)) from error
    train_rows = _sample_training(frame[labelled], MAX_TRAINING_ROWS)
    labels = train_rows["converted"].fillna(False).astype(int).reset_index(drop=True)
    if len(train_rows) == 0 or labels.nunique() < 2:
        raise common.NotEnoughData("no finished campaign with both conversions and non-conversions")
    train_frame = common.model_frame(train_rows, features).reset_index(drop=True)
    periods = train_rows["point_month"].reset_index(drop=True)
    trained = common.train_champion(
        train_frame, labels, periods, features, candidates(), holdout_share
    )
    log.info("offer model: %s", trained.metrics)

    validation_keys = set(train_rows["offer_key"].iloc[trained.split.validation])
    is_scoring = frame["is_scoring_row"].fillna(False).to_numpy(dtype=bool)
    keep = is_scoring | frame["offer_key"].isin(validation_keys).to_numpy()
    scored = frame[keep].reset_index(drop=True)
    probability = pd.Series(index=scored.index, dtype="float64")
    for start in range(0, len(scored), SCORING_BATCH_ROWS):
        batch = scored.iloc[start : start + SCORING_BATCH_ROWS]
        probability.iloc[start : start + len(batch)] = trained.model.predict_proba(
            common.model_frame(batch, features)
        )[:, 1]
    version = common.model_version(
        [_train_and_score, candidates, common.train_champion, common.preprocessor],
        {"champion": trained.champion, "features": features.all, "holdout_share": holdout_share},
        pd.concat([train_frame, labels.rename("label")], axis=1),
    )
    scores = pd.DataFrame(
        {
            "offer_key": scored["offer_key"].astype(str),
            "customer_id": scored["customer_id"].astype(str),
            "product_code": scored["product_code"].astype(str),
            "offer_probability": probability.to_numpy(dtype="float64"),
            "is_scoring_row": scored["is_scoring_row"].fillna(False).astype(bool),
            "is_validation_row": scored["offer_key"].isin(validation_keys),
            "champion": trained.champion,
            "validation_method": trained.split.method,
        }
    )
    return OfferResult(scores, trained.metrics, trained.champion, version, features)


def unscored(frame: pd.DataFrame, reason: str) -> OfferResult:
    """The scoring rows without probabilities, when campaign history cannot train a model."""
    log.warning("offer model not trained: %s", reason)
    scored = frame[frame["is_scoring_row"].fillna(False).astype(bool)].reset_index(drop=True)
    scores = pd.DataFrame(
        {
            "offer_key": scored["offer_key"].astype(str),
            "customer_id": scored["customer_id"].astype(str),
            "product_code": scored["product_code"].astype(str),
            "offer_probability": pd.Series([None] * len(scored), dtype="float64"),
            "is_scoring_row": True,
            "is_validation_row": False,
            "champion": "none",
            "validation_method": f"not_trained: {reason}",
        }
    )
    return OfferResult(scores, {}, "none", "untrained", common.FeatureSet([], []))
