"""Anomaly score of customer-weeks (AML monitoring, unsupervised).

Each customer-week of ``int_aml_customer_weeks`` is described by log-scaled behaviour
features: the week's own counts and amounts, the same relative to the customer's previous 12
weeks (computed in SQL) and, added here, relative to the customer's peer segment (the RFM
segment): ``<feature>_vs_peers`` is log(1 + value) minus the median of log(1 + value) over
the segment's customer-weeks in which the feature is not zero, floored at 0 (only "more than
peers" counts; a silent week is not above its peers). All columns are median-imputed and
standardised, then an Isolation Forest (fixed seed, fitted on one thread) scores every row
(on ``scoring_threads`` threads, each a contiguous part of the rows: the same scores as on
one thread). ``anomaly_score`` is the forest's anomaly score s(x) = 2^(-E[h(x)]/c(n)) of Liu
et al., in (0, 1]: higher is more anomalous, around 0.5 and below is ordinary. The top
``anomalous_share`` of rows by score are ``is_anomalous``. ``top_features`` names, for the
anomalous rows, in plain words, the three columns whose standardised value is furthest from
the mean (null for the others: an explanation is read only where there is an alert).

Fit and score are separate so that a large bank never holds its customer-weeks in memory:
the peer medians, imputation values, standardisation and forest are fitted on a training
sample of at most ``training_rows`` rows (chosen by a seeded hash of the key, so the same
data gives the same sample in any row order), then every row is scored in batches of
``batch_rows``. ``score_relation`` does this against a DuckDB relation (the dbt model);
``score_customer_weeks`` does the same on a pandas frame (unit tests, small data).

A fitted forest can be stored in the warehouse (bankmine.ml.store, with ``fit_signature``)
and passed back to ``score_relation`` as ``fitted``: the daily run scores its new weeks with
the stored forest and refits only on a schedule (``refit_reason``). Tested in
pytests/test_aml_anomaly.py."""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.ensemble import IsolationForest
from threadpoolctl import threadpool_limits

from bankmine.ml import common, store

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
    training_rows: int = 200_000
    batch_rows: int = 250_000
    scoring_threads: int = 2
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
            training_rows=int(meta.get("training_rows", defaults.training_rows)),
            batch_rows=int(meta.get("batch_rows", defaults.batch_rows)),
            scoring_threads=int(meta.get("scoring_threads", defaults.scoring_threads)),
            phrases=dict(meta.get("feature_phrases", {})),
        )


@dataclass
class FittedAnomaly:
    """What scoring needs from the training sample."""

    config: AnomalyConfig
    features: list[str]
    dropped: list[str]
    peer_medians: dict[str, dict[str, float]]
    fill: pd.Series
    mean: pd.Series
    spread: pd.Series
    forest: IsolationForest
    version: str
    training_rows: int

    @property
    def columns(self) -> list[str]:
        return list(self.fill.index)


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


def segment_medians(logged: pd.Series, segments: pd.Series) -> dict[str, float]:
    """Median log value of each segment over its rows where the value is not zero."""
    active = logged.where(logged > 0)
    return active.groupby(segments, sort=True).median().dropna().to_dict()


def peer_relative(logged: pd.Series, segments: pd.Series, medians=None) -> pd.Series:
    """log value minus the segment's median log value over its rows where it is not zero
    (from `medians`, else from these rows), floored at 0; 0 where the value is zero or
    missing, or the segment has no such rows."""
    segments = segments.astype("object").fillna("_none_")
    if medians is None:
        medians = segment_medians(logged, segments)
    typical = segments.map(medians).astype("float64")
    active = logged.where(logged > 0)
    return (logged - typical).clip(lower=0).where(active.notna() & typical.notna(), 0.0)


def segments_of(frame: pd.DataFrame, config: AnomalyConfig) -> pd.Series:
    if config.segment_column in frame.columns:
        return frame[config.segment_column].astype("object").fillna("_none_")
    return pd.Series("all", index=frame.index, dtype="object")


def log_matrix(frame: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    return pd.DataFrame({name: log_scaled(name, frame[name]) for name in features}).set_axis(
        frame.index
    )


def with_peers(
    matrix: pd.DataFrame, segments: pd.Series, peer_medians: dict[str, dict[str, float]]
) -> pd.DataFrame:
    for name, medians in peer_medians.items():
        matrix[name + PEER_SUFFIX] = peer_relative(matrix[name], segments, medians)
    return matrix


def standardised(fitted: FittedAnomaly, frame: pd.DataFrame) -> pd.DataFrame:
    """The rows' features as the forest sees them: log-scaled, peer-relative, imputed with
    the training medians and standardised with the training mean and spread."""
    matrix = log_matrix(frame, fitted.features)
    matrix = with_peers(matrix, segments_of(frame, fitted.config), fitted.peer_medians)
    return (matrix[fitted.columns].fillna(fitted.fill) - fitted.mean) / fitted.spread


def training_sample(frame: pd.DataFrame, config: AnomalyConfig) -> pd.DataFrame:
    """At most training_rows rows, those with the smallest seeded hash of the key, sorted
    by key (the forest's subsamples depend on row order)."""
    if len(frame) > config.training_rows:
        keys = frame[config.key_column].astype(str) + f"|{config.random_state}"
        hashes = pd.util.hash_array(keys.to_numpy(dtype=object))
        frame = frame.iloc[np.argsort(hashes, kind="stable")[: config.training_rows]]
    return frame.sort_values(config.key_column, kind="stable").reset_index(drop=True)


def fit(sample: pd.DataFrame, config: AnomalyConfig) -> FittedAnomaly:
    """Fit on a training sample (see training_sample); one thread, fixed seed."""
    if config.segment_column not in sample.columns:
        log.warning("segment column %s is not in the input: one peer group", config.segment_column)
    usable = common.usable_features(sample, config.features, [])
    matrix = log_matrix(sample, usable.numeric)
    segments = segments_of(sample, config)
    peers = {
        name: segment_medians(matrix[name], segments)
        for name in config.peer_features
        if name in matrix.columns
    }
    matrix = with_peers(matrix, segments, peers)
    fill = matrix.median().fillna(0.0)
    filled = matrix.fillna(fill)
    mean, spread = filled.mean(), filled.std(ddof=0).replace(0.0, 1.0)
    forest = IsolationForest(
        n_estimators=config.n_estimators,
        max_samples=min(config.max_samples, len(sample)),
        random_state=config.random_state,
        n_jobs=1,
    )
    with threadpool_limits(limits=1):
        forest.fit(((filled - mean) / spread).to_numpy())
    parameters = {**fit_parameters(config), "features": usable.numeric}
    version = common.model_version(
        FIT_FUNCTIONS,
        parameters,
        # as numbers, so the same rows give the same version read from SQL or from pandas
        pd.concat(
            [
                sample[config.key_column].astype(str),
                sample[usable.numeric].apply(pd.to_numeric, errors="coerce").astype("float64"),
            ],
            axis=1,
        ),
    )
    return FittedAnomaly(
        config,
        usable.numeric,
        usable.dropped,
        peers,
        fill,
        mean,
        spread,
        forest,
        version,
        len(sample),
    )


FIT_FUNCTIONS = [log_scaled, segment_medians, peer_relative, standardised, fit]


def fit_parameters(config: AnomalyConfig) -> dict:
    """The settings that change the fitted model (not the share flagged, the batch size,
    the scoring threads or the explanations' wording)."""
    return {
        "features": config.features,
        "peer_features": config.peer_features,
        "key_column": config.key_column,
        "segment_column": config.segment_column,
        "n_estimators": config.n_estimators,
        "max_samples": config.max_samples,
        "random_state": config.random_state,
        "training_rows": config.training_rows,
    }


def fit_signature(config: AnomalyConfig) -> str:
    """What a stored fit must match to be reused (bankmine.ml.store.signature): the code
    that fits and applies the forest (this whole module, so any change to it refits), the
    fit settings and the library versions."""
    return store.signature([sys.modules[__name__], common.usable_features], fit_parameters(config))


def refit_reason(
    stored: store.StoredFit | None, data_through: dt.date | None, refit_after_days: int
) -> str | None:
    """Why the stored fit is not reused (None: reuse it): there is none (or it was made by
    other code, settings or libraries: store.load returns None), or the data now reach
    refit_after_days or more past the data it was fitted on."""
    if stored is None:
        return "no usable stored fit"
    if stored.data_through is None:
        return "the stored fit's data are undated"
    if data_through is None:
        return "there are no customer-weeks"
    age = (data_through - stored.data_through).days
    if age >= refit_after_days:
        return f"the data reach {age} days past the stored fit's (refit after {refit_after_days})"
    return None


def stored_fit_to_reuse(
    con,
    model_name: str,
    version: str | None,
    config: AnomalyConfig,
    data_through: dt.date | None,
    refit_after_days: int,
    columns: list[str],
    database: str | None = None,
) -> FittedAnomaly | None:
    """The stored forest of this version to score with, or None (logged with the reason)
    when a new one is to be fitted (refit_reason), or when it was fitted on a feature the
    input `columns` no longer hold (a new fit would drop it)."""
    stored = None
    if version is not None:
        stored = store.load(con, model_name, version, fit_signature(config), database=database)
    reason = refit_reason(stored, data_through, refit_after_days)
    if reason is None and not set(stored.model.features) <= set(columns):
        reason = "the input lacks features the stored forest was fitted on"
    if reason is not None:
        log.info("%s: fitting a new forest: %s", model_name, reason)
        return None
    return stored.model


# rows below which a scoring thread is not worth starting
MIN_ROWS_PER_THREAD = 10_000


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity, so a container's limit counts)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def scoring_threads(config: AnomalyConfig, rows: int) -> int:
    """Threads that score `rows` rows: scoring_threads, at most the machine's cores and
    one per MIN_ROWS_PER_THREAD rows, at least one."""
    return max(
        1, min(config.scoring_threads, available_cores(), math.ceil(rows / MIN_ROWS_PER_THREAD))
    )


def score(fitted: FittedAnomaly, frame: pd.DataFrame) -> np.ndarray:
    """Anomaly score s(x) in (0, 1] of each row. The rows are split into contiguous
    chunks scored on parallel threads (scoring_threads; the trees' traversal releases the
    GIL): a row's score is the same sum over the same trees in the same order whatever
    chunk it falls in, so the scores are identical to scoring on one thread."""
    values = standardised(fitted, frame).to_numpy()
    threads = scoring_threads(fitted.config, len(values))
    with threadpool_limits(limits=1):
        if threads == 1:
            raw = fitted.forest.score_samples(values)
        else:
            with ThreadPoolExecutor(max_workers=threads) as pool:
                parts = pool.map(fitted.forest.score_samples, np.array_split(values, threads))
                raw = np.concatenate(list(parts))
    return np.clip(-raw, 0.0, 1.0)


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


def explain(fitted: FittedAnomaly, frame: pd.DataFrame) -> list[str]:
    config = fitted.config
    return top_features(standardised(fitted, frame), config.top_feature_count, config.phrases)


def flagged_count(config: AnomalyConfig, rows: int) -> int:
    return math.ceil(config.anomalous_share * rows) if config.anomalous_share > 0 else 0


def score_customer_weeks(frame: pd.DataFrame, config: AnomalyConfig) -> AnomalyResult:
    """Fit on a training sample of `frame`, score every row, rank and explain, in memory.
    Rank 1 = most anomalous; equal scores are ordered by key, so ranks are reproducible."""
    frame = frame.sort_values(config.key_column, kind="stable").reset_index(drop=True)
    fitted = fit(training_sample(frame, config), config)
    anomaly_score = score(fitted, frame)
    order = np.lexsort((frame[config.key_column].astype(str).to_numpy(), -anomaly_score))
    rank = np.empty(len(frame), dtype=np.int64)
    rank[order] = np.arange(1, len(frame) + 1)
    scores = frame[[c for c in frame.columns if c not in fitted.features]].copy()
    scores["anomaly_score"] = anomaly_score
    scores["anomaly_rank"] = rank
    scores["is_anomalous"] = rank <= flagged_count(config, len(frame))
    scores["top_features"] = pd.Series(pd.NA, index=frame.index, dtype="object")
    flagged = scores["is_anomalous"].to_numpy()
    if flagged.any():
        scores.loc[flagged, "top_features"] = explain(fitted, frame.loc[flagged])
    return AnomalyResult(scores, fitted.version, fitted.columns, fitted.dropped)


# --- the same against a DuckDB relation, in batches (the dbt model) ------------------------


def _select_list(relation, config: AnomalyConfig, carried: list[str]) -> list[str]:
    """Carried columns as they are, features as double (a DECIMAL reaches pandas as Python
    objects, slow to convert); features the relation lacks are left out (dropped later)."""
    present = set(relation.columns)
    features = [name for name in config.features if name in present]
    carried = [name for name in carried if name in present and name not in features]
    return [f'"{name}"' for name in carried] + [
        f'cast("{name}" as double) as "{name}"' for name in features
    ]


def _checksums_differ(rows: str, scores: str, period_column: str, key: str) -> str:
    """Query of the periods whose count of keys or sum of key hashes differs between the
    query `rows` and the table `scores`."""
    checksums = (
        f"select {period_column}, count(*) as key_count, sum(hash({key})) as key_checksum"
        " from ({}) as source group by " + period_column
    )
    return (
        f"select {period_column} from ({checksums.format(rows)}"
        f" except {checksums.format(f'select * from {scores}')}) as unmatched"
    )


def unmatched_periods(
    con, rows: str, scores: str, period_column: str, key: str = "customer_week_key"
) -> list:
    """The periods of `rows` whose keys differ from those of `scores` in that period (by
    count or checksum), sorted. A period only `scores` holds is not listed: it has no row to
    score."""
    return sorted(
        period
        for (period,) in con.execute(_checksums_differ(rows, scores, period_column, key)).fetchall()
    )


def _literal(value) -> str:
    if isinstance(value, dt.date):
        return f"date '{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def not_scored_yet(
    rows: str,
    scores: str,
    period_column: str,
    key: str = "customer_week_key",
    periods: list | None = None,
) -> str:
    """SQL predicate on a row of the query `rows`: its key is not in the table `scores`.
    Only periods whose count of keys or sum of key hashes differs between the two are
    searched key by key, so a run in which every period matches does not anti-join the
    whole history. `periods`: those periods found beforehand (unmatched_periods), or some
    of them, as literals: the predicate is then false at once for every other period,
    where a subquery in an OR would make DuckDB read every row in full."""
    if periods is None:
        within = f"{period_column} in ({_checksums_differ(rows, scores, period_column, key)})"
    elif periods:
        within = f"{period_column} in ({', '.join(_literal(period) for period in periods)})"
    else:
        return "false"
    return f"({within} and {key} not in (select {key} from {scores} where {within}))"


def sample_of_relation(relation, query: str, con, config: AnomalyConfig) -> pd.DataFrame:
    """The training sample (training_sample) of the rows of `query` over `relation`, chosen
    in SQL. The sample's keys first: sorting one column by its hash is a scan of the keys,
    where sorting whole rows would read every feature of every row."""
    key = config.key_column
    sample_keys = (
        f"select {key} from ({relation.sql_query()})"
        f" order by hash({key} || '|{config.random_state}'), {key} limit {config.training_rows}"
    )
    sample = (
        con.sql(f"select * from ({query}) where {key} in ({sample_keys})")
        .to_arrow_table()
        .to_pandas()
    )
    return training_sample(sample, config)


def _threshold_candidates(con, population: str, limit: int, rows: int, margin: float = 2.0) -> str:
    """The rows of the query `population` (key, anomaly_score) that can hold its limit-th
    highest score: those at or above a floor with at least `limit` rows at or above it
    (every row holding the limit-th highest score or a higher one is then among them).
    The floor is the approximate quantile leaving `margin` x limit rows above it, found and
    checked on the score column alone; when the check fails, every row."""
    if limit == 0 or limit * 2 * margin >= rows:
        return population
    quantile = 1.0 - margin * limit / rows
    ((floor, above),) = con.execute(
        f"with floor as (select approx_quantile(anomaly_score, {quantile!r}) as score"
        f" from ({population}))"
        f" select floor.score, (select count(*) from ({population}) as population"
        " where population.anomaly_score >= floor.score) from floor"
    ).fetchall()
    if floor is None or above < limit:
        return population
    # as text: a float literal may be read as a decimal, rounded differently
    return f"select * from ({population}) where anomaly_score >= cast('{floor!r}' as double)"


def score_relation(
    relation,
    con,
    config: AnomalyConfig,
    carried: list[str],
    name: str,
    score_where: str | list[str] | None = None,
    kept_scores: str | None = None,
    fitted: FittedAnomaly | None = None,
):
    """Score the rows of a DuckDB `relation` on connection `con` without loading it whole:
    fit on a training sample chosen in SQL from every row (smallest seeded hash of the key;
    all rows when there are fewer than training_rows), score in batches of batch_rows read
    as Arrow into a temporary table, then flag the top anomalous_share in SQL and explain
    the flagged rows.

    By default every row is scored, streamed from `relation` once. An incremental run
    scores only the rows matching the SQL predicate `score_where` (selected once into a
    temporary table; a list of predicates no row matches two of is read as their union,
    one select each, so that each can be pushed down to the scan where an OR of them would
    not) and passes as `kept_scores` a query of the earlier scores it keeps
    (key, anomaly_score): they are ranked together, so is_anomalous still means "among the
    anomalous_share highest scores of all customer-weeks", as of this run.

    is_anomalous is "rank <= flagged_count" without ranking every row: the flagged_count-th
    highest (score, key) pair is found with one top-N pass and each scored row is compared
    with it (ties by key, as in score_customer_weeks). The top-N reads only the rows at or
    above a floor taken from an approximate quantile of the scores and checked by a count to
    leave at least flagged_count rows (all rows when the check fails), so it is exact and
    reads the keys of a few rows, not of every row.

    `fitted`: a forest fitted earlier (a stored fit, bankmine.ml.store) to score with
    instead of fitting one; the flagged share and the explanations follow `config`.

    Returns a relation of the scored rows (carried columns, anomaly_score, is_anomalous,
    top_features) and the fitted model (its version and features)."""
    key = config.key_column
    carried = [key] + [c for c in carried if c in relation.columns and c != key]
    query = (
        f"select {', '.join(_select_list(relation, config, carried))} from ({relation.sql_query()})"
    )
    if fitted is None:
        fitted = fit(sample_of_relation(relation, query, con, config), config)
    else:
        fitted = replace(fitted, config=config)
    names = {part: f"__{name}_{part}" for part in ("rows", "scores", "threshold", "explained")}
    # batches are read on a second connection: a statement on `con` would end the stream
    reader = con.cursor()
    source = query
    if score_where is not None:
        predicates = [score_where] if isinstance(score_where, str) else list(score_where)
        predicates = predicates or ["false"]
        reader.execute(
            f"create or replace temp table {names['rows']} as "
            + " union all ".join(
                f"select * from ({query}) where {predicate}" for predicate in predicates
            )
        )
        source = f"select * from {names['rows']}"
    quoted = ", ".join(f'"{column}"' for column in carried)
    con.execute(
        f"create or replace temp table {names['scores']} as select {quoted},"
        f" cast(null as double) as anomaly_score from ({query}) limit 0"
    )
    for batch in reader.sql(source).to_arrow_reader(config.batch_rows):
        if batch.num_rows == 0:
            continue
        part = pa.table(
            [batch.column(column) for column in carried]
            + [pa.array(score(fitted, batch.to_pandas()), pa.float64())],
            names=[*carried, "anomaly_score"],
        )
        con.register("__anomaly_part", part)
        con.execute(f"insert into {names['scores']} select * from __anomaly_part")
        con.unregister("__anomaly_part")
    population = f"select {key}, anomaly_score from {names['scores']}"
    if kept_scores is not None:
        population += f" union all select {key}, anomaly_score from ({kept_scores})"
    ((rows,),) = con.execute(f"select count(*) from ({population})").fetchall()
    limit = min(flagged_count(config, rows), rows)
    candidates = _threshold_candidates(con, population, limit, rows)
    # the flagged_count-th highest (score, key): no row when nothing is to be flagged
    con.execute(
        f"create or replace temp table {names['threshold']} as"
        f" select anomaly_score as threshold_score, {key} as threshold_key"
        f" from ({candidates}) order by anomaly_score desc, {key}"
        f" limit {1 if limit else 0} offset {max(limit - 1, 0)}"
    )
    is_flagged = (
        "coalesce(scores.anomaly_score > threshold.threshold_score"
        " or (scores.anomaly_score = threshold.threshold_score"
        f" and scores.{key} <= threshold.threshold_key), false)"
    )
    flagged_keys = con.sql(
        f"select scores.{key} from {names['scores']} as scores"
        f" left join {names['threshold']} as threshold on true where {is_flagged}"
    ).to_arrow_table()
    reader.register("__anomaly_flagged", flagged_keys)
    flagged = (
        reader.sql(f"select * from ({source}) where {key} in (select {key} from __anomaly_flagged)")
        .to_arrow_table()
        .to_pandas()
    )
    reader.close()
    explained = pa.table(
        {
            key: flagged[key].astype(str),
            "top_features": pa.array(explain(fitted, flagged), pa.string()),
        }
        if len(flagged)
        else {key: pa.array([], pa.string()), "top_features": pa.array([], pa.string())}
    )
    con.register("__anomaly_explained", explained)
    con.execute(
        f"create or replace temp table {names['explained']} as select * from __anomaly_explained"
    )
    con.unregister("__anomaly_explained")
    kept = ", ".join(f'scores."{column}"' for column in carried)
    result = con.sql(
        f"select {kept}, scores.anomaly_score, {is_flagged} as is_anomalous,"
        " explained.top_features"
        f" from {names['scores']} as scores"
        f" left join {names['threshold']} as threshold on true"
        f" left join {names['explained']} as explained on scores.{key} = explained.{key}"
    )
    return result, fitted
