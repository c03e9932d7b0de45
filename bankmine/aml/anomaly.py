"""Anomaly score of customer-weeks (AML monitoring, unsupervised).

Each customer-week of ``int_aml_customer_weeks`` is described by log-scaled behaviour
features: the week's own counts and amounts, the same relative to the customer's previous
12 weeks (computed in SQL) and, added here, relative to the customer's peer segment (the
RFM segment): ``<feature>_vs_peers`` is log(1 + value) minus the median of log(1 + value)
over the segment's customer-weeks in which the feature is not zero, floored at 0 (only
"more than peers" counts; a silent week is not above its peers). All columns are
median-imputed and standardised, then an Isolation Forest (fixed seed, one thread) scores
every row. ``anomaly_score`` is the forest's anomaly score s(x) = 2^(-E[h(x)]/c(n)) of Liu
et al., in (0, 1]: higher is more anomalous, around 0.5 and below is ordinary. The top
``anomalous_share`` of rows by score are ``is_anomalous``. ``top_features`` names, in
plain words, the three columns whose standardised value is furthest from the mean.
Pure functions on pandas frames, tested in pytests/test_aml_anomaly.py."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.ensemble import IsolationForest
from threadpoolctl import threadpool_limits

from bankmine.ml import common

log = logging.getLogger("bankmine.aml.anomaly")

PEER_SUFFIX = "_vs_peers"
BASELINE_SUFFIX = "_vs_baseline"
OUTPUT_COLUMNS = [
    "anomaly_score",
    "anomaly_rank",
    "is_anomalous",
    "top_features",
]


@dataclass
class AnomalyConfig:
    """Settings of the anomaly score, normally the model's YAML ``config: meta:``."""

    features: list[str]
    peer_features: list[str] = field(default_factory=list)
    key_column: str = "customer_week_key"
    segment_column: str = "rfm_segment"
    anomalous_share: float = 0.005
    n_estimators: int = 200
    max_samples: int = 1024
    top_feature_count: int = 3
    random_state: int = common.RANDOM_STATE
    phrases: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_meta(cls, meta: dict) -> AnomalyConfig:
        defaults = cls(features=[])
        return cls(
            features=list(meta["features"]),
            peer_features=list(meta.get("peer_features", [])),
            key_column=meta.get("key_column", defaults.key_column),
            segment_column=meta.get("segment_column", defaults.segment_column),
            anomalous_share=float(meta.get("anomalous_share", defaults.anomalous_share)),
            n_estimators=int(meta.get("n_estimators", defaults.n_estimators)),
            max_samples=int(meta.get("max_samples", defaults.max_samples)),
            top_feature_count=int(meta.get("top_feature_count", defaults.top_feature_count)),
            random_state=int(meta.get("random_state", defaults.random_state)),
            phrases=dict(meta.get("feature_phrases", {})),
        )


@dataclass
class AnomalyResult:
    scores: pd.DataFrame
    version: str
    columns: list[str]
    dropped: list[str]


def log_scaled(name: str, values: pd.Series) -> pd.Series:
    """Ratios to a baseline on a log scale (1 -> 0); counts and amounts as log(1 + value)."""
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    if name.endswith(BASELINE_SUFFIX):
        return np.log(numbers.where(numbers > 0))
    return np.log1p(numbers.clip(lower=0))


def peer_relative(logged: pd.Series, segments: pd.Series) -> pd.Series:
    """log value minus the median log value of the segment's rows where it is not zero,
    floored at 0; 0 where the value is zero or missing, or the segment has no such rows."""
    active = logged.where(logged > 0)
    typical = active.groupby(segments.fillna("_none_"), sort=True).transform("median")
    return (logged - typical).clip(lower=0).where(active.notna() & typical.notna(), 0.0)


def feature_matrix(frame: pd.DataFrame, features: list[str], config: AnomalyConfig) -> pd.DataFrame:
    """Log-scaled features, then peer-relative columns for the configured peer features."""
    matrix = pd.DataFrame({name: log_scaled(name, frame[name]) for name in features})
    if config.segment_column in frame.columns:
        segments = frame[config.segment_column].astype("object")
    else:
        log.warning("segment column %s is not in the input: one peer group", config.segment_column)
        segments = pd.Series("all", index=frame.index, dtype="object")
    for name in config.peer_features:
        if name in matrix.columns:
            matrix[name + PEER_SUFFIX] = peer_relative(matrix[name], segments)
    return matrix.set_axis(frame.index)


def standardise(matrix: pd.DataFrame) -> pd.DataFrame:
    """Median-impute, then centre and scale each column (a constant column becomes 0)."""
    filled = matrix.fillna(matrix.median()).fillna(0.0)
    spread = filled.std(ddof=0).replace(0.0, 1.0)
    return (filled - filled.mean()) / spread


def phrase(name: str, phrases: dict[str, str]) -> str:
    if name in phrases:
        return phrases[name]
    for suffix, words in ((PEER_SUFFIX, "vs peer segment"), (BASELINE_SUFFIX, "vs own baseline")):
        if name.endswith(suffix):
            base = name[: -len(suffix)]
            return f"{phrases.get(base, base.replace('_', ' '))} {words}"
    return name.replace("_", " ")


def top_features(standardised: pd.DataFrame, count: int, phrases: dict[str, str]) -> list[str]:
    """Per row, the `count` columns with the largest absolute standardised value, in words
    with the direction and the distance in standard deviations (ties: column order)."""
    values = standardised.to_numpy()
    names = [phrase(name, phrases) for name in standardised.columns]
    order = np.argsort(-np.abs(values), axis=1, kind="stable")[:, :count]
    texts = []
    for row, columns in zip(values, order, strict=True):
        parts = [
            f"{names[j]} {'high' if row[j] >= 0 else 'low'} ({row[j]:+.1f} sd)" for j in columns
        ]
        texts.append("; ".join(parts))
    return texts


def score_customer_weeks(frame: pd.DataFrame, config: AnomalyConfig) -> AnomalyResult:
    """See _score_customer_weeks. Runs on one thread (threadpoolctl and n_jobs=1): the same
    data and seed give the same scores, and dbt's own threads keep their cores."""
    with threadpool_limits(limits=1):
        return _score_customer_weeks(frame, config)


def _score_customer_weeks(frame: pd.DataFrame, config: AnomalyConfig) -> AnomalyResult:
    # the forest's subsamples depend on row order: sort by key so that the same rows read in
    # any order (a warehouse scan has none) give the same scores
    frame = frame.sort_values(config.key_column, kind="stable").reset_index(drop=True)
    usable = common.usable_features(frame, config.features, [])
    matrix = feature_matrix(frame, usable.numeric, config)
    standardised = standardise(matrix)
    forest = IsolationForest(
        n_estimators=config.n_estimators,
        max_samples=min(config.max_samples, len(frame)),
        random_state=config.random_state,
        n_jobs=1,
    )
    values = standardised.to_numpy()
    forest.fit(values)
    anomaly_score = np.clip(-forest.score_samples(values), 0.0, 1.0)
    # rank 1 = most anomalous; equal scores ordered by key, so ranks are reproducible
    order = np.lexsort((frame[config.key_column].astype(str).to_numpy(), -anomaly_score))
    rank = np.empty(len(frame), dtype=np.int64)
    rank[order] = np.arange(1, len(frame) + 1)
    flagged = math.ceil(config.anomalous_share * len(frame)) if config.anomalous_share > 0 else 0
    scores = frame[[c for c in frame.columns if c not in usable.numeric]].copy()
    scores["anomaly_score"] = anomaly_score
    scores["anomaly_rank"] = rank
    scores["is_anomalous"] = rank <= flagged
    scores["top_features"] = top_features(standardised, config.top_feature_count, config.phrases)
    parameters = {
        "features": usable.numeric,
        "peer_features": config.peer_features,
        "anomalous_share": config.anomalous_share,
        "n_estimators": config.n_estimators,
        "max_samples": config.max_samples,
        "random_state": config.random_state,
    }
    version = common.model_version(
        [log_scaled, peer_relative, feature_matrix, standardise, _score_customer_weeks],
        parameters,
        frame[[config.key_column, *usable.numeric]],
    )
    return AnomalyResult(scores, version, list(matrix.columns), usable.dropped)
