"""Loan applications, process stages, loans, repayment schedules and default outcomes."""

from __future__ import annotations

import numpy as np

from ._util import (
    DAY,
    NULL,
    Ctx,
    add_months,
    choice_rows,
    group_rank,
    month_index,
)
from .entities import LOAN_OFFICER, MANAGER, TELLER, pick_staff

LOAN_PRODUCTS = ["personal", "auto", "mortgage", "small_business"]
PERSONAL, AUTO, MORTGAGE, SMALLBIZ = range(4)
PURPOSES = [
    "debt_consolidation",
    "home_improvement",
    "medical",
    "wedding",
    "education",
    "travel",  # 0-5
    "new_car",
    "used_car",  # 6-7
    "home_purchase",
    "refinance",  # 8-9
    "working_capital",
    "equipment",
    "expansion",  # 10-12
]
PURPOSE_BY_PRODUCT = {
    PERSONAL: ([0, 1, 2, 3, 4, 5], [0.35, 0.2, 0.1, 0.1, 0.1, 0.15]),
    AUTO: ([6, 7], [0.45, 0.55]),
    MORTGAGE: ([8, 9], [0.75, 0.25]),
    SMALLBIZ: ([10, 11, 12], [0.5, 0.3, 0.2]),
}
COLLATERAL = ["none", "vehicle", "property", "deposit"]
DECISIONS = ["approved", "declined", "withdrawn", "pending"]
APPROVED, DECLINED, WITHDRAWN, PENDING = range(4)
STAGES = ["intake", "document_check", "credit_assessment", "approval", "disbursement"]
LOAN_STATUS = ["current", "paid_off", "in_arrears", "defaulted", "written_off"]
ST_CURRENT, ST_PAID, ST_ARREARS, ST_DEFAULTED, ST_WRITTEN = range(5)

APP_RATE = np.array([0.005, 0.0065, 0.006, 0.011, 0.008, 0.0008])  # per customer-month
PRE_LOAN_P = np.array([0.25, 0.13, 0.05, 0.2, 0.12, 0.02])
PRODUCT_P = np.array(
    [
        [0.2, 0.3, 0.45, 0.05],
        [0.45, 0.3, 0.25, 0.0],
        [0.7, 0.25, 0.05, 0.0],
        [0.15, 0.1, 0.1, 0.65],
        [0.7, 0.2, 0.1, 0.0],
        [0.8, 0.2, 0.0, 0.0],
    ]
)
AMOUNT_MED = np.array([12_000, 28_000, 260_000, 60_000])
AMOUNT_SIG = np.array([0.6, 0.4, 0.45, 0.8])
AMOUNT_MIN = np.array([1_000, 5_000, 50_000, 5_000])
AMOUNT_MAX = np.array([60_000, 120_000, 2_000_000, 750_000])
TERMS = {
    PERSONAL: [12, 24, 36, 48, 60],
    AUTO: [36, 48, 60, 72],
    MORTGAGE: [180, 240, 360],
    SMALLBIZ: [12, 24, 36, 60, 84, 120],
}
BASE_RATE = np.array([0.095, 0.06, 0.05, 0.08])
EMP_MEAN = np.array([13.0, 8.0, 2.0, 9.0, 6.0, 5.0])
DEBT_MED = np.array([0.18, 0.25, 0.15, 0.35, 0.5, 0.3])
TYPE_RISK = np.array([-0.7, 0.0, 0.3, 0.35, 0.9, 0.3])
PROD_RISK = np.array([0.25, -0.1, -0.6, 0.2])
INCOME_REF = np.array([185_000, 54_000, 41_000, 98_000, 43_000, 28_000])


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _annuity(p, rate, n):
    r = rate / 12.0
    return p * r / (1.0 - (1.0 + r) ** (-n))


def _terms(rng, product):
    out = np.empty(len(product), dtype=np.int64)
    for p, opts in TERMS.items():
        m = product == p
        out[m] = np.asarray(opts)[rng.integers(0, len(opts), m.sum())]
    return out


def _borrower_attrs(rng, cust, cidx, product):
    """Application-style attributes and the true / bank-visible risk of a loan request."""
    n = len(cidx)
    t = cust["type"][cidx]
    inc = cust["income"][cidx]
    declared = np.round(inc * rng.lognormal(0.03, 0.08, n), -2)
    amount = AMOUNT_MED[product] * rng.lognormal(0, AMOUNT_SIG[product], n)
    amount *= np.clip(inc / INCOME_REF[t], 0.3, 4.0) ** 0.5
    amount = np.round(np.clip(amount, AMOUNT_MIN[product], AMOUNT_MAX[product]), -2)
    term = _terms(rng, product)
    age = cust["age"][cidx]
    emp = rng.gamma(2.0, EMP_MEAN[t] / 2.0)
    emp = np.round(np.clip(emp, 0, np.maximum(age - 17, 0.5)), 1)
    debt_ratio = rng.lognormal(np.log(DEBT_MED[t]), 0.7, n) * (rng.random(n) > 0.12)
    debt_ratio = debt_ratio * np.exp(0.25 * cust["credit_quality"][cidx])
    debt = np.round(declared * debt_ratio, -1)
    purpose = np.empty(n, dtype=np.int64)
    for p, (opts, probs) in PURPOSE_BY_PRODUCT.items():
        m = product == p
        purpose[m] = np.asarray(opts)[choice_rows(rng, np.asarray(probs), np.nonzero(m)[0])]
    inst_guess = _annuity(amount, BASE_RATE[product] + 0.02, term)
    pay_ratio = inst_guess * 12 / np.maximum(declared, 1)
    dr = debt / np.maximum(declared, 1)
    common = (
        3.0 * np.minimum(dr, 3)
        + 2.5 * np.minimum(pay_ratio, 2)
        + 0.7 * (emp < 2)
        + 0.4 * (emp < 0.5)
        + TYPE_RISK[t]
        + PROD_RISK[product]
    )
    true_logit = -4.3 + common + 1.0 * cust["credit_quality"][cidx]
    bank_logit = -4.3 + common + rng.normal(0, 0.45, n)
    return {
        "declared": declared,
        "amount": amount,
        "term": term,
        "emp": emp,
        "debt": debt,
        "purpose": purpose,
        "pd": _sigmoid(true_logit),
        "bank_pd": _sigmoid(bank_logit),
    }


def make_lending(
    ctx: Ctx,
    rng: np.random.Generator,
    cust: dict,
    cur_acc: np.ndarray,
    st: dict,
    br: dict,
    takeup: dict | None = None,
) -> dict:
    """Applications (organic plus campaign take-up), stages, loans and schedules."""
    n = cust["n"]
    t = cust["type"]
    end_day = ctx.end_day
    # ----------------------------------------------------------------- applications
    lo = np.maximum(ctx.start_day, cust["since"] + 60)
    active_m = np.clip((end_day - lo) / 30.44, 0, None)
    rate = APP_RATE[t] * active_m * (~cust["churner"])
    counts = rng.poisson(rate)
    a_cust = np.repeat(np.arange(n), counts)
    na = len(a_cust)
    span = end_day - lo[a_cust]
    a_day = lo[a_cust] + (rng.random(na) * span).astype(np.int64)
    a_sec = a_day * DAY + rng.integers(8 * 3600, 19 * 3600, na)
    fixed_prod = np.full(na, -1, dtype=np.int64)
    if takeup is not None and len(takeup["customer"]):
        a_cust = np.concatenate([a_cust, takeup["customer"]])
        a_sec = np.concatenate([a_sec, takeup["submitted"]])
        a_day = a_sec // DAY
        fixed_prod = np.concatenate([fixed_prod, takeup["product"]])
        na = len(a_cust)
    order = np.argsort(a_sec, kind="stable")
    a_cust, a_day, a_sec = a_cust[order], a_day[order], a_sec[order]
    fixed_prod = fixed_prod[order]
    a_branch = np.where(
        rng.random(na) < 0.9, cust["home"][a_cust], choice_rows(rng, br["weight"], np.arange(na))
    )
    a_prod = np.where(fixed_prod >= 0, fixed_prod, choice_rows(rng, PRODUCT_P, t[a_cust]))
    att = _borrower_attrs(rng, cust, a_cust, a_prod)
    officer = pick_staff(st, rng, LOAN_OFFICER, a_branch, a_day)

    u = rng.random(na)
    decision = np.where(att["bank_pd"] > 0.2, DECLINED, APPROVED)
    decision = np.where((att["bank_pd"] > 0.12) & (u < 0.25), DECLINED, decision)
    decision = np.where(rng.random(na) < 0.07, WITHDRAWN, decision)
    decision = np.where(cust["churner"][a_cust], WITHDRAWN, decision)  # they are leaving
    decline_at_approval = rng.random(na) < 0.3

    # branch load: applications per loan officer in the branch-month
    am = month_index(a_day) - month_index(np.array([ctx.start_day]))[0]
    key = a_branch * (ctx.months + 1) + am
    per_key = np.bincount(key, minlength=br["n"] * (ctx.months + 1))
    load = per_key[key] / np.maximum(st["officers"][a_branch], 1)
    load = load / max(load.mean(), 1e-9) if na else load
    med = np.array([3 / 24, 2.6, 1.1, 0.5, 0.8])  # days; document_check is the slowest
    sig = np.array([0.6, 0.55, 0.5, 0.5, 0.4])
    dur = med[None, :] * rng.lognormal(0, sig[None, :], (na, 5))
    dur[:, 1] *= np.clip(load, 0.3, 5) ** 0.9
    dur[:, 2] *= np.clip(load, 0.3, 5) ** 0.2
    dur_s = (dur * DAY).astype(np.int64) + 600
    left = a_sec[:, None] + np.cumsum(dur_s, axis=1)
    entered = np.c_[a_sec, left[:, :-1]]
    last_stage = np.select(
        [decision == WITHDRAWN, decision == DECLINED],
        [np.full(na, 1), np.where(decline_at_approval, 3, 2)],
        4,
    )
    decide_stage = np.where(decision == APPROVED, 3, last_stage)
    decided = left[np.arange(na), decide_stage]
    end_ts = ctx.end_ts
    decision = np.where(decided > end_ts, PENDING, decision)
    decided = np.where(decision == PENDING, NULL, decided)
    # stage rows
    stage_k = np.tile(np.arange(5), na)
    stage_app = np.repeat(np.arange(na), 5)
    keep = (stage_k <= last_stage[stage_app]) & (entered.ravel() <= end_ts)
    s_app = stage_app[keep]
    s_k = stage_k[keep]
    s_in = entered.ravel()[keep]
    s_out = left.ravel()[keep]
    s_out = np.where(s_out > end_ts, NULL, s_out)
    s_day = s_in // DAY
    s_branch = a_branch[s_app]
    s_staff = np.full(len(s_app), -1, dtype=np.int64)
    for k, role in ((1, LOAN_OFFICER), (3, MANAGER), (4, TELLER)):
        m = s_k == k
        s_staff[m] = pick_staff(st, rng, role, s_branch[m], s_day[m])
    m = s_k == 2
    s_staff[m] = pick_staff(st, rng, LOAN_OFFICER, np.zeros(m.sum(), int), s_day[m])
    m = s_k == 0
    s_staff[m] = officer[s_app[m]]
    disbursed = (decision == APPROVED) & (left[:, 4] <= end_ts)

    # ----------------------------------------------------------------- pre-window loans
    pre = (
        (rng.random(n) < PRE_LOAN_P[t]) & (~cust["churner"]) & (cust["since"] < ctx.start_day - 90)
    )
    p_cust = np.nonzero(pre)[0]
    p_prod = choice_rows(rng, PRODUCT_P, t[p_cust])
    patt = _borrower_attrs(rng, cust, p_cust, p_prod)
    lookback = np.minimum(8 * 365, (patt["term"] * 30.44).astype(np.int64) - 31)
    lookback = np.minimum(lookback, ctx.start_day - cust["since"][p_cust] - 1)
    p_day = (
        ctx.start_day
        - 20
        - (rng.random(len(p_cust)) * np.maximum(lookback - 20, 1)).astype(np.int64)
    )
    keep_p = patt["bank_pd"] < 0.25
    p_cust, p_prod, p_day = p_cust[keep_p], p_prod[keep_p], p_day[keep_p]
    patt = {k: v[keep_p] for k, v in patt.items()}
    p_branch = cust["home"][p_cust]
    p_officer = pick_staff(st, rng, LOAN_OFFICER, p_branch, p_day)

    # ----------------------------------------------------------------- loans
    d_idx = np.nonzero(disbursed)[0]

    def cat(a, b):
        return np.concatenate([a, b])

    L = {
        "customer": cat(p_cust, a_cust[d_idx]),
        "application": cat(np.full(len(p_cust), -1), d_idx),
        "branch": cat(p_branch, a_branch[d_idx]),
        "product": cat(p_prod, a_prod[d_idx]),
        "originated": cat(p_day, left[d_idx, 4] // DAY),
        "officer": cat(p_officer, officer[d_idx]),
    }
    for k in ("declared", "amount", "term", "emp", "debt", "purpose", "pd", "bank_pd"):
        L[k] = cat(patt[k], att[k][d_idx])
    nl = len(L["customer"])
    order = np.lexsort((L["customer"], L["originated"]))
    L = {k: v[order] for k, v in L.items()}
    L["account"] = cur_acc[L["customer"]]
    reduce = rng.random(nl) < 0.06
    L["principal"] = np.where(reduce, np.round(L["amount"] * 0.8, -2), L["amount"])
    L["rate"] = np.round(
        BASE_RATE[L["product"]] + 0.25 * L["bank_pd"] + rng.normal(0, 0.006, nl), 4
    ).clip(0.02, 0.35)
    L["installment"] = np.round(_annuity(L["principal"], L["rate"], L["term"]), 2)
    L["maturity"] = add_months(L["originated"], L["term"])
    prod = L["product"]
    coll = np.select([prod == MORTGAGE, prod == AUTO], [2, 1], 0)
    coll = np.where((prod == SMALLBIZ) & (rng.random(nl) < 0.4), 2, coll)
    coll = np.where((coll == 0) & (rng.random(nl) < 0.08), 3, coll)
    L["collateral"] = coll
    L["guarantor"] = rng.random(nl) < np.where(L["bank_pd"] > 0.08, 0.3, 0.08)
    is_def = rng.random(nl) < L["pd"]
    L["is_defaulter"] = is_def
    k0 = 1 + (rng.random(nl) ** 1.4 * np.minimum(L["term"], 36)).astype(np.int64)
    k0 = np.where(is_def, np.minimum(k0, L["term"]), 10**6)
    payoff = (~is_def) & (rng.random(nl) < 0.06) & (L["term"] >= 6)
    kp = np.where(payoff, 3 + (rng.random(nl) * (L["term"] - 3)).astype(np.int64), 10**6)

    # ----------------------------------------------------------------- schedule
    months_to_end = (month_index(np.full(nl, end_day)) - month_index(L["originated"])) + 3
    n_rows = np.clip(np.minimum(months_to_end, L["term"]), 0, None)
    n_rows = np.minimum(n_rows, kp)
    r_loan = np.repeat(np.arange(nl), n_rows)
    r_k = group_rank(r_loan) + 1
    r_due = add_months(L["originated"][r_loan], r_k)
    future_cap = add_months(np.full(len(r_loan), end_day), 3)
    keep = r_due <= future_cap
    r_loan, r_k, r_due = r_loan[keep], r_k[keep], r_due[keep]
    P = L["principal"][r_loan]
    r = L["rate"][r_loan] / 12.0
    A = L["installment"][r_loan]
    g = (1.0 + r) ** (r_k - 1)
    bal_before = np.maximum(P * g - A * (g - 1.0) / r, 0.0)
    interest = bal_before * r
    princ = np.minimum(A - interest, bal_before)
    last = r_k == L["term"][r_loan]
    due_amt = np.where(last, bal_before + interest, A)
    princ = np.where(last, bal_before, princ)
    nr = len(r_loan)
    cq = cust["credit_quality"][L["customer"]][r_loan]
    k0r = k0[r_loan]
    late_p = np.clip(0.025 + 0.03 * cq, 0.005, 0.2)
    late_p = np.where((k0r - r_k >= 1) & (k0r - r_k <= 4), 0.5, late_p)
    late = rng.random(nr) < late_p
    late_days = np.where(late, 3 + rng.geometric(0.08, nr), -rng.integers(0, 3, nr))
    paid_day = r_due + late_days
    unpaid = (r_k >= k0r) | (paid_day > end_day) | (r_due > end_day)
    is_payoff_row = r_k == kp[r_loan]
    paid_amt = np.where(is_payoff_row, bal_before + interest, due_amt)
    # a defaulter sometimes pays part of the first missed instalment
    partial = (r_k == k0r) & (rng.random(nr) < 0.3) & (r_due + 5 <= end_day)
    paid_day = np.where(partial, r_due + 5, paid_day)
    paid_amt = np.where(partial, np.round(due_amt * rng.uniform(0.2, 0.6, nr), 2), paid_amt)
    has_paid = ~unpaid | partial
    S = {
        "loan": r_loan,
        "k": r_k,
        "due": r_due,
        "due_amt": np.round(due_amt, 2),
        "principal": np.round(princ, 2),
        "paid_day": np.where(has_paid, paid_day, NULL),
        "paid_amt": np.where(has_paid, np.round(paid_amt, 2), np.nan),
    }

    # ----------------------------------------------------------------- status as of end_day
    due_unpaid = (~has_paid | partial) & (r_due <= end_day)
    status = np.full(nl, ST_CURRENT)
    status_day = L["originated"].copy()
    fu_loans, fu_first = np.unique(r_loan[due_unpaid], return_index=True)
    first_unpaid_due = np.full(nl, NULL, dtype=np.int64)
    first_unpaid_due[fu_loans] = r_due[due_unpaid][fu_first]
    dpd = np.where(first_unpaid_due == NULL, 0, end_day - first_unpaid_due)
    # paid off: payoff instalment paid, or final instalment paid
    done_row = (is_payoff_row | last) & has_paid & ~partial & (S["paid_day"] <= end_day)
    done_loans = r_loan[done_row]
    status[done_loans] = ST_PAID
    status_day[done_loans] = S["paid_day"][done_row]
    arrears = (dpd >= 1) & (dpd < 90)
    status = np.where(arrears, ST_ARREARS, status)
    status_day = np.where(arrears, first_unpaid_due + 1, status_day)
    dflt = dpd >= 90
    status = np.where(dflt, ST_DEFAULTED, status)
    status_day = np.where(dflt, first_unpaid_due + 90, status_day)
    wo = dflt & (dpd >= 270) & (rng.random(nl) < 0.75)
    status = np.where(wo, ST_WRITTEN, status)
    wo_day = first_unpaid_due + 180 + rng.integers(0, 90, nl)
    status_day = np.where(wo, np.minimum(wo_day, end_day), status_day)
    L["status"] = status
    L["status_day"] = np.minimum(status_day, end_day)

    # officer for applications that came in through intake
    apps = {
        "customer": a_cust,
        "branch": a_branch,
        "product": a_prod,
        "submitted": a_sec,
        "decision": decision,
        "decided": decided,
        "officer": officer,
        **{k: att[k] for k in ("declared", "amount", "term", "emp", "debt", "purpose")},
    }
    stages = {"app": s_app, "stage": s_k, "entered": s_in, "left": s_out, "staff": s_staff}
    return {"apps": apps, "stages": stages, "loans": L, "schedule": S, "nl": nl}
