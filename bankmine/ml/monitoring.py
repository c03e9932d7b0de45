"""Model monitoring: metrics re-measured from the predictions the models stored, and
population stability between the population a model trained on and the one it scores."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

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
    "mase",
    "baseline_mase",
    "mape",
    "baseline_mape",
    "beats_baseline",
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


def _number_reader(record: dict):
    def number(name: str) -> float | None:
        value = record.get(name)
        return None if value is None or pd.isna(value) else float(value)

    return number


def forecast_metrics(backtest: pd.DataFrame, scope: str = "bank") -> list[dict]:
    """One metrics row per KPI forecast of `scope` (model_name kpi_forecast:<kpi>) from the
    rolling-origin backtest: MASE and MAPE of the model and of the naive baseline."""
    rows = []
    for record in (
        backtest[backtest["scope_id"] == scope].sort_values("kpi_name").to_dict("records")
    ):
        row = {name: None for name in METRIC_COLUMNS}
        number = _number_reader(record)
        row.update(
            {
                "model_name": f"kpi_forecast:{record['kpi_name']}",
                "champion": record.get("method") or None,
                "validation_method": (
                    f"rolling_origin_{int(record['origins'])}_vs_{record['baseline_name']}"
                    if number("origins")
                    else f"not_validated: {record.get('note') or 'no backtest'}"
                ),
                "validation_rows": int(record["origins"]) if number("origins") else 0,
                "mase": number("mase"),
                "baseline_mase": number("baseline_mase"),
                "mape": number("mape"),
                "baseline_mape": number("baseline_mape"),
                "beats_baseline": (
                    bool(record["beats_baseline"]) if number("mase") is not None else None
                ),
            }
        )
        rows.append(row)
    return rows


def as_frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    return frame.replace({np.nan: None})


# --- population stability, feature importance and fairness (issue 4) -----------------------

# PSI bands: below WATCH_FROM stable, up to SHIFTED_FROM watch, above it shifted.
PSI_WATCH_FROM = 0.1
PSI_SHIFTED_FROM = 0.25

STABILITY_COLUMNS = [
    "model_name",
    "variable",
    "variable_kind",
    "reference_population",
    "training_rows",
    "scoring_rows",
    "population_stability_index",
    "stability_status",
]


def stability_status(psi: float | None) -> str | None:
    """'stable' below 0.1, 'watch' from 0.1 to 0.25, 'shifted' above 0.25; None when the
    index could not be computed (no values on one side)."""
    if psi is None or np.isnan(psi):
        return None
    if psi < PSI_WATCH_FROM:
        return "stable"
    if psi <= PSI_SHIFTED_FROM:
        return "watch"
    return "shifted"


def numeric_columns(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    """The columns of `columns` present in the frame with a numeric (or boolean) type."""
    return [
        name
        for name in columns
        if name in frame
        and (pd.api.types.is_numeric_dtype(frame[name]) or pd.api.types.is_bool_dtype(frame[name]))
    ]


def population_stability_table(
    model_name: str,
    score_reference: pd.DataFrame,
    score_scoring: pd.DataFrame,
    scores: list[str],
    feature_training: pd.DataFrame,
    feature_scoring: pd.DataFrame,
    features: list[str],
    score_reference_population: str = "training",
) -> pd.DataFrame:
    """PSI of each score and each numeric feature of one model: scores between
    `score_reference` (the training rows, or the validation rows when the model stored no
    training scores) and `score_scoring`; features between `feature_training` and
    `feature_scoring`. Non-numeric features are left out."""
    rows = []
    for kind, reference, scoring, columns, population in (
        ("score", score_reference, score_scoring, scores, score_reference_population),
        (
            "feature",
            feature_training,
            feature_scoring,
            numeric_columns(feature_training, features),
            "training",
        ),
    ):
        for row in stability_rows(model_name, reference, scoring, columns):
            row["variable_kind"] = kind
            row["reference_population"] = population
            row["stability_status"] = stability_status(row["population_stability_index"])
            rows.append(row)
    return pd.DataFrame(rows, columns=STABILITY_COLUMNS)


IMPORTANCE_COLUMNS = ["model_name", "feature", "univariate_auc", "missing_share", "rank"]


def univariate_auc(labels: np.ndarray, values: np.ndarray) -> float | None:
    """Direction-free AUC of one variable against a 0/1 label, max(auc, 1 - auc), over the
    rows where the variable has a value; None when those rows hold one class only."""
    labels = np.asarray(labels, dtype=float)
    values = np.asarray(values, dtype=float)
    known = ~np.isnan(values) & ~np.isnan(labels)
    labels, values = labels[known].astype(int), values[known]
    if len(np.unique(labels)) < 2:
        return None
    auc = float(roc_auc_score(labels, values))
    return max(auc, 1.0 - auc)


def univariate_importance(
    model_name: str,
    validation: pd.DataFrame,
    label: str,
    numeric: list[str],
    categorical: list[str],
    training: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per feature, its direction-free univariate AUC against `label` on the validation rows
    and its share of missing values there, ranked by AUC (1 = most discriminating; features
    without an AUC last). A category is replaced by its event rate in `training` (the
    validation rows themselves when no training rows are given); categories unseen in
    training get training's overall rate. This is not the model's own importance: it
    ignores interactions and correlation between features."""
    reference = validation if training is None else training
    rows = []
    for name in [*numeric, *categorical]:
        if name not in validation:
            continue
        column = validation[name]
        if name in categorical:
            text = column.astype("object").where(column.notna(), "missing").astype(str)
            ref_text = (
                reference[name].astype("object").where(reference[name].notna(), "missing")
            ).astype(str)
            rates = reference[label].astype(float).groupby(ref_text).mean()
            values = text.map(rates).fillna(reference[label].astype(float).mean())
            missing_share = float(column.isna().mean()) if len(column) else None
        else:
            values = pd.to_numeric(column, errors="coerce").astype(float)
            missing_share = float(values.isna().mean()) if len(values) else None
        rows.append(
            {
                "model_name": model_name,
                "feature": name,
                "univariate_auc": univariate_auc(
                    validation[label].astype(float).to_numpy(), values.to_numpy(dtype=float)
                ),
                "missing_share": missing_share,
            }
        )
    frame = pd.DataFrame(rows, columns=IMPORTANCE_COLUMNS[:-1])
    order = frame.sort_values(
        ["univariate_auc", "feature"], ascending=[False, True], na_position="last"
    )
    frame["rank"] = pd.Series(np.arange(1, len(order) + 1), index=order.index)
    return frame[IMPORTANCE_COLUMNS].sort_values("rank").reset_index(drop=True)


FAIRNESS_COLUMNS = [
    "attribute",
    "group_value",
    "loans",
    "approved",
    "approval_rate",
    "reference_group",
    "adverse_impact_ratio",
    "is_small_group",
]
# Groups with fewer loans are flagged and kept out of the choice of reference group.
MIN_GROUP_LOANS = 30
# Same labels as the macro age_band (macros/marts/age_band.sql).
AGE_BANDS = [
    (18, "18_24"),
    (25, "25_34"),
    (35, "35_44"),
    (45, "45_54"),
    (55, "55_64"),
    (65, "65_plus"),
]


def age_band(birth_date: pd.Series, at_date: pd.Series) -> pd.Series:
    """Band of whole years of age at `at_date`, labelled as the macro age_band does:
    under_18, 18_24, 25_34, 35_44, 45_54, 55_64, 65_plus, or unknown."""
    birth = pd.to_datetime(birth_date)
    at = pd.to_datetime(at_date)
    years = at.dt.year - birth.dt.year
    before_birthday = (at.dt.month < birth.dt.month) | (
        (at.dt.month == birth.dt.month) & (at.dt.day < birth.dt.day)
    )
    years = years - before_birthday.astype(int)
    bands = pd.Series("unknown", index=birth_date.index, dtype="object")
    bands[years < AGE_BANDS[0][0]] = "under_18"
    for lower, name in AGE_BANDS:
        bands[years >= lower] = name
    return bands


def adverse_impact(
    decisions: pd.DataFrame, attributes: list[str], min_group: int = MIN_GROUP_LOANS
) -> pd.DataFrame:
    """Adverse impact ratios. `decisions`: one row per loan with a boolean `is_approved` and
    one group label per attribute. Per attribute and group: loans, approved, approval rate,
    and the ratio of that rate to the reference group's, the group with the highest approval
    rate among groups of at least `min_group` loans (among all groups when none is that
    large). Only group labels and counts leave this function."""
    rows = []
    for attribute in attributes:
        groups = decisions[attribute].astype("object").where(decisions[attribute].notna())
        groups = groups.fillna("unknown").astype(str)
        table = (
            decisions.assign(group_value=groups, approved=decisions["is_approved"].astype(int))
            .groupby("group_value")
            .agg(loans=("approved", "size"), approved=("approved", "sum"))
            .reset_index()
        )
        if table.empty:
            continue  # no graded loans (e.g. the credit model could not be trained yet)
        table["approval_rate"] = table["approved"] / table["loans"]
        table["is_small_group"] = table["loans"] < min_group
        candidates = table[~table["is_small_group"]]
        if candidates.empty:
            candidates = table
        reference = candidates.sort_values(
            ["approval_rate", "loans", "group_value"], ascending=[False, False, True]
        ).iloc[0]
        table["attribute"] = attribute
        table["reference_group"] = reference["group_value"]
        table["adverse_impact_ratio"] = (
            table["approval_rate"] / reference["approval_rate"]
            if reference["approval_rate"] > 0
            else np.nan
        )
        rows.append(table)
    if not rows:
        return pd.DataFrame(columns=FAIRNESS_COLUMNS)
    return pd.concat(rows, ignore_index=True)[FAIRNESS_COLUMNS]


def split_features(frame: pd.DataFrame, features: list[str]) -> tuple[list[str], list[str]]:
    """Configured features present in the frame, as (numeric, categorical) by column type."""
    numeric = numeric_columns(frame, features)
    categorical = [name for name in features if name in frame and name not in numeric]
    return numeric, categorical


@dataclass
class Populations:
    """The rows a model trained on, validated on and scores, with features and label
    (`training` and `validation`) and the stored scores (`score_reference`, `score_scoring`)."""

    training: pd.DataFrame
    validation: pd.DataFrame
    scoring: pd.DataFrame
    score_reference: pd.DataFrame
    score_scoring: pd.DataFrame
    score_reference_population: str


def credit_populations(scores: pd.DataFrame, loans: pd.DataFrame) -> Populations:
    """scores: credit_risk_scores (loan_id, probability_of_default, is_training_row,
    is_validation_row); loans: int_loan_origination_features (loan_id,
    is_outcome_observable, label and features). Training = is_training_row; validation =
    is_validation_row; scoring = loans whose 12-month outcome is not observable yet."""
    merged = loans.merge(scores, on="loan_id", how="left", suffixes=("", "_score"))
    training = merged[merged["is_training_row"].fillna(False).astype(bool)]
    validation = merged[merged["is_validation_row"].fillna(False).astype(bool)]
    scoring = merged[~merged["is_outcome_observable"].fillna(False).astype(bool)]
    return Populations(training, validation, scoring, training, scoring, "training")


def churn_populations(probabilities: pd.DataFrame, snapshots: pd.DataFrame) -> Populations:
    """probabilities: churn_probabilities (customer_snapshot_key, snapshot_date,
    churn_probability, is_scoring_snapshot, is_validation_row); snapshots:
    int_churn_snapshots (customer_snapshot_key, snapshot_date, is_labelled,
    is_scoring_snapshot, label and features). Training = labelled snapshots other than the
    validation snapshot(s); scoring = the scoring snapshot. churn_probabilities stores no
    scores for training snapshots, so the score's reference is the validation snapshot (the
    latest labelled population, scored out of time)."""
    validation_flag = probabilities["is_validation_row"].fillna(False).astype(bool)
    validation_keys = set(probabilities.loc[validation_flag, "customer_snapshot_key"])
    validation_dates = set(probabilities.loc[validation_flag, "snapshot_date"])
    labelled = snapshots["is_labelled"].fillna(False).astype(bool)
    training = snapshots[labelled & ~snapshots["snapshot_date"].isin(validation_dates)]
    validation = snapshots[snapshots["customer_snapshot_key"].isin(validation_keys)]
    scoring = snapshots[snapshots["is_scoring_snapshot"].fillna(False).astype(bool)]
    score_scoring = probabilities[probabilities["is_scoring_snapshot"].fillna(False).astype(bool)]
    return Populations(
        training, validation, scoring, probabilities[validation_flag], score_scoring, "validation"
    )


def stability_for(
    model_name: str, populations: Populations, scores: list[str], features: list[str]
) -> pd.DataFrame:
    """population_stability_table over a model's populations."""
    return population_stability_table(
        model_name,
        populations.score_reference,
        populations.score_scoring,
        scores,
        populations.training,
        populations.scoring,
        features,
        populations.score_reference_population,
    )


def importance_for(
    model_name: str, populations: Populations, label: str, features: list[str]
) -> pd.DataFrame:
    """univariate_importance on a model's validation rows (categories encoded on training)."""
    numeric, categorical = split_features(populations.validation, features)
    return univariate_importance(
        model_name, populations.validation, label, numeric, categorical, populations.training
    )
