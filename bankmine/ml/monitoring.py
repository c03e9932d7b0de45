"""Model monitoring: metrics re-measured from the predictions the models stored, and
population stability between the population a model trained on and the one it scores."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bankmine.ml import common

METRIC_COLUMNS = [
    "model_name",
    "model_version",
    "champion",
    "validation_method",
    "training_rows",
    "training_event_rate",
    "validation_rows",
    "validation_events",
    "validation_event_rate",
    "is_validation_small",
    "auc",
    "gini",
    "ks",
    "brier_score",
    "calibration_error",
    "top_decile_lift",
    "segment_count",
    "silhouette",
    "stability",
]


def classifier_metrics(
    model_name: str,
    predictions: pd.DataFrame,
    probability: str,
    label: str,
) -> dict:
    """One metrics row from a model's stored predictions: rows flagged is_validation_row
    are the out-of-time validation sample, is_training_row (if present) the training one."""
    first = predictions.iloc[0] if len(predictions) else {}
    row = {name: None for name in METRIC_COLUMNS}
    row.update(
        {
            "model_name": model_name,
            "model_version": first.get("model_version") if len(predictions) else None,
            "champion": first.get("champion") if len(predictions) else None,
            "validation_method": first.get("validation_method") if len(predictions) else None,
        }
    )
    if "is_training_row" in predictions:
        training = predictions[predictions["is_training_row"].astype(bool)]
        row["training_rows"] = len(training)
        row["training_event_rate"] = float(training[label].mean()) if len(training) else None
    validation = predictions[predictions["is_validation_row"].astype(bool)]
    validation = validation[validation[probability].notna() & validation[label].notna()]
    row["validation_rows"] = len(validation)
    if len(validation):
        labels = validation[label].astype(int).to_numpy()
        row["validation_events"] = int(labels.sum())
        row["validation_event_rate"] = float(labels.mean())
        row["is_validation_small"] = bool(
            labels.sum() < common.MIN_VALIDATION_EVENTS or len(labels) < common.MIN_VALIDATION_ROWS
        )
        if 0 < labels.sum() < len(labels):
            row.update(common.binary_metrics(labels, validation[probability].to_numpy()))
    else:
        row["is_validation_small"] = True
    return row


def segment_metrics(profiles: pd.DataFrame) -> dict:
    row = {name: None for name in METRIC_COLUMNS}
    row["model_name"] = "customer_segments"
    if len(profiles):
        first = profiles.iloc[0]
        row.update(
            {
                "model_version": first["model_version"],
                "champion": "kmeans",
                "validation_method": "silhouette_and_seed_stability",
                "training_rows": int(first["n_sampled"]),
                "segment_count": int(first["k"]),
                "silhouette": float(first["silhouette"]),
                "stability": float(first["stability"]),
            }
        )
    return row


def stability_rows(
    model_name: str, training: pd.DataFrame, scoring: pd.DataFrame, columns: list[str]
) -> list[dict]:
    """PSI of each column (a score or a feature) between training and scoring rows."""
    rows = []
    for column in columns:
        if column in training and column in scoring:
            rows.append(
                {
                    "model_name": model_name,
                    "variable": column,
                    "training_rows": len(training),
                    "scoring_rows": len(scoring),
                    "population_stability_index": common.population_stability(
                        pd.to_numeric(training[column], errors="coerce").to_numpy(dtype=float),
                        pd.to_numeric(scoring[column], errors="coerce").to_numpy(dtype=float),
                    ),
                }
            )
    return rows


def as_frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    return frame.replace({np.nan: None})
