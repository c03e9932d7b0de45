"""Shared helpers: generation context, date arithmetic, sampling and Arrow conversion.

Internally every date is an int64 day number (days since 1970-01-01) and every
timestamp an int64 second number (UTC, naive). Missing values use NULL_DAY /
NULL_TS or explicit masks; conversion to Arrow happens only when writing.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

DAY = 86_400
NULL = -(2**62)  # sentinel for missing day / timestamp / index values

CUSTOMER_TYPES = [
    "affluent",
    "mass_market",
    "young_digital",
    "small_business",
    "declining",
    "dormant",
]
AFF, MASS, YOUNG, SMB, DECL, DORM = range(6)


def day_of(s: str) -> int:
    return int(np.datetime64(s, "D").astype(np.int64))


def weekday(days: np.ndarray) -> np.ndarray:
    """0 = Monday ... 6 = Sunday."""
    return (np.asarray(days) + 3) % 7


def add_months(days, k) -> np.ndarray:
    """Add k calendar months to day numbers, clipping the day of month."""
    d = np.asarray(days).astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    dom = (d - m.astype("datetime64[D]")).astype(np.int64)
    nm = m + np.asarray(k).astype(np.int64)
    start = nm.astype("datetime64[D]").astype(np.int64)
    nxt = (nm + 1).astype("datetime64[D]").astype(np.int64)
    return start + np.minimum(dom, nxt - start - 1)


def month_index(days) -> np.ndarray:
    """Months since 1970-01."""
    return np.asarray(days).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def choice_rows(rng: np.random.Generator, probs: np.ndarray, rows: np.ndarray | None = None):
    """Sample one category per row. probs is (k,) or (groups, k); rows selects the group."""
    probs = np.asarray(probs, dtype=float)
    if probs.ndim == 1:
        n = len(rows) if rows is not None else 1
        cum = np.cumsum(probs / probs.sum())
        u = rng.random(n)
        return np.minimum(np.searchsorted(cum, u, side="right"), len(cum) - 1)
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(rows))
    c = cum[rows]
    return np.minimum((u[:, None] >= c).sum(axis=1), probs.shape[1] - 1)


def choice_weighted_rows(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """Sample one category per row from a (n, k) matrix of row-specific weights."""
    cum = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cum[:, -1]
    return np.minimum((u[:, None] >= cum).sum(axis=1), weights.shape[1] - 1)


def group_rank(keys: np.ndarray) -> np.ndarray:
    """For sorted-or-not integer keys, 0-based occurrence number within each key (stable)."""
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    start = np.r_[True, sk[1:] != sk[:-1]]
    idx = np.arange(n)
    first = np.maximum.accumulate(np.where(start, idx, 0))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = idx - first
    return rank


def cents(x) -> np.ndarray:
    return np.round(np.asarray(x, dtype=float) * 100.0).astype(np.int64)


# --------------------------------------------------------------------------- Arrow


def id_array(prefix: str, idx: np.ndarray, width: int) -> pa.Array:
    """Format integer ids as prefix + zero-padded number; idx < 0 or NULL gives null."""
    idx = np.asarray(idx, dtype=np.int64)
    mask = idx < 0
    arr = pa.array(np.where(mask, 0, idx + 1), mask=mask if mask.any() else None)
    s = pc.utf8_lpad(pc.cast(arr, pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, s, "")


def id_width(n: int, minimum: int) -> int:
    return max(minimum, len(str(max(n, 1))))


def code_array(labels: list[str], idx: np.ndarray) -> pa.Array:
    idx = np.asarray(idx, dtype=np.int64)
    mask = idx < 0
    ind = pa.array(np.where(mask, 0, idx), mask=mask if mask.any() else None)
    return pc.take(pa.array(labels, pa.string()), ind)


def date_array(days: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    days = np.asarray(days, dtype=np.int64)
    if valid is None:
        valid = days != NULL
    d32 = np.where(valid, days, 0).astype(np.int32)
    return pa.array(d32, mask=~valid if (~valid).any() else None).cast(pa.date32())


def ts_array(secs: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    secs = np.asarray(secs, dtype=np.int64)
    if valid is None:
        valid = secs != NULL
    us = np.where(valid, secs, 0) * 1_000_000
    return pa.array(us, mask=~valid if (~valid).any() else None).cast(pa.timestamp("us"))


def dec_array(cent_values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Exact decimal128(18, 2) from int64 cents."""
    c = np.ascontiguousarray(np.asarray(cent_values, dtype=np.int64))
    n = len(c)
    words = np.empty((n, 2), dtype=np.int64)
    words[:, 0] = c
    words[:, 1] = np.where(c < 0, -1, 0)
    bufs = [None, pa.py_buffer(words.tobytes())]
    null_count = 0
    if valid is not None and not valid.all():
        bufs[0] = pa.py_buffer(np.packbits(valid.astype(np.uint8), bitorder="little").tobytes())
        null_count = int((~valid).sum())
    return pa.Array.from_buffers(pa.decimal128(18, 2), n, bufs, null_count=null_count)


def bool_array(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    values = np.asarray(values, dtype=bool)
    if valid is None or valid.all():
        return pa.array(values, pa.bool_())
    return pa.array(values, pa.bool_(), mask=~valid)


def num_array(values: np.ndarray, typ: pa.DataType, valid: np.ndarray | None = None) -> pa.Array:
    values = np.asarray(values)
    if valid is None or valid.all():
        return pa.array(values, typ)
    return pa.array(np.where(valid, values, 0), typ, mask=~valid)


# --------------------------------------------------------------------------- context


@dataclass
class Ctx:
    customers: int
    months: int
    seed: int
    end_date: str
    progress: bool
    end_day: int = 0
    start_day: int = 0
    month_starts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    month_ends: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # exclusive
    seeds: dict = field(default_factory=dict)
    t0: float = field(default_factory=time.perf_counter)

    def __post_init__(self):
        self.end_day = day_of(self.end_date)
        end_m = month_index(np.array([self.end_day]))[0]
        first_m = end_m - self.months + 1
        ms = (np.arange(first_m, end_m + 2)).astype("datetime64[M]").astype("datetime64[D]")
        ms = ms.astype(np.int64)
        self.month_starts = ms[:-1]
        self.month_ends = np.minimum(ms[1:], self.end_day + 1)
        self.start_day = int(self.month_starts[0])
        root = np.random.SeedSequence(self.seed)
        names = [
            "entities",
            "staff",
            "accounts",
            "campaigns",
            "lending",
            "aml",
            "transactions",
            "tickets",
            "feedback",
            "rosters",
            "costs",
        ]
        for name, child in zip(names, root.spawn(len(names)), strict=True):
            self.seeds[name] = child

    @property
    def end_ts(self) -> int:
        return (self.end_day + 1) * DAY - 1

    def rng(self, name: str) -> np.random.Generator:
        return np.random.default_rng(self.seeds[name])

    def month_rngs(self, name: str) -> list[np.random.Generator]:
        return [np.random.default_rng(s) for s in self.seeds[name].spawn(self.months)]

    def log(self, msg: str) -> None:
        if self.progress:
            el = time.perf_counter() - self.t0
            print(f"[generate {el:6.1f}s] {msg}", file=sys.stderr, flush=True)
