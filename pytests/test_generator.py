"""Tests for the synthetic bank generator (bankmine.generator)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from bankmine.generator import RAW_TABLES, generate

ROOT = Path(__file__).resolve().parents[1]
END_DATE = "2026-09-30"
N_CUSTOMERS = 1500
N_MONTHS = 12
ARROW_TYPES = {
    "varchar": pa.string(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "decimal(18,2)": pa.decimal128(18, 2),
    "double": pa.float64(),
    "integer": pa.int32(),
    "boolean": pa.bool_(),
}
TRUTH_ONLY_COLUMNS = {
    "customer_type",
    "is_churner",
    "churn_date",
    "typology",
    "true_uplift",
    "true_default_probability",
    "is_defaulter",
    "case_id",
}


def _contract() -> dict:
    tables = {}
    for f in sorted(ROOT.glob("models/staging/*/_*__sources.yml")):
        doc = yaml.safe_load(f.read_text())
        for src in doc["sources"]:
            for t in src["tables"]:
                meta = (t.get("config") or {}).get("meta") or {}
                cols = []
                for c in t["columns"]:
                    cmeta = (c.get("config") or {}).get("meta") or {}
                    cols.append(
                        {
                            "name": c["name"],
                            "type": c["data_type"],
                            "description": c.get("description", ""),
                            **cmeta,
                        }
                    )
                tables[t["name"]] = {"meta": meta, "columns": cols}
    return tables


CONTRACT = _contract()


def _codes(description: str) -> set[str]:
    text = re.sub(r"\([^)]*\)", "", description).strip().rstrip(".")
    parts = re.split(r",\s*|\s+or\s+", text)
    return {p.strip() for p in parts if re.fullmatch(r"[a-z_]+", p.strip())}


def _code_sets() -> dict[str, set[str]]:
    """code_set name -> allowed codes, parsed from the column descriptions."""
    sets: dict[str, set[str]] = {}
    for t in CONTRACT.values():
        for c in t["columns"]:
            if c.get("code_set"):
                codes = _codes(c["description"])
                if len(codes) >= 2:
                    sets.setdefault(c["code_set"], set()).update(codes)
    return sets


CODE_SETS = _code_sets()


def _raw_path(out: Path, table: str) -> Path:
    return out / "raw" / ("transactions" if table == "transactions" else f"{table}.parquet")


def _read(out: Path, table: str) -> pa.Table:
    if table == "transactions":
        files = sorted((out / "raw" / "transactions").glob("part-*.parquet"))
        return pa.concat_tables([pq.read_table(f) for f in files])
    return pq.read_table(_raw_path(out, table))


def _con(out: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for t in RAW_TABLES:
        p = _raw_path(out, t)
        glob = f"{p}/*.parquet" if t == "transactions" else str(p)
        con.execute(f"create view {t} as select * from read_parquet('{glob}')")
    for f in (out / "truth").glob("*.parquet"):
        con.execute(f"create view truth_{f.stem} as select * from read_parquet('{f}')")
    return con


@pytest.fixture(scope="module")
def bank(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bank")
    counts = generate(N_CUSTOMERS, N_MONTHS, 7, out, end_date=END_DATE, progress=False)
    assert set(counts) == set(RAW_TABLES)
    return out


@pytest.fixture(scope="module")
def con(bank):
    c = _con(bank)
    yield c
    c.close()


def q1(con, sql):
    return con.execute(sql).fetchone()


# --------------------------------------------------------------------------- layout / contract


def test_layout_and_manifest(bank):
    assert sorted(p.name for p in (bank / "raw").iterdir()) == sorted(
        [f"{t}.parquet" for t in RAW_TABLES if t != "transactions"] + ["transactions"]
    )
    parts = sorted(p.name for p in (bank / "raw" / "transactions").iterdir())
    assert len(parts) == N_MONTHS
    assert parts[0] == "part-2025-10.parquet" and parts[-1] == "part-2026-09.parquet"
    manifest = json.loads((bank / "truth" / "manifest.json").read_text())
    assert manifest["customers"] == N_CUSTOMERS
    assert manifest["months"] == N_MONTHS
    assert manifest["seed"] == 7
    assert manifest["end_date"] == END_DATE
    assert manifest["currency"] == "USD"
    assert manifest["cash_reporting_threshold"] == 10_000
    for name in (
        "customer_types",
        "aml_cases",
        "aml_case_transactions",
        "campaign_uplift",
        "loan_truth",
    ):
        assert (bank / "truth" / f"{name}.parquet").exists()


def test_contract_has_all_tables():
    assert set(CONTRACT) == set(RAW_TABLES)


@pytest.mark.parametrize("table", RAW_TABLES)
def test_columns_and_types_match_contract(bank, table):
    expected = [(c["name"], ARROW_TYPES[c["type"]]) for c in CONTRACT[table]["columns"]]
    if table == "transactions":
        schemas = [pq.read_schema(f) for f in (bank / "raw" / "transactions").glob("*.parquet")]
    else:
        schemas = [pq.read_schema(_raw_path(bank, table))]
    for schema in schemas:
        assert [(f.name, f.type) for f in schema] == expected
        assert not TRUTH_ONLY_COLUMNS & set(schema.names)


@pytest.mark.parametrize("table", RAW_TABLES)
def test_primary_keys_and_not_null(bank, con, table):
    pk = CONTRACT[table]["meta"]["primary_key"]
    n, distinct, nulls = q1(
        con, f"select count(*), count(distinct {pk}), count(*) - count({pk}) from {table}"
    )
    assert n > 0
    assert nulls == 0 and distinct == n
    for c in CONTRACT[table]["columns"]:
        if c.get("not_null"):
            assert q1(con, f"select count(*) from {table} where {c['name']} is null")[0] == 0, c


@pytest.mark.parametrize("table", RAW_TABLES)
def test_foreign_keys_resolve(con, table):
    for c in CONTRACT[table]["columns"]:
        ref = c.get("references")
        if not ref:
            continue
        parent, pcol = ref.split(".")
        missing = q1(
            con,
            f"select count(*) from {table} x where x.{c['name']} is not null and "
            f"x.{c['name']} not in (select {pcol} from {parent})",
        )[0]
        assert missing == 0, (table, c["name"])


def test_informal_references_resolve(con):
    checks = [
        ("loans", "application_id", "loan_applications", "application_id"),
        ("loans", "officer_staff_id", "staff", "staff_id"),
        ("loan_applications", "officer_staff_id", "staff", "staff_id"),
        ("application_stages", "staff_id", "staff", "staff_id"),
        ("service_tickets", "staff_id", "staff", "staff_id"),
        ("customer_feedback", "staff_id", "staff", "staff_id"),
    ]
    for t, c, p, pc in checks:
        assert (
            q1(
                con,
                f"select count(*) from {t} where {c} is not null and "
                f"{c} not in (select {pc} from {p})",
            )[0]
            == 0
        ), (t, c)


@pytest.mark.parametrize("table", RAW_TABLES)
def test_codes_and_value_ranges(con, table):
    for c in CONTRACT[table]["columns"]:
        name = c["name"]
        if c.get("code_set"):
            allowed = CODE_SETS[c["code_set"]]
            got = {
                r[0]
                for r in con.execute(
                    f"select distinct {name} from {table} where {name} is not null"
                ).fetchall()
            }
            assert got and got <= allowed, (table, name, got - allowed)
        if "min_value" in c:
            assert q1(con, f"select count(*) from {table} where {name} < {c['min_value']}")[0] == 0
        if "max_value" in c:
            assert q1(con, f"select count(*) from {table} where {name} > {c['max_value']}")[0] == 0


@pytest.mark.parametrize("table", RAW_TABLES)
def test_no_dates_after_end_or_before_1900(con, table):
    for c in CONTRACT[table]["columns"]:
        if c["type"] not in ("date", "timestamp"):
            continue
        name = c["name"]
        future_ok = c.get("may_be_future") or (table, name) == ("loans", "maturity_date")
        if not future_ok:
            n = q1(
                con,
                f"select count(*) from {table} where {name} >= date '{END_DATE}' + interval 1 day",
            )[0]
            assert n == 0, (table, name)
        assert q1(con, f"select count(*) from {table} where {name} < date '1900-01-01'")[0] == 0


def test_temporal_consistency(con):
    # transactions only while the account is open
    assert (
        q1(
            con,
            """
        select count(*) from transactions t join accounts a using (account_id)
        where t.transaction_at::date < a.opened_date
           or (a.closed_date is not null and t.transaction_at::date > a.closed_date)""",
        )[0]
        == 0
    )
    assert (
        q1(
            con,
            """
        select count(*) from accounts a join customers c using (customer_id)
        where a.opened_date < c.customer_since_date
           or (c.closed_date is not null and (a.closed_date is null
               or a.closed_date > c.closed_date))""",
        )[0]
        == 0
    )
    assert (
        q1(
            con,
            "select count(*) from customers where birth_date + interval 18 year "
            "> customer_since_date",
        )[0]
        == 0
    )
    assert q1(con, "select count(*) from staff where left_date < hired_date")[0] == 0
    assert (
        q1(
            con,
            """select count(*) from service_tickets where called_at < arrived_at
                      or completed_at < called_at
                      or (is_abandoned and called_at is not null)
                      or (not is_abandoned and called_at is null)""",
        )[0]
        == 0
    )
    assert q1(con, "select count(*) from application_stages where left_at < entered_at")[0] == 0
    assert (
        q1(
            con,
            """select count(*) from service_tickets
                      where hour(arrived_at) < 9 or hour(arrived_at) >= 17
                         or dayofweek(arrived_at) in (0, 6)""",
        )[0]
        == 0
    )


def test_amounts_and_running_balance(con):
    assert q1(con, "select min(amount) from transactions")[0] > 0
    # balance_after is a running balance per account ordered by (transaction_at, transaction_id)
    bad = q1(
        con,
        """
        with t as (
          select account_id, amount, balance_after_amount,
                 case direction when 'credit' then amount else -amount end as signed,
                 lag(balance_after_amount) over (partition by account_id
                     order by transaction_at, transaction_id) as prev
          from transactions)
        select count(*) from t where prev is not null and balance_after_amount <> prev + signed
    """,
    )[0]
    assert bad == 0
    # accounts of churners end at zero
    nonzero = q1(
        con,
        """
        with last as (
          select account_id, arg_max(balance_after_amount, (transaction_at, transaction_id)) b
          from transactions group by 1)
        select count(*) from last join accounts a using (account_id)
        where a.closed_date is not null and b <> 0""",
    )[0]
    assert nonzero == 0


def test_sizes(con):
    assert q1(con, "select count(*) from customers")[0] == N_CUSTOMERS
    assert q1(con, "select count(*) from branches")[0] == 3
    # transactions per active customer-month: ~4-6 on average
    rate = q1(
        con,
        """
        with months as (select unnest(generate_series(date '2025-10-01', date '2026-09-01',
                                                      interval 1 month)) as m),
        active as (select count(*) n from customers, months
                   where customer_since_date < m + interval 1 month
                     and (closed_date is null or closed_date > m))
        select (select count(*) from transactions) / n from active""",
    )[0]
    assert 3.5 < rate < 7.5, rate
    share_current = q1(
        con,
        """select avg((product_code = 'current')::int) from (
        select distinct customer_id, product_code from accounts)""",
    )[0]
    assert 0.4 < share_current < 0.8


# --------------------------------------------------------------------------- determinism


def _all_tables(out: Path) -> dict:
    tables = {t: _read(out, t) for t in RAW_TABLES}
    for f in (out / "truth").glob("*.parquet"):
        tables["truth_" + f.stem] = pq.read_table(f)
    return tables


def test_determinism(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    ca = generate(400, 8, 123, a, progress=False)
    cb = generate(400, 8, 123, b, progress=False)
    generate(400, 8, 124, c, progress=False)
    assert ca == cb
    ta, tb, tc = _all_tables(a), _all_tables(b), _all_tables(c)
    for name in ta:
        assert ta[name].equals(tb[name]), name
    differ = [n for n in ta if not (ta[n].num_rows == tc[n].num_rows and ta[n].equals(tc[n]))]
    assert {"customers", "transactions", "loans", "customer_feedback"} <= set(differ)
    # regenerating into the same folder overwrites
    generate(400, 8, 124, a, progress=False)
    assert _read(a, "customers").equals(tc["customers"])


# --------------------------------------------------------------------------- signals


def _case_tx(con, typology):
    rows = con.execute(f"""
        select c.case_id, t.transaction_id, t.transaction_type, t.amount::double, t.direction,
               t.transaction_at, t.counterparty_country, t.channel, t.merchant_category,
               t.account_id, c.account_id
        from truth_aml_cases c join truth_aml_case_transactions ct using (case_id)
        left join transactions t using (transaction_id)
        where c.typology = '{typology}' order by c.case_id, t.transaction_at""").fetchall()
    cases = {}
    for r in rows:
        assert r[1] is not None and r[2] is not None, "case transaction missing from raw"
        assert r[9] == r[10]
        cases.setdefault(r[0], []).append(r)
    assert len(cases) >= 1, typology
    return cases


def test_aml_case_volume(con):
    n_cases, n_cust = q1(con, "select count(*), count(distinct customer_id) from truth_aml_cases")
    assert n_cases == n_cust
    assert 5 <= n_cases <= max(5, 0.012 * N_CUSTOMERS)
    assert q1(con, "select count(distinct typology) from truth_aml_cases")[0] == 5


def test_aml_structuring(con):
    for rows in _case_tx(con, "structuring").values():
        assert len(rows) >= 3
        assert all(r[2] == "cash_deposit" and 9000 <= r[3] < 10000 for r in rows)
        assert (rows[-1][5] - rows[0][5]).days <= 7


def test_aml_rapid_pass_through(con):
    for rows in _case_tx(con, "rapid_pass_through").values():
        ins = [r for r in rows if r[2] == "transfer_in"]
        outs = [r for r in rows if r[2] == "transfer_out"]
        assert ins and len(ins) == len(outs)
        for i in ins:
            assert i[3] >= 20_000
            match = [
                o
                for o in outs
                if 0 < (o[5] - i[5]).total_seconds() <= 3 * 86400 and 0.79 <= o[3] / i[3] <= 0.96
            ]
            assert match


def test_aml_cross_border_burst(con):
    high_risk = {"IR", "KP", "MM", "AF", "SY", "YE"}
    for rows in _case_tx(con, "cross_border_burst").values():
        outs = [r for r in rows if r[2] == "transfer_out"]
        assert len(outs) >= 5
        assert all(r[6] not in (None, "US") for r in outs)
        assert any(r[6] in high_risk for r in outs)
        assert (outs[-1][5] - outs[0][5]).days <= 5


def test_aml_dormant_reactivation(con):
    for case_id, rows in _case_tx(con, "dormant_reactivation").items():
        first = rows[0][5]
        prior = q1(
            con,
            f"""select count(*) from transactions where account_id = '{rows[0][9]}'
                           and transaction_at < timestamp '{first}'""",
        )[0]
        assert prior == 0, case_id
        assert (first - datetime(2025, 10, 1)).days >= 180
        assert sum(r[3] for r in rows if r[4] == "credit") >= 40_000


def test_aml_card_fraud_burst(con):
    for rows in _case_tx(con, "card_fraud_burst").values():
        assert len(rows) >= 5
        assert all(r[2] == "card_payment" and r[7] == "pos" for r in rows)
        assert (rows[-1][5] - rows[0][5]).total_seconds() <= 2 * 3600
        assert sum(r[6] != "US" for r in rows) >= len(rows) // 2


def test_churn_signal(con):
    share = q1(con, "select avg(is_churner::int) from truth_customer_types")[0]
    assert 0.06 <= share <= 0.13
    assert (
        q1(
            con,
            """select count(*) from truth_customer_types t join customers c
                      using (customer_id)
                      where t.churn_date is distinct from c.closed_date""",
        )[0]
        == 0
    )
    early, late = q1(
        con,
        """
        with ch as (select customer_id, churn_date from truth_customer_types where is_churner
                    and churn_date >= date '2025-10-01' + interval 7 month),
        tx as (select a.customer_id, t.transaction_at::date d from transactions t
               join accounts a using (account_id)
               where t.transaction_type not in ('loan_repayment', 'fee', 'interest')),
        per as (select ch.customer_id,
                  count(*) filter (where d < churn_date - interval 3 month
                                   and d >= churn_date - interval 6 month) / 3.0 early,
                  count(*) filter (where d >= churn_date - interval 3 month
                                   and d < churn_date) / 3.0 late
                from ch left join tx using (customer_id) group by 1)
        select avg(early), avg(late) from per""",
    )
    assert late < 0.8 * early, (early, late)
    # churners complain more in their last six months than other customers do
    churn_rate, other_rate = q1(
        con,
        """
        with c as (select t.customer_id, t.is_churner, t.churn_date from truth_customer_types t)
        select
          (select count(*) from customer_feedback f join c using (customer_id)
           where c.is_churner and f.feedback_type = 'complaint'
             and f.submitted_at >= c.churn_date - interval 6 month)
            / (select count(*) * 0.5 from c where is_churner),
          (select count(*) from customer_feedback f join c using (customer_id)
           where not c.is_churner and f.feedback_type = 'complaint') / (
            select count(*) * 1.0 from c where not is_churner)""",
    )
    assert churn_rate > 3 * other_rate


DTI = "(existing_debt_amount + 12 * installment_amount) / declared_income_amount"


def test_default_signal(con):
    dti_def, dti_ok = q1(
        con,
        f"""
        select avg({DTI}) filter (where t.is_defaulter), avg({DTI}) filter (where not t.is_defaulter)
        from loans l join truth_loan_truth t using (loan_id)""",
    )
    assert dti_def > 1.2 * dti_ok, (dti_def, dti_ok)
    observed = q1(con, "select avg((status in ('defaulted', 'written_off'))::int) from loans")[0]
    assert 0.02 <= observed <= 0.12, observed
    raw_def, raw_ok = q1(
        con,
        f"""
        select avg({DTI}) filter (where status in ('defaulted', 'written_off')),
               avg({DTI}) filter (where status in ('current', 'paid_off'))
        from loans""",
    )
    assert raw_def > raw_ok
    # status is consistent with the schedule as of end_date
    assert (
        q1(
            con,
            f"""
        select count(*) from loans l where status = 'current' and exists (
          select 1 from loan_schedule s where s.loan_id = l.loan_id
            and s.due_date < date '{END_DATE}' and s.paid_date is null)""",
        )[0]
        == 0
    )
    assert (
        q1(
            con,
            f"""
        select count(*) from loans l where status in ('in_arrears', 'defaulted') and not exists (
          select 1 from loan_schedule s where s.loan_id = l.loan_id
            and s.due_date < date '{END_DATE}'
            and (s.paid_date is null or s.paid_amount < s.due_amount))""",
        )[0]
        == 0
    )


def test_loans_consistent_with_transactions(con):
    # every in-window paid instalment appears as a loan_repayment of that amount
    n_paid, n_tx = q1(
        con,
        """
        select (select count(*) from loan_schedule where paid_date >= date '2025-10-01'),
               (select count(*) from transactions where transaction_type = 'loan_repayment')""",
    )
    assert n_paid == n_tx and n_paid > 0
    bad = q1(
        con,
        """
        select count(*) from loans l join loan_applications a using (application_id)
        where a.decision <> 'approved' or l.customer_id <> a.customer_id
           or l.originated_date < a.submitted_at::date""",
    )[0]
    assert bad == 0
    disb = q1(con, """select count(*) from loans where originated_date >= date '2025-10-01'""")[0]
    assert (
        disb
        == q1(
            con, "select count(*) from transactions where transaction_type = 'loan_disbursement'"
        )[0]
    )
    slow = con.execute("""
        select stage from application_stages where left_at is not null
        group by 1 order by median(epoch(left_at) - epoch(entered_at)) desc limit 1""").fetchone()
    assert slow[0] == "document_check"


def test_campaign_uplift(con):
    treated, control = q1(
        con,
        """
        select avg(is_converted::int) filter (where not is_control_group),
               avg(is_converted::int) filter (where is_control_group)
        from campaign_contacts""",
    )
    assert treated > control
    ctrl = q1(con, "select avg(is_control_group::int) from campaign_contacts")[0]
    assert 0.13 <= ctrl <= 0.27
    assert (
        q1(
            con,
            """select count(*) from campaign_contacts where is_control_group and
                      (contacted_at is not null or is_delivered is not null
                       or is_opened is not null or is_clicked is not null)""",
        )[0]
        == 0
    )
    assert q1(con, "select avg(true_uplift) from truth_campaign_uplift")[0] > 0


def test_customer_type_profiles(con):
    aff, mass = q1(
        con,
        """
        with last as (
          select account_id, arg_max(balance_after_amount, (transaction_at, transaction_id)) b
          from transactions group by 1),
        per as (select a.customer_id, sum(b) bal from last join accounts a using (account_id)
                group by 1)
        select avg(bal) filter (where customer_type = 'affluent'),
               avg(bal) filter (where customer_type = 'mass_market')
        from per join truth_customer_types using (customer_id)""",
    )
    assert aff > 3 * mass
    digital = q1(
        con,
        """
        select avg((channel in ('online', 'mobile'))::int) filter (
                   where customer_type = 'young_digital'),
               avg((channel in ('online', 'mobile'))::int) filter (
                   where customer_type = 'declining')
        from transactions t join accounts a using (account_id)
        join truth_customer_types using (customer_id)
        where transaction_type in ('transfer_in', 'transfer_out')""",
    )
    assert digital[0] > 0.85 and digital[0] > digital[1] + 0.2
    null_income = q1(con, "select avg((annual_income_amount is null)::int) from customers")[0]
    assert 0.01 <= null_income <= 0.06


def test_service_queue_and_feedback(con):
    # hours with more arrivals per teller on the branch have longer waits
    corr = q1(
        con,
        """
        with tel as (select branch_id, count(*) n from staff where role = 'teller'
                     and left_date is null group by 1),
        h as (select branch_id, date_trunc('hour', arrived_at) hr, count(*) arrivals,
                     avg(epoch(called_at) - epoch(arrived_at)) / 60 wait
              from service_tickets group by 1, 2)
        select corr(arrivals / n, wait) from h join tel using (branch_id)""",
    )[0]
    assert corr > 0.2, corr
    per_cust_year = q1(con, f"select count(*) / {N_CUSTOMERS}.0 from service_tickets")[0]
    assert 0.5 < per_cust_year < 6
    churn_nps, other_nps = q1(
        con,
        """
        select avg(nps_score) filter (where t.is_churner
                                      and f.submitted_at >= t.churn_date - interval 6 month),
               avg(nps_score) filter (where not t.is_churner)
        from customer_feedback f join truth_customer_types t using (customer_id)
        where f.feedback_type = 'survey'""",
    )
    assert churn_nps < other_nps - 1


def test_campaign_take_up_opens_accounts(con):
    n_conv, n_missing = q1(
        con,
        """
        select count(*), count(*) filter (where not exists (
            select 1 from accounts a where a.customer_id = k.customer_id
              and a.product_code = c.product_code
              and a.opened_date = k.converted_at::date))
        from campaign_contacts k join campaigns c using (campaign_id)
        where k.is_converted and c.product_code in ('savings', 'term_deposit', 'credit_card')""",
    )
    assert n_conv > 0 and n_missing == 0
    n_loan_missing = q1(
        con,
        """
        select count(*) filter (where not exists (
            select 1 from loan_applications a where a.customer_id = k.customer_id
              and a.product_code = c.product_code and a.submitted_at = k.converted_at))
        from campaign_contacts k join campaigns c using (campaign_id)
        where k.is_converted and c.product_code in ('personal', 'auto', 'mortgage')""",
    )[0]
    assert n_loan_missing == 0
    assert (
        q1(
            con,
            """select count(*) from campaign_contacts k join campaigns c
                      using (campaign_id) where k.is_converted and
                      (k.converted_at::date < c.start_date or k.converted_at::date > c.end_date
                       or k.converted_at < k.contacted_at)""",
        )[0]
        == 0
    )


def test_waiting_lowers_satisfaction(con):
    short, long_ = q1(
        con,
        """
        with w as (select customer_id, avg(epoch(called_at) - epoch(arrived_at)) / 60 wait
                   from service_tickets where customer_id is not null and called_at is not null
                   group by 1)
        select avg(nps_score) filter (where wait < 5), avg(nps_score) filter (where wait > 15)
        from customer_feedback join w using (customer_id) where feedback_type = 'survey'""",
    )
    assert long_ < short


def test_tickets_are_served_by_rostered_tellers(con):
    # every served ticket's teller has a shift at that branch covering the call time
    unrostered = q1(
        con,
        """
        select count(*) from service_tickets as tickets
        where tickets.called_at is not null
          and not exists (
            select 1 from staff_shifts as shifts
            where shifts.staff_id = tickets.staff_id
              and shifts.branch_id = tickets.branch_id
              and shifts.shift_date = cast(tickets.arrived_at as date)
              and date_trunc('hour', tickets.arrived_at) >= date_trunc('hour', shifts.start_at)
              and date_trunc('hour', tickets.arrived_at) < shifts.end_at
          )
        """,
    )[0]
    served = q1(con, "select count(*) from service_tickets where called_at is not null")[0]
    assert served > 1000
    assert unrostered == 0
    # shifts fall on weekdays within opening hours
    assert q1(con, "select count(*) from staff_shifts where isodow(shift_date) > 5")[0] == 0
    assert q1(con, "select min(hour(start_at)) from staff_shifts")[0] >= 9
    assert q1(con, "select max(end_at - start_at) from staff_shifts")[0].total_seconds() <= 8 * 3600


def test_waits_are_longer_when_fewer_tellers_are_rostered(con):
    # the queue model uses the roster: hours with more load per rostered teller wait longer
    rows = con.execute(
        """
        with hours as (
            select branch_id, cast(arrived_at as date) as d, hour(arrived_at) as h,
                   count(*) as arrivals,
                   avg(epoch(called_at - arrived_at) / 60) as wait
            from service_tickets group by all
        ),
        rostered as (
            select branch_id, shift_date as d, h, count(*) as tellers
            from staff_shifts, range(9, 17) as t(h)
            where h >= hour(start_at) and h < hour(end_at) group by all
        )
        select arrivals * 1.0 / tellers >= 2 as busy, avg(wait)
        from hours join rostered using (branch_id, d, h)
        group by all order by busy
        """
    ).fetchall()
    quiet, busy = rows[0][1], rows[1][1]
    assert busy > quiet * 1.3


def test_operating_costs_cover_every_branch_month(con):
    months = q1(con, "select count(distinct cost_month) from operating_costs")[0]
    assert months == N_MONTHS
    missing = q1(
        con,
        """
        select count(*) from branches cross join (select distinct cost_month from operating_costs)
        where not exists (
            select 1 from operating_costs as costs
            where costs.branch_id = branches.branch_id and costs.cost_month = cost_month
              and costs.cost_category = 'staff')
        """,
    )[0]
    assert missing == 0
    # IT grows faster than premises (the cost mart's growth flag has something to find)
    growth = dict(
        con.execute(
            """
            select cost_category, sum(amount) filter (where cost_month = (select max(cost_month)
                from operating_costs)) / sum(amount) filter (where cost_month = (select
                min(cost_month) from operating_costs))
            from operating_costs group by all
            """
        ).fetchall()
    )
    assert growth["it"] > growth["premises"] * 1.1
