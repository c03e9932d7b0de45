"""Teller rosters, branch queue tickets served by the rostered tellers, and monthly
operating costs per branch."""

from __future__ import annotations

import numpy as np

from ._util import DAY, NULL, Ctx, choice_rows, month_index, weekday
from .entities import CALL, LOAN_OFFICER, MANAGER, RM, TELLER, pick_staff

OPEN_HOUR, CLOSE_HOUR = 9, 17
# teller shifts: full day, morning, afternoon (start hour, end hour)
SHIFTS = np.array([[9, 17], [9, 13], [13, 17]])
SHIFT_P = np.array([0.7, 0.15, 0.15])
COST_CATEGORIES = ["staff", "premises", "it", "marketing", "other"]
# monthly salary cost by role index (teller, loan officer, RM, call agent, manager)
SALARY = {TELLER: 3_300.0, LOAN_OFFICER: 5_400.0, RM: 6_200.0, CALL: 3_000.0, MANAGER: 8_200.0}
PREMISES_BY_TYPE = np.array([18_000.0, 11_000.0, 6_000.0])  # urban, suburban, rural


def make_rosters(ctx: Ctx, rng: np.random.Generator, st: dict, br: dict) -> dict:
    """Teller shifts per branch and weekday. Each teller position is on duty on a share of
    days that varies by branch and day (leave, training, back office); rosters are flat
    across the day while arrivals peak at lunch and late afternoon, as in most branches."""
    days = np.arange(ctx.start_day, ctx.end_day + 1)
    days = days[weekday(days) < 5]
    slots = np.nonzero(st["slot_role"] == TELLER)[0]
    slot_branch = st["slot_branch"][slots]
    n_days, n_slots = len(days), len(slots)
    # on-duty share per branch-day
    duty = rng.uniform(0.45, 0.85, (br["n"], n_days))
    on = rng.random((n_slots, n_days)) < duty[slot_branch]
    # every branch has at least one teller each day it is open
    for b in range(br["n"]):
        rows = np.nonzero(slot_branch == b)[0]
        if len(rows):
            empty = ~on[rows].any(axis=0)
            on[rows[0], empty] = True
    slot_i, day_i = np.nonzero(on)
    day = days[day_i]
    slot = slots[slot_i]
    switch = st["slot_switch"][slot]
    staff = np.where(
        (switch == NULL) | (day <= switch), st["slot_first"][slot], st["slot_current"][slot]
    )
    shift = choice_rows(rng, SHIFT_P, np.arange(len(slot)))
    # the counter is never left empty while the branch is open: where nobody covers the
    # morning or the afternoon, the branch-day's first rostered teller works the full day
    branch_day = st["slot_branch"][slot].astype(np.int64) * (n_days + 1) + day_i
    first_row = np.unique(branch_day, return_index=True)[1]
    uniq, inv = np.unique(branch_day, return_inverse=True)
    morning = np.bincount(inv, weights=(shift != 2).astype(float), minlength=len(uniq)) > 0
    afternoon = np.bincount(inv, weights=(shift != 1).astype(float), minlength=len(uniq)) > 0
    shift[first_row[~(morning & afternoon)]] = 0
    start_h, end_h = SHIFTS[shift, 0], SHIFTS[shift, 1]
    order = np.lexsort((staff, day, st["slot_branch"][slot]))
    out = {
        "branch": st["slot_branch"][slot],
        "staff": staff,
        "day": day,
        "start": day * DAY + start_h * 3600,
        "end": day * DAY + end_h * 3600,
        "start_hour": start_h,
        "end_hour": end_h,
    }
    return {k: v[order] for k, v in out.items()}


def _slot_key(ctx: Ctx, branch: np.ndarray, day: np.ndarray, hour: np.ndarray) -> np.ndarray:
    span = ctx.end_day + 2 - ctx.start_day
    return (branch.astype(np.int64) * span + (day - ctx.start_day)) * 24 + hour


def rostered_hours(ctx: Ctx, roster: dict) -> tuple[np.ndarray, np.ndarray]:
    """(slot key per branch-day-hour worked, staff index), sorted by slot key."""
    hours = roster["end_hour"] - roster["start_hour"]
    row = np.repeat(np.arange(len(hours)), hours)
    first = np.repeat(np.cumsum(hours) - hours, hours)
    hour = roster["start_hour"][row] + (np.arange(len(row)) - first)
    key = _slot_key(ctx, roster["branch"][row], roster["day"][row], hour)
    order = np.argsort(key, kind="stable")
    return key[order], roster["staff"][row][order]


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


def make_tickets(
    ctx: Ctx, rng: np.random.Generator, cust: dict, st: dict, br: dict, roster: dict
) -> dict:
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

    # queue: tickets per branch-day-hour against the tellers rostered in that hour
    slot = _slot_key(ctx, branch, day, hour)
    uniq, inv, cnt = np.unique(slot, return_inverse=True, return_counts=True)
    worked_key, worked_staff = rostered_hours(ctx, roster)
    lo = np.searchsorted(worked_key, uniq, side="left")
    hi = np.searchsorted(worked_key, uniq, side="right")
    counters = np.maximum(1, hi - lo)
    lam = cnt.astype(float)  # arrivals per hour
    mean_svc = np.bincount(inv, weights=svc_min) / cnt
    rho = np.clip(lam * mean_svc / 60.0 / counters, 0, 0.97)
    wq = mean_svc * rho ** (np.sqrt(2 * (counters + 1)) - 1) / (counters * (1 - rho))
    wait_min = wq[inv] * rng.gamma(2.0, 0.5, m) + rng.uniform(0, 2, m)
    wait_min = np.minimum(wait_min, 180)
    abandon = rng.random(m) < np.clip((wait_min - 12) / 80, 0, 0.75)
    called = np.where(abandon, NULL, arrived + (wait_min * 60).astype(np.int64))
    completed = np.where(abandon, NULL, called + (svc_min * 60).astype(np.int64) + 30)
    # served by one of the tellers rostered in that hour (any branch teller if none was)
    staffed = (hi - lo)[inv]
    pick = lo[inv] + (rng.random(m) * np.maximum(staffed, 1)).astype(np.int64)
    rostered = worked_staff[np.minimum(pick, len(worked_staff) - 1)] if len(worked_staff) else 0
    staff = np.where(staffed > 0, rostered, pick_staff(st, rng, TELLER, branch, day))
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


def make_operating_costs(
    ctx: Ctx, rng: np.random.Generator, st: dict, br: dict, cust: dict, camp: dict
) -> dict:
    """Monthly operating cost per branch and category, as a general ledger would post it.
    Staff cost follows the staff employed in the month; premises by branch type; IT grows
    faster than the business (licences and digital channels); marketing is each campaign's
    cost spread over its months and allocated by the branches' share of customers."""
    n_months = len(ctx.month_starts)
    nb = br["n"]
    month_start = ctx.month_starts
    month_end = ctx.month_ends - 1
    year = month_index(month_start) // 12
    raise_factor = 1.03 ** (year - year[0])
    # staff employed for any part of the month, per branch and month
    hired, left = st["hired"], st["left"]
    left_eff = np.where(left == NULL, np.iinfo(np.int64).max, left)
    salary = np.array([SALARY.get(int(r), 3_000.0) for r in st["role"]])
    staff_cost = np.zeros((nb, n_months))
    for m in range(n_months):
        employed = (hired <= month_end[m]) & (left_eff >= month_start[m])
        staff_cost[:, m] = np.bincount(
            st["branch"][employed], weights=salary[employed], minlength=nb
        )
    staff_cost *= raise_factor * rng.normal(1.0, 0.015, (nb, n_months))
    premises = PREMISES_BY_TYPE[br["type"]][:, None] * (1.0 + 0.03 * (year - year[0]))[None, :]
    premises = premises * rng.normal(1.0, 0.01, (nb, n_months))
    customers = np.bincount(cust["home"], minlength=nb).astype(float)
    it = (2_500.0 + 0.35 * customers)[:, None] * (1.015 ** np.arange(n_months))[None, :]
    it = it * rng.normal(1.0, 0.03, (nb, n_months))
    share = customers / max(customers.sum(), 1.0)
    marketing = np.zeros((nb, n_months))
    for start, end, cost in zip(camp["start"], camp["end"], camp["cost"], strict=True):
        months = np.nonzero((month_start <= end) & (month_end >= start))[0]
        if len(months):
            marketing[:, months] += share[:, None] * (float(cost) / len(months))
    other = 1_500.0 * rng.lognormal(0.0, 0.25, (nb, n_months))
    amounts = np.stack([staff_cost, premises, it, marketing, other])  # category, branch, month
    cat, b, m = np.meshgrid(
        np.arange(len(COST_CATEGORIES)), np.arange(nb), np.arange(n_months), indexing="ij"
    )
    amount = np.round(amounts.ravel(), 2)
    keep = amount > 0
    return {
        "branch": b.ravel()[keep],
        "month": month_start[m.ravel()[keep]],
        "category": cat.ravel()[keep],
        "amount": amount[keep],
        "posted": month_end[m.ravel()[keep]],
    }
