"""Injected AML typologies. Each case is a small set of transactions recorded in truth."""

from __future__ import annotations

import numpy as np

from ._util import DAY, DORM, NULL, Ctx
from .codes import (
    CARD,
    CASH_DEP,
    CASH_WD,
    CH_ATM,
    CH_BRANCH,
    CH_MOBILE,
    CH_ONLINE,
    CH_POS,
    CREDIT,
    DEBIT,
    FOREIGN,
    FRAUD_COUNTRIES,
    HIGH_RISK,
    MERCHANTS,
    TR_IN,
    TR_OUT,
)
from .entities import CC

TYPOLOGIES = [
    "structuring",
    "rapid_pass_through",
    "cross_border_burst",
    "dormant_reactivation",
    "card_fraud_burst",
]
UNUSUAL_MERCHANTS = [
    MERCHANTS.index(x) for x in ("electronics", "gambling", "online_retail", "travel")
]


def plan_aml(
    ctx: Ctx,
    rng: np.random.Generator,
    cust: dict,
    acc: dict,
    cur_acc: np.ndarray,
    has_loan: np.ndarray,
) -> dict:
    n = cust["n"]
    per_typ = max(1, round(0.005 * n / len(TYPOLOGIES)))
    eligible = (~cust["churner"]) & (cust["since"] < ctx.start_day - 30) & (cur_acc >= 0)
    used = np.zeros(n, bool)
    cc_acc = np.full(n, -1, dtype=np.int64)
    ci = np.nonzero(
        (acc["product"] == CC) & (acc["closed"] == NULL) & (acc["opened"] < ctx.start_day)
    )[0]
    cc_acc[acc["customer"][ci]] = ci
    quiet_until = np.full(n, NULL, dtype=np.int64)
    ev = {k: [] for k in ("acc", "ts", "amt", "dirn", "ttype", "chan", "country", "merch", "case")}
    cases = {"typology": [], "customer": [], "account": []}
    end_ts = ctx.end_ts

    def pick(mask, k):
        cand = np.nonzero(mask & ~used)[0]
        if len(cand) == 0:
            cand = np.nonzero(eligible & ~used)[0]
        sel = rng.choice(cand, size=min(k, len(cand)), replace=False)
        used[sel] = True
        return np.sort(sel)

    def add(acc_i, ts, amt, dirn, ttype, chan, country=-1, merch=-1, case=-1):
        m = len(ts)
        for key, val in (
            ("acc", acc_i),
            ("ts", ts),
            ("amt", amt),
            ("dirn", dirn),
            ("ttype", ttype),
            ("chan", chan),
            ("country", country),
            ("merch", merch),
            ("case", case),
        ):
            ev[key].append(np.broadcast_to(np.asarray(val, dtype=np.int64), (m,)).copy())

    def new_case(typ, c, a):
        cases["typology"].append(typ)
        cases["customer"].append(int(c))
        cases["account"].append(int(a))
        return len(cases["typology"]) - 1

    lo_all = ctx.start_day + 5
    hi_all = ctx.end_day - 12

    def start_day(c, lo=lo_all):
        lo = max(lo, int(cust["since"][c]) + 30)
        return int(rng.integers(lo, max(hi_all, lo + 1)))

    usd = lambda x: np.round(np.asarray(x) * 100).astype(np.int64)

    for c in pick(eligible, per_typ):  # structuring
        a = cur_acc[c]
        case = new_case(0, c, a)
        k = int(rng.integers(3, 7))
        d0 = start_day(c)
        days = d0 + np.sort(rng.integers(0, 5, k))
        ts = days * DAY + rng.integers(9 * 3600, 17 * 3600, k)
        amt = usd(np.round(rng.uniform(9000, 9950, k), -1))
        chan = np.where(rng.random(k) < 0.75, CH_BRANCH, CH_ATM)
        add(a, ts, amt, CREDIT, CASH_DEP, chan, 0, -1, case)
        # later, the money leaves (not part of the recorded pattern)
        add(
            a,
            [ts.max() + int(rng.integers(2, 6)) * DAY],
            [int(amt.sum() * 0.9)],
            DEBIT,
            TR_OUT,
            CH_ONLINE,
            int(rng.choice(FOREIGN)),
        )

    for c in pick(eligible, per_typ):  # rapid pass-through
        a = cur_acc[c]
        case = new_case(1, c, a)
        cycles = int(rng.integers(1, 4))
        d0 = start_day(c)
        for j in range(cycles):
            t_in = (d0 + 9 * j) * DAY + int(rng.integers(8 * 3600, 18 * 3600))
            x = float(np.round(rng.uniform(20_000, 250_000), -2))
            c_in = 0 if rng.random() < 0.6 else int(rng.choice(FOREIGN))
            add(a, [t_in], usd([x]), CREDIT, TR_IN, CH_ONLINE, c_in, -1, case)
            t_out = t_in + int(rng.uniform(1, 3) * DAY)
            c_out = int(rng.choice(FOREIGN + HIGH_RISK[:2])) if rng.random() < 0.6 else 0
            add(
                a,
                [t_out],
                usd([x * rng.uniform(0.8, 0.95)]),
                DEBIT,
                TR_OUT,
                int(rng.choice([CH_ONLINE, CH_MOBILE])),
                c_out,
                -1,
                case,
            )

    for c in pick(eligible, per_typ):  # cross-border burst
        a = cur_acc[c]
        case = new_case(2, c, a)
        d0 = start_day(c)
        t0 = d0 * DAY + int(rng.integers(8 * 3600, 12 * 3600))
        fund = float(np.round(rng.uniform(40_000, 90_000), -2))
        add(a, [t0], usd([fund]), CREDIT, TR_IN, CH_ONLINE, 0, -1, case)
        k = int(rng.integers(8, 16))
        ts = t0 + 3600 + np.sort(rng.integers(0, int(rng.integers(2, 5)) * DAY, k))
        ctry = np.where(rng.random(k) < 0.6, rng.choice(HIGH_RISK, k), rng.choice(FOREIGN, k))
        amt = usd(np.round(rng.uniform(1500, 6000, k), 2))
        add(
            a,
            ts,
            amt,
            DEBIT,
            TR_OUT,
            np.where(rng.random(k) < 0.5, CH_ONLINE, CH_MOBILE),
            ctry,
            -1,
            case,
        )

    dormant_pref = (
        eligible & (cust["type"] == DORM) & ~has_loan & (cust["since"] < ctx.start_day - 365)
    )
    for c in pick(dormant_pref, per_typ):  # dormant reactivation
        a = cur_acc[c]
        case = new_case(3, c, a)
        d0 = start_day(c, lo=ctx.start_day + 190)
        d0 = min(d0, ctx.end_day - 12)
        quiet_until[c] = d0
        t0 = d0 * DAY + int(rng.integers(8 * 3600, 18 * 3600))
        x = float(np.round(rng.uniform(40_000, 200_000), -2))
        c_in = 0 if rng.random() < 0.5 else int(rng.choice(FOREIGN))
        add(a, [t0], usd([x]), CREDIT, TR_IN, CH_ONLINE, c_in, -1, case)
        k = int(rng.integers(2, 5))
        shares = rng.dirichlet(np.ones(k)) * rng.uniform(0.85, 0.98)
        ts = t0 + np.sort(rng.integers(DAY // 2, 10 * DAY, k))
        cash = rng.random(k) < 0.3
        amt = usd(np.round(x * shares, 2))
        ctry = np.where(cash, 0, np.where(rng.random(k) < 0.6, rng.choice(FOREIGN, k), 0))
        add(
            a,
            ts,
            amt,
            DEBIT,
            np.where(cash, CASH_WD, TR_OUT),
            np.where(cash, CH_BRANCH, CH_ONLINE),
            np.where(cash, -1, ctry),
            -1,
            case,
        )

    for c in pick(eligible, per_typ):  # card-fraud-like burst
        a = cc_acc[c] if cc_acc[c] >= 0 else cur_acc[c]
        case = new_case(4, c, a)
        d0 = start_day(c)
        t0 = d0 * DAY + int(rng.integers(0, DAY - 3 * 3600))
        k = int(rng.integers(6, 16))
        ts = t0 + np.cumsum(rng.integers(30, 300, k))
        ctry = rng.choice(FRAUD_COUNTRIES + FOREIGN[:4], k)
        merch = rng.choice(UNUSUAL_MERCHANTS, k)
        amt = usd(np.round(rng.uniform(150, 2500, k), 2))
        add(a, ts, amt, DEBIT, CARD, CH_POS, ctry, merch, case)

    events = {k: (np.concatenate(v) if v else np.zeros(0, np.int64)) for k, v in ev.items()}
    keep = events["ts"] <= end_ts
    events = {k: v[keep] for k, v in events.items()}
    return {
        "events": events,
        "cases": {k: np.asarray(v, dtype=np.int64) for k, v in cases.items()},
        "quiet_until": quiet_until,
        "customers": np.nonzero(used)[0],
    }
