"""Branch queue tickets with an approximate multi-server queue model."""

from __future__ import annotations

import numpy as np

from ._util import DAY, NULL, Ctx, choice_rows, weekday
from .entities import TELLER, pick_staff

SERVICE_TYPES = ["cash", "account_service", "loan_enquiry", "card_service", "other"]
SERVICE_MEAN_MIN = np.array([5.0, 13.0, 20.0, 10.0, 8.0])
SERVICE_P = np.array(
    [
        [0.35, 0.25, 0.1, 0.15, 0.15],  # affluent
        [0.45, 0.2, 0.08, 0.15, 0.12],
        [0.25, 0.3, 0.1, 0.25, 0.1],
        [0.6, 0.15, 0.1, 0.08, 0.07],
        [0.5, 0.2, 0.05, 0.1, 0.15],
        [0.4, 0.3, 0.02, 0.1, 0.18],
    ]
)
VISITS_PER_YEAR = np.array([1.8, 3.2, 0.6, 5.0, 4.5, 0.6])
HOUR_W = np.array([0.09, 0.11, 0.12, 0.17, 0.15, 0.11, 0.11, 0.14])  # 9..16
DOW_W = np.array([1.25, 0.95, 0.9, 0.95, 1.2])


def make_tickets(ctx: Ctx, rng: np.random.Generator, cust: dict, st: dict, br: dict) -> dict:
    n = cust["n"]
    t = cust["type"]
    since = np.maximum(cust["since"], ctx.start_day)
    stop = np.where(cust["closed"] == NULL, ctx.end_day + 1, cust["closed"])
    years = np.clip((stop - since) / 365.25, 0, None)
    k = rng.poisson(VISITS_PER_YEAR[t] * years * 1.12)
    c = np.repeat(np.arange(n), k)
    m = len(c)
    day = since[c] + (rng.random(m) * (stop - since)[c]).astype(np.int64)
    dow = weekday(day)
    day = np.where(dow == 5, day - 1, np.where(dow == 6, day + 1, day))  # Sat->Fri, Sun->Mon
    dow = weekday(day)
    keep = (day >= since[c]) & (day < stop[c]) & (rng.random(m) < DOW_W[np.minimum(dow, 4)] / 1.25)
    c, day = c[keep], day[keep]
    m = len(c)
    branch = np.where(
        rng.random(m) < 0.9, cust["home"][c], choice_rows(rng, br["weight"], np.arange(m))
    )
    # walk-ins who are not identified at the counter
    anon = rng.random(m) < 0.12
    cust_idx = np.where(anon, -1, c)
    hour = 9 + choice_rows(rng, HOUR_W, np.arange(m))
    arrived = day * DAY + hour * 3600 + rng.integers(0, 3600, m)
    arrived = np.minimum(arrived, day * DAY + 16 * 3600 + 45 * 60)
    stype = choice_rows(rng, SERVICE_P, t[c])
    svc_min = SERVICE_MEAN_MIN[stype] * rng.lognormal(-0.1, 0.45, m)

    # queue: tickets per branch-day-hour against counters open that day
    slot = (
        branch.astype(np.int64) * (ctx.end_day + 2 - ctx.start_day) + (day - ctx.start_day)
    ) * 8 + (hour - 9)
    uniq, inv, cnt = np.unique(slot, return_inverse=True, return_counts=True)
    bd = uniq // 8
    duty = rng.uniform(0.3, 0.65, len(bd))
    tellers = st["tellers"][(bd // (ctx.end_day + 2 - ctx.start_day))]
    counters = np.maximum(1, np.round(tellers * duty))
    lam = cnt.astype(float)  # arrivals per hour
    mean_svc = np.bincount(inv, weights=svc_min) / cnt
    rho = np.clip(lam * mean_svc / 60.0 / counters, 0, 0.97)
    wq = mean_svc * rho ** (np.sqrt(2 * (counters + 1)) - 1) / (counters * (1 - rho))
    wait_min = wq[inv] * rng.gamma(2.0, 0.5, m) + rng.uniform(0, 2, m)
    wait_min = np.minimum(wait_min, 180)
    abandon = rng.random(m) < np.clip((wait_min - 12) / 80, 0, 0.75)
    called = np.where(abandon, NULL, arrived + (wait_min * 60).astype(np.int64))
    completed = np.where(abandon, NULL, called + (svc_min * 60).astype(np.int64) + 30)
    staff = pick_staff(st, rng, TELLER, branch, day)
    staff = np.where(abandon, -1, staff)
    order = np.argsort(arrived, kind="stable")
    out = {
        "branch": branch,
        "customer": cust_idx,
        "service": stype,
        "arrived": arrived,
        "called": called,
        "completed": completed,
        "staff": staff,
        "abandoned": abandon,
        "wait": wait_min,
    }
    out = {k: v[order] for k, v in out.items()}
    # mean wait per customer, for satisfaction
    ident = out["customer"] >= 0
    s = np.bincount(out["customer"][ident], weights=out["wait"][ident], minlength=n)
    cn = np.bincount(out["customer"][ident], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        cust_wait = np.where(cn > 0, s / np.maximum(cn, 1), np.nan)
    return out, cust_wait
