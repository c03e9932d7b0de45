"""Erlang C against exact closed forms and published table values."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from bankmine.ops import queueing


def test_erlang_c_matches_closed_forms():
    # M/M/1: P(wait) = rho; M/M/2 with A=1: 1/3; M/M/3 with A=2: 4/9
    assert queueing.erlang_c(1, 0.7) == pytest.approx(0.7)
    assert queueing.erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert queueing.erlang_c(3, 2.0) == pytest.approx(4 / 9)


def test_erlang_c_matches_published_values():
    # textbook example: 120 arrivals an hour, 3 minutes each, 10 servers: "about 0.10"
    assert queueing.erlang_c(10, 6.0) == pytest.approx(0.1013, abs=5e-4)
    # call-centre worked example: 10 erlangs offered (200 calls/h, 180 s handling)
    assert queueing.erlang_c(11, 10.0) == pytest.approx(0.6821, abs=1e-4)
    assert queueing.erlang_c(14, 10.0) == pytest.approx(0.1741, abs=1e-4)
    assert queueing.service_level(14, 200, 3.0, 20 / 60) == pytest.approx(0.8884, abs=1e-4)


def test_erlang_b_matches_table():
    # Erlang B table: 5 circuits, 2 erlangs -> 3.67% blocking
    assert queueing.erlang_b(5, 2.0) == pytest.approx(0.0367, abs=1e-4)


def test_unstable_queue_waits_always():
    assert queueing.erlang_c(3, 3.0) == 1.0
    assert queueing.service_level(3, 60, 3.0, 10) == 0.0
    assert math.isinf(queueing.mean_wait_minutes(2, 60, 2.0))


def test_servers_needed_is_the_fewest_meeting_the_target():
    assert queueing.servers_needed(200, 3.0, 0.80, 20 / 60) == 14
    assert queueing.service_level(13, 200, 3.0, 20 / 60) < 0.80
    assert queueing.servers_needed(0, 10.0) == 0
    # a quiet branch hour still needs one teller
    assert queueing.servers_needed(1.0, 8.0, 0.80, 10) == 1
    with pytest.raises(ValueError):
        queueing.servers_needed(10, 5, target_share=1.0)


def test_more_demand_never_needs_fewer_tellers():
    needed = [queueing.servers_needed(rate, 9.0, 0.8, 10) for rate in range(1, 80, 3)]
    assert needed == sorted(needed)
    assert needed[-1] > needed[0]


def test_staffing_requirements_frame():
    demand = pd.DataFrame(
        {
            "branch_id": ["B1", "B1", "B2"],
            "arrivals_per_hour": [12.0, 0.0, 40.0],
            "handling_minutes": [10.0, 8.0, 6.0],
        }
    )
    target = queueing.StaffingTarget.from_meta({"target_share": 0.8, "target_wait_minutes": 10})
    out = queueing.staffing_requirements(demand, target)
    assert list(out["tellers_needed"]) == [
        queueing.servers_needed(12, 10, 0.8, 10),
        0,
        queueing.servers_needed(40, 6, 0.8, 10),
    ]
    assert (out["planned_service_level"] >= 0.8).all()
    assert out.loc[1, "planned_mean_wait_minutes"] == 0.0
    with pytest.raises(ValueError, match="unknown"):
        queueing.StaffingTarget.from_meta({"target": 1})
