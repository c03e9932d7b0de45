"""Marketing campaigns with a random control group, and customer feedback."""

from __future__ import annotations

import numpy as np

from ._util import (
    DAY,
    NULL,
    YOUNG,
    Ctx,
    choice_rows,
    choice_weighted_rows,
)
from .entities import CALL, CC, SAV, TD, TELLER, pick_staff

CAMPAIGN_PRODUCTS = ["savings", "term_deposit", "credit_card", "personal", "auto", "mortgage"]
ACCOUNT_PRODUCT_OF = {0: SAV, 1: TD, 2: CC}
CONTACT_CHANNELS = ["email", "sms", "phone", "mail", "app_push", "branch"]
EMAIL, SMS, PHONE, MAIL, APP, BRANCH = range(6)
CHANNEL_COST = np.array([0.05, 0.12, 4.5, 1.3, 0.02, 7.0])
P_DELIVER = np.array([0.93, 0.96, 0.55, 0.9, 0.8, 0.6])
P_OPEN = np.array([0.35, 0.6, 0.9, 0.5, 0.3, 0.95])
P_CLICK = np.array([0.15, 0.1, 0.3, 0.05, 0.2, 0.4])
# baseline (organic) take-up within a campaign window, by customer type x product
BASE_P = np.array(
    [
        [0.020, 0.040, 0.015, 0.010, 0.010, 0.010],
        [0.015, 0.008, 0.020, 0.015, 0.008, 0.004],
        [0.020, 0.002, 0.035, 0.015, 0.006, 0.003],
        [0.015, 0.010, 0.020, 0.012, 0.006, 0.004],
        [0.006, 0.004, 0.008, 0.010, 0.003, 0.001],
        [0.003, 0.002, 0.002, 0.002, 0.001, 0.001],
    ]
)
# responsiveness to contact: customer type x channel
RESP = np.array(
    [
        [1.0, 0.7, 1.8, 1.0, 0.6, 1.5],
        [1.0, 1.0, 1.0, 1.0, 0.9, 1.0],
        [1.3, 1.1, 0.4, 0.3, 2.0, 0.4],
        [1.2, 0.9, 1.5, 0.8, 0.8, 1.1],
        [0.3, 0.3, 0.4, 0.3, 0.2, 0.4],
        [0.15, 0.15, 0.2, 0.2, 0.1, 0.2],
    ]
)
# product fit: customer type x product
FIT = np.array(
    [
        [0.8, 1.6, 0.7, 0.4, 0.8, 1.0],
        [1.0, 0.6, 1.0, 1.0, 1.0, 0.8],
        [0.9, 0.2, 1.5, 1.1, 0.8, 0.5],
        [0.9, 0.8, 1.1, 1.2, 0.8, 0.6],
        [0.5, 0.4, 0.6, 0.8, 0.4, 0.3],
        [0.3, 0.3, 0.3, 0.3, 0.3, 0.3],
    ]
)
FEEDBACK_CHANNELS = ["branch", "phone", "email", "online", "mobile"]
FB_CH_P = np.array(
    [
        [0.35, 0.3, 0.2, 0.1, 0.05],
        [0.35, 0.25, 0.15, 0.15, 0.1],
        [0.05, 0.05, 0.15, 0.25, 0.5],
        [0.3, 0.3, 0.2, 0.15, 0.05],
        [0.5, 0.3, 0.1, 0.05, 0.05],
        [0.5, 0.3, 0.1, 0.05, 0.05],
    ]
)
FEEDBACK_TYPES = ["survey", "complaint"]
COMPLAINT_CATEGORIES = [
    "fees",
    "service",
    "waiting_time",
    "card",
    "loan",
    "online_banking",
    "other",
]
NPS_BASE = np.array([8.4, 7.4, 7.1, 6.9, 5.6, 6.5])


def make_campaigns(ctx: Ctx, rng: np.random.Generator, cust: dict) -> tuple:
    """Return (campaigns, contacts, uplift truth); contacts carry conversion outcomes."""
    nc = max(2, round(ctx.months / 12 * 5))
    product = rng.integers(0, len(CAMPAIGN_PRODUCTS), nc)
    channel = rng.integers(0, len(CONTACT_CHANNELS), nc)
    window = ctx.end_day - ctx.start_day
    start = ctx.start_day + np.sort((rng.random(nc) * max(window - 20, 1)).astype(np.int64))
    duration = rng.integers(30, 75, nc)
    end = start + duration
    base_uplift = rng.uniform(0.015, 0.06, nc)
    t = cust["type"]
    contacts = []
    for c in range(nc):
        active = (cust["since"] < start[c]) & (
            (cust["closed"] == NULL) | (cust["closed"] > start[c])
        )
        elig = np.nonzero(active & cust["consent"])[0]
        frac = rng.uniform(0.06, 0.16)
        sel = elig[rng.random(len(elig)) < frac]
        contacts.append((np.full(len(sel), c), sel))
    k_camp = np.concatenate([x[0] for x in contacts])
    k_cust = np.concatenate([x[1] for x in contacts])
    nk = len(k_cust)
    ct = t[k_cust]
    ch = channel[k_camp]
    pr = product[k_camp]
    control = rng.random(nk) < 0.2
    age = cust["age"][k_cust]
    age_mult = np.where(
        np.isin(ch, [EMAIL, APP, SMS]),
        np.clip(1.4 - (age - 25) / 60, 0.5, 1.4),
        np.clip(0.6 + (age - 25) / 50, 0.6, 1.4),
    )
    uplift_i = base_uplift[k_camp] * RESP[ct, ch] * FIT[ct, pr] * age_mult
    p0 = BASE_P[ct, pr]
    delivered = ~control & (rng.random(nk) < P_DELIVER[ch])
    opened = delivered & (rng.random(nk) < P_OPEN[ch])
    clicked = opened & (rng.random(nk) < P_CLICK[ch])
    # intention-to-treat uplift equals uplift_i: the effect works through delivery
    p = p0 + delivered * uplift_i / P_DELIVER[ch]
    p = p * np.where(clicked, 1.6, 1.0) / np.where(delivered, 1 + 0.6 * P_OPEN[ch] * P_CLICK[ch], 1)
    converted = rng.random(nk) < np.clip(p, 0, 1)
    contacted = np.where(
        control,
        NULL,
        start[k_camp] * DAY + rng.integers(0, 3, nk) * DAY + rng.integers(8 * 3600, 19 * 3600, nk),
    )
    conv_at = start[k_camp] * DAY + (rng.random(nk) * duration[k_camp] * DAY).astype(np.int64)
    conv_at = np.where(control, conv_at, np.maximum(conv_at, contacted + 3600))
    closed = cust["closed"][k_cust]
    converted &= (conv_at <= ctx.end_ts) & (conv_at < (end[k_camp] + 1) * DAY)
    converted &= (closed == NULL) | (conv_at // DAY < closed - 1)
    conv_at = np.where(converted, conv_at, NULL)
    # take-up of account products creates new accounts
    new_acc = converted & np.isin(pr, list(ACCOUNT_PRODUCT_OF))
    acc_prod = np.array([ACCOUNT_PRODUCT_OF.get(int(x), -1) for x in range(len(CAMPAIGN_PRODUCTS))])
    new_accounts = {
        "customer": k_cust[new_acc],
        "product": acc_prod[pr[new_acc]],
        "opened": conv_at[new_acc] // DAY,
    }
    # take-up of loan products is a loan application submitted at the conversion time
    loan_prod = {3: 0, 4: 1, 5: 2}  # personal, auto, mortgage -> lending product index
    lp = np.array([loan_prod.get(x, -1) for x in range(len(CAMPAIGN_PRODUCTS))])
    new_apps = converted & (lp[pr] >= 0)
    loan_takeup = {
        "customer": k_cust[new_apps],
        "submitted": conv_at[new_apps],
        "product": lp[pr[new_apps]],
    }
    n_treated = np.bincount(k_camp[~control], minlength=nc)
    cost = np.round(
        n_treated * CHANNEL_COST[channel]
        + rng.uniform(500, 5000, nc)
        + np.where(channel == MAIL, 800, 0),
        2,
    )
    campaigns = {
        "n": nc,
        "product": product,
        "channel": channel,
        "start": start,
        "end": end,
        "cost": cost,
    }
    contacts_out = {
        "campaign": k_camp,
        "customer": k_cust,
        "channel": ch,
        "control": control,
        "contacted": contacted,
        "delivered": delivered,
        "opened": opened,
        "clicked": clicked,
        "converted": converted,
        "converted_at": conv_at,
    }
    # truth: true (intention-to-treat) uplift per campaign and customer type
    key = k_camp * 6 + ct
    sums = np.bincount(key, weights=uplift_i, minlength=nc * 6)
    cnt = np.bincount(key, minlength=nc * 6)
    ok = cnt > 0
    kk = np.nonzero(ok)[0]
    truth = {"campaign": kk // 6, "type": kk % 6, "uplift": sums[ok] / cnt[ok], "n": cnt[ok]}
    return campaigns, contacts_out, truth, new_accounts, loan_takeup


def make_feedback(
    ctx: Ctx,
    rng: np.random.Generator,
    cust: dict,
    st: dict,
    cust_wait: np.ndarray,
    cust_bad_loan: np.ndarray,
) -> dict:
    n = cust["n"]
    t = cust["type"]
    since = np.maximum(cust["since"], ctx.start_day)
    stop = np.where(cust["closed"] == NULL, ctx.end_day + 1, cust["closed"])
    years = np.clip((stop - since) / 365.25, 0, None)
    wait_excess = np.clip(np.nan_to_num(cust_wait, nan=0.0) - 6.0, 0, 40)

    # surveys
    ns = rng.poisson(0.3 * years)
    s_c = np.repeat(np.arange(n), ns)
    s_day = since[s_c] + (rng.random(len(s_c)) * (stop - since)[s_c]).astype(np.int64)
    # complaints: baseline, plus churners in their last six months, plus long waits
    base = 0.05 * years * (1 + 0.03 * wait_excess) * (1 + 1.5 * cust_bad_loan)
    nc = rng.poisson(base)
    c_c = np.repeat(np.arange(n), nc)
    c_day = since[c_c] + (rng.random(len(c_c)) * (stop - since)[c_c]).astype(np.int64)
    churn = cust["churner"]
    pre_len = np.minimum(182, np.maximum(stop - since, 1))
    n_pre = rng.poisson(np.where(churn, 0.9, 0.0))
    p_c = np.repeat(np.arange(n), n_pre)
    p_day = stop[p_c] - 1 - (rng.random(len(p_c)) * pre_len[p_c]).astype(np.int64)
    c_c = np.concatenate([c_c, p_c])
    c_day = np.concatenate([c_day, p_day])
    # pre-churn surveys too (exit-risk customers still answer surveys)
    n_ps = rng.poisson(np.where(churn, 0.35, 0.0))
    ps_c = np.repeat(np.arange(n), n_ps)
    ps_day = stop[ps_c] - 1 - (rng.random(len(ps_c)) * pre_len[ps_c]).astype(np.int64)
    s_c = np.concatenate([s_c, ps_c])
    s_day = np.concatenate([s_day, ps_day])

    fc = np.concatenate([s_c, c_c])
    fday = np.concatenate([s_day, c_day])
    ftype = np.r_[np.zeros(len(s_c), int), np.ones(len(c_c), int)]
    m = len(fc)
    fts = fday * DAY + rng.integers(7 * 3600, 22 * 3600, m)
    fts = np.minimum(fts, ctx.end_ts)
    near_churn = churn[fc] & (stop[fc] - fday <= 182)
    latent = (
        NPS_BASE[t[fc]]
        - 2.6 * near_churn
        - 0.06 * wait_excess[fc]
        - 1.5 * cust_bad_loan[fc]
        + rng.normal(0, 1.7, m)
    )
    nps = np.clip(np.round(latent), 0, 10).astype(np.int64)
    csat = np.clip(np.round(1 + latent / 2.5 + rng.normal(0, 0.6, m)), 1, 5).astype(np.int64)
    is_survey = ftype == 0
    # complaint category weights
    w = np.tile(np.array([0.2, 0.2, 0.12, 0.15, 0.06, 0.12, 0.15]), (m, 1))
    w[:, 0] += 0.25 * near_churn
    w[:, 1] += 0.15 * near_churn
    w[:, 2] += 0.008 * wait_excess[fc]
    w[:, 4] += 0.5 * cust_bad_loan[fc]
    w[:, 5] += 0.2 * (t[fc] == YOUNG)
    cat = choice_weighted_rows(rng, w)
    resolve_days = rng.lognormal(np.log(3), 1.0, m)
    resolved = fts + (resolve_days * DAY).astype(np.int64)
    unresolved = (rng.random(m) < 0.1) | (resolved > ctx.end_ts)
    channel = choice_rows(rng, FB_CH_P, t[fc])
    branch = cust["home"][fc]
    staff = np.full(m, -1, dtype=np.int64)
    mb = channel == 0
    staff[mb] = pick_staff(st, rng, TELLER, branch[mb], fday[mb])
    mp = channel == 1
    staff[mp] = pick_staff(st, rng, CALL, np.zeros(mp.sum(), int), fday[mp])
    order = np.argsort(fts, kind="stable")
    out = {
        "customer": fc,
        "branch": branch,
        "channel": channel,
        "type": ftype,
        "submitted": fts,
        "nps": np.where(is_survey, nps, -1),
        "csat": np.where(is_survey, csat, -1),
        "category": np.where(is_survey, -1, cat),
        "resolved": np.where(is_survey | unresolved, NULL, resolved),
        "staff": staff,
    }
    return {k: v[order] for k, v in out.items()}
