"""Synthetic bank data generator for bankmine.

``generate`` writes the raw export (``out_dir/raw``) that the dbt sources read, and the
hidden ground truth (``out_dir/truth``) used to check what the warehouse finds.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np

from ._util import Ctx
from .aml import TYPOLOGIES, plan_aml
from .branch_ops import make_operating_costs, make_rosters, make_tickets
from .codes import COUNTRIES, HIGH_RISK
from .crm import make_campaigns, make_feedback
from .entities import (
    concat_accounts,
    current_account_of,
    finalize_accounts,
    finish_accounts,
    make_accounts,
    make_branches,
    make_customers,
    make_staff,
)
from .lending import ST_ARREARS, ST_DEFAULTED, ST_WRITTEN, make_lending
from .transactions import generate_transactions
from .writer import (
    Ids,
    accounts_arrays,
    applications_arrays,
    branches_arrays,
    campaigns_arrays,
    contacts_arrays,
    costs_arrays,
    customers_arrays,
    feedback_arrays,
    loans_arrays,
    schedule_arrays,
    shifts_arrays,
    staff_arrays,
    stages_arrays,
    tickets_arrays,
    write_table,
    write_truth,
)

__all__ = ["CASH_REPORTING_THRESHOLD", "CURRENCY", "RAW_TABLES", "generate"]

CURRENCY = "USD"
HOME_COUNTRY = "US"
CASH_REPORTING_THRESHOLD = 10_000
GENERATOR_VERSION = "1"
RAW_TABLES = [
    "branches",
    "customers",
    "accounts",
    "transactions",
    "loans",
    "loan_schedule",
    "loan_applications",
    "application_stages",
    "campaigns",
    "campaign_contacts",
    "customer_feedback",
    "staff",
    "service_tickets",
    "staff_shifts",
    "operating_costs",
]


def generate(
    customers: int,
    months: int,
    seed: int,
    out_dir: str | Path,
    end_date: str = "2026-09-30",
    progress: bool | None = None,
) -> dict:
    """Generate a synthetic bank; return {raw table name: row count}.

    Same (customers, months, seed, end_date) gives identical table contents.
    """
    if customers < 50:
        raise ValueError("customers must be at least 50")
    if not 1 <= months <= 600:
        raise ValueError("months must be between 1 and 600")
    if progress is None:
        progress = sys.stderr.isatty()
    out = Path(out_dir)
    for sub in ("raw", "truth"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
    (out / "raw").mkdir(parents=True, exist_ok=True)
    ctx = Ctx(int(customers), int(months), int(seed), str(end_date), bool(progress))

    ctx.log("customers, branches, staff, accounts")
    rng_e = ctx.rng("entities")
    br = make_branches(ctx, rng_e)
    cust = make_customers(ctx, rng_e, br)
    st = make_staff(ctx, ctx.rng("staff"), br, cust)
    rng_a = ctx.rng("accounts")
    acc = make_accounts(ctx, rng_a, cust)
    ctx.log("campaigns")
    camp, contacts, uplift, new_acc, takeup = make_campaigns(ctx, ctx.rng("campaigns"), cust)
    extra = finish_accounts(
        ctx, rng_a, cust, new_acc["customer"], new_acc["product"], new_acc["opened"]
    )
    acc = finalize_accounts(concat_accounts(acc, extra))
    cur_acc = current_account_of(acc, cust["n"])
    ctx.log("lending")
    lend = make_lending(ctx, ctx.rng("lending"), cust, cur_acc, st, br, takeup)
    L = lend["loans"]
    has_loan = np.zeros(cust["n"], bool)
    has_loan[L["customer"]] = True
    aml = plan_aml(ctx, ctx.rng("aml"), cust, acc, cur_acc, has_loan)

    tx = generate_transactions(ctx, cust, acc, lend, aml, out)
    ctx.log("rosters, service tickets, costs and feedback")
    roster = make_rosters(ctx, ctx.rng("rosters"), st, br)
    tickets, cust_wait = make_tickets(ctx, ctx.rng("tickets"), cust, st, br, roster)
    costs = make_operating_costs(ctx, ctx.rng("costs"), st, br, cust, camp)
    bad = np.isin(L["status"], [ST_ARREARS, ST_DEFAULTED, ST_WRITTEN])
    cust_bad_loan = np.zeros(cust["n"], float)
    cust_bad_loan[L["customer"][bad]] = 1.0
    fb = make_feedback(ctx, ctx.rng("feedback"), cust, st, cust_wait, cust_bad_loan)

    ctx.log("writing tables")
    I = Ids(
        {
            "branches": br["n"],
            "customers": cust["n"],
            "accounts": acc["n"],
            "staff": st["n"],
            "loans": lend["nl"],
            "applications": len(lend["apps"]["customer"]),
            "campaigns": camp["n"],
        }
    )
    counts = {
        "branches": write_table(out, "branches", branches_arrays(I, br)),
        "customers": write_table(out, "customers", customers_arrays(I, cust)),
        "accounts": write_table(out, "accounts", accounts_arrays(I, acc)),
        "transactions": int(tx["rows"]),
        "loans": write_table(out, "loans", loans_arrays(I, lend)),
        "loan_schedule": write_table(out, "loan_schedule", schedule_arrays(I, lend)),
        "loan_applications": write_table(out, "loan_applications", applications_arrays(I, lend)),
        "application_stages": write_table(out, "application_stages", stages_arrays(I, lend)),
        "campaigns": write_table(out, "campaigns", campaigns_arrays(I, camp)),
        "campaign_contacts": write_table(out, "campaign_contacts", contacts_arrays(I, contacts)),
        "customer_feedback": write_table(out, "customer_feedback", feedback_arrays(I, fb)),
        "staff": write_table(out, "staff", staff_arrays(I, st)),
        "service_tickets": write_table(out, "service_tickets", tickets_arrays(I, tickets)),
        "staff_shifts": write_table(out, "staff_shifts", shifts_arrays(I, roster)),
        "operating_costs": write_table(out, "operating_costs", costs_arrays(I, costs)),
    }
    truth_counts = write_truth(out, I, cust, aml, tx["case_tx"], uplift, lend)
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "customers": int(customers),
        "months": int(months),
        "seed": int(seed),
        "end_date": str(np.datetime64(ctx.end_day, "D")),
        "start_date": str(np.datetime64(ctx.start_day, "D")),
        "currency": CURRENCY,
        "home_country": HOME_COUNTRY,
        "cash_reporting_threshold": CASH_REPORTING_THRESHOLD,
        "high_risk_countries": [COUNTRIES[i] for i in HIGH_RISK],
        "aml_typologies": TYPOLOGIES,
        "raw_row_counts": counts,
        "truth_row_counts": truth_counts,
        "churners": int(cust["churner"].sum()),
        "transactions_per_active_customer_month": float(np.mean(tx["per_customer_month"])),
    }
    (out / "truth" / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    ctx.log(f"done: {sum(counts.values()):,} rows")
    return counts
