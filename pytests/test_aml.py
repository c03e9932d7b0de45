"""AML rules against the generator's hidden truth, and their incremental build.

One generated bank (3,000 customers x 12 months) is built once per session
(``conftest.aml_bank``, shared with the anomaly-score evaluation). The truth files
(``truth/aml_cases.parquet``, ``truth/aml_case_transactions.parquet``) are read here only,
never by a model.

Definitions used by the evaluation:

- a case's window runs from the date of its first to the date of its last injected transaction;
- an alert *matches* a case when it is on the case's customer and its window (dates of its
  first and last evidence transaction) overlaps the case's window, both ends inclusive;
- customer recall of a typology: share of its cases matched by at least one alert of any rule;
- transaction recall of a typology: share of its injected transactions named in the evidence of
  an alert matching their case;
- precision: share of alerts matching a case of any typology;
- alert volume: alerts per 1,000 customers over the whole period.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import AML_BANK, AML_SELECT, run_dbt

ROOT = Path(__file__).resolve().parents[1]
CUSTOMERS, MONTHS, SEED = AML_BANK["customers"], AML_BANK["months"], AML_BANK["seed"]
TYPOLOGIES = [
    "structuring",
    "rapid_pass_through",
    "cross_border_burst",
    "dormant_reactivation",
    "card_fraud_burst",
]
MIN_RECALL, MIN_PRECISION, MAX_ALERTS_PER_1000 = 0.9, 0.3, 40.0
SELECT = AML_SELECT


def build(raw: Path, db: Path, work: Path) -> None:
    run_dbt("seed", raw=raw, db=db, work=work)
    run_dbt("run", *SELECT, raw=raw, db=db, work=work)


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def bank(aml_bank) -> dict:
    """The session's AML bank (conftest.aml_bank: 3,000 customers x 12 months, seed 42)."""
    return aml_bank


def evaluate(db: Path, truth: Path) -> dict:
    """The evaluation of the module docstring on a built bank (also run by hand on the demo
    bank for the README figures)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute(f"""
            create temp table case_windows as
            select
                cases.case_id, cases.typology, cases.customer_id,
                min(cast(tx.transaction_at as date)) as start_date,
                max(cast(tx.transaction_at as date)) as end_date
            from read_parquet('{truth}/aml_cases.parquet') as cases
            inner join read_parquet('{truth}/aml_case_transactions.parquet') as case_tx
                on cases.case_id = case_tx.case_id
            inner join intermediate.int_transactions_enriched as tx
                on case_tx.transaction_id = tx.transaction_id
            group by all
        """)
        con.execute("""
            create temp table matches as
            select alerts.alert_id, alerts.evidence_transaction_ids, case_windows.*
            from intermediate.int_aml_alerts as alerts
            inner join case_windows
                on alerts.customer_id = case_windows.customer_id
                and cast(alerts.window_start_at as date) <= case_windows.end_date
                and cast(alerts.window_end_at as date) >= case_windows.start_date
        """)
        customer_recall = dict(
            con.execute("""
                select typology, avg(case when exists (select 1 from matches
                    where matches.case_id = case_windows.case_id) then 1.0 else 0.0 end)
                from case_windows group by typology
            """).fetchall()
        )
        transaction_recall = dict(
            con.execute(f"""
                select cases.typology, avg(case when exists (
                    select 1 from matches where matches.case_id = case_tx.case_id
                    and list_contains(string_split(matches.evidence_transaction_ids, ', '),
                                      case_tx.transaction_id)) then 1.0 else 0.0 end)
                from read_parquet('{truth}/aml_case_transactions.parquet') as case_tx
                inner join read_parquet('{truth}/aml_cases.parquet') as cases
                    on case_tx.case_id = cases.case_id
                group by cases.typology
            """).fetchall()
        )
        alerts, true_alerts = con.execute("""
            select count(*), count(*) filter (where alert_id in (select alert_id from matches))
            from intermediate.int_aml_alerts
        """).fetchone()
        (customers,) = con.execute(
            "select count(*) from staging.stg_core_banking__customers"
        ).fetchone()
        (mart_alerts,) = con.execute("select count(*) from marts.fct_aml_alerts").fetchone()
        by_rule = {
            rule: (count, round(matched / count, 3))
            for rule, count, matched in con.execute("""
                select rule_id, count(*),
                    count(*) filter (where alert_id in (select alert_id from matches))
                from intermediate.int_aml_alerts group by rule_id order by rule_id
            """).fetchall()
        }
    finally:
        con.close()
    return {
        "customer_recall": customer_recall,
        "transaction_recall": transaction_recall,
        "alerts": alerts,
        "mart_alerts": mart_alerts,
        "precision": true_alerts / alerts if alerts else 0.0,
        "alerts_per_1000_customers": 1000 * alerts / customers,
        "alerts_and_precision_by_rule": by_rule,
    }


@pytest.fixture(scope="module")
def evaluation(bank) -> dict:
    result = evaluate(bank["db"], bank["truth"])
    print(f"\nAML evaluation ({CUSTOMERS} customers, {MONTHS} months, seed {SEED}): {result}")
    return result


@pytest.mark.parametrize("typology", TYPOLOGIES)
def test_rules_find_the_injected_customers_of_each_typology(evaluation, typology):
    assert evaluation["customer_recall"][typology] >= MIN_RECALL, evaluation


def test_alerts_name_most_injected_transactions(evaluation):
    recall = evaluation["transaction_recall"]
    assert min(recall.values()) >= 0.5, recall


def test_overall_precision(evaluation):
    assert evaluation["precision"] >= MIN_PRECISION, evaluation


def test_alert_volume_is_workable(evaluation):
    assert 0 < evaluation["alerts_per_1000_customers"] <= MAX_ALERTS_PER_1000, evaluation


def test_mart_holds_every_alert_without_customer_ids(bank, evaluation):
    assert evaluation["mart_alerts"] == evaluation["alerts"]
    columns = {row[0] for row in query(bank["db"], "describe marts.fct_aml_alerts")}
    assert "customer_id" not in columns and "customer_key" in columns


@pytest.fixture(scope="module")
def two_runs(bank) -> dict:
    """Build the same bank in two runs: first without its last 45 days (and three late rows
    from just before the cut), then with everything by the daily selection; the last 45
    days hold several cases."""
    work = bank["work"]
    raw = work / "split" / "raw"
    shutil.copytree(bank["raw"], raw)
    parts = raw / "transactions"
    con = duckdb.connect()
    con.execute(f"create table all_tx as select * from read_parquet('{parts}/*.parquet')")
    (last_day,) = con.execute("select max(cast(transaction_at as date)) from all_tx").fetchone()
    con.execute(f"""
        create table held as
        select * from all_tx where cast(transaction_at as date) > date '{last_day}' - 45
        union all
        (select * from all_tx where cast(transaction_at as date) = date '{last_day}' - 46
         order by transaction_id limit 3)
    """)
    for part in sorted(parts.glob("*.parquet")):
        con.execute(f"""copy (select * from read_parquet('{part}')
                     where transaction_id not in (select transaction_id from held))
                     to '{part}.tmp' (format parquet)""")
        Path(f"{part}.tmp").replace(part)
    db = work / "split.duckdb"
    build(raw, db, work)
    first = alerts_of(db)
    con.execute(f"copy held to '{parts}/part-late.parquet' (format parquet)")
    # the second run is the one a bank schedules every day (selectors.yml)
    run_dbt("run", "--selector", "daily_monitoring", raw=raw, db=db, work=work)
    results = json.loads((work / "target" / "run_results.json").read_text())["results"]
    con.close()
    return {
        "raw": raw,
        "db": db,
        "daily_models": {result["unique_id"].split(".")[-1] for result in results},
        "first": first,
        "second": alerts_of(db),
        "full": alerts_of(bank["db"]),
        "weeks_second": customer_weeks(db),
        "weeks_full": customer_weeks(bank["db"]),
    }


def customer_weeks(db: Path) -> list[tuple]:
    return query(db, "select * from intermediate.int_aml_customer_weeks order by customer_week_key")


def alerts_of(db: Path) -> dict[str, tuple]:
    rows = query(
        db,
        "select alert_id, loaded_at, customer_key, rule_id, parameter_version, window_start_at, "
        "window_end_at, score, severity, evidence_transaction_ids, evidence_amounts "
        "from marts.fct_aml_alerts",
    )
    return {row[0]: row[1:] for row in rows}


def test_second_run_adds_alerts_and_keeps_the_earlier_ones(two_runs):
    first, second = two_runs["first"], two_runs["second"]
    assert first and set(second) > set(first)
    kept = [aid for aid in first if second[aid][0] == first[aid][0]]
    assert len(kept) >= len(first) // 2, "an incremental run should not rewrite old alerts"


def content(alerts: dict, model_alerts: bool) -> dict:
    """Alerts without loaded_at: those of the rules, or those of the anomaly score."""
    return {
        aid: row[1:] for aid, row in alerts.items() if (row[2] == "anomaly_score") == model_alerts
    }


def test_the_daily_run_leaves_the_customer_features_and_lending_alone(two_runs):
    """selectors.yml: the daily run rebuilds the transactions, the AML features, scores and
    alerts, but reads the anomaly score's peer segments (int_customer_rfm) as the first
    build left them, with the customer features and lending models behind them."""
    daily = two_runs["daily_models"]
    assert {
        "base_core_banking__transactions",
        "fct_transactions",
        "int_aml_customer_weeks",
        "transaction_anomaly_scores",
        "fct_aml_alerts",
        "dim_accounts",
    } <= daily
    left_alone = {"int_customer_rfm", "int_customer_features", "int_loan_performance"}
    assert not daily & left_alone
    assert not any("lending" in name for name in daily)


def test_incremental_alerts_equal_a_full_rebuild(two_runs):
    assert content(two_runs["second"], False) == content(two_runs["full"], False)


def test_anomaly_alerts_of_daily_runs_mostly_match_a_full_rebuild(two_runs):
    """The second run fits a new forest (its data reach 45 days past the first's), and
    every forest depends on the history its build saw (documented in int_aml_anomaly_alerts): not equal, but mostly the same
    customer-weeks, with scores a few points apart."""
    second, full = content(two_runs["second"], True), content(two_runs["full"], True)
    both = set(second) & set(full)
    print(f"\nanomaly alerts: daily runs {len(second)}, full rebuild {len(full)}, both {len(both)}")
    assert full and len(both) >= 0.5 * len(set(second) | set(full))
    assert all(abs(second[aid][5] - full[aid][5]) <= 5 for aid in both)


def anomaly_fits(db: Path) -> dict:
    """The scores' forests (version -> customer-weeks scored) and the stored forests."""
    scored = query(
        db, "select model_version, count(*) from ml.transaction_anomaly_scores group by 1"
    )
    stored = query(
        db,
        "select model_version, data_through, fitted_at from ml_store.fitted_models"
        " where model_name = 'transaction_anomaly'",
    )
    return {"scored": dict(scored), "stored": {row[0]: row[1:] for row in stored}}


def test_a_daily_run_scores_with_the_stored_forest_until_a_refit_is_due(two_runs, tmp_path):
    """The second run came 45 days after the first (var anomaly_refit_after_days: 28): it
    fitted and stored a new forest for the weeks it scored, and the earlier weeks keep the
    first forest's version. A run with nothing new then reuses the new forest: no fit is
    stored (a refit would store the same version again, with a new fitted_at) and the weeks
    it scores again keep their scores."""
    db = two_runs["db"]
    after_second = anomaly_fits(db)
    assert len(after_second["scored"]) == 2
    assert set(after_second["scored"]) <= set(after_second["stored"])
    first_through, second_through = sorted(
        through for through, _ in after_second["stored"].values()
    )
    assert (second_through - first_through).days >= 28
    scores_sql = "select * from ml.transaction_anomaly_scores order by customer_week_key"
    before = query(db, scores_sql)
    run_dbt("run", "-s", "transaction_anomaly_scores", raw=two_runs["raw"], db=db, work=tmp_path)
    assert anomaly_fits(db) == after_second
    assert query(db, scores_sql) == before


def test_incremental_customer_weeks_equal_a_full_rebuild(two_runs):
    """int_aml_customer_weeks recomputes only its last weeks (and reads 12 weeks before them
    for the baselines): after 45 days more it equals a full build, to float rounding."""
    second, full = two_runs["weeks_second"], two_runs["weeks_full"]
    assert len(second) == len(full) > 0
    for mine, theirs in zip(second, full, strict=True):
        assert len(mine) == len(theirs)
        for value, expected in zip(mine, theirs, strict=True):
            if isinstance(expected, float):
                assert value == pytest.approx(expected, rel=1e-12, abs=1e-12), (mine, theirs)
            else:
                assert value == expected, (mine, theirs)


KEY_TEST = ["test", "--select", "unique_int_aml_customer_weeks_customer_week_key"]


def bank_with_a_duplicate_week(bank, tmp_path: Path) -> tuple[Path, dt.date]:
    """A copy of the bank whose customer-weeks hold one row twice, in their second week."""
    db = tmp_path / "bank.duckdb"
    shutil.copy(bank["db"], db)
    con = duckdb.connect(str(db))
    ((week,),) = con.execute(
        "select min(week_start_date) + 7 from intermediate.int_aml_customer_weeks"
    ).fetchall()
    con.execute(
        "insert into intermediate.int_aml_customer_weeks select * from"
        f" intermediate.int_aml_customer_weeks where week_start_date = date '{week}' limit 1"
    )
    con.close()
    return db, week


def test_a_key_test_with_data_test_from_date_checks_only_the_rows_from_that_date(bank, tmp_path):
    """The daily run's key tests (where: week_start_date >= __data_test_from_week__, macro
    get_where_subquery): a duplicate customer-week fails the test without the var and with
    a date inside its week (the week holding the date is checked), and is not seen with a
    date in the week after."""
    db, week = bank_with_a_duplicate_week(bank, tmp_path)

    def exit_code(*extra: str) -> int:
        return run_dbt(*KEY_TEST, *extra, raw=bank["raw"], db=db, work=tmp_path, check=False)

    assert exit_code() != 0
    assert exit_code("--vars", f"{{data_test_from_date: {week + dt.timedelta(days=6)}}}") != 0
    assert exit_code("--vars", f"{{data_test_from_date: {week + dt.timedelta(days=7)}}}") == 0


def test_the_test_window_can_come_from_the_environment_without_a_new_parse(
    bank, tmp_path, monkeypatch
):
    """BANKMINE_DATA_TEST_FROM works as the var, and a new date does not make dbt parse
    the whole project again (a new var does)."""
    db, week = bank_with_a_duplicate_week(bank, tmp_path)
    log = tmp_path / "logs" / "dbt.log"

    def run_with(day: dt.date) -> tuple[int, str]:
        monkeypatch.setenv("BANKMINE_DATA_TEST_FROM", day.isoformat())
        start = log.stat().st_size if log.exists() else 0
        code = run_dbt(*KEY_TEST, raw=bank["raw"], db=db, work=tmp_path, check=False)
        with open(log, encoding="utf-8") as handle:
            handle.seek(start)
            return code, handle.read()

    assert run_with(week + dt.timedelta(days=6))[0] != 0
    code, output = run_with(week + dt.timedelta(days=7))
    assert code == 0
    # dbt says "Unable to do partial parsing because config vars ... have changed" when a
    # var changes, and "Starting full parse" when it parses from scratch
    for message in ("unable to do partial parsing", "full parse"):
        assert message not in output.lower(), "a new date should not re-parse the project"
