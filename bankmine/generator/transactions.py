"""Month-by-month transaction generation with running balances."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ._util import (
    DAY,
    DECL,
    NULL,
    SMB,
    Ctx,
    choice_rows,
    code_array,
    dec_array,
    id_array,
    id_width,
    ts_array,
    weekday,
)
from .codes import (
    CARD,
    CASH_DEP,
    CASH_WD,
    CH_ATM,
    CH_BRANCH,
    CH_CALL,
    CH_MOBILE,
    CH_ONLINE,
    CH_POS,
    CH_SYSTEM,
    CHANNELS,
    COUNTRIES,
    CREDIT,
    DEBIT,
    DIRECTIONS,
    FEE,
    FOREIGN,
    HIGH_RISK,
    INTEREST,
    LOAN_DISB,
    LOAN_REPAY,
    MERCHANTS,
    SALARY,
    TR_IN,
    TR_OUT,
    TX_TYPES,
)
from .entities import BAL_TD, CC, CUR, SAV, TD
from .lending import AUTO, MORTGAGE
from .schema import raw_schema

# monthly event rates on the current account, by customer type
R_CARD = np.array([5.0, 2.0, 3.8, 2.2, 1.3, 0.06])
R_CASH_WD = np.array([0.3, 0.6, 0.25, 0.5, 0.9, 0.04])
R_CASH_DEP = np.array([0.1, 0.15, 0.04, 1.2, 0.2, 0.02])
R_TR_OUT = np.array([1.2, 0.7, 1.0, 1.6, 0.5, 0.04])
R_TR_IN = np.array([0.5, 0.15, 0.25, 1.2, 0.12, 0.03])
FEE_P = np.array([0.05, 0.4, 0.15, 0.6, 0.5, 0.12])
FOREIGN_TR_P = np.array([0.07, 0.03, 0.04, 0.06, 0.02, 0.02])
FOREIGN_CARD_P = np.array([0.06, 0.02, 0.03, 0.03, 0.01, 0.01])
TRANSFER_CH = np.array(
    [  # branch, online, mobile, call_centre
        [0.15, 0.5, 0.33, 0.02],
        [0.25, 0.35, 0.38, 0.02],
        [0.02, 0.22, 0.76, 0.0],
        [0.25, 0.6, 0.14, 0.01],
        [0.5, 0.3, 0.18, 0.02],
        [0.6, 0.25, 0.13, 0.02],
    ]
)
TRANSFER_CH_CODES = np.array([CH_BRANCH, CH_ONLINE, CH_MOBILE, CH_CALL])
WD_BRANCH_P = np.array([0.35, 0.25, 0.04, 0.5, 0.45, 0.55])
DEP_BRANCH_P = np.array([0.65, 0.55, 0.2, 0.8, 0.7, 0.7])
MERCH_W = np.array(
    [
        # grocery fuel rest travel online util electr gamb health cloth entert
        [0.22, 0.08, 0.18, 0.12, 0.12, 0.06, 0.04, 0.005, 0.06, 0.07, 0.045],
        [0.35, 0.14, 0.1, 0.02, 0.1, 0.1, 0.03, 0.01, 0.05, 0.06, 0.04],
        [0.2, 0.05, 0.18, 0.04, 0.25, 0.05, 0.05, 0.01, 0.02, 0.08, 0.07],
        [0.25, 0.2, 0.12, 0.05, 0.12, 0.12, 0.05, 0.005, 0.03, 0.03, 0.025],
        [0.4, 0.12, 0.06, 0.01, 0.08, 0.15, 0.02, 0.03, 0.08, 0.03, 0.02],
        [0.45, 0.1, 0.05, 0.01, 0.05, 0.2, 0.01, 0.01, 0.1, 0.02, 0.0],
    ]
)
MERCH_MULT = np.array([1.0, 0.8, 0.7, 5.0, 1.1, 1.6, 4.0, 1.0, 0.9, 1.2, 0.6])
SPEND_SHARE_CARD, SPEND_SHARE_CASH, SPEND_SHARE_TR = 0.40, 0.15, 0.40
FIELDS = ("acc", "ts", "amt", "dirn", "ttype", "chan", "country", "merch", "case", "regular")


class Batch:
    def __init__(self):
        self.parts = {k: [] for k in FIELDS}

    def add(self, acc, ts, amt, dirn, ttype, chan, country=-1, merch=-1, case=-1, regular=True):
        m = len(acc)
        if m == 0:
            return
        for key, val in (
            ("acc", acc),
            ("ts", ts),
            ("amt", amt),
            ("dirn", dirn),
            ("ttype", ttype),
            ("chan", chan),
            ("country", country),
            ("merch", merch),
            ("case", case),
            ("regular", regular),
        ):
            dt = bool if key == "regular" else np.int64
            self.parts[key].append(np.broadcast_to(np.asarray(val, dtype=dt), (m,)))

    def arrays(self) -> dict:
        return {
            k: (np.concatenate(v) if v else np.zeros(0, bool if k == "regular" else np.int64))
            for k, v in self.parts.items()
        }


def _secs(rng, chan, n):
    """Second of day for each event by channel."""
    s = rng.integers(7 * 3600, 23 * 3600, n)
    pos = chan == CH_POS
    s = np.where(
        pos, np.clip(rng.normal(14.5, 3.6, n) * 3600, 6 * 3600, 86_000).astype(np.int64), s
    )
    br = chan == CH_BRANCH
    s = np.where(br, rng.integers(9 * 3600, 17 * 3600, n), s)
    atm = chan == CH_ATM
    s = np.where(atm, rng.integers(5 * 3600, 86_000, n), s)
    cc = chan == CH_CALL
    s = np.where(cc, rng.integers(8 * 3600, 20 * 3600, n), s)
    return s


def _days(rng, lo, hi):
    return lo + (rng.random(len(lo)) * (hi - lo)).astype(np.int64)


def _fix_branch_weekend(days, chan, lo, hi):
    """Branch visits happen on weekdays: move weekend days to the adjacent weekday."""
    wd = weekday(days)
    br = chan == CH_BRANCH
    fri = days - (wd - 4)
    mon = days + (7 - wd)
    alt = np.where(fri >= lo, fri, mon)
    ok_alt = (alt >= lo) & (alt < hi)
    weekend = br & (wd >= 5)
    days = np.where(weekend & ok_alt, alt, days)
    chan = np.where(weekend & ~ok_alt, CH_ONLINE, chan)
    return days, chan


def _lognorm(rng, n, sigma):
    return rng.lognormal(-sigma * sigma / 2, sigma, n)


def generate_transactions(
    ctx: Ctx, cust: dict, acc: dict, lend: dict, aml: dict, out_dir: Path
) -> dict:
    """Write transactions/part-YYYY-MM.parquet files; returns stats and case transaction ids."""
    setup_rng = ctx.rng("transactions")
    month_rngs = ctx.month_rngs("transactions")
    n = cust["n"]
    t = cust["type"]
    na = acc["n"]
    a_cust = acc["customer"]
    a_prod = acc["product"]
    a_open = acc["opened"]
    a_close = np.where(acc["closed"] == NULL, ctx.end_day + 1, acc["closed"])
    cur = np.full(n, -1, dtype=np.int64)
    ci = np.nonzero(a_prod == CUR)[0]
    cur[a_cust[ci][::-1]] = ci[::-1]
    inflow = cust["income"] / 12.0 * 0.72
    salaried = cust["salaried"]
    ratio = cust["spend_ratio"]
    pay_day = setup_rng.integers(24, 29, n)
    salary_stop = np.where(
        cust["churner"], cust["closed"] - setup_rng.integers(30, 120, n), ctx.end_day + 10**6
    )
    fee_amt = np.where(t == SMB, setup_rng.uniform(15, 40, n), setup_rng.uniform(3, 14, n))
    has_fee = setup_rng.random(n) < FEE_P[t]
    has_cc = np.zeros(n, bool)
    has_cc[a_cust[a_prod == CC]] = True
    cc_share = np.where(has_cc, setup_rng.uniform(0.3, 0.8, n), 0.0)
    pay_full = ~acc["revolver"]
    pay_frac = setup_rng.uniform(0.2, 0.5, na)
    quiet = aml["quiet_until"]
    bal = acc["open_balance"].astype(np.int64).copy()
    # lowest balance the bank lets discretionary spending reach (cents)
    od_limit = np.where(setup_rng.random(na) < 0.3, setup_rng.uniform(200, 2000, na), 0.0)
    floor = np.select([a_prod == CUR, a_prod == CC], [-od_limit * 100, -acc["limit"] * 100], 0.0)
    floor = np.minimum(floor, np.minimum(bal, 0))

    L = lend["loans"]
    S = lend["schedule"]
    loan_acc = L["account"]
    # loan events (whole window)
    disb_m = (L["originated"] >= ctx.start_day) & (L["originated"] <= ctx.end_day)
    d_idx = np.nonzero(disb_m)[0]
    d_ts = L["originated"][d_idx] * DAY + setup_rng.integers(10 * 3600, 16 * 3600, len(d_idx))
    buy = np.isin(L["product"][d_idx], [MORTGAGE, AUTO])
    b_idx = d_idx[buy]
    b_ts = d_ts[buy] + setup_rng.integers(DAY, 4 * DAY, len(b_idx))
    b_amt = L["principal"][b_idx] * setup_rng.uniform(0.9, 1.0, len(b_idx))
    keep_b = b_ts <= ctx.end_ts
    b_idx, b_ts, b_amt = b_idx[keep_b], b_ts[keep_b], b_amt[keep_b]
    r_m = (
        (S["paid_day"] != NULL) & (S["paid_day"] >= ctx.start_day) & (S["paid_day"] <= ctx.end_day)
    )
    r_rows = np.nonzero(r_m)[0]
    r_ts = S["paid_day"][r_rows] * DAY + setup_rng.integers(2 * 3600, 5 * 3600, len(r_rows))
    r_acc = loan_acc[S["loan"][r_rows]]
    r_amt = np.round(S["paid_amt"][r_rows] * 100).astype(np.int64)
    ev = aml["events"]

    tx_dir = out_dir / "raw" / "transactions"
    tx_dir.mkdir(parents=True, exist_ok=True)
    next_id = 0
    width = 12
    case_tx = []
    stats = {"rows": 0, "per_customer_month": []}
    schema = raw_schema("transactions")

    for m in range(ctx.months):
        rng = month_rngs[m]
        ms, me = int(ctx.month_starts[m]), int(ctx.month_ends[m])
        label = str(np.datetime64(ms, "D"))[:7]
        ctx.log(f"transactions {label} ({m + 1}/{ctx.months})")
        ndays = me - ms
        if ndays <= 0:
            continue
        lo = np.maximum(ms, a_open)
        hi = np.minimum(me, a_close)
        valid = hi > lo
        frac = np.where(valid, (hi - lo) / ndays, 0.0)
        # per-customer activity this month
        mid = ms + ndays / 2
        act = np.ones(n)
        act = np.where(
            t == DECL, 1.0 - 0.55 * (mid - ctx.start_day) / max(ctx.end_day - ctx.start_day, 1), act
        )
        to_close = (cust["closed"] - mid) / 30.44
        churning = cust["churner"] & (to_close < 6)
        act = np.where(churning, np.clip(to_close / 6, 0.12, 1.0) * act, act)
        # loan repayments this month reduce discretionary spending
        in_m = (r_ts >= ms * DAY) & (r_ts < me * DAY)
        repay = np.bincount(a_cust[r_acc[in_m]], weights=r_amt[in_m] / 100.0, minlength=n)
        budget = inflow * ratio
        budget = np.maximum(budget - repay, 0.3 * budget)
        B = Batch()

        # --- current account: discretionary flows
        cu = cur
        cf = frac[cu]
        cl, ch = lo[cu], hi[cu]

        def rows_for(rate_c, rng=rng, cf=cf):
            k = rng.poisson(rate_c * cf)
            return np.repeat(np.arange(n), k)

        # card payments (split between debit card on current and credit card)
        c_rows = rows_for(R_CARD[t] * act)
        on_cc = rng.random(len(c_rows)) < cc_share[c_rows]
        cc_acc = np.full(n, -1, dtype=np.int64)
        cci = np.nonzero((a_prod == CC) & valid)[0]
        cc_acc[a_cust[cci]] = cci
        on_cc &= cc_acc[c_rows] >= 0
        c_acc = np.where(on_cc, cc_acc[c_rows], cu[c_rows])
        merch = choice_rows(rng, MERCH_W, t[c_rows])
        mean = budget[c_rows] * SPEND_SHARE_CARD / np.maximum(R_CARD[t[c_rows]], 0.5)
        amt = mean * MERCH_MULT[merch] / 1.25 * _lognorm(rng, len(c_rows), 0.75)
        foreign = rng.random(len(c_rows)) < FOREIGN_CARD_P[t[c_rows]] * np.where(merch == 3, 8, 1)
        ctry = np.where(foreign, rng.choice(FOREIGN, len(c_rows)), 0)
        days = _days(rng, lo[c_acc], hi[c_acc])
        B.add(
            c_acc,
            days * DAY + _secs(rng, np.full(len(c_rows), CH_POS), len(c_rows)),
            np.maximum(np.round(amt * 100), 1),
            DEBIT,
            CARD,
            CH_POS,
            ctry,
            merch,
        )

        # cash withdrawals and deposits
        for rate, ttype, dirn, share in (
            (R_CASH_WD, CASH_WD, DEBIT, SPEND_SHARE_CASH),
            (R_CASH_DEP, CASH_DEP, CREDIT, None),
        ):
            rows = rows_for(rate[t] * act)
            k = len(rows)
            tr = t[rows]
            if share is not None:
                amt = budget[rows] * share / np.maximum(rate[tr], 0.5) * _lognorm(rng, k, 0.6)
                amt = np.maximum(np.round(amt, -1), 20)
                br = rng.random(k) < WD_BRANCH_P[tr]
            else:
                base = (
                    np.where(salaried[rows], 0.04, 0.3) * inflow[rows] / np.maximum(rate[tr], 0.5)
                )
                amt = np.maximum(np.round(base * _lognorm(rng, k, 0.7), -1), 10)
                br = rng.random(k) < DEP_BRANCH_P[tr]
            chan = np.where(br, CH_BRANCH, CH_ATM)
            days = _days(rng, cl[rows], ch[rows])
            days, chan = _fix_branch_weekend(days, chan, cl[rows], ch[rows])
            B.add(
                cu[rows], days * DAY + _secs(rng, chan, k), np.round(amt * 100), dirn, ttype, chan
            )

        # transfers
        for rate, ttype, dirn in ((R_TR_OUT, TR_OUT, DEBIT), (R_TR_IN, TR_IN, CREDIT)):
            rows = rows_for(rate[t] * act)
            k = len(rows)
            tr = t[rows]
            if ttype == TR_OUT:
                mean = budget[rows] * SPEND_SHARE_TR / np.maximum(rate[tr], 0.5)
            else:
                mean = (
                    np.where(salaried[rows], 0.05, 0.7) * inflow[rows] / np.maximum(rate[tr], 0.5)
                )
            amt = np.maximum(np.round(mean * _lognorm(rng, k, 0.8), 2), 1.0)
            chan = TRANSFER_CH_CODES[choice_rows(rng, TRANSFER_CH, tr)]
            foreign = rng.random(k) < FOREIGN_TR_P[tr]
            hr = rng.random(k) < 0.03
            ctry = np.where(
                foreign, np.where(hr, rng.choice(HIGH_RISK, k), rng.choice(FOREIGN, k)), 0
            )
            days = _days(rng, cl[rows], ch[rows])
            days, chan = _fix_branch_weekend(days, chan, cl[rows], ch[rows])
            B.add(
                cu[rows],
                days * DAY + _secs(rng, chan, k),
                np.round(amt * 100),
                dirn,
                ttype,
                chan,
                ctry,
            )

        # salary
        sal_day = ms + np.minimum(pay_day, ndays) - 1
        sal_ok = salaried & (sal_day >= cl) & (sal_day < ch) & (sal_day < salary_stop) & (cf > 0)
        rows = np.nonzero(sal_ok)[0]
        amt = np.round(inflow[rows] * rng.uniform(0.97, 1.03, len(rows)), 2)
        B.add(
            cu[rows],
            sal_day[rows] * DAY + 6 * 3600 + rng.integers(0, 1800, len(rows)),
            np.round(amt * 100),
            CREDIT,
            SALARY,
            CH_SYSTEM,
            0,
        )

        # monthly fee on the 1st; overdraft fee when the month starts overdrawn
        f_ok = has_fee & (lo[cu] <= ms) & (hi[cu] > ms)
        rows = np.nonzero(f_ok)[0]
        B.add(cu[rows], ms * DAY + 2 * 3600, np.round(fee_amt[rows] * 100), DEBIT, FEE, CH_SYSTEM)
        od = (bal[cu] < -5000) & (lo[cu] <= ms) & (hi[cu] > ms + 1)
        rows = np.nonzero(od)[0]
        B.add(cu[rows], (ms + 1) * DAY + 2 * 3600, 2500, DEBIT, FEE, CH_SYSTEM)

        # savings: deposits and withdrawals
        sv = np.nonzero((a_prod == SAV) & valid)[0]
        sc = a_cust[sv]
        for rate, ttype, dirn, size in ((0.35, TR_IN, CREDIT, 0.3), (0.1, TR_OUT, DEBIT, 0.6)):
            k = rng.poisson(rate * frac[sv] * act[sc])
            rows = np.repeat(sv, k)
            rc = a_cust[rows]
            amt = np.round(np.maximum(inflow[rc] * size * _lognorm(rng, len(rows), 0.7), 10), 2)
            if dirn == DEBIT:
                amt = np.minimum(amt, np.maximum(bal[rows] / 100 * 0.8, 10))
            chan = TRANSFER_CH_CODES[choice_rows(rng, TRANSFER_CH, t[rc])]
            days = _days(rng, lo[rows], hi[rows])
            days, chan = _fix_branch_weekend(days, chan, lo[rows], hi[rows])
            B.add(
                rows,
                days * DAY + _secs(rng, chan, len(rows)),
                np.round(amt * 100),
                dirn,
                ttype,
                chan,
                0,
            )

        # interest on savings and term deposits (last day of the month)
        last = me - 1
        quarter_end = int(np.datetime64(ms, "D").astype("datetime64[M]").astype(int)) % 3 == 2
        posts = (a_prod == SAV) | ((a_prod == TD) & quarter_end)
        ib = np.nonzero(posts & (lo <= last) & (hi > last) & (bal > 0))[0]
        months_accrued = np.where(a_prod[ib] == TD, 3.0, (hi[ib] - lo[ib]) / ndays)
        iamt = np.round(bal[ib] * acc["rate"][ib] / 12 * months_accrued)
        ok = iamt >= 1
        B.add(ib[ok], last * DAY + 23 * 3600, iamt[ok], CREDIT, INTEREST, CH_SYSTEM)

        # credit card: interest on revolving balance and repayment from the current account
        cc_open = np.nonzero((a_prod == CC) & (lo <= ms + 19) & (hi > ms + 19))[0]
        owed = -bal[cc_open]
        rev = owed > 100
        ii = cc_open[rev & acc["revolver"][cc_open]]
        B.add(
            ii,
            last * DAY + 23 * 3600 + 1800,
            np.round(-bal[ii] * acc["rate"][ii] / 12),
            DEBIT,
            INTEREST,
            CH_SYSTEM,
        )
        pay = np.where(pay_full[cc_open], owed, np.round(owed * pay_frac[cc_open]))
        ok = (pay >= 100) & (cur[a_cust[cc_open]] >= 0)
        pi = cc_open[ok]
        pc_acc = cur[a_cust[pi]]
        ok2 = (lo[pc_acc] <= ms + 19) & (hi[pc_acc] > ms + 19)
        pi, pc_acc, pay = pi[ok2], pc_acc[ok2], pay[ok][ok2]
        pts = (ms + 19) * DAY + 9 * 3600 + rng.integers(0, 3600, len(pi))
        B.add(pi, pts, pay, CREDIT, TR_IN, CH_ONLINE, 0)
        B.add(pc_acc, pts, pay, DEBIT, TR_OUT, CH_ONLINE, 0)

        # accounts opened this month: initial funding
        op = np.nonzero((a_open >= ms) & (a_open < me) & valid)[0]
        oc = a_cust[op]
        prod = a_prod[op]
        k = len(op)
        fund = np.select(
            [prod == CUR, prod == SAV, prod == TD],
            [
                rng.uniform(50, 500, k),
                inflow[oc] * rng.uniform(0.5, 3, k),
                BAL_TD[t[oc]] * rng.lognormal(0, 0.5, k),
            ],
            0.0,
        )
        fok = fund > 0
        op, fund = op[fok], fund[fok]
        otype = np.where(a_prod[op] == CUR, CASH_DEP, TR_IN)
        ochan = np.where(a_prod[op] == CUR, CH_BRANCH, CH_ONLINE)
        B.add(
            op,
            a_open[op] * DAY + rng.integers(10 * 3600, 16 * 3600, len(op)),
            np.round(fund * 100),
            CREDIT,
            otype,
            ochan,
            np.where(otype == TR_IN, 0, -1),
        )

        # churners move money out in their last months
        ch_acc = np.nonzero(
            valid & churning[a_cust] & ((a_prod == CUR) | (a_prod == SAV)) & (bal > 10_000)
        )[0]
        go = rng.random(len(ch_acc)) < 0.7
        ch_acc = ch_acc[go]
        amt = np.round(bal[ch_acc] * rng.uniform(0.25, 0.6, len(ch_acc)))
        days = _days(rng, lo[ch_acc], hi[ch_acc])
        chan = np.where(rng.random(len(ch_acc)) < 0.5, CH_ONLINE, CH_BRANCH)
        days, chan = _fix_branch_weekend(days, chan, lo[ch_acc], hi[ch_acc])
        B.add(ch_acc, days * DAY + _secs(rng, chan, len(ch_acc)), amt, DEBIT, TR_OUT, chan, 0)

        # lending
        dm = (d_ts >= ms * DAY) & (d_ts < me * DAY)
        B.add(
            loan_acc[d_idx[dm]],
            d_ts[dm],
            np.round(L["principal"][d_idx[dm]] * 100),
            CREDIT,
            LOAN_DISB,
            CH_SYSTEM,
            regular=False,
        )
        bm = (b_ts >= ms * DAY) & (b_ts < me * DAY)
        B.add(
            loan_acc[b_idx[bm]],
            b_ts[bm],
            np.round(b_amt[bm] * 100),
            DEBIT,
            TR_OUT,
            CH_BRANCH,
            0,
            regular=False,
        )
        B.add(r_acc[in_m], r_ts[in_m], r_amt[in_m], DEBIT, LOAN_REPAY, CH_SYSTEM, regular=False)

        # injected AML events
        em = (ev["ts"] >= ms * DAY) & (ev["ts"] < me * DAY)
        B.add(
            ev["acc"][em],
            ev["ts"][em],
            ev["amt"][em],
            ev["dirn"][em],
            ev["ttype"][em],
            ev["chan"][em],
            ev["country"][em],
            ev["merch"][em],
            ev["case"][em],
            regular=False,
        )

        X = B.arrays()
        # drop events outside the account's life or (for quiet accounts) before reactivation
        day = X["ts"] // DAY
        ok = (day >= a_open[X["acc"]]) & (day < a_close[X["acc"]]) & (X["amt"] > 0)
        ok &= ~(X["regular"] & (day < quiet[a_cust[X["acc"]]]))
        X = {k: v[ok] for k, v in X.items()}

        # insufficient funds: scale discretionary debits so the month stays above the floor
        credit = X["dirn"] == CREDIT
        disc = X["regular"] & ~credit & np.isin(X["ttype"], [CARD, CASH_WD, TR_OUT])
        cred_sum = np.bincount(X["acc"], weights=np.where(credit, X["amt"], 0), minlength=na)
        fixed = np.bincount(X["acc"], weights=np.where(~credit & ~disc, X["amt"], 0), minlength=na)
        disc_sum = np.bincount(X["acc"], weights=np.where(disc, X["amt"], 0), minlength=na)
        avail = bal + cred_sum - fixed - floor
        factor = np.clip(avail / np.maximum(disc_sum, 1), 0, 1)
        fa = factor[X["acc"]]
        scaled = np.where(disc & (fa < 1), np.floor(X["amt"] * fa), X["amt"])
        scaled = np.where(disc & (fa < 1) & (X["ttype"] == CASH_WD), scaled // 1000 * 1000, scaled)
        X["amt"] = scaled
        ok = X["amt"] >= 100
        X = {k: v[ok] for k, v in X.items()}

        # closing transfers for accounts closed this month (balance to zero)
        signed = np.where(X["dirn"] == CREDIT, X["amt"], -X["amt"])
        end_bal = bal + np.bincount(X["acc"], weights=signed, minlength=na).astype(np.int64)
        cl_acc = np.nonzero((acc["closed"] >= ms) & (acc["closed"] < me) & (np.abs(end_bal) >= 1))[
            0
        ]
        cb = end_bal[cl_acc]
        C = Batch()
        C.add(
            cl_acc,
            acc["closed"][cl_acc] * DAY + 10 * 3600 + rng.integers(0, 3600, len(cl_acc)),
            np.abs(cb),
            np.where(cb > 0, DEBIT, CREDIT),
            np.where(cb > 0, TR_OUT, TR_IN),
            CH_BRANCH,
            0,
            regular=False,
        )
        Y = C.arrays()
        X = {k: np.concatenate([X[k], Y[k]]) for k in X}
        signed = np.where(X["dirn"] == CREDIT, X["amt"], -X["amt"])

        # order, ids, running balances
        tie = rng.random(len(X["ts"]))
        order = np.lexsort((tie, X["ts"]))
        X = {k: v[order] for k, v in X.items()}
        signed = signed[order]
        k = len(order)
        ids = next_id + np.arange(k, dtype=np.int64)
        next_id += k
        o2 = np.argsort(X["acc"], kind="stable")  # already time-ordered within account
        acc_sorted = X["acc"][o2]
        s2 = signed[o2]
        cs = np.cumsum(s2)
        before = cs - s2
        start = np.r_[True, acc_sorted[1:] != acc_sorted[:-1]] if k else np.zeros(0, bool)
        first_idx = np.maximum.accumulate(np.where(start, np.arange(k), 0))
        run = bal[acc_sorted] + cs - before[first_idx]
        balance_after = np.empty(k, dtype=np.int64)
        balance_after[o2] = run
        bal = bal + np.bincount(X["acc"], weights=signed, minlength=na).astype(np.int64)

        cmask = X["case"] >= 0
        case_tx.append((X["case"][cmask], ids[cmask]))
        tbl = pa.Table.from_arrays(
            [
                id_array("T", ids, width),
                id_array("A", X["acc"], id_width(na, 8)),
                ts_array(X["ts"]),
                dec_array(X["amt"]),
                code_array(DIRECTIONS, X["dirn"]),
                code_array(TX_TYPES, X["ttype"]),
                code_array(CHANNELS, X["chan"]),
                code_array(COUNTRIES, X["country"]),
                code_array(MERCHANTS, X["merch"]),
                dec_array(balance_after),
            ],
            schema=schema,
        )
        pq.write_table(tbl, tx_dir / f"part-{label}.parquet", compression="zstd")
        stats["rows"] += k
        active = ((cust["since"] < me) & ((cust["closed"] == NULL) | (cust["closed"] > ms))).sum()
        stats["per_customer_month"].append(k / max(active, 1))
        del X, tbl

    case_ids = np.concatenate([c for c, _ in case_tx]) if case_tx else np.zeros(0, np.int64)
    tx_ids = np.concatenate([i for _, i in case_tx]) if case_tx else np.zeros(0, np.int64)
    stats["case_tx"] = (case_ids, tx_ids)
    stats["final_balance"] = bal
    return stats
