"""Monthly KPI forecasts with prediction intervals, and a rolling-origin backtest.

A thin dbt Python model calls :func:`forecast_kpis` with one row per scope (``'bank'`` or
a branch id), KPI and month, and writes the two frames it returns as tables. What it does,
for each (scope, kpi_name) series, in order:

1. Scope and KPI name are read as text, and rows are sorted by scope, KPI and month
   first, so the input's row order never matters.
   ``kpi_month`` may be any day of the month; it stands for that calendar month. Two rows
   for the same scope, KPI and month are an error.
2. Missing values (NaN, or non-finite) and missing months are handled the same way: the
   series is laid on a full monthly grid from its first to its last month with a value
   (leading and trailing gaps dropped), and interior gaps are filled by linear
   interpolation *for fitting only*. Interpolated months are never used as backtest
   targets, and the backtest interpolates each training window on its own, so nothing
   after an origin leaks into it. ``history_months`` counts the grid (interpolated months
   included); the ``min_history`` check counts months with a real value.
3. The model is an ETS model (``statsmodels`` ``ETSModel``) with additive errors:
   ``ets_damped_seasonal`` (additive damped trend, additive seasonality of
   ``seasonal_period`` months) when the grid holds at least two full seasons;
   ``ets_damped`` (no seasonal term) when it holds at least 10 months (below that the five
   parameters of a damped trend are not identifiable, as in R's ``forecast::ets``);
   otherwise ``ets_level`` (simple exponential smoothing). If a fit fails or gives
   non-finite numbers, the next simpler model is tried. Initial states are set by the
   heuristic of Hyndman & Athanasopoulos (FPP3, section 2.6) where the series is long
   enough for it (10 months; two seasons and 22 months with seasonality), else they are
   estimated with the smoothing parameters. The heuristic is much faster, and on seasonal
   series it gives intervals that cover far better than estimating ~18 parameters from
   three years of data.
4. Forecasts run 1..``horizon`` months after the series' last month with a value.
   Intervals are the analytic ones of ``get_prediction(...).summary_frame(alpha)`` at the
   configured ``coverage``. They leave out parameter uncertainty: in simulations, 80%
   intervals covered about 60-75% of outcomes on 10-18 month trending series, and about 90%
   on three-year seasonal ones (heuristic initial states widen them). For KPIs not listed in ``may_be_negative``
   (every count and balance) the point forecast and both bounds are clipped at 0.
5. The backtest uses rolling origins: the last ``backtest_origins`` months with a value
   that have at least ``min_history`` months with a value before them. At each origin the
   same procedure (model choice, interpolation, clipping) is fitted on the data strictly
   before the origin and forecasts the months with a value among the origin and the
   ``horizon - 1`` months after it. The baseline is decided at the first origin: seasonal
   naive (the value ``seasonal_period * ceil(h / seasonal_period)`` months before the
   target, from data known at the origin) when at least ``seasonal_period`` months precede
   the first origin, else naive (the last value before the origin).
6. MASE = mean absolute error over all backtest forecasts, divided by the in-sample mean
   absolute error of the one-step seasonal-naive forecast (lag ``seasonal_period``) on the
   training part before the first origin; lag 1 when that part has no more than
   ``seasonal_period`` months. The baseline is scaled the same way, so ``beats_baseline``
   compares mean absolute errors. MAPE is in percent and skips targets equal to 0.

Series with fewer than ``min_history`` months with a value get no forecast rows and one
backtest row with NaN metrics and the reason in ``note``, so nothing disappears silently.
Statsmodels' warnings (convergence and numerical) are caught and logged at debug level;
nothing is printed. Same input and configuration give the same output, row for row.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

logger = logging.getLogger(__name__)

FORECAST_COLUMNS = [
    "scope",
    "kpi_name",
    "forecast_month",
    "horizon_months",
    "forecast_value",
    "lower_value",
    "upper_value",
    "coverage",
    "method",
    "history_months",
]
BACKTEST_COLUMNS = [
    "scope",
    "kpi_name",
    "method",
    "origins",
    "mase",
    "baseline_name",
    "baseline_mase",
    "mape",
    "baseline_mape",
    "beats_baseline",
    "note",
]
INPUT_COLUMNS = ["scope", "kpi_name", "kpi_month", "kpi_value"]

# method name -> ETSModel arguments, from the richest to the simplest
_METHODS: dict[str, dict] = {
    "ets_damped_seasonal": {"trend": "add", "damped_trend": True, "seasonal": "add"},
    "ets_damped": {"trend": "add", "damped_trend": True, "seasonal": None},
    "ets_level": {"trend": None, "damped_trend": False, "seasonal": None},
}
# fewest months for a damped trend (alpha, beta, phi, level, trend: n > 5 + 4)
_MIN_TREND_MONTHS = 10
# fewest months for statsmodels' heuristic initial states without seasonality
_MIN_HEURISTIC_MONTHS = 10
NO_METHOD = "none"
# what a failing statsmodels fit raises (bad start values, singular matrices, overflow):
# each means "try the next simpler model"
_FIT_ERRORS = (ValueError, ArithmeticError, IndexError, RuntimeError, np.linalg.LinAlgError)


@dataclass(frozen=True)
class ForecastConfig:
    """Forecast settings, read from the dbt model's ``config.meta`` by :meth:`from_meta`."""

    horizon: int = 6
    seasonal_period: int = 12
    coverage: float = 0.80
    backtest_origins: int = 6
    min_history: int = 6
    may_be_negative: tuple[str, ...] = ("nps",)

    def __post_init__(self) -> None:
        if self.horizon < 1:
            raise ValueError(f"horizon must be at least 1, got {self.horizon}")
        if self.seasonal_period < 2:
            raise ValueError(f"seasonal_period must be at least 2, got {self.seasonal_period}")
        if not 0.0 < self.coverage < 1.0:
            raise ValueError(f"coverage must be strictly between 0 and 1, got {self.coverage}")
        if self.backtest_origins < 0:
            raise ValueError(f"backtest_origins must be >= 0, got {self.backtest_origins}")
        if self.min_history < 3:
            raise ValueError(f"min_history must be at least 3, got {self.min_history}")
        if isinstance(self.may_be_negative, str):
            raise TypeError("may_be_negative must be a list of KPI names, not one string")

    @classmethod
    def from_meta(cls, meta: Mapping | None) -> ForecastConfig:
        """Build from a mapping with the field names as keys (e.g. the dbt model's meta).

        Missing keys keep their defaults; ``None`` gives all defaults; a key that is not a
        field raises ``ValueError`` naming it."""
        meta = dict(meta or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(str(key) for key in set(meta) - known)
        if unknown:
            raise ValueError(
                f"unknown forecast settings: {unknown}; known settings: {sorted(known)}"
            )
        kwargs: dict = {}
        for key in ("horizon", "seasonal_period", "backtest_origins", "min_history"):
            if key in meta:
                kwargs[key] = _as_int(key, meta[key])
        if "coverage" in meta:
            kwargs["coverage"] = float(meta["coverage"])
        if "may_be_negative" in meta:
            value = meta["may_be_negative"]
            if isinstance(value, str):
                raise TypeError("may_be_negative must be a list of KPI names, not one string")
            kwargs["may_be_negative"] = tuple(str(name) for name in value or ())
        return cls(**kwargs)


def _as_int(key: str, value: object) -> int:
    if isinstance(value, bool) or int(value) != value:  # type: ignore[call-overload]
        raise ValueError(f"{key} must be a whole number, got {value!r}")
    return int(value)  # type: ignore[call-overload]


class _FitFailed(RuntimeError):
    """Every candidate model failed for a series."""


@dataclass(frozen=True)
class _Fit:
    """Forecasts 1..steps ahead of one fitted model."""

    method: str
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


# ---------------------------------------------------------------------------
# model


def _candidate_methods(n: int, config: ForecastConfig) -> list[str]:
    """Models to try for a series of n months, richest first."""
    if n >= 2 * config.seasonal_period:
        return ["ets_damped_seasonal", "ets_damped", "ets_level"]
    if n >= _MIN_TREND_MONTHS:
        return ["ets_damped", "ets_level"]
    return ["ets_level"]


def _initialization(n: int, method: str, period: int) -> str:
    """'heuristic' initial states where statsmodels can compute them, else 'estimated'."""
    if _METHODS[method]["seasonal"]:
        enough = n >= max(2 * period, 10 + 2 * (period // 2))
    else:
        enough = n >= _MIN_HEURISTIC_MONTHS
    return "heuristic" if enough else "estimated"


def _fit_method(values: np.ndarray, steps: int, method: str, config: ForecastConfig) -> _Fit:
    """Fit one ETS model and forecast 1..steps ahead with the configured interval."""
    spec = _METHODS[method]
    n = len(values)
    period = config.seasonal_period
    endog = pd.Series(values, index=pd.RangeIndex(n), dtype="float64")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = ETSModel(
            endog,
            error="add",
            trend=spec["trend"],
            damped_trend=spec["damped_trend"],
            seasonal=spec["seasonal"],
            seasonal_periods=period if spec["seasonal"] else None,
            initialization_method=_initialization(n, method, period),
        )
        result = model.fit(disp=False)
        frame = result.get_prediction(start=n, end=n + steps - 1).summary_frame(
            alpha=1.0 - config.coverage
        )
    if caught:
        logger.debug(
            "forecast: %s on %d months: %d warning(s) caught, e.g. %s",
            method,
            n,
            len(caught),
            caught[0].message,
        )
    mean = frame["mean"].to_numpy(dtype="float64")
    lower = frame["pi_lower"].to_numpy(dtype="float64")
    upper = frame["pi_upper"].to_numpy(dtype="float64")
    if len(mean) != steps or not (
        np.isfinite(mean).all() and np.isfinite(lower).all() and np.isfinite(upper).all()
    ):
        raise ValueError("non-finite forecast or interval")
    return _Fit(method, mean, lower, upper)


def _fit_ets(values: np.ndarray, steps: int, config: ForecastConfig, allow_negative: bool) -> _Fit:
    """Fit the richest model the series supports, falling back to simpler ones, and
    forecast 1..steps ahead; clipped at 0 unless the KPI may be negative."""
    failures = []
    for method in _candidate_methods(len(values), config):
        try:
            fit = _fit_method(values, steps, method, config)
        except _FIT_ERRORS as exc:
            failures.append(f"{method}: {type(exc).__name__}: {exc}")
            logger.debug("forecast: %s failed on %d months: %s", method, len(values), exc)
            continue
        if allow_negative:
            return fit
        return _Fit(
            fit.method,
            np.clip(fit.mean, 0.0, None),
            np.clip(fit.lower, 0.0, None),
            np.clip(fit.upper, 0.0, None),
        )
    raise _FitFailed("; ".join(failures))


# ---------------------------------------------------------------------------
# series handling


def _fill(values: np.ndarray) -> np.ndarray:
    """Drop leading and trailing NaN; fill interior NaN by linear interpolation."""
    known = np.flatnonzero(~np.isnan(values))
    if len(known) == 0:
        return np.empty(0, dtype="float64")
    window = values[known[0] : known[-1] + 1]
    positions = np.arange(len(window))
    present = ~np.isnan(window)
    return np.interp(positions, positions[present], window[present]).astype("float64")


def _seasonal_naive(train: np.ndarray, step: int, period: int) -> float:
    """Value ``period * ceil(step / period)`` months before the target, from ``train``
    (which ends the month before step 1); the last value if the series is too short."""
    back = period * math.ceil(step / period)
    position = len(train) - 1 + step - back
    return float(train[position]) if position >= 0 else float(train[-1])


def _naive_scale(train: np.ndarray, period: int) -> float:
    """In-sample MAE of the one-step seasonal-naive forecast (lag 1 if too short)."""
    lag = period if len(train) > period else 1
    return float(np.mean(np.abs(train[lag:] - train[:-lag])))


def _origin_positions(values: np.ndarray, config: ForecastConfig) -> np.ndarray:
    """Grid positions of the backtest origins: the last `backtest_origins` months with a
    value that have at least `min_history` months with a value before them."""
    observed = ~np.isnan(values)
    before = np.cumsum(observed) - observed
    eligible = np.flatnonzero(observed & (before >= config.min_history))
    if config.backtest_origins == 0:
        return eligible[:0]
    return eligible[-config.backtest_origins :]


def _origin_forecasts(
    values: np.ndarray, config: ForecastConfig, allow_negative: bool
) -> pd.DataFrame:
    """One row per backtest forecast: origin and target grid positions, step (months after
    the last training month), actual, model and baseline forecasts, baseline name, the
    model's method and the MASE scale (from the training part before the first origin).

    ``values`` is the series on its monthly grid (NaN for months without a value). Each
    origin sees only ``values[:origin]``, so changing values at or after an origin cannot
    change that origin's rows (except ``actual``)."""
    columns = [
        "origin",
        "target",
        "step",
        "actual",
        "forecast",
        "baseline",
        "baseline_name",
        "method",
        "scale",
    ]
    rows: list[dict] = []
    origins = _origin_positions(values, config)
    if len(origins) == 0:
        return pd.DataFrame(columns=columns)
    first_train = _fill(values[: origins[0]])
    seasonal_baseline = len(first_train) >= config.seasonal_period
    baseline_name = "seasonal_naive" if seasonal_baseline else "naive"
    scale = _naive_scale(first_train, config.seasonal_period)
    for origin in origins:
        known = values[:origin]
        train = _fill(known)
        last = int(np.flatnonzero(~np.isnan(known))[-1])
        targets = [
            t
            for t in range(origin, min(origin + config.horizon, len(values)))
            if not np.isnan(values[t])
        ]
        steps = [t - last for t in targets]
        try:
            fit = _fit_ets(train, max(steps), config, allow_negative)
        except _FitFailed as exc:
            logger.warning(
                "forecast: backtest origin %d skipped, every fit failed: %s", origin, exc
            )
            continue
        for target, step in zip(targets, steps, strict=True):
            if seasonal_baseline:
                baseline = _seasonal_naive(train, step, config.seasonal_period)
            else:
                baseline = float(train[-1])
            rows.append(
                {
                    "origin": int(origin),
                    "target": int(target),
                    "step": int(step),
                    "actual": float(values[target]),
                    "forecast": float(fit.mean[step - 1]),
                    "baseline": baseline,
                    "baseline_name": baseline_name,
                    "method": fit.method,
                    "scale": scale,
                }
            )
    return pd.DataFrame(rows, columns=columns)


def _mape(actual: np.ndarray, predicted: np.ndarray) -> float:
    nonzero = actual != 0
    if not nonzero.any():
        return float("nan")
    return float(np.mean(np.abs((actual[nonzero] - predicted[nonzero]) / actual[nonzero])) * 100)


def _backtest_row(per_origin: pd.DataFrame) -> dict:
    """Metrics over all backtest forecasts of one series (no scope or KPI)."""
    if per_origin.empty:
        return _empty_backtest("no backtest origin: needs more than min_history months")
    actual = per_origin["actual"].to_numpy(dtype="float64")
    model = per_origin["forecast"].to_numpy(dtype="float64")
    baseline = per_origin["baseline"].to_numpy(dtype="float64")
    scale = float(per_origin["scale"].iloc[0])
    note = ""
    if scale > 0 and np.isfinite(scale):
        mase = float(np.mean(np.abs(actual - model)) / scale)
        baseline_mase = float(np.mean(np.abs(actual - baseline)) / scale)
    else:
        mase = baseline_mase = float("nan")
        note = "MASE undefined: the naive in-sample error before the first origin is 0"
    methods = list(dict.fromkeys(per_origin["method"]))
    return {
        "method": "+".join(methods),
        "origins": int(per_origin["origin"].nunique()),
        "mase": mase,
        "baseline_name": str(per_origin["baseline_name"].iloc[0]),
        "baseline_mase": baseline_mase,
        "mape": _mape(actual, model),
        "baseline_mape": _mape(actual, baseline),
        "beats_baseline": bool(mase < baseline_mase),
        "note": note,
    }


def _empty_backtest(note: str) -> dict:
    return {
        "method": NO_METHOD,
        "origins": 0,
        "mase": float("nan"),
        "baseline_name": "",
        "baseline_mase": float("nan"),
        "mape": float("nan"),
        "baseline_mape": float("nan"),
        "beats_baseline": False,
        "note": note,
    }


# ---------------------------------------------------------------------------
# entry point


def _prepare(history: pd.DataFrame) -> pd.DataFrame:
    missing = [name for name in INPUT_COLUMNS if name not in history.columns]
    if missing:
        raise ValueError(f"history lacks columns {missing}; needs {INPUT_COLUMNS}")
    frame = history[INPUT_COLUMNS].copy()
    for name in ("scope", "kpi_name", "kpi_month"):
        if frame[name].isna().any():
            raise ValueError(f"history has rows without {name}")
    frame["scope"] = frame["scope"].astype("str")
    frame["kpi_name"] = frame["kpi_name"].astype("str")
    frame["kpi_month"] = pd.to_datetime(frame["kpi_month"]).dt.to_period("M")
    frame["kpi_value"] = pd.to_numeric(frame["kpi_value"], errors="raise").astype("float64")
    frame.loc[~np.isfinite(frame["kpi_value"]), "kpi_value"] = np.nan
    duplicated = frame.duplicated(["scope", "kpi_name", "kpi_month"], keep=False)
    if duplicated.any():
        example = frame.loc[duplicated, ["scope", "kpi_name", "kpi_month"]].iloc[0].tolist()
        raise ValueError(
            f"history has {int(duplicated.sum())} rows sharing a scope, KPI and month, "
            f"e.g. {example}"
        )
    return frame.sort_values(["scope", "kpi_name", "kpi_month"], kind="mergesort").reset_index(
        drop=True
    )


def forecast_kpis(
    history: pd.DataFrame, config: ForecastConfig
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Forecast every (scope, kpi_name) series ``config.horizon`` months ahead and backtest it.

    history columns: scope (str: 'bank' or a branch id), kpi_name (str), kpi_month
    (datetime64 or date, first of month), kpi_value (float, may contain NaN for missing
    months). Returns (forecasts, backtest): forecasts has one row per scope, KPI and future
    month (columns :data:`FORECAST_COLUMNS`); backtest one row per scope and KPI (columns
    :data:`BACKTEST_COLUMNS`). See the module docstring for the method."""
    frame = _prepare(history)
    negative_ok = set(config.may_be_negative)
    forecast_rows: list[dict] = []
    backtest_rows: list[dict] = []
    skipped = 0
    for (scope, kpi_name), series in frame.groupby(["scope", "kpi_name"], sort=True):
        allow_negative = kpi_name in negative_ok
        observed = series.dropna(subset=["kpi_value"])
        key = {"scope": scope, "kpi_name": kpi_name}
        if len(observed) < config.min_history:
            skipped += 1
            logger.info(
                "forecast: %s / %s has %d months with a value (< min_history %d): skipped",
                scope,
                kpi_name,
                len(observed),
                config.min_history,
            )
            backtest_rows.append(
                key
                | _empty_backtest(
                    f"history shorter than min_history: {len(observed)} months with a value, "
                    f"needs {config.min_history}"
                )
            )
            continue
        months = pd.period_range(observed["kpi_month"].min(), observed["kpi_month"].max(), freq="M")
        grid = (
            observed.set_index("kpi_month")["kpi_value"].reindex(months).to_numpy(dtype="float64")
        )
        interpolated = int(np.isnan(grid).sum())
        per_origin = _origin_forecasts(grid, config, allow_negative)
        backtest = key | _backtest_row(per_origin)
        if interpolated:
            gap_note = f"{interpolated} missing month(s) inside the series interpolated"
            backtest["note"] = "; ".join(filter(None, [backtest["note"], gap_note]))
        try:
            fit = _fit_ets(_fill(grid), config.horizon, config, allow_negative)
        except _FitFailed as exc:
            skipped += 1
            logger.warning("forecast: %s / %s: every model failed: %s", scope, kpi_name, exc)
            backtest["note"] = "; ".join(filter(None, [backtest["note"], f"fit failed: {exc}"]))
            backtest_rows.append(backtest)
            continue
        backtest_rows.append(backtest)
        last_month = months[-1]
        for step in range(1, config.horizon + 1):
            forecast_rows.append(
                key
                | {
                    "forecast_month": (last_month + step).to_timestamp().date(),
                    "horizon_months": step,
                    "forecast_value": float(fit.mean[step - 1]),
                    "lower_value": float(fit.lower[step - 1]),
                    "upper_value": float(fit.upper[step - 1]),
                    "coverage": float(config.coverage),
                    "method": fit.method,
                    "history_months": len(months),
                }
            )
    logger.info(
        "forecast: %d series, %d forecast, %d without a forecast",
        len(backtest_rows),
        len(backtest_rows) - skipped,
        skipped,
    )
    forecasts = _typed(pd.DataFrame(forecast_rows, columns=FORECAST_COLUMNS), _FORECAST_TYPES)
    backtest = _typed(pd.DataFrame(backtest_rows, columns=BACKTEST_COLUMNS), _BACKTEST_TYPES)
    return forecasts, backtest


_FORECAST_TYPES = {
    "scope": "str",
    "kpi_name": "str",
    "horizon_months": "int64",
    "forecast_value": "float64",
    "lower_value": "float64",
    "upper_value": "float64",
    "coverage": "float64",
    "method": "str",
    "history_months": "int64",
}
_BACKTEST_TYPES = {
    "scope": "str",
    "kpi_name": "str",
    "method": "str",
    "origins": "int64",
    "mase": "float64",
    "baseline_name": "str",
    "baseline_mase": "float64",
    "mape": "float64",
    "baseline_mape": "float64",
    "beats_baseline": "bool",
    "note": "str",
}


def _typed(frame: pd.DataFrame, types: dict[str, str]) -> pd.DataFrame:
    """Fixed dtypes, so an empty result has the same column types as a full one."""
    return frame.astype(types).reset_index(drop=True)
