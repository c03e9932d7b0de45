"""Shared pieces of the bankmine models: feature handling, out-of-time validation,
metrics and model versions. Pure functions on pandas frames, tested in pytests/."""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

log = logging.getLogger("bankmine.ml")

RANDOM_STATE = 42
# Below this many events (or rows) a validation sample is flagged as too small to trust.
MIN_VALIDATION_EVENTS = 30
MIN_VALIDATION_ROWS = 200


def select_present(relation, columns):
    """The given columns of a dbt relation (a DuckDB relation in dbt Python models), still a
    relation; columns the relation lacks are skipped, so an optional feature a bank does not
    have reaches usable_features as absent rather than as an error."""
    return relation.select(*[name for name in columns if name in relation.columns])


def read_columns(relation, columns) -> pd.DataFrame:
    """The given columns of a dbt relation (select_present), fetched as Arrow then pandas."""
    return select_present(relation, columns).to_arrow_table().to_pandas()


class NotEnoughData(ValueError):
    """The data cannot train or validate a model (e.g. no events yet): the model's rows are
    written without a score and the reason, rather than failing the build."""


@dataclass
class FeatureSet:
    """Features a model uses after dropping those the data does not have."""

    numeric: list[str]
    categorical: list[str]
    dropped: list[str] = field(default_factory=list)

    @property
    def all(self) -> list[str]:
        return [*self.numeric, *self.categorical]


@dataclass
class ModelResult:
    """What a trained (or untrained) scoring model hands its dbt Python model: the rows to
    store, validation metrics, the champion's name, the model version and the features."""

    scores: pd.DataFrame
    metrics: dict
    champion: str
    version: str
    features: FeatureSet


def usable_features(frame: pd.DataFrame, numeric: list[str], categorical: list[str]) -> FeatureSet:
    """Keep configured features present with at least one value; log the others."""
    kept_numeric, kept_categorical, dropped = [], [], []
    for names, kept in ((numeric, kept_numeric), (categorical, kept_categorical)):
        for name in names:
            if name not in frame.columns:
                log.warning("feature %s is not in the input: dropped", name)
                dropped.append(name)
            elif frame[name].isna().all():
                log.warning("feature %s has no values: dropped", name)
                dropped.append(name)
            else:
                kept.append(name)
    if not kept_numeric and not kept_categorical:
        raise ValueError("no usable features: every configured feature is absent or empty")
    return FeatureSet(kept_numeric, kept_categorical, dropped)


def preprocessor(features: FeatureSet) -> ColumnTransformer:
    """Median-impute and standardise numbers; one-hot encode categories (unknown ignored)."""
    transformers = []
    if features.numeric:
        transformers.append(
            (
                "numeric",
                Pipeline(
                    [
                        (
                            "impute",
                            SimpleImputer(
                                strategy="median", add_indicator=True, keep_empty_features=True
                            ),
                        ),
                        ("scale", StandardScaler()),
                    ]
                ),
                features.numeric,
            )
        )
    if features.categorical:
        transformers.append(
            (
                "categorical",
                Pipeline(
                    [
                        ("impute", SimpleImputer(strategy="constant", fill_value="missing")),
                        ("encode", OneHotEncoder(handle_unknown="ignore", min_frequency=10)),
                    ]
                ),
                features.categorical,
            )
        )
    return ColumnTransformer(transformers, remainder="drop", sparse_threshold=0)


def model_frame(frame: pd.DataFrame, features: FeatureSet) -> pd.DataFrame:
    """Features with numbers as float and categories as text (None kept as missing)."""
    out = pd.DataFrame(index=frame.index)
    for name in features.numeric:
        out[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    for name in features.categorical:
        out[name] = frame[name].astype("object").where(frame[name].notna(), None)
    return out


@dataclass
class Split:
    """Training and validation row positions, and how validation was done."""

    train: np.ndarray
    validation: np.ndarray
    method: str
    folds: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)


def out_of_time_split(
    periods: pd.Series, labels: pd.Series, holdout_share: float = 0.25, min_events: int = 30
) -> Split:
    """Hold out the latest periods (cohorts or snapshots) until they hold `holdout_share` of
    rows and `min_events` events. When that would leave too little to train on, fall back to
    time-ordered cross-validation: each fold trains on earlier periods, validates on the next."""
    order = np.sort(periods.unique())
    positions = np.arange(len(periods))
    total_rows = len(periods)
    held_rows = held_events = 0
    cut = len(order)
    while cut > 1 and (held_rows < holdout_share * total_rows or held_events < min_events):
        cut -= 1
        in_period = (periods == order[cut]).to_numpy()
        held_rows += int(in_period.sum())
        held_events += int(labels[in_period].sum())
    train_mask = periods.isin(order[:cut]).to_numpy()
    train_events = int(labels[train_mask].sum())
    if train_mask.sum() >= 0.5 * total_rows and train_events >= min_events:
        return Split(positions[train_mask], positions[~train_mask], "out_of_time_holdout")
    # too small for one hold-out: time-ordered folds over period blocks
    blocks = np.array_split(order, min(5, len(order)))
    folds = []
    for index in range(1, len(blocks)):
        train_periods = np.concatenate(blocks[:index])
        fold_train = positions[periods.isin(train_periods).to_numpy()]
        fold_valid = positions[periods.isin(blocks[index]).to_numpy()]
        if labels.iloc[fold_train].nunique() == 2 and labels.iloc[fold_valid].nunique() == 2:
            folds.append((fold_train, fold_valid))
    if not folds:
        raise NotEnoughData("not enough events over time to validate a model")
    return Split(folds[-1][0], folds[-1][1], "time_ordered_cv", folds)


def ks_statistic(labels: np.ndarray, scores: np.ndarray) -> float:
    """Largest gap between the score distributions of events and non-events."""
    order = np.argsort(scores)
    labels = np.asarray(labels)[order]
    events = np.cumsum(labels) / max(labels.sum(), 1)
    non_events = np.cumsum(1 - labels) / max((1 - labels).sum(), 1)
    return float(np.max(np.abs(events - non_events)))


def calibration_error(labels: np.ndarray, probabilities: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: row-weighted gap between predicted and observed rates
    over equal-count bins of the prediction."""
    frame = pd.DataFrame({"y": labels, "p": probabilities})
    frame["bin"] = pd.qcut(frame["p"].rank(method="first"), q=min(bins, len(frame)), labels=False)
    grouped = frame.groupby("bin").agg(y=("y", "mean"), p=("p", "mean"), n=("y", "size"))
    return float((grouped["n"] * (grouped["y"] - grouped["p"]).abs()).sum() / len(frame))


def top_decile_lift(labels: np.ndarray, scores: np.ndarray) -> float:
    """Event rate among the 10% highest scores over the overall event rate."""
    labels = np.asarray(labels)
    base = labels.mean()
    if base == 0:
        return float("nan")
    top = np.argsort(-np.asarray(scores), kind="stable")[: max(1, len(labels) // 10)]
    return float(labels[top].mean() / base)


def binary_metrics(labels: np.ndarray, probabilities: np.ndarray) -> dict[str, float]:
    labels = np.asarray(labels).astype(int)
    probabilities = np.asarray(probabilities, dtype=float)
    auc = roc_auc_score(labels, probabilities)
    return {
        "auc": float(auc),
        "gini": float(2 * auc - 1),
        "ks": ks_statistic(labels, probabilities),
        "brier_score": float(brier_score_loss(labels, probabilities)),
        "calibration_error": calibration_error(labels, probabilities),
        "top_decile_lift": top_decile_lift(labels, probabilities),
    }


def frame_fingerprint(frame: pd.DataFrame) -> str:
    """Stable hash of a frame's contents (row order included)."""
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes()).hexdigest()


def code_digest(functions: list, parameters: dict):
    """sha256 of the source of `functions` (functions or modules) and of `parameters`, to
    which a caller adds what else its hash covers."""
    digest = hashlib.sha256()
    for function in functions:
        digest.update(inspect.getsource(function).encode())
    digest.update(json.dumps(parameters, sort_keys=True, default=str).encode())
    return digest


def model_version(functions: list, parameters: dict, training_frame: pd.DataFrame) -> str:
    """Version = hash of the model code, its parameters and its training data."""
    digest = code_digest(functions, parameters)
    digest.update(frame_fingerprint(training_frame).encode())
    return digest.hexdigest()[:16]


def population_stability(expected: np.ndarray, actual: np.ndarray, bins: int = 10) -> float:
    """PSI of `actual` against `expected` over the expected decile bins (numeric values)."""
    expected = np.asarray(expected, dtype=float)
    actual = np.asarray(actual, dtype=float)
    expected, actual = expected[~np.isnan(expected)], actual[~np.isnan(actual)]
    if len(expected) == 0 or len(actual) == 0:
        return float("nan")
    edges = np.unique(np.quantile(expected, np.linspace(0, 1, bins + 1)))
    if len(edges) < 2:
        return 0.0
    edges[0], edges[-1] = -np.inf, np.inf
    share_expected = np.histogram(expected, edges)[0] / len(expected)
    share_actual = np.histogram(actual, edges)[0] / len(actual)
    share_expected = np.clip(share_expected, 1e-4, None)
    share_actual = np.clip(share_actual, 1e-4, None)
    return float(np.sum((share_actual - share_expected) * np.log(share_actual / share_expected)))


@dataclass
class Trained:
    model: object
    metrics: dict
    split: Split
    champion: str


def train_champion(
    train_frame: pd.DataFrame,
    labels: pd.Series,
    periods: pd.Series,
    features: FeatureSet,
    candidates: dict,
    holdout_share: float = 0.25,
) -> Trained:
    """Validate each candidate out of time (hold-out, or time-ordered folds when small), pick
    the best AUC as champion, fit it Platt-calibrated on the training periods and measure it
    on the validation periods."""
    split = out_of_time_split(periods, labels, holdout_share)

    evaluations = {}
    for name, estimator in candidates.items():
        fold_probabilities, fold_labels = [], []
        folds = split.folds or [(split.train, split.validation)]
        for fold_train, fold_valid in folds:
            pipeline = Pipeline([("prepare", preprocessor(features)), ("model", clone(estimator))])
            pipeline.fit(train_frame.iloc[fold_train], labels.iloc[fold_train])
            fold_probabilities.append(pipeline.predict_proba(train_frame.iloc[fold_valid])[:, 1])
            fold_labels.append(labels.iloc[fold_valid].to_numpy())
        evaluations[name] = (np.concatenate(fold_labels), np.concatenate(fold_probabilities))
    aucs = {name: binary_metrics(y, p)["auc"] for name, (y, p) in evaluations.items()}
    champion = max(sorted(aucs), key=lambda name: aucs[name])

    # calibrated champion fitted on the training cohorts, judged on the held-out ones; the
    # calibration folds are stratified, so each needs an event: up to 3 folds, and a
    # book with fewer than 2 events (or non-events) before the validation periods cannot
    # be calibrated at all
    minority = int(labels.iloc[split.train].value_counts().reindex([0, 1], fill_value=0).min())
    if minority < 2:
        raise NotEnoughData(
            f"{minority} event(s) of the rarer class before the validation periods: "
            "cannot calibrate a model"
        )
    calibrated = CalibratedClassifierCV(
        Pipeline([("prepare", preprocessor(features)), ("model", clone(candidates[champion]))]),
        method="sigmoid",
        cv=min(3, minority),
    )
    calibrated.fit(train_frame.iloc[split.train], labels.iloc[split.train])
    valid_labels = labels.iloc[split.validation].to_numpy()
    valid_probabilities = calibrated.predict_proba(train_frame.iloc[split.validation])[:, 1]
    metrics = binary_metrics(valid_labels, valid_probabilities)
    metrics.update(
        {
            "validation_method": split.method,
            "champion": champion,
            "challenger_auc": aucs,
            "training_rows": len(split.train),
            "training_event_rate": float(labels.iloc[split.train].mean()),
            "validation_rows": len(valid_labels),
            "validation_event_rate": float(valid_labels.mean()),
            "validation_events": int(valid_labels.sum()),
            "is_validation_small": bool(
                valid_labels.sum() < MIN_VALIDATION_EVENTS
                or len(valid_labels) < MIN_VALIDATION_ROWS
            ),
            "validation_start": str(periods.iloc[split.validation].min()),
        }
    )
    return Trained(calibrated, metrics, split, champion)
