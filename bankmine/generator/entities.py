"""Branches, staff, customers (with hidden types and churn) and deposit/card accounts."""

from __future__ import annotations

import numpy as np

from ._util import AFF, DECL, DORM, MASS, NULL, SMB, YOUNG, Ctx, add_months, choice_rows

CITIES = [
    ("Riverton", "North"),
    ("Lakeside", "North"),
    ("Fairview", "Central"),
    ("Greenville", "South"),
    ("Franklin", "Central"),
    ("Madison", "East"),
    ("Georgetown", "East"),
    ("Salem", "North"),
    ("Ashland", "West"),
    ("Oakdale", "West"),
    ("Milton", "South"),
    ("Newport", "East"),
    ("Bristol", "Central"),
    ("Dover", "East"),
    ("Hudson", "North"),
    ("Kingston", "West"),
    ("Marion", "South"),
    ("Oxford", "Central"),
    ("Winchester", "South"),
    ("Clayton", "West"),
    ("Brookfield", "North"),
    ("Cedar Falls", "West"),
    ("Elmwood", "Central"),
    ("Harbor City", "East"),
]
BRANCH_SUFFIX = [
    "Main",
    "Central",
    "North",
    "South",
    "East",
    "West",
    "Plaza",
    "Market",
    "Park",
    "Station",
    "Mill",
    "Bridge",
]
BRANCH_TYPES = ["urban", "suburban", "rural"]

FIRST_F = [
    "Mary",
    "Linda",
    "Susan",
    "Karen",
    "Lisa",
    "Nancy",
    "Emily",
    "Emma",
    "Olivia",
    "Sophia",
    "Ava",
    "Grace",
    "Chloe",
    "Laura",
    "Anna",
    "Rachel",
    "Megan",
    "Hannah",
    "Julia",
    "Maria",
]
FIRST_M = [
    "James",
    "John",
    "Robert",
    "Michael",
    "David",
    "William",
    "Daniel",
    "Thomas",
    "Joseph",
    "Kevin",
    "Brian",
    "Jason",
    "Ryan",
    "Ethan",
    "Noah",
    "Liam",
    "Lucas",
    "Mason",
    "Carlos",
    "Ahmed",
]
LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Nguyen",
    "Hill",
    "Green",
    "Adams",
    "Baker",
    "Nelson",
    "Carter",
]
STREETS = [
    "Oak",
    "Maple",
    "Pine",
    "Cedar",
    "Elm",
    "Washington",
    "Lake",
    "Hill",
    "Park",
    "Main",
    "Church",
    "River",
    "Sunset",
    "Highland",
    "Forest",
    "Meadow",
]
STREET_SUFFIX = ["St", "Ave", "Rd", "Blvd", "Ln", "Dr", "Ct"]
GENDERS = ["female", "male", "other", "unknown"]

OCCUPATIONS = [
    "executive",
    "physician",
    "lawyer",
    "engineer",
    "consultant",
    "retired",  # 0-5
    "teacher",
    "nurse",
    "clerk",
    "sales_associate",
    "technician",
    "driver",  # 6-11
    "warehouse_worker",
    "student",
    "software_developer",
    "designer",
    "marketing_specialist",  # 12-16
    "business_owner",
    "contractor",
    "shop_owner",
    "farmer",
    "unemployed",
    "other",  # 17-22
]
OCC_BY_TYPE = {
    AFF: [0, 1, 2, 3, 4, 5, 17],
    MASS: [6, 7, 8, 9, 10, 11, 12, 3, 22],
    YOUNG: [13, 14, 15, 16, 9, 8],
    SMB: [17, 18, 19, 20],
    DECL: [5, 8, 9, 11, 12, 21, 22],
    DORM: [5, 21, 13, 22, 8, 12],
}

TYPE_P = np.array([0.08, 0.46, 0.20, 0.08, 0.07, 0.11])
AGE_MEAN = np.array([56, 44, 25, 47, 52, 50])
AGE_SD = np.array([10, 13, 3.5, 10, 13, 18])
AGE_MIN = np.array([30, 20, 18, 24, 24, 18])
AGE_MAX = np.array([90, 85, 34, 80, 90, 95])
INCOME_MED = np.array([185_000, 54_000, 41_000, 98_000, 43_000, 28_000])
INCOME_SIG = np.array([0.45, 0.35, 0.30, 0.55, 0.35, 0.45])
CHURN_P = np.array([0.03, 0.06, 0.085, 0.05, 0.55, 0.05])
CONSENT_P = np.array([0.6, 0.65, 0.8, 0.7, 0.55, 0.45])
SALARIED_P = np.array([0.6, 0.9, 0.85, 0.0, 0.85, 0.15])
# product holding probabilities: savings, term_deposit, credit_card
SAV_P = np.array([0.85, 0.4, 0.3, 0.5, 0.35, 0.2])
TD_P = np.array([0.6, 0.08, 0.02, 0.15, 0.06, 0.05])
CC_P = np.array([0.75, 0.4, 0.5, 0.55, 0.3, 0.08])
ACCOUNT_PRODUCTS = ["current", "savings", "term_deposit", "credit_card"]
CUR, SAV, TD, CC = range(4)
# opening balance medians (USD) per type for current, savings, term deposit
BAL_CUR = np.array([28_000, 3_000, 1_300, 16_000, 2_300, 600])
BAL_SAV = np.array([90_000, 9_000, 2_500, 30_000, 6_000, 4_000])
BAL_TD = np.array([160_000, 25_000, 8_000, 60_000, 20_000, 15_000])
ROLES = ["teller", "loan_officer", "relationship_manager", "call_centre_agent", "branch_manager"]
TELLER, LOAN_OFFICER, RM, CALL, MANAGER = range(5)


def make_branches(ctx: Ctx, rng: np.random.Generator) -> dict:
    n = max(3, round(ctx.customers / 20_000 * 12))
    city = np.arange(n) % len(CITIES)
    suffix = (np.arange(n) // len(CITIES)) % len(BRANCH_SUFFIX)
    names = [f"{CITIES[c][0]} {BRANCH_SUFFIX[s]}" for c, s in zip(city, suffix, strict=True)]
    extra = np.arange(n) // (len(CITIES) * len(BRANCH_SUFFIX))
    names = [nm if e == 0 else f"{nm} {e + 1}" for nm, e in zip(names, extra, strict=True)]
    names[0] = f"{CITIES[0][0]} Head Office"
    btype = choice_rows(rng, np.array([0.4, 0.35, 0.25]), np.arange(n))
    btype[0] = 0
    weight = np.array([1.7, 1.0, 0.45])[btype] * rng.lognormal(0, 0.3, n)
    weight[0] *= 1.3
    opened = rng.integers(-7300, 16_000, n)  # 1950..2013
    return {
        "n": n,
        "name": names,
        "city": city,
        "region": np.array([CITIES[c][1] for c in city]),
        "type": btype,
        "weight": weight / weight.sum(),
        "opened": opened,
    }


def make_customers(ctx: Ctx, rng: np.random.Generator, br: dict) -> dict:
    n = ctx.customers
    ctype = choice_rows(rng, TYPE_P, np.arange(n))
    age = np.clip(rng.normal(AGE_MEAN[ctype], AGE_SD[ctype]), AGE_MIN[ctype], AGE_MAX[ctype])
    birth = (ctx.end_day - age * 365.25).astype(np.int64) - rng.integers(0, 30, n)
    gender = choice_rows(rng, np.array([0.49, 0.49, 0.01, 0.01]), np.arange(n))
    female = gender == 0
    male = gender == 1
    other = ~(female | male)
    fn_f = rng.integers(0, len(FIRST_F), n)
    fn_m = rng.integers(0, len(FIRST_M), n)
    first = np.where(female | (other & (rng.random(n) < 0.5)), fn_f, fn_m + len(FIRST_F))
    last = rng.integers(0, len(LAST), n)

    income = INCOME_MED[ctype] * rng.lognormal(0, INCOME_SIG[ctype], n)
    income *= np.where(ctype == YOUNG, np.clip((age - 17) / 8, 0.5, 1.3), 1.0)
    income = np.round(np.clip(income, 6_000, 5_000_000), -2)
    occ = np.empty(n, dtype=np.int64)
    for t, opts in OCC_BY_TYPE.items():
        m = ctype == t
        occ[m] = np.asarray(opts)[rng.integers(0, len(opts), m.sum())]
    occ[(age >= 67) & (rng.random(n) < 0.8)] = 5
    income_missing = rng.random(n) < 0.03
    occ_missing = rng.random(n) < 0.05

    home = choice_rows(rng, br["weight"], np.arange(n))
    city = np.where(rng.random(n) < 0.85, br["city"][home], rng.integers(0, len(CITIES), n))

    # relationship start: most before the window, some during
    adult = add_months(birth, 18 * 12) + 1
    tenure_scale = np.array([12, 8, 3, 7, 10, 9])[ctype] * 365.25
    since = ctx.start_day - rng.exponential(tenure_scale).astype(np.int64)
    new = rng.random(n) < np.array([0.06, 0.12, 0.25, 0.12, 0.0, 0.0])[ctype]
    since = np.where(
        new, rng.integers(ctx.start_day, max(ctx.start_day + 1, ctx.end_day - 30), n), since
    )
    since = np.minimum(since, ctx.end_day - 30)
    since = np.maximum(since, adult)
    since = np.maximum(since, day_floor())

    # churn: close date at least 6 months into the window, relationship >= 9 months old
    window_days = ctx.end_day - ctx.start_day
    churner = rng.random(n) < CHURN_P[ctype]
    lo = np.maximum(ctx.start_day + min(183, window_days // 2), since + 270)
    churner &= lo < ctx.end_day - 5
    closed = np.full(n, NULL, dtype=np.int64)
    span = np.maximum(ctx.end_day - 5 - lo, 1)
    closed[churner] = lo[churner] + (rng.random(churner.sum()) * span[churner]).astype(np.int64)

    consent = rng.random(n) < CONSENT_P[ctype]
    salaried = rng.random(n) < SALARIED_P[ctype]
    salaried &= ~((age >= 67) & (ctype != AFF))
    # Behaviour parameters
    spend_ratio = np.clip(rng.normal(0.95, 0.05, n), 0.75, 1.08)
    credit_quality = rng.normal(0, 0.7, n)  # latent, partly unseen by the bank
    return {
        "n": n,
        "type": ctype,
        "age": age,
        "birth": birth,
        "gender": gender,
        "first": first,
        "last": last,
        "income": income,
        "income_missing": income_missing,
        "occupation": np.where(occ_missing, -1, occ),
        "home": home,
        "city": city,
        "since": since,
        "closed": closed,
        "churner": churner,
        "consent": consent,
        "salaried": salaried,
        "spend_ratio": spend_ratio,
        "credit_quality": credit_quality,
        "national_seq": (387_420_489 * np.arange(n, dtype=np.int64) + int(rng.integers(0, 10**9)))
        % 10**9,
        "phone_area": rng.integers(201, 990, n),
        "phone_num": rng.integers(0, 10_000_000, n),
        "street_no": rng.integers(1, 9_999, n),
        "street": rng.integers(0, len(STREETS), n),
        "street_suffix": rng.integers(0, len(STREET_SUFFIX), n),
    }


def day_floor() -> int:
    return -25_567  # 1900-01-01


def make_staff(ctx: Ctx, rng: np.random.Generator, br: dict, cust: dict) -> dict:
    """Staff as positions ("slots"); a slot may turn over once inside the window."""
    nb = br["n"]
    per_branch = np.bincount(cust["home"], minlength=nb).astype(float)
    tellers = np.maximum(2, np.round(per_branch / rng.uniform(550, 1300, nb))).astype(int)
    officers = np.maximum(1, np.round(per_branch / rng.uniform(1200, 2600, nb))).astype(int)
    rms = np.maximum(1, np.round(per_branch / 2500)).astype(int)
    slot_branch = []
    slot_role = []
    for role, counts in (
        (TELLER, tellers),
        (LOAN_OFFICER, officers),
        (RM, rms),
        (MANAGER, np.ones(nb, int)),
    ):
        slot_branch.append(np.repeat(np.arange(nb), counts))
        slot_role.append(np.full(counts.sum(), role))
    n_call = max(3, round(ctx.customers / 3000))
    slot_branch.append(np.zeros(n_call, int))
    slot_role.append(np.full(n_call, CALL))
    slot_branch = np.concatenate(slot_branch)
    slot_role = np.concatenate(slot_role)
    ns = len(slot_branch)

    # first holder hired long before the window (so pre-window loans have officers)
    first_hired = ctx.start_day - rng.integers(int(8.5 * 365), 30 * 365, ns)
    first_hired = np.maximum(first_hired, br["opened"][slot_branch])
    turnover = rng.random(ns) < np.where(slot_role == CALL, 0.45, 0.18)
    win = ctx.end_day - ctx.start_day
    switch = ctx.start_day + (rng.random(ns) * max(win - 10, 1)).astype(np.int64)
    prior_left = np.where(turnover, switch, NULL)
    # staff rows: first holders, then replacements, then people who left before the window
    repl = np.nonzero(turnover)[0]
    n_old = max(2, ns // 8)
    old_branch = rng.integers(0, nb, n_old)
    old_role = choice_rows(rng, np.array([0.6, 0.15, 0.15, 0.0, 0.1]), np.arange(n_old))
    old_left = ctx.start_day - rng.integers(30, 8 * 365, n_old)
    old_hired = old_left - rng.integers(200, 12 * 365, n_old)
    old_hired = np.maximum(old_hired, br["opened"][old_branch])
    staff_branch = np.concatenate([slot_branch, slot_branch[repl], old_branch])
    staff_role = np.concatenate([slot_role, slot_role[repl], old_role])
    staff_hired = np.concatenate([first_hired, switch[repl] + 1, old_hired])
    staff_left = np.concatenate([prior_left, np.full(len(repl), NULL), old_left])
    nst = len(staff_branch)
    # replacement index per slot
    current = np.arange(ns)
    current[repl] = ns + np.arange(len(repl))
    gender_f = rng.random(nst) < 0.55
    first = np.where(
        gender_f,
        rng.integers(0, len(FIRST_F), nst),
        len(FIRST_F) + rng.integers(0, len(FIRST_M), nst),
    )
    return {
        "n": nst,
        "branch": staff_branch,
        "role": staff_role,
        "hired": staff_hired,
        "left": staff_left,
        "first": first,
        "last": rng.integers(0, len(LAST), nst),
        "slot_branch": slot_branch,
        "slot_role": slot_role,
        "slot_first": np.arange(ns),
        "slot_current": current,
        "slot_switch": np.where(turnover, switch, NULL),
        "tellers": np.bincount(slot_branch[slot_role == TELLER], minlength=nb),
        "officers": np.bincount(slot_branch[slot_role == LOAN_OFFICER], minlength=nb),
    }


def pick_staff(
    st: dict, rng: np.random.Generator, role: int, branch: np.ndarray, day: np.ndarray
) -> np.ndarray:
    """Staff index holding a random slot of `role` at `branch` on `day`."""
    branch = np.asarray(branch, dtype=np.int64)
    sel = np.nonzero(st["slot_role"] == role)[0]
    sb = st["slot_branch"][sel]
    order = np.argsort(sb, kind="stable")
    sel = sel[order]
    sb = sb[order]
    nb = int(max(sb.max(), branch.max() if len(branch) else 0)) + 1
    counts = np.bincount(sb, minlength=nb)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    b = np.where(counts[branch] > 0, branch, sb[0])
    slot = sel[starts[b] + (rng.random(len(b)) * counts[b]).astype(np.int64)]
    sw = st["slot_switch"][slot]
    use_first = (sw == NULL) | (np.asarray(day) <= sw)
    return np.where(use_first, st["slot_first"][slot], st["slot_current"][slot])


def make_accounts(ctx: Ctx, rng: np.random.Generator, cust: dict) -> dict:
    n = cust["n"]
    t = cust["type"]
    since = cust["since"]
    closed = cust["closed"]
    last_day = np.where(closed == NULL, ctx.end_day, closed - 1)
    parts = []
    for prod, p in ((CUR, None), (SAV, SAV_P), (TD, TD_P), (CC, CC_P)):
        holder = np.ones(n, bool) if p is None else rng.random(n) < p[t]
        c = np.nonzero(holder)[0]
        if prod == CUR:
            opened = since[c]
        else:
            # opened some time after the relationship started (often long ago)
            span = np.maximum(last_day[c] - since[c], 0)
            opened = since[c] + (rng.random(len(c)) ** 2.5 * span).astype(np.int64)
        parts.append((c, np.full(len(c), prod), opened))
    cidx = np.concatenate([p[0] for p in parts])
    prod = np.concatenate([p[1] for p in parts])
    opened = np.concatenate([p[2] for p in parts])
    return finish_accounts(ctx, rng, cust, cidx, prod, opened)


def finish_accounts(ctx: Ctx, rng: np.random.Generator, cust: dict, cidx, prod, opened) -> dict:
    """Attributes for a set of accounts (customer index, product, opened day)."""
    m = len(cidx)
    t = cust["type"][cidx]
    closed = cust["closed"][cidx]
    inc = cust["income"][cidx]
    rate = np.select(
        [prod == CUR, prod == SAV, prod == TD, prod == CC],
        [
            rng.uniform(0.0005, 0.004, m),
            rng.uniform(0.01, 0.035, m),
            rng.uniform(0.03, 0.05, m),
            rng.uniform(0.17, 0.27, m),
        ],
    )
    rate = np.round(rate, 4)
    limit = np.where(
        prod == CC, np.clip(np.round(inc * rng.uniform(0.08, 0.3, m), -2), 500, 100_000), 0
    )
    # opening balance at window start (accounts opened before the window)
    sig = rng.normal(0, 0.9, m)
    bal = np.select(
        [prod == CUR, prod == SAV, prod == TD],
        [BAL_CUR[t] * np.exp(sig), BAL_SAV[t] * np.exp(sig), BAL_TD[t] * np.exp(0.6 * sig)],
        default=0.0,
    )
    revolver = rng.random(m) < 0.35
    bal = np.where(
        prod == CC,
        -limit * np.where(revolver, rng.uniform(0.1, 0.6, m), rng.uniform(0.0, 0.1, m)),
        bal,
    )
    bal = np.where(opened < ctx.start_day, bal, 0.0)
    return {
        "customer": np.asarray(cidx, dtype=np.int64),
        "product": np.asarray(prod, dtype=np.int64),
        "opened": np.asarray(opened, dtype=np.int64),
        "closed": np.where((closed != NULL) & (closed >= opened), closed, NULL),
        "rate": rate,
        "limit": limit,
        "open_balance": np.round(bal * 100).astype(np.int64),
        "revolver": revolver,
        "branch": cust["home"][cidx],
    }


def concat_accounts(a: dict, b: dict) -> dict:
    return {k: np.concatenate([a[k], b[k]]) for k in a}


def finalize_accounts(acc: dict) -> dict:
    """Order accounts by opening date (ids are assigned in this order)."""
    order = np.lexsort((acc["product"], acc["customer"], acc["opened"]))
    out = {k: v[order] for k, v in acc.items()}
    out["n"] = len(order)
    return out


def current_account_of(acc: dict, n_customers: int) -> np.ndarray:
    cur = np.full(n_customers, -1, dtype=np.int64)
    idx = np.nonzero(acc["product"] == CUR)[0]
    cur[acc["customer"][idx][::-1]] = idx[::-1]
    return cur
