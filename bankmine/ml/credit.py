"""Credit risk: probability of default within 12 months of origination.

A logistic-regression scorecard (standardised features) is the baseline and a
gradient-boosted model the challenger; both train on the cohorts whose 12-month
outcome is known, the latest of those cohorts held out (out of time). The model
with the better out-of-time AUC is the champion; it is calibrated (Platt) on the
training cohorts and scores every loan. Reason codes are the features that pushed
a loan's probability up the most against the portfolio's typical value."""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from bankmine.ml import common

log = logging.getLogger("bankmine.ml.credit")

# Points scale: 600 points at 50:1 good:bad odds, 20 points to double the odds.
BASE_POINTS, BASE_ODDS, POINTS_TO_DOUBLE = 600.0, 50.0, 20.0


CreditResult = common.ModelResult


def candidates() -> dict:
    return {
        "logistic_scorecard": LogisticRegression(C=0.5, max_iter=2000),
        "gradient_boosting": HistGradientBoostingClassifier(
            max_depth=3,
            learning_rate=0.05,
            max_iter=200,
            min_samples_leaf=40,
            l2_regularization=1.0,
            random_state=common.RANDOM_STATE,
        ),
    }


def credit_score(probability: np.ndarray) -> np.ndarray:
    """Points from a default probability: 600 at 50:1 odds, 20 points to double them."""
    p = np.clip(np.asarray(probability, dtype=float), 1e-6, 1 - 1e-6)
    odds = (1 - p) / p
    factor = POINTS_TO_DOUBLE / math.log(2)
    return np.round(BASE_POINTS + factor * np.log(odds / BASE_ODDS)).astype(int)


def reason_codes(
    model, frame: pd.DataFrame, features: common.FeatureSet, phrases: dict[str, str], top: int = 4
) -> list[str]:
    """For each row, the `top` features whose own value raised the predicted probability the
    most compared with the portfolio's median (numbers) or most common value (categories),
    in plain words. Model-agnostic: works for the scorecard and the boosted model alike."""
    base = model.predict_proba(frame)[:, 1]
    raises = {}
    for name in features.all:
        typical = frame[name].median() if name in features.numeric else frame[name].mode().iloc[0]
        shifted = frame.copy()
        shifted[name] = typical
        raises[name] = base - model.predict_proba(shifted)[:, 1]
    impact = pd.DataFrame(raises, index=frame.index)
    names = np.array(impact.columns)
    order = np.argsort(-impact.to_numpy(), axis=1, kind="stable")[:, :top]
    values = np.take_along_axis(impact.to_numpy(), order, axis=1)
    codes = []
    for row_names, row_values in zip(names[order], values, strict=True):
        kept = [
            phrases.get(n, n.replace("_", " "))
            for n, v in zip(row_names, row_values, strict=True)
            if v > 1e-4
        ]
        codes.append("; ".join(kept))
    return codes


def train_and_score(*args, **kwargs) -> CreditResult:
    """See _train_and_score. Runs on one OpenMP thread: gradient boosting on small frames
    is faster that way, does not fight dbt's threads for the cores, and is reproducible."""
    with threadpool_limits(limits=1):
        return _train_and_score(*args, **kwargs)


def _train_and_score(
    loans: pd.DataFrame,
    numeric: list[str],
    categorical: list[str],
    phrases: dict[str, str] | None = None,
    holdout_share: float = 0.25,
) -> CreditResult:
    """loans: one row per loan with loan_id, origination_month, is_outcome_observable,
    defaulted_within_12m and the feature columns. Returns scores for every loan."""
    loans = loans.sort_values(["origination_month", "loan_id"]).reset_index(drop=True)
    features = common.usable_features(loans, numeric, categorical)
    frame = common.model_frame(loans, features)
    labelled = loans["is_outcome_observable"].fillna(False).to_numpy(dtype=bool)
    train_frame = frame[labelled].reset_index(drop=True)
    labels = loans.loc[labelled, "defaulted_within_12m"].astype(int).reset_index(drop=True)
    periods = loans.loc[labelled, "origination_month"].reset_index(drop=True)
    if labels.nunique() < 2:
        raise common.NotEnoughData(
            "the labelled loans hold no defaults (or only defaults): cannot train"
        )
    trained = common.train_champion(
        train_frame, labels, periods, features, candidates(), holdout_share
    )
    calibrated, metrics, split, champion = (
        trained.model,
        trained.metrics,
        trained.split,
        trained.champion,
    )
    log.info("credit model: %s", metrics)
    probability = calibrated.predict_proba(frame)[:, 1]
    parameters = {"champion": champion, "features": features.all, "holdout_share": holdout_share}
    version = common.model_version(
        [_train_and_score, candidates, common.out_of_time_split, common.preprocessor],
        parameters,
        pd.concat([train_frame, labels.rename("label")], axis=1),
    )
    scores = pd.DataFrame(
        {
            "loan_id": loans["loan_id"].astype(str),
            "probability_of_default": probability.astype("float64"),
            "credit_score": credit_score(probability).astype("int32"),
            "reason_codes": reason_codes(calibrated, frame, features, phrases or {}),
            "is_training_row": np.isin(np.arange(len(loans)), np.nonzero(labelled)[0][split.train]),
            "is_validation_row": np.isin(
                np.arange(len(loans)), np.nonzero(labelled)[0][split.validation]
            ),
            "champion": champion,
            "validation_method": split.method,
        }
    )
    return CreditResult(scores, metrics, champion, version, features)


def unscored(loans: pd.DataFrame, reason: str) -> CreditResult:
    """Every loan without a score, when the book cannot train a model yet (say why)."""
    log.warning("credit model not trained: %s", reason)
    loans = loans.reset_index(drop=True)
    scores = pd.DataFrame(
        {
            "loan_id": loans["loan_id"].astype(str),
            "probability_of_default": pd.Series([None] * len(loans), dtype="float64"),
            "credit_score": pd.Series([None] * len(loans), dtype="Int32"),
            "reason_codes": None,
            "is_training_row": False,
            "is_validation_row": False,
            "champion": "none",
            "validation_method": f"not_trained: {reason}",
        }
    )
    return CreditResult(scores, {}, "none", "untrained", common.FeatureSet([], []))


SCORE_FIELDS = [
    ("probability_of_default", pa.float64()),
    ("credit_score", pa.int32()),
    ("reason_codes", pa.string()),
    ("is_training_row", pa.bool_()),
    ("is_validation_row", pa.bool_()),
    ("champion", pa.string()),
    ("validation_method", pa.string()),
    ("model_name", pa.string()),
    ("model_version", pa.string()),
]


def score_table(scores: pd.DataFrame, key_fields: list, model_name: str, version: str) -> pa.Table:
    """The scores as the dbt model returns them: its key columns, then SCORE_FIELDS."""
    scores = scores.assign(model_name=model_name, model_version=version)
    schema = pa.schema([*key_fields, *SCORE_FIELDS])
    return pa.Table.from_pandas(scores[schema.names], schema=schema, preserve_index=False)
