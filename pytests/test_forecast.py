"""KPI forecasts (bankmine.ml.forecast): unit tests on small monthly series made here."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from bankmine.ml.forecast import (
    BACKTEST_COLUMNS,
    FORECAST_COLUMNS,
    ForecastConfig,
    _origin_forecasts,
    forecast_kpis,
)

CONFIG = ForecastConfig()
START = "2021-01-01"


def seasonal_truth(n: int) -> np.ndarray:
    """Noise-free trend plus yearly season."""
    t = np.arange(n)
    return 100 + 2 * t + 15 * np.sin(2 * np.pi * t / 12)


def seasonal_values(n: int = 42, seed: int = 0) -> np.ndarray:
    return seasonal_truth(n) + np.random.default_rng(seed).normal(0, 2, n)


def history(values, scope: str = "bank", kpi: str = "deposit_balance", start: str = START):
    values = np.asarray(values, dtype=float)
    return pd.DataFrame(
        {
            "scope": scope,
            "kpi_name": kpi,
            "kpi_month": pd.date_range(start, periods=len(values), freq="MS"),
            "kpi_value": values,
        }
    )


def only(frame: pd.DataFrame, scope: str, kpi: str) -> pd.DataFrame:
    rows = frame[(frame["scope"] == scope) & (frame["kpi_name"] == kpi)]
    return rows.reset_index(drop=True)


@pytest.fixture(scope="module")
def seasonal_run():
    """42 months of a seasonal series with trend; the first 36 forecast and backtested."""
    values = seasonal_values()
    forecasts, backtest = forecast_kpis(history(values[:36]), CONFIG)
    return values, forecasts, backtest


@pytest.fixture(scope="module")
def seasonal_origins():
    """The backtest forecasts behind ``seasonal_run``'s backtest row."""
    return _origin_forecasts(seasonal_values()[:36], CONFIG, allow_negative=False)


# (1) clean seasonal series with trend


def test_seasonal_series_forecasts_and_intervals(seasonal_run):
    values, forecasts, _ = seasonal_run
    assert list(forecasts.columns) == FORECAST_COLUMNS
    assert len(forecasts) == 6
    assert forecasts["horizon_months"].tolist() == [1, 2, 3, 4, 5, 6]
    assert forecasts["forecast_month"].tolist() == [dt.date(2024, m, 1) for m in range(1, 7)]
    assert set(forecasts["method"]) == {"ets_damped_seasonal"}
    assert set(forecasts["history_months"]) == {36}
    assert set(forecasts["coverage"]) == {0.8}

    point = forecasts["forecast_value"].to_numpy()
    lower = forecasts["lower_value"].to_numpy()
    upper = forecasts["upper_value"].to_numpy()
    assert np.all(lower < point) and np.all(point < upper)
    width = upper - lower
    assert np.all(np.diff(width) >= -1e-9), width
    # the forecast follows trend and season: close to the noise-free future
    assert np.abs(point - seasonal_truth(42)[36:]).mean() < 4.0
    inside = (values[36:] >= lower) & (values[36:] <= upper)
    assert inside.sum() >= 4, (values[36:], lower, upper)


def test_seasonal_series_backtest_beats_seasonal_naive(seasonal_run):
    _, _, backtest = seasonal_run
    assert list(backtest.columns) == BACKTEST_COLUMNS
    row = backtest.iloc[0]
    assert row["origins"] == 6
    assert row["baseline_name"] == "seasonal_naive"
    assert row["method"] == "ets_damped_seasonal"
    assert row["note"] == ""
    assert bool(row["beats_baseline"]) is True
    # the trend costs seasonal naive about one season's growth per forecast (MASE ~ 1)
    assert 0.7 < row["baseline_mase"] < 1.3
    assert row["mase"] < 0.5 * row["baseline_mase"]
    assert row["mape"] < row["baseline_mape"]


def test_backtest_metrics_follow_their_definitions(seasonal_run, seasonal_origins):
    values = seasonal_values()[:36]
    per_origin = seasonal_origins
    # origins 30..35, each forecasting the months left up to 6 ahead: 6+5+4+3+2+1
    assert sorted(per_origin["origin"].unique()) == [30, 31, 32, 33, 34, 35]
    assert len(per_origin) == 21
    assert per_origin["target"].max() == 35
    assert (per_origin["step"] == per_origin["target"] - per_origin["origin"] + 1).all()
    # seasonal naive: the value 12 months before the target
    expected_baseline = values[per_origin["target"].to_numpy() - 12]
    np.testing.assert_allclose(per_origin["baseline"], expected_baseline)
    np.testing.assert_allclose(per_origin["actual"], values[per_origin["target"]])

    backtest = seasonal_run[2]
    scale = np.abs(values[12:30] - values[:18]).mean()  # lag-12 naive before origin 30
    actual = per_origin["actual"].to_numpy()
    mase = np.abs(actual - per_origin["forecast"]).mean() / scale
    baseline_mase = np.abs(actual - expected_baseline).mean() / scale
    mape = 100 * np.mean(np.abs(actual - per_origin["forecast"]) / actual)
    assert backtest["mase"].iloc[0] == pytest.approx(mase)
    assert backtest["baseline_mase"].iloc[0] == pytest.approx(baseline_mase)
    assert backtest["mape"].iloc[0] == pytest.approx(mape)


# (2) one year of history


@pytest.mark.parametrize(("months", "method"), [(12, "ets_damped"), (9, "ets_level")])
def test_short_series_is_not_seasonal_and_uses_naive_baseline(months, method):
    rng = np.random.default_rng(3)
    values = 50 + 1.5 * np.arange(months) + rng.normal(0, 1, months)
    forecasts, backtest = forecast_kpis(history(values, kpi="customers"), CONFIG)
    assert len(forecasts) == 6
    assert set(forecasts["method"]) == {method}
    assert set(forecasts["history_months"]) == {months}
    # a growing series is forecast to keep growing (damped) or to stay level
    assert forecasts["forecast_value"].iloc[0] > values[:3].mean()

    row = backtest.iloc[0]
    assert row["baseline_name"] == "naive"
    assert row["origins"] == months - 6
    assert "seasonal" not in row["method"]
    # naive = the last value before each origin; scaled by the lag-1 in-sample error
    per_origin = _origin_forecasts(values, CONFIG, allow_negative=False)
    np.testing.assert_allclose(per_origin["baseline"], values[per_origin["origin"] - 1])
    scale = np.abs(np.diff(values[:6])).mean()
    baseline_mase = np.abs(per_origin["actual"] - per_origin["baseline"]).mean() / scale
    assert row["baseline_mase"] == pytest.approx(baseline_mase)
    assert bool(row["beats_baseline"]) == (row["mase"] < row["baseline_mase"])


# (3) too little history


def test_four_months_give_no_forecast_and_a_noted_backtest_row():
    forecasts, backtest = forecast_kpis(history([10.0, 11.0, 12.0, 13.0], scope="B07"), CONFIG)
    assert forecasts.empty
    assert list(forecasts.columns) == FORECAST_COLUMNS
    assert len(backtest) == 1
    row = backtest.iloc[0]
    assert (row["scope"], row["kpi_name"]) == ("B07", "deposit_balance")
    assert row["origins"] == 0
    assert row["method"] == "none"
    assert "history shorter than min_history" in row["note"]
    assert "4 months" in row["note"]
    assert np.isnan([row["mase"], row["baseline_mase"], row["mape"], row["baseline_mape"]]).all()
    assert bool(row["beats_baseline"]) is False


def test_exactly_min_history_forecasts_without_backtest():
    forecasts, backtest = forecast_kpis(history([5.0, 6.0, 5.5, 6.5, 6.0, 7.0]), CONFIG)
    assert len(forecasts) == 6
    assert set(forecasts["method"]) == {"ets_level"}
    assert backtest["origins"].iloc[0] == 0
    assert backtest["note"].iloc[0].startswith("no backtest origin")


def test_missing_months_are_interpolated_and_trailing_gaps_dropped():
    values = seasonal_values(30, seed=5)
    frame = history(values)
    frame = frame.drop(index=[10, 11])  # two months absent
    frame.loc[20, "kpi_value"] = np.nan  # one month present without a value
    frame.loc[29, "kpi_value"] = np.nan  # trailing month without a value
    forecasts, backtest = forecast_kpis(frame, CONFIG)
    # 29 months from the first to the last month with a value, gaps included
    assert set(forecasts["history_months"]) == {29}
    assert forecasts["forecast_month"].iloc[0] == dt.date(2023, 6, 1)
    assert set(forecasts["method"]) == {"ets_damped_seasonal"}
    assert "3 missing month(s) inside the series interpolated" in backtest["note"].iloc[0]


# (4) determinism


def test_same_input_gives_identical_output():
    frame = pd.concat(
        [
            history(seasonal_values(26, seed=1), scope="bank"),
            history(20 + np.arange(14.0) % 5, scope="B01", kpi="transaction_count"),
        ]
    )
    first = forecast_kpis(frame, CONFIG)
    # the second call gets the same rows in another order
    second = forecast_kpis(frame.sample(frac=1.0, random_state=4), CONFIG)
    for a, b in zip(first, second, strict=True):
        pd.testing.assert_frame_equal(a, b)
    assert len(first[0]) == 12 and len(first[1]) == 2


# (5) no leakage


def test_backtest_origin_does_not_see_its_future(seasonal_origins):
    values = seasonal_values()[:36]
    before = seasonal_origins
    origin = 32
    changed = values.copy()
    changed[origin:] = changed[origin:] * 3 + 500  # a different future from the origin on
    after = _origin_forecasts(changed, CONFIG, allow_negative=False)

    kept = ["origin", "target", "step", "forecast", "baseline", "method"]
    # this origin and the earlier ones: identical forecasts and baselines
    pd.testing.assert_frame_equal(
        before.loc[before["origin"] <= origin, kept].reset_index(drop=True),
        after.loc[after["origin"] <= origin, kept].reset_index(drop=True),
    )
    # the targets did change, and later origins (which see the change) forecast differently
    at_origin = after["origin"] == origin
    assert (after.loc[at_origin, "actual"] > 300).all()
    later = before["origin"] > origin
    assert not np.allclose(before.loc[later, "forecast"], after.loc[later, "forecast"])


def test_gap_before_an_origin_is_not_filled_from_the_future():
    values = seasonal_values()[:36].copy()
    values[32] = np.nan  # missing month just before origin 33
    config = ForecastConfig(backtest_origins=4)
    before = _origin_forecasts(values, config, allow_negative=False)
    changed = values.copy()
    changed[33] += 40  # the origin's own value, which interpolating month 32 must not use
    after = _origin_forecasts(changed, config, allow_negative=False)
    # month 32 has no value, so it is no origin; origin 33 forecasts from month 31
    assert sorted(before["origin"].unique()) == [31, 33, 34, 35]
    row = before[before["origin"] == 33].iloc[0]
    assert (row["target"], row["step"]) == (33, 2)
    kept = ["forecast", "baseline"]
    np.testing.assert_array_equal(
        before.loc[before["origin"] <= 33, kept], after.loc[after["origin"] <= 33, kept]
    )
    # origin 34 does see month 33 (and interpolates month 32 from it): it changes
    at_34 = before["origin"] == 34
    assert not np.allclose(
        before.loc[at_34, "forecast"], after.loc[after["origin"] == 34, "forecast"]
    )


# (6) clipping at zero


def test_counts_are_clipped_at_zero_but_nps_may_be_negative():
    # defaults fading out; NPS around -5
    defaults = [4, 3, 3, 2, 3, 2, 1, 2, 1, 1, 0, 1, 0, 0, 1, 0, 0, 0]
    nps = -5 + np.random.default_rng(11).normal(0, 8, 18)
    frame = pd.concat(
        [history(defaults, kpi="defaults_count"), history(nps, kpi="nps")], ignore_index=True
    )
    config = ForecastConfig(backtest_origins=1)  # the backtest is not under test here
    forecasts, _ = forecast_kpis(frame, config)
    counts = only(forecasts, "bank", "defaults_count")
    assert len(counts) == 6
    assert (counts[["forecast_value", "lower_value", "upper_value"]] >= 0).all().all()
    assert (counts["lower_value"] == 0).any()  # the interval did reach below zero
    scores = only(forecasts, "bank", "nps")
    assert (scores["lower_value"] < 0).all()
    assert (scores["forecast_value"] < 0).any()

    # allowed negative, the same KPI keeps the unclipped bounds; clipping changes nothing else
    allowed = ("nps", "defaults_count")
    unclipped, _ = forecast_kpis(frame, ForecastConfig(backtest_origins=1, may_be_negative=allowed))
    raw = only(unclipped, "bank", "defaults_count")
    assert (raw["lower_value"] < 0).any()
    for column in ("forecast_value", "lower_value", "upper_value"):
        np.testing.assert_allclose(counts[column], raw[column].clip(lower=0))
    pd.testing.assert_frame_equal(scores, only(unclipped, "bank", "nps"))


# (7) configuration


def test_config_from_meta():
    assert ForecastConfig.from_meta(None) == ForecastConfig()
    config = ForecastConfig.from_meta(
        {"horizon": 3, "coverage": 0.9, "may_be_negative": ["nps", "net_flow"]}
    )
    assert config.horizon == 3
    assert config.coverage == 0.9
    assert config.may_be_negative == ("nps", "net_flow")
    assert config.seasonal_period == 12
    with pytest.raises(ValueError, match=r"horizons.*seasonality|seasonality.*horizons"):
        ForecastConfig.from_meta({"horizons": 6, "seasonality": 12, "coverage": 0.8})
    with pytest.raises(ValueError, match="coverage"):
        ForecastConfig.from_meta({"coverage": 80})
    with pytest.raises(ValueError, match="horizon"):
        ForecastConfig.from_meta({"horizon": 2.5})


def test_configured_horizon_and_coverage_are_used():
    values = seasonal_values()[:36]
    short = {"horizon": 3, "backtest_origins": 1}
    narrow, _ = forecast_kpis(history(values), ForecastConfig(coverage=0.5, **short))
    wide, _ = forecast_kpis(history(values), ForecastConfig(coverage=0.95, **short))
    assert narrow["horizon_months"].tolist() == [1, 2, 3]
    assert set(narrow["coverage"]) == {0.5}
    np.testing.assert_allclose(narrow["forecast_value"], wide["forecast_value"])
    narrow_width = narrow["upper_value"] - narrow["lower_value"]
    wide_width = wide["upper_value"] - wide["lower_value"]
    # normal intervals: width ratio is z(0.975) / z(0.75)
    np.testing.assert_allclose(wide_width / narrow_width, 1.959964 / 0.674490, rtol=1e-4)


def test_input_errors():
    frame = history(np.arange(8.0))
    with pytest.raises(ValueError, match="kpi_value"):
        forecast_kpis(frame.drop(columns="kpi_value"), CONFIG)
    with pytest.raises(ValueError, match="sharing a scope, KPI and month"):
        forecast_kpis(pd.concat([frame, frame.iloc[[3]]]), CONFIG)


# (8) several scopes and KPIs


def test_several_series_in_one_call_are_independent():
    rng = np.random.default_rng(21)
    series = {
        ("bank", "customers"): 1000 + 10 * np.arange(14) + rng.normal(0, 3, 14),
        ("bank", "fee_income"): 500 + rng.normal(0, 20, 14),
        ("B01", "customers"): 300 - 2 * np.arange(16) + rng.normal(0, 2, 16),
        ("B01", "fee_income"): np.r_[np.full(3, np.nan), 80 + rng.normal(0, 5, 11)],
        ("B02", "customers"): np.array([5.0, 6.0, 7.0]),
    }
    frame = pd.concat(
        [history(values, scope=scope, kpi=kpi) for (scope, kpi), values in series.items()],
        ignore_index=True,
    )
    config = ForecastConfig(backtest_origins=2)  # fewer fits: this test fits every series twice
    forecasts, backtest = forecast_kpis(frame, config)

    assert list(zip(backtest["scope"], backtest["kpi_name"], strict=True)) == sorted(series)
    assert len(forecasts) == 4 * 6
    assert only(forecasts, "B02", "customers").empty
    assert "history shorter" in only(backtest, "B02", "customers")["note"].iloc[0]
    # leading NaN dropped: 11 months of history, forecasts start after the 14th month
    fees = only(forecasts, "B01", "fee_income")
    assert set(fees["history_months"]) == {11}
    assert fees["forecast_month"].iloc[0] == dt.date(2022, 3, 1)
    # each series is forecast at its own level and direction
    bank_customers = only(forecasts, "bank", "customers")["forecast_value"]
    branch_customers = only(forecasts, "B01", "customers")["forecast_value"]
    assert bank_customers.is_monotonic_increasing and bank_customers.min() > 1100
    assert branch_customers.is_monotonic_decreasing and branch_customers.max() < 275

    for (scope, kpi), values in series.items():
        alone_forecasts, alone_backtest = forecast_kpis(history(values, scope, kpi), config)
        pd.testing.assert_frame_equal(only(forecasts, scope, kpi), alone_forecasts)
        pd.testing.assert_frame_equal(only(backtest, scope, kpi), alone_backtest)
