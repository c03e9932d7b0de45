"""Every query of the dashboard, in one place.

Each function takes an open, read-only connection to the BI serving copy (`bankmine publish`)
and the sidebar's `Filters`, and returns a pandas DataFrame. Values chosen by the user reach
DuckDB only as named parameters ($branch_id, $segment_name, $period_start, $period_end, ...),
never formatted into the SQL text.

Only the `marts` schema and the aggregate `ml.kpi_forecasts` are read, and only columns that
are pseudonymised (customer_key) or aggregated: no name, e-mail, phone, address, birth date or
natural customer id ever leaves this module.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from bankmine.publish import default_serving_path

SERVING_ENV = "BANKMINE_SERVING"
DEFAULT_DB = "warehouse/bank.duckdb"
# z of the 95% intervals (as the dbt macro wilson_bound)
Z_95 = 1.96


class ServingError(Exception):
    """The serving copy is missing, unreadable or lacks a table; the message says what to do."""


def serving_path() -> Path:
    """$BANKMINE_SERVING, else serving.duckdb next to $BANKMINE_DB (warehouse/ by default)."""
    chosen = os.environ.get(SERVING_ENV)
    if chosen:
        return Path(chosen).expanduser().resolve()
    return default_serving_path(Path(os.environ.get("BANKMINE_DB") or DEFAULT_DB))


def file_stamp(path: Path) -> tuple[int, int, int] | None:
    """(inode, size, mtime) of the file: changes when `bankmine publish` swaps in a new copy."""
    try:
        stat = Path(path).stat()
    except FileNotFoundError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


@contextmanager
def connect(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection for one unit of work, closed afterwards.

    Opened per use, never held: a republish (os.replace of the file) is picked up by the next
    connection, and a read-only connection takes no lock a writer would wait for.
    """
    path = Path(path)
    if not path.exists():
        raise ServingError(
            f"There is no serving copy at {path}. Build and publish the warehouse first "
            "(`make demo`, or `bankmine build` / `bankmine publish`), or point the environment "
            f"variable {SERVING_ENV} at the serving file."
        )
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise ServingError(f"The serving copy {path} cannot be opened: {error}") from error
    try:
        yield con
    finally:
        con.close()


@dataclass(frozen=True)
class Filters:
    """The sidebar's choices; None means all. Months are first days, month_to inclusive."""

    branch_id: str | None = None
    segment_name: str | None = None
    month_from: date | None = None
    month_to: date | None = None

    def params(self) -> dict[str, object]:
        period_end = None
        if self.month_to is not None:
            year, month = divmod(self.month_to.month, 12)
            period_end = date(self.month_to.year + year, month + 1, 1)
        return {
            "branch_id": self.branch_id,
            "segment_name": self.segment_name,
            "period_start": self.month_from,
            "period_end": period_end,
        }


ALL = Filters()
# every query function is f(con, filters, **options); those describing the whole copy ignore
# the filters
_PARAMETER = re.compile(r"\$([a-z_]+)")


def run(
    con: duckdb.DuckDBPyConnection, sql: str, filters: Filters = ALL, **extra: object
) -> pd.DataFrame:
    """Run sql with the named parameters it uses, taken from filters and extra."""
    available = {**filters.params(), **extra}
    used = set(_PARAMETER.findall(sql))
    missing = used - available.keys()
    if missing:
        raise ValueError(f"no value for parameters {sorted(missing)}")
    try:
        return con.execute(sql, {name: available[name] for name in used}).df()
    except (duckdb.CatalogException, duckdb.BinderException) as error:
        raise ServingError(
            f"The serving copy lacks a table or column the dashboard reads ({error}). "
            "Rebuild and republish the warehouse with this version of bankmine."
        ) from error


def _in_period(column: str) -> str:
    """SQL condition: column (a date or timestamp) falls in the chosen months."""
    return (
        f"(cast($period_start as date) is null or {column} >= $period_start)"
        f" and (cast($period_end as date) is null or {column} < $period_end)"
    )


# the two customer filters, on a query that joins marts.dim_customers as customers
CUSTOMER_FILTERS = """
    (cast($branch_id as varchar) is null or customers.home_branch_id = $branch_id)
    and (cast($segment_name as varchar) is null or customers.segment_name = $segment_name)
"""


# ---------------------------------------------------------------------------------------------
# sidebar and overview


def branches(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    return run(con, "select branch_id, branch_name from marts.dim_branches order by branch_id")


def segments(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    return run(
        con,
        """
        select distinct segment_name from marts.dim_customers
        where segment_name is not null order by segment_name
        """,
    )


def months(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    """Months of history: those of the bank's KPI series."""
    return run(
        con,
        """
        select distinct month_start from marts.fct_kpi_monthly
        where scope_type = 'bank' order by month_start
        """,
    )


def serving_info(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    """One row: when the copy was published, the as-of date it describes, tables in it."""
    return run(
        con,
        """
        select
            max(manifest.published_at) as published_at,
            (select max(as_of_date) from marts.dim_customers) as as_of_date,
            count(*) as table_count,
            sum(manifest.row_count) as row_count
        from main.publish_manifest as manifest
        """,
    )


def published_tables(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    return run(
        con,
        """
        select table_schema, table_name, row_count
        from main.publish_manifest order by table_schema, table_name
        """,
    )


# ---------------------------------------------------------------------------------------------
# segments: marts.dim_customers, marts.fct_customer_care_actions

_SEGMENT_CUSTOMERS = f"""
    customers as (
        select * from marts.dim_customers as customers
        where {CUSTOMER_FILTERS}
    )
"""


def segment_headline(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    return run(
        con,
        f"""
        with {_SEGMENT_CUSTOMERS}
        select
            count(*) as customers,
            count(*) filter (where lifecycle_status = 'active') as active_customers,
            count(distinct segment_name) as segments,
            cast(coalesce(sum(deposit_balance_amount), 0) as double) as deposit_balance_amount,
            cast(coalesce(sum(loan_balance_amount), 0) as double) as loan_balance_amount
        from customers
        """,
        filters,
    )


def segment_summary(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    """One row per segment: customers, their share, balances and the segment's playbook."""
    return run(
        con,
        f"""
        with {_SEGMENT_CUSTOMERS}
        select
            coalesce(segment_name, 'unsegmented') as segment_name,
            min(recommended_offer) as recommended_offer,
            min(recommended_channel) as recommended_channel,
            count(*) as customers,
            count(*) / sum(count(*)) over () as customer_share,
            count(*) filter (where lifecycle_status = 'active') as active_customers,
            cast(sum(deposit_balance_amount) as double) as deposit_balance_amount,
            cast(sum(loan_balance_amount) as double) as loan_balance_amount,
            cast(sum(card_balance_amount) as double) as card_balance_amount,
            cast(sum(deposit_balance_amount) as double) / count(*) as deposit_per_customer,
            avg(products_held) as mean_products_held,
            avg(digital_share) as mean_digital_share,
            avg(churn_probability) as mean_churn_probability
        from customers
        group by coalesce(segment_name, 'unsegmented')
        order by customers desc, segment_name
        """,
        filters,
    )


def segment_actions(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    """Customers on the relationship managers' care list, by segment and action."""
    return run(
        con,
        """
        select
            coalesce(actions.segment_name, 'unsegmented') as segment_name,
            actions.action_type,
            count(*) as customers,
            count(*) filter (where actions.is_high_value) as high_value_customers
        from marts.fct_customer_care_actions as actions
        where (cast($branch_id as varchar) is null or actions.home_branch_id = $branch_id)
            and (cast($segment_name as varchar) is null or actions.segment_name = $segment_name)
        group by coalesce(actions.segment_name, 'unsegmented'), actions.action_type
        order by segment_name, customers desc
        """,
        filters,
    )


def segment_next_best_offers(
    con: duckdb.DuckDBPyConnection, filters: Filters = ALL
) -> pd.DataFrame:
    """Customers by segment and their best next offer (rank 1; none when not eligible)."""
    return run(
        con,
        f"""
        with {_SEGMENT_CUSTOMERS}
        select
            coalesce(segment_name, 'unsegmented') as segment_name,
            coalesce(next_best_offer, 'none (not eligible)') as next_best_offer,
            count(*) as customers
        from customers
        group by coalesce(segment_name, 'unsegmented'), coalesce(next_best_offer, 'none (not eligible)')
        order by segment_name, customers desc
        """,
        filters,
    )


# ---------------------------------------------------------------------------------------------
# credit risk: marts.fct_loans (segment through marts.dim_customers)

_LOANS = f"""
    loans as (
        select loans.*
        from marts.fct_loans as loans
        left join marts.dim_customers as customers
            on loans.customer_key = customers.customer_key
        where (cast($branch_id as varchar) is null or loans.branch_id = $branch_id)
            and (cast($segment_name as varchar) is null or customers.segment_name = $segment_name)
            and {_in_period("loans.vintage_month")}
    )
"""


def credit_headline(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    return run(
        con,
        f"""
        with {_LOANS}
        select
            count(*) as loans,
            count(*) filter (where is_open) as open_loans,
            cast(coalesce(sum(outstanding_principal_amount) filter (where is_open), 0) as double)
                as outstanding_principal_amount,
            cast(coalesce(sum(expected_loss_amount) filter (where is_open), 0) as double)
                as expected_loss_amount,
            cast(sum(expected_loss_amount) filter (where is_open) as double)
                / nullif(sum(outstanding_principal_amount) filter (where is_open), 0)
                as expected_loss_rate,
            count(*) filter (where is_default) as defaulted_loans,
            count(*) filter (where is_default) / nullif(count(*), 0) as default_rate,
            avg(probability_of_default) filter (where is_open) as mean_probability_of_default
        from loans
        """,
        filters,
    )


def credit_grades(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    """Open loans by risk grade (unscored when the model could not grade them)."""
    return run(
        con,
        f"""
        with {_LOANS}
        select
            coalesce(risk_grade, 'unscored') as risk_grade,
            count(*) as open_loans,
            cast(sum(outstanding_principal_amount) as double) as outstanding_principal_amount,
            cast(sum(expected_loss_amount) as double) as expected_loss_amount,
            avg(probability_of_default) as mean_probability_of_default
        from loans
        where is_open
        group by coalesce(risk_grade, 'unscored')
        order by risk_grade
        """,
        filters,
    )


def credit_customer_grades(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    """Customers by the credit grade dim_customers gives them on the as-of date, and by
    where the grade comes from (an open loan's score, or the behavioural score)."""
    return run(
        con,
        f"""
        with {_SEGMENT_CUSTOMERS}
        select
            coalesce(risk_grade, 'not scored') as risk_grade,
            coalesce(credit_score_source, 'none') as score_source,
            count(*) as customers,
            avg(probability_of_default) as mean_probability_of_default
        from customers
        where lifecycle_status <> 'closed'
        group by coalesce(risk_grade, 'not scored'), coalesce(credit_score_source, 'none')
        order by risk_grade, score_source
        """,
        filters,
    )


def credit_loss_by_product(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    """Open loans by product: outstanding principal and expected loss."""
    return run(
        con,
        f"""
        with {_LOANS}
        select
            product_code,
            count(*) as open_loans,
            cast(sum(outstanding_principal_amount) as double) as outstanding_principal_amount,
            cast(coalesce(sum(expected_loss_amount), 0) as double) as expected_loss_amount,
            cast(sum(expected_loss_amount) as double)
                / nullif(sum(outstanding_principal_amount), 0) as expected_loss_rate
        from loans
        where is_open
        group by product_code
        order by expected_loss_amount desc, product_code
        """,
        filters,
    )


def credit_reason_codes(
    con: duckdb.DuckDBPyConnection, filters: Filters = ALL, limit: int = 10
) -> pd.DataFrame:
    """The reasons that raised the probability of default most often, among open loans."""
    return run(
        con,
        f"""
        with {_LOANS},
        reasons as (
            select loan_id, trim(unnest(string_split(reason_codes, ';'))) as reason
            from loans
            where is_open and reason_codes is not null
        ),
        counted as (
            select
                reason,
                count(distinct loan_id) as loans,
                count(distinct loan_id) / (select count(*) from loans where is_open) as share
            from reasons
            where reason <> ''
            group by reason
        )
        select * from counted order by loans desc, reason limit $limit
        """,
        filters,
        limit=limit,
    )


def credit_default_by_vintage(
    con: duckdb.DuckDBPyConnection, filters: Filters = ALL
) -> pd.DataFrame:
    return run(
        con,
        f"""
        with {_LOANS}
        select
            vintage_quarter,
            count(*) as loans,
            count(*) filter (where is_default) as defaulted_loans,
            count(*) filter (where is_default) / count(*) as default_rate,
            avg(probability_of_default) as mean_probability_of_default
        from loans
        group by vintage_quarter
        order by vintage_quarter
        """,
        filters,
    )


# ---------------------------------------------------------------------------------------------
# churn: marts.dim_customers, marts.fct_customer_care_actions

CHURN_BANDS = ["low", "medium", "high", "inactive", "closed"]


def churn_headline(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    return run(
        con,
        f"""
        with {_SEGMENT_CUSTOMERS},
        high_value as (
            select distinct customer_key
            from marts.fct_customer_care_actions
            where is_high_value
        )
        select
            count(customers.churn_probability) as scored_customers,
            avg(customers.churn_probability) as expected_churn_rate,
            coalesce(sum(customers.churn_probability), 0) as expected_churners,
            count(*) filter (where customers.churn_risk_band = 'high') as high_risk_customers,
            count(*) filter (
                where customers.churn_risk_band = 'high' and high_value.customer_key is not null
            ) as high_value_at_risk,
            cast(coalesce(sum(customers.deposit_balance_amount) filter (
                where customers.churn_risk_band = 'high'
            ), 0) as double) as high_risk_deposit_amount
        from customers
        left join high_value
            on customers.customer_key = high_value.customer_key
        """,
        filters,
    )


def churn_bands(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    return run(
        con,
        f"""
        with {_SEGMENT_CUSTOMERS}
        select
            churn_risk_band,
            count(*) as customers,
            cast(sum(deposit_balance_amount) as double) as deposit_balance_amount,
            avg(churn_probability) as mean_churn_probability
        from customers
        where churn_risk_band is not null
        group by churn_risk_band
        order by list_position($bands, churn_risk_band), churn_risk_band
        """,
        filters,
        bands=CHURN_BANDS,
    )


def churn_by_segment(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    return run(
        con,
        f"""
        with {_SEGMENT_CUSTOMERS}
        select
            coalesce(segment_name, 'unsegmented') as segment_name,
            churn_risk_band,
            count(*) as customers,
            avg(churn_probability) as mean_churn_probability
        from customers
        where churn_risk_band in ('low', 'medium', 'high')
        group by coalesce(segment_name, 'unsegmented'), churn_risk_band
        order by segment_name, list_position($bands, churn_risk_band)
        """,
        filters,
        bands=CHURN_BANDS,
    )


def churn_high_value_at_risk(
    con: duckdb.DuckDBPyConnection, filters: Filters = ALL, limit: int = 50
) -> pd.DataFrame:
    """Customers at high churn risk, most valuable (largest deposits) first.

    is_high_value as on the relationship managers' care list (fct_customer_care_actions:
    deposits in the top decile of open customers, or RFM champions). Pseudonymised key and
    banded attributes only.
    """
    return run(
        con,
        f"""
        with high_value as (
            select distinct customer_key
            from marts.fct_customer_care_actions
            where is_high_value
        )
        select
            customers.customer_key,
            high_value.customer_key is not null as is_high_value,
            customers.home_branch_id,
            customers.segment_name,
            customers.age_band,
            customers.tenure_band,
            customers.churn_probability,
            cast(customers.deposit_balance_amount as double) as deposit_balance_amount,
            cast(customers.loan_balance_amount as double) as loan_balance_amount,
            customers.products_held,
            customers.days_since_last_transaction,
            customers.rfm_segment,
            customers.next_best_offer,
            customers.recommended_channel
        from marts.dim_customers as customers
        left join high_value
            on customers.customer_key = high_value.customer_key
        where customers.churn_risk_band = 'high'
            and {CUSTOMER_FILTERS}
        order by
            is_high_value desc,
            customers.deposit_balance_amount desc nulls last,
            customers.customer_key
        limit $limit
        """,
        filters,
        limit=limit,
    )


# ---------------------------------------------------------------------------------------------
# AML: marts.fct_aml_alerts, marts.fct_aml_cases (branch and segment through dim_customers),
# marts.fct_compliance_monthly (bank-wide)

_ALERTS = f"""
    alerts as (
        select alerts.*
        from marts.fct_aml_alerts as alerts
        left join marts.dim_customers as customers
            on alerts.customer_key = customers.customer_key
        where {CUSTOMER_FILTERS}
            and {_in_period("alerts.window_start_at")}
    )
"""
_CASES = f"""
    cases as (
        select cases.*
        from marts.fct_aml_cases as cases
        left join marts.dim_customers as customers
            on cases.customer_key = customers.customer_key
        where {CUSTOMER_FILTERS}
            and {_in_period("cases.case_start_at")}
    )
"""
SEVERITIES = ["high", "medium", "low"]
PRIORITIES = ["critical", "high", "medium", "low"]


def aml_headline(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    return run(
        con,
        f"""
        with {_ALERTS}, {_CASES}
        select
            (select count(*) from alerts) as alerts,
            (select count(*) from alerts where severity = 'high') as high_severity_alerts,
            (select count(distinct customer_key) from alerts) as alerted_customers,
            (select count(*) from cases) as cases,
            (select count(*) from cases where priority in ('critical', 'high'))
                as critical_or_high_cases
        """,
        filters,
    )


def aml_alerts_by_rule(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    return run(
        con,
        f"""
        with {_ALERTS}
        select
            rule_id,
            severity,
            count(*) as alerts,
            count(distinct customer_key) as customers,
            avg(score) as mean_score
        from alerts
        group by rule_id, severity
        order by rule_id, list_position($severities, severity)
        """,
        filters,
        severities=SEVERITIES,
    )


def aml_alerts_monthly(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    """Alerts per month their window started (as fct_compliance_monthly counts them) and rule."""
    return run(
        con,
        f"""
        with {_ALERTS}
        select
            cast(date_trunc('month', window_start_at) as date) as month_start,
            rule_id,
            count(*) as alerts
        from alerts
        group by cast(date_trunc('month', window_start_at) as date), rule_id
        order by month_start, rule_id
        """,
        filters,
    )


def aml_compliance_monthly(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    """Bank-wide monthly alert rate and high-risk-country exposure (period filter only)."""
    return run(
        con,
        f"""
        select
            month_start,
            sum(alert_count) as alerts,
            max(customer_count) as customers,
            1000.0 * sum(alert_count) / nullif(max(customer_count), 0) as alerts_per_1000_customers,
            max(high_risk_country_customer_count) as high_risk_country_customers
        from marts.fct_compliance_monthly
        where {_in_period("month_start")}
        group by month_start
        order by month_start
        """,
        filters,
    )


def aml_cases(
    con: duckdb.DuckDBPyConnection, filters: Filters = ALL, limit: int = 50
) -> pd.DataFrame:
    """Cases to review first: by priority, then highest score."""
    return run(
        con,
        f"""
        with {_CASES}
        select
            case_id,
            customer_key,
            priority,
            rule_ids,
            alert_count,
            cast(max_score as double) as max_score,
            max_severity,
            has_high_risk_country,
            case_start_at,
            case_end_at,
            status
        from cases
        order by list_position($priorities, priority), max_score desc, case_id
        limit $limit
        """,
        filters,
        priorities=PRIORITIES,
        limit=limit,
    )


def aml_cases_by_priority(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    return run(
        con,
        f"""
        with {_CASES}
        select priority, count(*) as cases
        from cases
        group by priority
        order by list_position($priorities, priority)
        """,
        filters,
        priorities=PRIORITIES,
    )


# ---------------------------------------------------------------------------------------------
# campaigns: marts.fct_campaign_performance (its finest slices, summed up)

CAMPAIGN_DIMENSIONS = {
    "campaign": "campaign_name",
    "channel": "channel",
    "age_band": "age_band",
    "segment": "segment_name",
}


def _wilson(successes: pd.Series, trials: pd.Series, bound: str, z: float = Z_95) -> pd.Series:
    """Wilson score interval bound of successes / trials (NaN when trials is 0)."""
    n = trials.astype(float).where(trials > 0)
    p = successes.astype(float) / n
    centre = p + z * z / (2 * n)
    spread = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return ((centre - spread) if bound == "lower" else (centre + spread)) / (1 + z * z / n)


def with_uplift(frame: pd.DataFrame) -> pd.DataFrame:
    """Add conversion rates and the uplift with its 95% interval to summed campaign counts.

    Newcombe's hybrid score interval on Wilson bounds, as the dbt macro uplift_bound computes
    it for fct_campaign_performance, so a campaign's row here equals the mart's.
    """
    frame = frame.copy()
    treated_rate = frame["treated_converted"] / frame["treated"].where(frame["treated"] > 0)
    control_rate = frame["control_converted"] / frame["held_out"].where(frame["held_out"] > 0)
    treated_low = _wilson(frame["treated_converted"], frame["treated"], "lower")
    treated_high = _wilson(frame["treated_converted"], frame["treated"], "upper")
    control_low = _wilson(frame["control_converted"], frame["held_out"], "lower")
    control_high = _wilson(frame["control_converted"], frame["held_out"], "upper")
    uplift = treated_rate - control_rate
    frame["treated_conversion_rate"] = treated_rate
    frame["control_conversion_rate"] = control_rate
    frame["uplift"] = uplift
    frame["uplift_lower_95"] = uplift - np.sqrt(
        (treated_rate - treated_low) ** 2 + (control_high - control_rate) ** 2
    )
    frame["uplift_upper_95"] = uplift + np.sqrt(
        (treated_high - treated_rate) ** 2 + (control_rate - control_low) ** 2
    )
    frame["is_uplift_significant"] = (frame["uplift_lower_95"] > 0).fillna(False)
    frame["incremental_conversions"] = uplift * frame["treated"]
    return frame


_CAMPAIGN_SLICES = f"""
    slices as (
        select *
        from marts.fct_campaign_performance
        where breakdown_level = 'campaign_channel_segment_age'
            and (cast($segment_name as varchar) is null or segment_name = $segment_name)
            and {_in_period("campaign_start_date")}
    )
"""


def campaign_headline(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    """All campaigns pooled: contacted and control customers, conversions, uplift, cost."""
    frame = run(
        con,
        f"""
        with {_CAMPAIGN_SLICES}
        select
            count(distinct campaign_id) as campaigns,
            cast(coalesce(sum(treated), 0) as bigint) as treated,
            cast(coalesce(sum(held_out), 0) as bigint) as held_out,
            cast(coalesce(sum(treated_converted), 0) as bigint) as treated_converted,
            cast(coalesce(sum(control_converted), 0) as bigint) as control_converted,
            cast(coalesce(sum(cost_amount), 0) as double) as cost_amount,
            cast(coalesce(sum(incremental_revenue_amount), 0) as double)
                as incremental_revenue_amount
        from slices
        """,
        filters,
    )
    return with_uplift(frame)


def campaign_breakdown(
    con: duckdb.DuckDBPyConnection, filters: Filters = ALL, by: str = "channel"
) -> pd.DataFrame:
    """Counts summed by campaign, channel, age band or segment, with uplift intervals."""
    column = CAMPAIGN_DIMENSIONS[by]  # a fixed column name, never user text
    frame = run(
        con,
        f"""
        with {_CAMPAIGN_SLICES}
        select
            {column} as {by},
            count(distinct campaign_id) as campaigns,
            cast(sum(treated) as bigint) as treated,
            cast(sum(held_out) as bigint) as held_out,
            cast(sum(treated_converted) as bigint) as treated_converted,
            cast(sum(control_converted) as bigint) as control_converted,
            cast(sum(cost_amount) as double) as cost_amount
        from slices
        group by {column}
        order by {by}
        """,
        filters,
    )
    return with_uplift(frame)


# ---------------------------------------------------------------------------------------------
# operations: marts.fct_loan_process_stages, fct_loan_process_monthly,
# fct_branch_service_hourly, fct_branch_staffing_plan

_BRANCH = "(cast($branch_id as varchar) is null or branch_id = $branch_id)"


def operations_headline(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    return run(
        con,
        f"""
        with service as (
            select * from marts.fct_branch_service_hourly
            where {_BRANCH} and {_in_period("service_date")}
        ),
        stages as (
            select * from marts.fct_loan_process_stages
            where {_BRANCH} and {_in_period("entered_month")}
        ),
        plan as (
            select * from marts.fct_branch_staffing_plan where {_BRANCH}
        )
        select
            (select sum(mean_wait_minutes * served) / nullif(sum(served), 0) from service)
                as mean_wait_minutes,
            (select sum(served_within_target) / nullif(sum(served), 0) from service)
                as share_served_within_target,
            (select sum(abandoned) / nullif(sum(arrivals), 0) from service) as abandonment_rate,
            (select count(*) filter (where is_service_level_breached) / nullif(count(*), 0)
                from stages) as stage_breach_rate,
            (select count(*) from plan where staffing_status = 'under_staffed')
                as under_staffed_slots,
            (select coalesce(sum(-teller_gap) filter (where teller_gap < 0), 0) from plan)
                as teller_shortfall
        """,
        filters,
    )


def stage_durations(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    """Per loan-process stage: visits, median and 90th-percentile hours of completed visits."""
    return run(
        con,
        f"""
        select
            stage,
            min(stage_order) as stage_order,
            count(*) as stage_visits,
            count(*) filter (where not is_open) as completed_visits,
            median(duration_hours) filter (where not is_open) as median_duration_hours,
            quantile_cont(duration_hours, 0.9) filter (where not is_open) as p90_duration_hours,
            min(service_level_hours) as service_level_hours,
            count(*) filter (where is_service_level_breached) / count(*) as breach_rate
        from marts.fct_loan_process_stages
        where {_BRANCH} and {_in_period("entered_month")}
        group by stage
        order by stage_order nulls last, stage
        """,
        filters,
    )


def stage_breaches_monthly(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    """Per month and stage: visits begun and the share past the service level."""
    return run(
        con,
        f"""
        select
            month_start,
            stage,
            min(stage_order) as stage_order,
            sum(stage_visits) as stage_visits,
            sum(breached_visits) / nullif(sum(stage_visits), 0) as breach_rate,
            sum(total_hours) as total_hours
        from marts.fct_loan_process_monthly
        where {_BRANCH} and {_in_period("month_start")}
        group by month_start, stage
        order by month_start, stage_order
        """,
        filters,
    )


def wait_heatmap(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    """Per ISO day of week and hour: arrivals and the mean wait of served tickets."""
    return run(
        con,
        f"""
        select
            day_of_week,
            hour_of_day,
            sum(arrivals) as arrivals,
            sum(served) as served,
            sum(mean_wait_minutes * served) / nullif(sum(served), 0) as mean_wait_minutes,
            sum(served_within_target) / nullif(sum(served), 0) as share_served_within_target
        from marts.fct_branch_service_hourly
        where {_BRANCH} and {_in_period("service_date")}
        group by day_of_week, hour_of_day
        order by day_of_week, hour_of_day
        """,
        filters,
    )


def staffing_plan(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    """Per day of week and hour: tellers needed and rostered (summed over the chosen branches)
    and the worst branch's gap (tellers cannot move between branches within the hour)."""
    return run(
        con,
        f"""
        select
            day_of_week,
            hour_of_day,
            sum(tellers_needed) as tellers_needed,
            sum(mean_rostered_tellers) as mean_rostered_tellers,
            min(teller_gap) as worst_teller_gap,
            count(*) filter (where staffing_status = 'under_staffed') as under_staffed_branches
        from marts.fct_branch_staffing_plan
        where {_BRANCH}
        group by day_of_week, hour_of_day
        order by day_of_week, hour_of_day
        """,
        filters,
    )


def staffing_gaps(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    """Slots rostered below what the service target needs, largest shortfall first."""
    return run(
        con,
        f"""
        select
            branch_id,
            day_of_week,
            hour_of_day,
            arrivals_per_hour,
            tellers_needed,
            mean_rostered_tellers,
            teller_gap,
            observed_mean_wait_minutes,
            observed_share_within_target,
            staffing_status
        from marts.fct_branch_staffing_plan
        where {_BRANCH} and teller_gap < 0
        order by teller_gap, branch_id, day_of_week, hour_of_day
        """,
        filters,
    )


# ---------------------------------------------------------------------------------------------
# trends: marts.fct_kpi_monthly, ml.kpi_forecasts

KPIS = [
    "customers",
    "deposit_balance_amount",
    "transaction_count",
    "loans_originated",
    "principal_originated_amount",
    "fee_income_amount",
    "loan_defaults",
    "net_promoter_score",
]
_SCOPE = "scope_id = coalesce(cast($branch_id as varchar), 'bank')"


def kpi_history(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    """The bank's (or the chosen branch's) KPIs per month in the chosen period."""
    return run(
        con,
        f"""
        select month_start, kpi_name, kpi_value, sample_size, is_complete_month
        from marts.fct_kpi_monthly
        where {_SCOPE} and {_in_period("month_start")}
        order by kpi_name, month_start
        """,
        filters,
    )


def kpi_latest(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    """Per KPI: the last complete month in the period, its value and the month before's."""
    return run(
        con,
        f"""
        with complete as (
            select
                kpi_name,
                month_start,
                kpi_value,
                lag(kpi_value) over (partition by kpi_name order by month_start)
                    as previous_value,
                row_number() over (partition by kpi_name order by month_start desc) as recency
            from marts.fct_kpi_monthly
            where {_SCOPE} and is_complete_month and {_in_period("month_start")}
        )
        select kpi_name, month_start, kpi_value, previous_value
        from complete
        where recency = 1
        order by list_position($kpis, kpi_name), kpi_name
        """,
        filters,
        kpis=KPIS,
    )


def kpi_forecast(con: duckdb.DuckDBPyConnection, filters: Filters = ALL) -> pd.DataFrame:
    """Forecasts (all horizons) with their prediction interval; the period does not apply."""
    return run(
        con,
        f"""
        select
            kpi_name,
            forecast_month,
            horizon_months,
            forecast_value,
            lower_value,
            upper_value,
            coverage,
            method,
            history_months
        from ml.kpi_forecasts
        where {_SCOPE}
        order by kpi_name, forecast_month
        """,
        filters,
    )
