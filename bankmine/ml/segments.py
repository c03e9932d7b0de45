"""Customer segmentation: K-means on standardised, log-scaled behavioural features.

The dbt Python models ``customer_segments`` and ``customer_segment_profiles`` are thin
wrappers around :func:`segment_customers`. What it does, in order:

1. Rows are sorted by customer id, so the input's row order never matters.
2. Features come from configuration (:class:`SegmentConfig`). A feature absent from the
   data, all null or constant is dropped with a logged note. Missing values are imputed
   with the feature's median, and each imputation is recorded in the result.
3. Features listed as log-scaled become ``log1p(max(x, 0))``; then every feature is
   standardised to mean 0 and standard deviation 1 (the "z" space).
4. k is chosen within ``[k_min, k_max]`` on a deterministic sample of at most
   ``sample_size`` customers. For each k, K-means is fitted once per configured seed.
   Stability is the mean adjusted Rand index between the seeds' labelings; silhouette is
   that of the seed with the lowest inertia, on a fixed sub-sample. The chosen k has the
   highest silhouette among the k whose stability is at least ``min_stability`` (the
   smallest k on ties); if no k is that stable, the most stable k.
5. The lowest-inertia fit for the chosen k assigns every customer to its nearest centroid.
   Segment ids 1..k are ordered by the centroid of ``order_by`` (highest first), so ids do
   not depend on K-means' internal cluster numbers.
6. Each segment is named by the first rule (by priority) of the naming rule table whose
   conditions hold for the segment centroid's z-scores. Condition columns are named
   ``min_<feature>_z`` / ``max_<feature>_z`` (inclusive; empty means no condition). A
   condition on a feature that was not used cannot hold, so its rule is skipped.

Same data, configuration and rules give the same output, row for row.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_samples
from threadpoolctl import threadpool_limits

logger = logging.getLogger(__name__)

MODEL_NAME = "customer_segments"
MODEL_VERSION = "1.0.0"
UNNAMED_SEGMENT = "unclassified"
_CONDITION = re.compile(r"^(min|max)_(.+)_z$")

ASSIGNMENT_SCHEMA = pa.schema(
    [
        pa.field("customer_id", pa.string(), nullable=False),
        pa.field("segment_id", pa.int32(), nullable=False),
        pa.field("segment_name", pa.string(), nullable=False),
        pa.field("distance_to_centroid", pa.float64()),
        pa.field("model_version", pa.string(), nullable=False),
    ]
)


@dataclass(frozen=True)
class SegmentConfig:
    """What the segmentation uses, read from the model's ``config.meta``."""

    numeric: tuple[str, ...]
    log_scaled: tuple[str, ...] = ()
    k_min: int = 4
    k_max: int = 8
    seeds: tuple[int, ...] = (11, 23, 37, 41, 53)
    n_init: int = 3
    sample_size: int = 20_000
    silhouette_sample_size: int = 4_000
    min_stability: float = 0.8
    order_by: str = "deposit_balance_amount"
    random_state: int = 42
    id_column: str = "customer_id"

    def __post_init__(self) -> None:
        if not self.numeric:
            raise ValueError("segmentation needs at least one feature in features.numeric")
        unknown = set(self.log_scaled) - set(self.numeric)
        if unknown:
            raise ValueError(f"log_scaled features not in numeric: {sorted(unknown)}")
        if not 2 <= self.k_min <= self.k_max:
            raise ValueError(f"need 2 <= k_min <= k_max, got {self.k_min}, {self.k_max}")
        if not self.seeds:
            raise ValueError("need at least one seed")

    @classmethod
    def from_meta(cls, meta: Mapping | None) -> SegmentConfig:
        """Build from ``{features: {numeric: [...], log_scaled: [...]}, k_min: ..., ...}``."""
        meta = dict(meta or {})
        features = dict(meta.pop("features", None) or {})
        known = {f for f in cls.__dataclass_fields__ if f not in ("numeric", "log_scaled")}
        kwargs = {key: value for key, value in meta.items() if key in known}
        unknown = sorted(set(meta) - known)
        if unknown:
            logger.warning("segments: unknown settings in meta ignored: %s", unknown)
        if "seeds" in kwargs:
            kwargs["seeds"] = tuple(int(s) for s in kwargs["seeds"])
        numeric = tuple(features.get("numeric") or ())
        log_scaled = tuple(features.get("log_scaled") or ())
        return cls(numeric=numeric, log_scaled=log_scaled, **kwargs)

    def fingerprint(self) -> str:
        """Short hash of the configuration, part of the model version."""
        text = json.dumps(asdict(self), sort_keys=True, default=list)
        return hashlib.sha256(text.encode()).hexdigest()[:8]


@dataclass
class SegmentationResult:
    """Assignments (one row per customer), profiles (one row per segment) and the run record."""

    assignments: pa.Table
    profiles: pa.Table
    k: int
    k_selection: list[dict]
    features: list[str]
    dropped_features: dict[str, str]
    imputation: dict[str, dict]
    n_customers: int
    n_sampled: int
    model_version: str
    centroids_z: np.ndarray = field(repr=False)
    feature_mean: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    feature_std: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    segment_names: list[str] = field(default_factory=list)


CENTROID_SCHEMA = pa.schema(
    [
        pa.field("segment_id", pa.int32(), nullable=False),
        pa.field("segment_name", pa.string(), nullable=False),
        pa.field("feature", pa.string(), nullable=False),
        pa.field("feature_order", pa.int32(), nullable=False),
        pa.field("is_log_scaled", pa.bool_(), nullable=False),
        pa.field("impute_value", pa.float64()),
        pa.field("feature_mean", pa.float64(), nullable=False),
        pa.field("feature_std", pa.float64(), nullable=False),
        pa.field("centroid_z", pa.float64(), nullable=False),
        pa.field("model_version", pa.string(), nullable=False),
    ]
)


def centroid_table(result: SegmentationResult, config: SegmentConfig) -> pa.Table:
    """The fitted model as data, one row per segment and feature: how a raw value becomes
    its z-score (median imputation, log1p when log-scaled, then mean and standard deviation)
    and the segment centroid's z-score. With it a customer is assigned in SQL, without
    Python: z = (transform(coalesce(value, impute_value)) - feature_mean) / feature_std,
    nearest centroid by Euclidean distance, ties to the lower segment_id (as here)."""
    rows = {name: [] for name in CENTROID_SCHEMA.names}
    for segment in range(len(result.centroids_z)):
        for position, feature in enumerate(result.features):
            rows["segment_id"].append(segment + 1)
            rows["segment_name"].append(result.segment_names[segment])
            rows["feature"].append(feature)
            rows["feature_order"].append(position + 1)
            rows["is_log_scaled"].append(feature in config.log_scaled)
            rows["impute_value"].append(result.imputation[feature]["median"])
            rows["feature_mean"].append(float(result.feature_mean[position]))
            rows["feature_std"].append(float(result.feature_std[position]))
            rows["centroid_z"].append(float(result.centroids_z[segment, position]))
            rows["model_version"].append(result.model_version)
    return pa.table(rows, schema=CENTROID_SCHEMA)


# ---------------------------------------------------------------------------
# features


def _to_arrow(data: pa.Table | pd.DataFrame) -> pa.Table:
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pd.DataFrame):
        return pa.Table.from_pandas(data, preserve_index=False)
    raise TypeError(f"expected a pyarrow Table or pandas DataFrame, got {type(data).__name__}")


def _float_column(table: pa.Table, name: str) -> np.ndarray:
    column = table.column(name)
    if pa.types.is_boolean(column.type):
        column = pc.cast(column, pa.int8())
    values = pc.cast(column, pa.float64()).to_numpy()
    return np.asarray(values, dtype=np.float64)


def prepare_features(
    table: pa.Table, config: SegmentConfig
) -> tuple[np.ndarray, list[str], dict[str, str], dict[str, dict], np.ndarray, np.ndarray]:
    """Return (z matrix, features used, dropped {feature: reason}, imputation, mean, std).

    mean and std are those of the (log-scaled) features, to map centroids back."""
    used: list[str] = []
    dropped: dict[str, str] = {}
    imputation: dict[str, dict] = {}
    columns: list[np.ndarray] = []
    n = table.num_rows
    for name in config.numeric:
        if name not in table.column_names:
            dropped[name] = "absent"
            logger.warning("segments: feature %s is absent from the data; dropped", name)
            continue
        values = _float_column(table, name)
        missing = ~np.isfinite(values)
        if n == 0 or missing.all():
            dropped[name] = "all null"
            logger.warning("segments: feature %s is null for every customer; dropped", name)
            continue
        median = float(np.median(values[~missing]))
        if missing.any():
            values = np.where(missing, median, values)
            logger.info(
                "segments: feature %s: %d missing values imputed with the median %s",
                name,
                int(missing.sum()),
                median,
            )
        imputation[name] = {"median": median, "imputed_count": int(missing.sum())}
        if name in config.log_scaled:
            values = np.log1p(np.clip(values, 0.0, None))
        if np.ptp(values) == 0:
            dropped[name] = "constant"
            imputation.pop(name)
            logger.warning("segments: feature %s has one value for every customer; dropped", name)
            continue
        used.append(name)
        columns.append(values)
    if not used:
        raise ValueError(f"no usable segmentation feature (dropped: {dropped})")
    raw = np.column_stack(columns)
    mean = raw.mean(axis=0)
    std = raw.std(axis=0)
    return (raw - mean) / std, used, dropped, imputation, mean, std


def _original_units(z: np.ndarray, features: list[str], config, mean, std) -> np.ndarray:
    values = z * std + mean
    for j, name in enumerate(features):
        if name in config.log_scaled:
            values[..., j] = np.expm1(values[..., j])
    return values


# ---------------------------------------------------------------------------
# k selection and fit


def _sample_index(n: int, size: int, random_state: int) -> np.ndarray:
    if n <= size:
        return np.arange(n)
    rng = np.random.default_rng(random_state)
    return np.sort(rng.choice(n, size=size, replace=False))


def _fit(x: np.ndarray, k: int, seed: int, n_init: int) -> KMeans:
    return KMeans(n_clusters=k, n_init=n_init, random_state=seed, algorithm="lloyd").fit(x)


def select_k(
    x: np.ndarray, config: SegmentConfig
) -> tuple[int, KMeans | None, list[dict], np.ndarray]:
    """Fit every k and seed on x; return (k, best fit, per-k record, silhouette index)."""
    n = len(x)
    distinct = len(np.unique(x, axis=0))
    k_max = min(config.k_max, distinct - 1, n - 1)
    k_min = min(config.k_min, k_max)
    sil_index = _sample_index(n, config.silhouette_sample_size, config.random_state)
    if k_max < 2:
        logger.warning("segments: %d distinct customers, too few to cluster; one segment", distinct)
        return 1, None, [], sil_index
    record: list[dict] = []
    best: dict[int, KMeans] = {}
    for k in range(k_min, k_max + 1):
        fits = [_fit(x, k, seed, config.n_init) for seed in config.seeds]
        pairs = list(combinations(range(len(fits)), 2))
        stability = (
            float(
                np.mean([adjusted_rand_score(fits[a].labels_, fits[b].labels_) for a, b in pairs])
            )
            if pairs
            else 1.0
        )
        chosen = min(range(len(fits)), key=lambda i: (fits[i].inertia_, i))
        best[k] = fits[chosen]
        labels = fits[chosen].labels_[sil_index]
        silhouette = (
            float(silhouette_samples(x[sil_index], labels).mean())
            if len(np.unique(labels)) > 1
            else float("nan")
        )
        record.append(
            {
                "k": k,
                "silhouette": round(silhouette, 6),
                "stability": round(stability, 6),
                "inertia": round(float(fits[chosen].inertia_), 6),
                "best_seed": int(config.seeds[chosen]),
            }
        )
        logger.info("segments: k=%d silhouette=%.4f stability=%.4f", k, silhouette, stability)
    stable = [r for r in record if r["stability"] >= config.min_stability]
    if stable:
        pick = max(stable, key=lambda r: (r["silhouette"], -r["k"]))
    else:
        logger.warning(
            "segments: no k reaches stability %.2f; taking the most stable", config.min_stability
        )
        pick = max(record, key=lambda r: (r["stability"], -r["k"]))
    for r in record:
        r["chosen"] = r["k"] == pick["k"]
    return pick["k"], best[pick["k"]], record, sil_index


# ---------------------------------------------------------------------------
# naming


def name_segments(
    centroids_z: np.ndarray, features: list[str], rules: pa.Table | pd.DataFrame
) -> list[str]:
    """Name each centroid by the first rule (lowest priority number) whose conditions hold."""
    table = _to_arrow(rules)
    for required in ("priority", "segment_name"):
        if required not in table.column_names:
            raise ValueError(f"naming rules need a {required} column")
    conditions = []
    for column in table.column_names:
        match = _CONDITION.match(column)
        if match:
            conditions.append((column, match.group(1), match.group(2)))
    priority = table.column("priority").to_pylist()
    names = table.column("segment_name").to_pylist()
    bounds = {column: _float_column(table, column) for column, _, _ in conditions}
    order = sorted(range(table.num_rows), key=lambda i: (priority[i], names[i]))
    position = {name: j for j, name in enumerate(features)}
    unusable: set[str] = set()
    result = []
    for centroid in centroids_z:
        chosen = None
        for i in order:
            holds = True
            for column, side, feature in conditions:
                bound = bounds[column][i]
                if np.isnan(bound):
                    continue
                if feature not in position:
                    unusable.add(f"{names[i]} ({feature})")
                    holds = False
                    break
                value = centroid[position[feature]]
                if (side == "min" and value < bound) or (side == "max" and value > bound):
                    holds = False
                    break
            if holds:
                chosen = names[i]
                break
        result.append(chosen if chosen is not None else UNNAMED_SEGMENT)
    if unusable:
        logger.warning(
            "segments: rules skipped for conditions on unused features: %s", sorted(unusable)
        )
    return result


# ---------------------------------------------------------------------------
# entry point


def segment_customers(
    data: pa.Table | pd.DataFrame, config: SegmentConfig, rules: pa.Table | pd.DataFrame
) -> SegmentationResult:
    """Segment every customer of ``data`` (one row per customer) and profile the segments.

    Runs single-threaded: the fits are small, thread start-up costs more than it saves on
    a busy machine, and one thread keeps floating-point sums in one order."""
    with threadpool_limits(limits=1):
        return _segment_customers(data, config, rules)


def _segment_customers(
    data: pa.Table | pd.DataFrame, config: SegmentConfig, rules: pa.Table | pd.DataFrame
) -> SegmentationResult:
    table = _to_arrow(data)
    if config.id_column not in table.column_names:
        raise ValueError(f"the data has no {config.id_column} column")
    table = table.sort_by(config.id_column)
    ids = table.column(config.id_column).cast(pa.string())
    if ids.null_count:
        raise ValueError(f"{config.id_column} has null values")
    if len(pc.unique(ids)) != table.num_rows:
        raise ValueError(f"{config.id_column} is not unique")
    n = table.num_rows
    version = f"{MODEL_VERSION}+{config.fingerprint()}"
    if n == 0:
        logger.warning("segments: no customers to segment")
        empty = SegmentationResult(
            assignments=ASSIGNMENT_SCHEMA.empty_table(),
            profiles=_profiles_table([], [], [], np.zeros((0, 0)), config, {}),
            k=0,
            k_selection=[],
            features=[],
            dropped_features={},
            imputation={},
            n_customers=0,
            n_sampled=0,
            model_version=version,
            centroids_z=np.zeros((0, 0)),
        )
        return empty

    x, features, dropped, imputation, mean, std = prepare_features(table, config)
    sample = _sample_index(n, config.sample_size, config.random_state)
    x_sample = x[sample]
    k, model, record, sil_index = select_k(x_sample, config)

    if model is None:
        raw_labels = np.zeros(n, dtype=np.int64)
        centroids = x.mean(axis=0, keepdims=True)
        sample_labels = np.zeros(len(x_sample), dtype=np.int64)
    else:
        centroids = model.cluster_centers_
        raw_labels = model.predict(x)
        sample_labels = model.labels_

    # order segments by the centroid of order_by (original units, highest first)
    units = _original_units(centroids.copy(), features, config, mean, std)
    if config.order_by in features:
        key_column = features.index(config.order_by)
    else:
        logger.warning(
            "segments: order_by %s not among the features; using the first", config.order_by
        )
        key_column = 0
    order = sorted(
        range(len(centroids)),
        key=lambda c: (-units[c, key_column], *(-units[c]).tolist()),
    )
    relabel = np.empty(len(order), dtype=np.int64)
    relabel[order] = np.arange(len(order))
    labels = relabel[raw_labels]
    centroids = centroids[order]
    units = units[order]
    sample_labels = relabel[sample_labels]

    segment_names = name_segments(centroids, features, rules)
    distance = np.linalg.norm(x - centroids[labels], axis=1)

    assignments = pa.table(
        {
            "customer_id": ids,
            "segment_id": pa.array(labels + 1, pa.int32()),
            "segment_name": pa.array([segment_names[c] for c in labels], pa.string()),
            "distance_to_centroid": pa.array(np.round(distance, 9), pa.float64()),
            "model_version": pa.array([version] * n, pa.string()),
        },
        schema=ASSIGNMENT_SCHEMA,
    )

    # per-segment silhouette on the silhouette sub-sample of the k-selection sample
    sil_labels = sample_labels[sil_index]
    per_segment_silhouette = [float("nan")] * len(centroids)
    if len(np.unique(sil_labels)) > 1:
        values = silhouette_samples(x_sample[sil_index], sil_labels)
        for c in range(len(centroids)):
            if (sil_labels == c).any():
                per_segment_silhouette[c] = float(values[sil_labels == c].mean())
    sizes = np.bincount(labels, minlength=len(centroids))
    run = {
        "k": k,
        "chosen": next((r for r in record if r.get("chosen")), {}),
        "k_selection": record,
        "features": features,
        "dropped_features": dropped,
        "imputation": imputation,
        "n_customers": n,
        "n_sampled": len(sample),
        "model_version": version,
    }
    profiles = _profiles_table(
        segment_names, sizes.tolist(), per_segment_silhouette, units, config, run
    )
    return SegmentationResult(
        assignments=assignments,
        profiles=profiles,
        k=k,
        k_selection=record,
        features=features,
        dropped_features=dropped,
        imputation=imputation,
        n_customers=n,
        n_sampled=len(sample),
        model_version=version,
        centroids_z=centroids,
        feature_mean=mean,
        feature_std=std,
        segment_names=list(segment_names),
    )


def _profiles_table(
    names: Sequence[str],
    sizes: Sequence[int],
    silhouettes: Sequence[float],
    units: np.ndarray,
    config: SegmentConfig,
    run: dict,
) -> pa.Table:
    """One row per segment; centroid_<feature> for every configured feature (null if dropped)."""
    n_segments = len(names)
    total = max(sum(sizes), 1)
    chosen = run.get("chosen", {})
    features = run.get("features", [])
    columns: dict[str, pa.Array] = {
        "segment_id": pa.array(range(1, n_segments + 1), pa.int32()),
        "segment_name": pa.array(list(names), pa.string()),
        "customer_count": pa.array(list(sizes), pa.int64()),
        "customer_share": pa.array([s / total for s in sizes], pa.float64()),
        "segment_silhouette": pa.array(_nan_to_none(silhouettes), pa.float64()),
    }
    for name in config.numeric:
        if name in features:
            values = np.round(units[:, features.index(name)], 6).tolist()
        else:
            values = [None] * n_segments
        columns[f"centroid_{name}"] = pa.array(values, pa.float64())
    repeat = {
        "k": (pa.int32(), run.get("k")),
        "silhouette": (pa.float64(), _nan_to_none([chosen.get("silhouette")])[0]),
        "stability": (pa.float64(), chosen.get("stability")),
        "n_customers": (pa.int64(), run.get("n_customers")),
        "n_sampled": (pa.int64(), run.get("n_sampled")),
        "k_selection": (pa.string(), json.dumps(run.get("k_selection", []), sort_keys=True)),
        "features_used": (pa.string(), json.dumps(features)),
        "dropped_features": (pa.string(), json.dumps(run.get("dropped_features", {}))),
        "imputation": (pa.string(), json.dumps(run.get("imputation", {}), sort_keys=True)),
        "model_version": (pa.string(), run.get("model_version")),
    }
    for name, (arrow_type, value) in repeat.items():
        columns[name] = pa.array([value] * n_segments, arrow_type)
    return pa.table(columns)


def _nan_to_none(values: Sequence) -> list:
    return [None if v is None or (isinstance(v, float) and np.isnan(v)) else v for v in values]


def check_profiles_match(profiles: pa.Table, assignments: pa.Table) -> None:
    """Raise if profiles disagree with stored assignments (sizes, names or model version)."""
    stored = (
        assignments.group_by(["segment_id", "segment_name", "model_version"])
        .aggregate([("segment_id", "count")])
        .sort_by("segment_id")
    )
    expected = sorted(
        zip(
            stored.column("segment_id").to_pylist(),
            stored.column("segment_name").to_pylist(),
            stored.column("model_version").to_pylist(),
            stored.column("segment_id_count").to_pylist(),
            strict=True,
        )
    )
    actual = sorted(
        (segment_id, name, version, count)
        for segment_id, name, version, count in zip(
            profiles.column("segment_id").to_pylist(),
            profiles.column("segment_name").to_pylist(),
            profiles.column("model_version").to_pylist(),
            profiles.column("customer_count").to_pylist(),
            strict=True,
        )
        if count > 0
    )
    if actual != expected:
        raise RuntimeError(
            "segment profiles do not match the stored customer_segments "
            f"(refit {actual} vs stored {expected}); rebuild customer_segments first"
        )


__all__ = [
    "ASSIGNMENT_SCHEMA",
    "MODEL_VERSION",
    "SegmentConfig",
    "SegmentationResult",
    "check_profiles_match",
    "name_segments",
    "prepare_features",
    "segment_customers",
    "select_k",
]
