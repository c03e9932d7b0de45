"""Turn internal arrays into contract-typed Arrow tables and write Parquet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ._util import (
    CUSTOMER_TYPES,
    NULL,
    bool_array,
    code_array,
    date_array,
    dec_array,
    id_array,
    id_width,
    num_array,
    ts_array,
)
from .aml import TYPOLOGIES
from .branch_ops import COST_CATEGORIES, SERVICE_TYPES
from .crm import (
    CAMPAIGN_PRODUCTS,
    COMPLAINT_CATEGORIES,
    CONTACT_CHANNELS,
    FEEDBACK_CHANNELS,
    FEEDBACK_TYPES,
)
from .entities import (
    ACCOUNT_PRODUCTS,
    BRANCH_TYPES,
    CITIES,
    FIRST_F,
    FIRST_M,
    GENDERS,
    LAST,
    OCCUPATIONS,
    ROLES,
    STREET_SUFFIX,
    STREETS,
)
from .lending import COLLATERAL, DECISIONS, LOAN_PRODUCTS, LOAN_STATUS, PURPOSES, STAGES
from .schema import raw_schema


class Ids:
    """Identifier formats per entity."""

    def __init__(self, sizes: dict):
        self.w = {
            "B": id_width(sizes["branches"], 3),
            "C": id_width(sizes["customers"], 7),
            "A": id_width(sizes["accounts"], 8),
            "S": id_width(sizes["staff"], 4),
            "L": id_width(sizes["loans"], 7),
            "AP": id_width(sizes["applications"], 7),
            "CP": id_width(sizes["campaigns"], 3),
        }

    def __call__(self, prefix: str, idx) -> pa.Array:
        return id_array(prefix, idx, self.w[prefix])


def cents_of(x) -> np.ndarray:
    return np.round(np.nan_to_num(np.asarray(x, dtype=float)) * 100).astype(np.int64)


def _names(first_idx, last_idx):
    first = code_array(FIRST_F + FIRST_M, first_idx)
    last = code_array(LAST, last_idx)
    return first, last


def write_table(out: Path, name: str, arrays: list) -> int:
    tbl = pa.Table.from_arrays(arrays, schema=raw_schema(name))
    pq.write_table(tbl, out / "raw" / f"{name}.parquet", compression="zstd")
    return tbl.num_rows


def branches_arrays(I: Ids, br):
    n = br["n"]
    return [
        I("B", np.arange(n)),
        pa.array(br["name"], pa.string()),
        code_array([c for c, _ in CITIES], br["city"]),
        pa.array(br["region"].tolist(), pa.string()),
        code_array(BRANCH_TYPES, br["type"]),
        date_array(br["opened"]),
    ]


def customers_arrays(I: Ids, cust):
    n = cust["n"]
    first, last = _names(cust["first"], cust["last"])
    nid = pc.utf8_lpad(pc.cast(pa.array(cust["national_seq"]), pa.string()), width=9, padding="0")
    nid = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(nid, 0, 3),
        pc.utf8_slice_codeunits(nid, 3, 5),
        pc.utf8_slice_codeunits(nid, 5, 9),
        "-",
    )
    num = cust["phone_num"]
    phone = pc.binary_join_element_wise(
        "+1",
        pc.cast(pa.array(cust["phone_area"]), pa.string()),
        pc.utf8_lpad(pc.cast(pa.array(num // 10_000), pa.string()), width=3, padding="0"),
        pc.utf8_lpad(pc.cast(pa.array(num % 10_000), pa.string()), width=4, padding="0"),
        "-",
    )
    domain = code_array(
        ["example.com", "example.net", "example.org", "mail.example.com"], np.arange(n) % 4
    )
    email = pc.binary_join_element_wise(
        pc.utf8_lower(first),
        ".",
        pc.utf8_lower(last),
        pc.cast(pa.array(np.arange(n) + 1), pa.string()),
        "@",
        domain,
        "",
    )
    address = pc.binary_join_element_wise(
        pc.cast(pa.array(cust["street_no"]), pa.string()),
        code_array(STREETS, cust["street"]),
        code_array(STREET_SUFFIX, cust["street_suffix"]),
        " ",
    )
    return [
        I("C", np.arange(n)),
        first,
        last,
        nid,
        date_array(cust["birth"]),
        code_array(GENDERS, cust["gender"]),
        phone,
        email,
        address,
        code_array([c for c, _ in CITIES], cust["city"]),
        code_array(OCCUPATIONS, cust["occupation"]),
        dec_array(cents_of(cust["income"]), ~cust["income_missing"]),
        I("B", cust["home"]),
        date_array(cust["since"]),
        date_array(cust["closed"]),
        bool_array(cust["consent"]),
    ]


def accounts_arrays(I: Ids, acc):
    n = acc["n"]
    is_cc = acc["product"] == 3
    return [
        I("A", np.arange(n)),
        I("C", acc["customer"]),
        I("B", acc["branch"]),
        code_array(ACCOUNT_PRODUCTS, acc["product"]),
        pa.array(np.full(n, "USD"), pa.string()),
        date_array(acc["opened"]),
        date_array(acc["closed"]),
        dec_array(cents_of(acc["limit"]), is_cc),
        num_array(acc["rate"], pa.float64()),
    ]


def staff_arrays(I: Ids, st):
    first, last = _names(st["first"], st["last"])
    return [
        I("S", np.arange(st["n"])),
        I("B", st["branch"]),
        code_array(ROLES, st["role"]),
        first,
        last,
        date_array(st["hired"]),
        date_array(st["left"]),
    ]


def tickets_arrays(I: Ids, tk):
    n = len(tk["branch"])
    return [
        id_array("Q", np.arange(n), id_width(n, 9)),
        I("B", tk["branch"]),
        I("C", tk["customer"]),
        code_array(SERVICE_TYPES, tk["service"]),
        ts_array(tk["arrived"]),
        ts_array(tk["called"]),
        ts_array(tk["completed"]),
        I("S", tk["staff"]),
        bool_array(tk["abandoned"]),
    ]


def shifts_arrays(I: Ids, roster):
    n = len(roster["staff"])
    return [
        id_array("SH", np.arange(n), id_width(n, 7)),
        I("S", roster["staff"]),
        I("B", roster["branch"]),
        date_array(roster["day"]),
        ts_array(roster["start"]),
        ts_array(roster["end"]),
    ]


def costs_arrays(I: Ids, costs):
    n = len(costs["branch"])
    return [
        id_array("GL", np.arange(n), id_width(n, 6)),
        I("B", costs["branch"]),
        date_array(costs["month"]),
        code_array(COST_CATEGORIES, costs["category"]),
        dec_array(cents_of(costs["amount"])),
        date_array(costs["posted"]),
    ]


def loans_arrays(I: Ids, lend):
    L = lend["loans"]
    n = lend["nl"]
    return [
        I("L", np.arange(n)),
        I("C", L["customer"]),
        I("A", L["account"]),
        I("AP", L["application"]),
        I("B", L["branch"]),
        code_array(LOAN_PRODUCTS, L["product"]),
        dec_array(cents_of(L["principal"])),
        num_array(L["rate"], pa.float64()),
        num_array(L["term"].astype(np.int32), pa.int32()),
        dec_array(cents_of(L["installment"])),
        date_array(L["originated"]),
        date_array(L["maturity"]),
        code_array(LOAN_STATUS, L["status"]),
        date_array(L["status_day"]),
        code_array(PURPOSES, L["purpose"]),
        dec_array(cents_of(L["declared"])),
        num_array(L["emp"], pa.float64()),
        dec_array(cents_of(L["debt"])),
        code_array(COLLATERAL, L["collateral"]),
        bool_array(L["guarantor"]),
        I("S", L["officer"]),
    ]


def schedule_arrays(I: Ids, lend):
    S = lend["schedule"]
    n = len(S["loan"])
    paid = S["paid_day"] != NULL
    return [
        id_array("I", np.arange(n), id_width(n, 9)),
        I("L", S["loan"]),
        num_array(S["k"].astype(np.int32), pa.int32()),
        date_array(S["due"]),
        dec_array(cents_of(S["due_amt"])),
        dec_array(cents_of(S["principal"])),
        date_array(S["paid_day"]),
        dec_array(cents_of(S["paid_amt"]), paid),
    ]


def applications_arrays(I: Ids, lend):
    A = lend["apps"]
    n = len(A["customer"])
    return [
        I("AP", np.arange(n)),
        I("C", A["customer"]),
        I("B", A["branch"]),
        code_array(LOAN_PRODUCTS, A["product"]),
        dec_array(cents_of(A["amount"])),
        num_array(A["term"].astype(np.int32), pa.int32()),
        code_array(PURPOSES, A["purpose"]),
        dec_array(cents_of(A["declared"])),
        num_array(A["emp"], pa.float64()),
        dec_array(cents_of(A["debt"])),
        ts_array(A["submitted"]),
        code_array(DECISIONS, A["decision"]),
        ts_array(A["decided"]),
        I("S", A["officer"]),
    ]


def stages_arrays(I: Ids, lend):
    S = lend["stages"]
    n = len(S["app"])
    return [
        id_array("SE", np.arange(n), id_width(n, 9)),
        I("AP", S["app"]),
        code_array(STAGES, S["stage"]),
        ts_array(S["entered"]),
        ts_array(S["left"]),
        I("S", S["staff"]),
    ]


def campaigns_arrays(I: Ids, camp):
    n = camp["n"]
    names = [
        f"{CAMPAIGN_PRODUCTS[p].replace('_', ' ').title()} {CONTACT_CHANNELS[c]} "
        f"{str(np.datetime64(int(s), 'D'))[:7]}"
        for p, c, s in zip(camp["product"], camp["channel"], camp["start"], strict=True)
    ]
    return [
        I("CP", np.arange(n)),
        pa.array(names, pa.string()),
        code_array(CAMPAIGN_PRODUCTS, camp["product"]),
        code_array(CONTACT_CHANNELS, camp["channel"]),
        date_array(camp["start"]),
        date_array(camp["end"]),
        dec_array(cents_of(camp["cost"])),
    ]


def contacts_arrays(I: Ids, k):
    n = len(k["customer"])
    treated = ~k["control"]
    return [
        id_array("CT", np.arange(n), id_width(n, 8)),
        I("CP", k["campaign"]),
        I("C", k["customer"]),
        code_array(CONTACT_CHANNELS, k["channel"]),
        bool_array(k["control"]),
        ts_array(k["contacted"]),
        bool_array(k["delivered"], treated),
        bool_array(k["opened"], treated),
        bool_array(k["clicked"], treated),
        bool_array(k["converted"]),
        ts_array(k["converted_at"]),
    ]


def feedback_arrays(I: Ids, fb):
    n = len(fb["customer"])
    return [
        id_array("F", np.arange(n), id_width(n, 8)),
        I("C", fb["customer"]),
        I("B", fb["branch"]),
        code_array(FEEDBACK_CHANNELS, fb["channel"]),
        code_array(FEEDBACK_TYPES, fb["type"]),
        ts_array(fb["submitted"]),
        num_array(fb["nps"].astype(np.int32), pa.int32(), fb["nps"] >= 0),
        num_array(fb["csat"].astype(np.int32), pa.int32(), fb["csat"] >= 0),
        code_array(COMPLAINT_CATEGORIES, fb["category"]),
        ts_array(fb["resolved"]),
        I("S", fb["staff"]),
    ]


def write_truth(out: Path, I: Ids, cust, aml, case_tx, uplift, lend) -> dict:
    tdir = out / "truth"
    tdir.mkdir(parents=True, exist_ok=True)
    n = cust["n"]
    counts = {}

    def w(name, cols: dict):
        tbl = pa.table(cols)
        pq.write_table(tbl, tdir / f"{name}.parquet", compression="zstd")
        counts[name] = tbl.num_rows

    w(
        "customer_types",
        {
            "customer_id": I("C", np.arange(n)),
            "customer_type": code_array(CUSTOMER_TYPES, cust["type"]),
            "is_churner": bool_array(cust["churner"]),
            "churn_date": date_array(cust["closed"]),
        },
    )
    cases = aml["cases"]
    nc = len(cases["typology"])
    case_ids = id_array("K", np.arange(nc), 4)
    w(
        "aml_cases",
        {
            "case_id": case_ids,
            "typology": code_array(TYPOLOGIES, cases["typology"]),
            "customer_id": I("C", cases["customer"]),
            "account_id": I("A", cases["account"]),
        },
    )
    c_idx, t_idx = case_tx
    order = np.lexsort((t_idx, c_idx))
    w(
        "aml_case_transactions",
        {
            "case_id": id_array("K", c_idx[order], 4),
            "transaction_id": id_array("T", t_idx[order], 12),
        },
    )
    w(
        "campaign_uplift",
        {
            "campaign_id": I("CP", uplift["campaign"]),
            "customer_type": code_array(CUSTOMER_TYPES, uplift["type"]),
            "true_uplift": pa.array(uplift["uplift"], pa.float64()),
            "n_contacts": pa.array(uplift["n"], pa.int64()),
        },
    )
    L = lend["loans"]
    w(
        "loan_truth",
        {
            "loan_id": I("L", np.arange(lend["nl"])),
            "true_default_probability": pa.array(L["pd"], pa.float64()),
            "is_defaulter": bool_array(L["is_defaulter"]),
        },
    )
    return counts


__all__ = ["Ids", "write_table", "write_truth"]
