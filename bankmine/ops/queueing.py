"""Erlang C (M/M/n) queueing: the probability a customer waits, the share served within a
target wait, and the fewest servers (tellers) that meet a service level.

Notation: arrival rate ``arrivals_per_hour``, mean handling time ``handling_minutes``,
offered load ``A = arrivals_per_hour * handling_minutes / 60`` erlangs, ``n`` servers.

- Erlang B by the stable recursion ``B(0) = 1``, ``B(k) = A B(k-1) / (k + A B(k-1))``;
- Erlang C ``C(n, A) = n B / (n - A (1 - B))`` for ``n > A`` (1 when ``n <= A``: the
  queue grows without bound);
- service level ``P(wait <= t) = 1 - C exp(-(n - A) t / AHT)``;
- average speed of answer ``ASA = C AHT / (n - A)``.

The model assumes Poisson arrivals, exponential handling and no abandonment, so it is a
planning figure: real branches lose some waiting customers, which shortens the queue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of an M/M/n/n system with `load` erlangs offered."""
    if servers < 0 or load < 0:
        raise ValueError("servers and load must be non-negative")
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def erlang_c(servers: int, load: float) -> float:
    """Probability an arriving customer has to wait (M/M/n)."""
    if servers <= 0:
        return 1.0
    if load <= 0:
        return 0.0
    if servers <= load:
        return 1.0
    blocking = erlang_b(servers, load)
    return servers * blocking / (servers - load * (1.0 - blocking))


def service_level(
    servers: int, arrivals_per_hour: float, handling_minutes: float, target_wait_minutes: float
) -> float:
    """Share of customers called within `target_wait_minutes`."""
    if arrivals_per_hour <= 0:
        return 1.0
    load = arrivals_per_hour * handling_minutes / 60.0
    if servers <= load:
        return 0.0
    wait_probability = erlang_c(servers, load)
    return 1.0 - wait_probability * math.exp(
        -(servers - load) * target_wait_minutes / handling_minutes
    )


def mean_wait_minutes(servers: int, arrivals_per_hour: float, handling_minutes: float) -> float:
    """Average wait in minutes (average speed of answer); inf when the queue is unstable."""
    if arrivals_per_hour <= 0:
        return 0.0
    load = arrivals_per_hour * handling_minutes / 60.0
    if servers <= load:
        return math.inf
    return erlang_c(servers, load) * handling_minutes / (servers - load)


def servers_needed(
    arrivals_per_hour: float,
    handling_minutes: float,
    target_share: float = 0.80,
    target_wait_minutes: float = 10.0,
    max_servers: int = 200,
) -> int:
    """Fewest servers whose service level reaches `target_share` (0 when nobody arrives)."""
    if not 0 < target_share < 1:
        raise ValueError("target_share must be between 0 and 1")
    if arrivals_per_hour <= 0 or handling_minutes <= 0:
        return 0
    load = arrivals_per_hour * handling_minutes / 60.0
    servers = max(1, math.floor(load) + 1)
    while servers <= max_servers:
        if service_level(servers, arrivals_per_hour, handling_minutes, target_wait_minutes) >= (
            target_share
        ):
            return servers
        servers += 1
    raise ValueError(f"more than {max_servers} servers needed for {load:.1f} erlangs")


@dataclass(frozen=True)
class StaffingTarget:
    """Service target: `target_share` of customers called within `target_wait_minutes`."""

    target_share: float = 0.80
    target_wait_minutes: float = 10.0

    @classmethod
    def from_meta(cls, meta) -> StaffingTarget:
        meta = dict(meta or {})
        unknown = sorted(set(meta) - {"target_share", "target_wait_minutes"})
        if unknown:
            raise ValueError(f"unknown staffing settings: {unknown}")
        return cls(**{key: float(value) for key, value in meta.items()})


def staffing_requirements(demand: pd.DataFrame, target: StaffingTarget) -> pd.DataFrame:
    """For each row of `demand` (columns arrivals_per_hour, handling_minutes, plus any keys),
    the tellers needed for the target, and the service level and mean wait they give."""
    needed, level, wait = [], [], []
    for arrivals, handling in zip(
        demand["arrivals_per_hour"].to_numpy(dtype=float),
        demand["handling_minutes"].to_numpy(dtype=float),
        strict=True,
    ):
        if not np.isfinite(arrivals) or not np.isfinite(handling) or arrivals <= 0:
            needed.append(0)
            level.append(1.0)
            wait.append(0.0)
            continue
        n = servers_needed(arrivals, handling, target.target_share, target.target_wait_minutes)
        needed.append(n)
        level.append(service_level(n, arrivals, handling, target.target_wait_minutes))
        wait.append(mean_wait_minutes(n, arrivals, handling))
    out = demand.copy()
    out["tellers_needed"] = np.asarray(needed, dtype=np.int64)
    out["planned_service_level"] = np.asarray(level, dtype=float)
    out["planned_mean_wait_minutes"] = np.asarray(wait, dtype=float)
    out["target_share"] = target.target_share
    out["target_wait_minutes"] = target.target_wait_minutes
    return out
