"""The dashboard (bankmine/dashboard) on a small generated bank's serving copy: every page
renders in Streamlit's AppTest with the numbers independent SQL gives, the filters and a
republish change them, and a real headless Chromium shows every page with its charts and no
error (screenshots under the module's tmp folder).

One bank (2,000 customers, 12 months: the size `make test` builds; the smallest with data on
every page that builds reliably) is generated, built and published once for the module.
"""

from __future__ import annotations

import base64
import contextlib
import inspect
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest
import yaml
from streamlit.testing.v1 import AppTest

from bankmine.contract import load_contract
from bankmine.dashboard import queries

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "bankmine" / "dashboard" / "app.py"
VIEWS = APP.parent / "views"
CUSTOMERS, MONTHS, SEED = 2000, 12, 42
# url path (= file in views/) -> title of the page
PAGES = {
    "overview": "bankmine dashboard",
    "segments": "Segments",
    "credit_risk": "Credit risk",
    "churn": "Churn",
    "aml_alerts": "AML alerts",
    "campaigns": "Campaigns",
    "operations": "Operations",
    "trends": "Trends",
}
# columns that would mean personal data reached a page: the raw contract's pii columns (also
# masked: no e-mail or phone at all), and the natural customer id
PERSONAL = {
    column.name for table in load_contract(ROOT) for column in table.columns if column.pii
} | {"customer_id"}


def personal(columns) -> list[str]:
    return [column for column in columns if any(name in column for name in PERSONAL)]


@pytest.fixture(scope="module")
def bank(tmp_path_factory) -> Path:
    """Generate, build and publish a small bank; returns its serving copy. `make test` builds
    the same bank (2,000 x 12, seed 42) in its dbt step first and passes its serving copy in
    BANKMINE_TEST_SERVING, so the build is not repeated: a copy of it is used, after checking
    it is that bank."""
    work = tmp_path_factory.mktemp("dashboard")
    given = os.environ.get("BANKMINE_TEST_SERVING")
    if given:
        serving = work / "serving.duckdb"
        shutil.copy(given, serving)
        customers = one(serving, "select count(*) from marts.dim_customers")[0]
        assert customers == CUSTOMERS, f"{given} is not the {CUSTOMERS}-customer test bank"
        return serving
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        "BANKMINE_SERVING": str(work / "serving.duckdb"),
    }
    command = [sys.executable, "-m", "bankmine", "demo", "--customers", str(CUSTOMERS)]
    command += ["--months", str(MONTHS), "--seed", str(SEED), "--out", str(work / "data")]
    command += ["--db", str(work / "bank.duckdb")]
    result = subprocess.run(command, check=False, cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    serving = work / "serving.duckdb"
    assert serving.exists()
    return serving


def one(serving: Path, sql: str, params: list | None = None) -> tuple:
    """First row of an independent query on the serving copy."""
    con = duckdb.connect(str(serving), read_only=True)
    try:
        return con.execute(sql, params or []).fetchone()
    finally:
        con.close()


# formats the pages promise (checked here against independent SQL)
def count(value) -> str:
    return f"{value:,.0f}"


def money(value) -> str:
    value = float(value)
    return f"${value / 1e6:,.2f}M" if abs(value) >= 1e6 else f"${value:,.0f}"


def percent(value, digits: int = 1) -> str:
    return f"{float(value) * 100:.{digits}f}%"


# ---------------------------------------------------------------------------------------------
# AppTest


@pytest.fixture
def app(bank, monkeypatch) -> AppTest:
    monkeypatch.setenv("BANKMINE_SERVING", str(bank))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_page(at: AppTest, page: str) -> dict[str, str]:
    """Switch to a page, check it rendered cleanly with a chart; its metrics by label."""
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert not at.warning, [w.value for w in at.warning]
    assert [title.value for title in at.title] == [PAGES[page]]
    assert at.get("vega_lite_chart"), f"no chart on {page}"
    for frame in at.dataframe:
        leaked = personal(frame.value.columns)
        assert not leaked, (page, leaked)
    return {metric.label: metric.value for metric in at.metric}


def test_every_page_renders_without_error(app):
    for page in PAGES:
        metrics = open_page(app, page)
        assert metrics, f"no headline figures on {page}"
        captions = " ".join(caption.value for caption in app.caption)
        assert re.search(r"Filters: |filters? do(es)? not apply", captions), page


def test_overview_and_segments_figures(app, bank):
    customers, active, deposits, loans, segments = one(
        bank,
        """
        select count(*), count(*) filter (where lifecycle_status = 'active'),
            sum(deposit_balance_amount), sum(loan_balance_amount), count(distinct segment_name)
        from marts.dim_customers
        """,
    )
    assert open_page(app, "overview")["Customers"] == count(customers)
    metrics = open_page(app, "segments")
    assert metrics["Customers"] == count(customers)
    assert metrics["Active customers"] == count(active)
    assert metrics["Segments"] == count(segments)
    assert metrics["Deposit balances"] == money(deposits)
    assert metrics["Loan balances"] == money(loans)
    shares = app.dataframe[0].value
    assert shares["customers"].sum() == customers
    assert shares["customer_share"].sum() == pytest.approx(1.0)


def test_credit_risk_figures(app, bank):
    open_loans, expected_loss, default_rate, loss_rate = one(
        bank,
        """
        select count(*) filter (where is_open),
            sum(expected_loss_amount) filter (where is_open),
            avg(case when is_default then 1.0 else 0.0 end),
            sum(expected_loss_amount) filter (where is_open)
                / sum(outstanding_principal_amount) filter (where is_open)
        from marts.fct_loans
        """,
    )
    metrics = open_page(app, "credit_risk")
    assert metrics["Open loans"] == count(open_loans)
    assert metrics["Expected loss"] == money(expected_loss)
    assert metrics["Default rate"] == percent(default_rate)
    assert metrics["Expected loss rate"] == percent(loss_rate, 2)


def test_churn_figures(app, bank):
    scored, churn_rate, high = one(
        bank,
        """
        select count(churn_probability), avg(churn_probability),
            count(*) filter (where churn_risk_band = 'high')
        from marts.dim_customers
        """,
    )
    metrics = open_page(app, "churn")
    assert metrics["Customers scored"] == count(scored)
    assert metrics["Expected churn rate"] == percent(churn_rate)
    assert metrics["High-risk customers"] == count(high)
    at_risk = app.dataframe[0].value
    assert len(at_risk) == min(high, 50)
    assert set(at_risk.columns) >= {"customer_key", "churn_probability", "is_high_value"}


def test_aml_figures(app, bank):
    alerts, high, customers = one(
        bank,
        """
        select count(*), count(*) filter (where severity = 'high'), count(distinct customer_key)
        from marts.fct_aml_alerts
        """,
    )
    (cases,) = one(bank, "select count(*) from marts.fct_aml_cases")
    metrics = open_page(app, "aml_alerts")
    assert metrics["Alerts"] == count(alerts)
    assert metrics["High-severity alerts"] == count(high)
    assert metrics["Customers alerted"] == count(customers)
    assert metrics["Cases"] == count(cases)


def test_campaign_figures_and_intervals_match_the_mart(app, bank):
    campaigns, treated, treated_rate, control_rate = one(
        bank,
        """
        select count(*), sum(treated), sum(treated_converted) / sum(treated),
            sum(control_converted) / sum(held_out)
        from marts.fct_campaign_performance
        where breakdown_level = 'campaign'
        """,
    )
    metrics = open_page(app, "campaigns")
    assert metrics["Campaigns"] == count(campaigns)
    assert metrics["Customers contacted"] == count(treated)
    assert metrics["Conversion, contacted"] == percent(treated_rate)
    assert metrics["Conversion, control"] == percent(control_rate)
    assert metrics["Uplift"] == f"{(treated_rate - control_rate) * 100:+.1f} pp"
    # the page sums the finest slices and recomputes the intervals: per campaign that must be
    # the mart's own campaign row, interval included
    shown = app.dataframe[-1].value.set_index("campaign").sort_index()
    con = duckdb.connect(str(bank), read_only=True)
    try:
        mart = (
            con.execute(
                """
                select campaign_name as campaign, treated, held_out, uplift, uplift_lower_95,
                    uplift_upper_95
                from marts.fct_campaign_performance where breakdown_level = 'campaign'
                """
            )
            .df()
            .set_index("campaign")
            .sort_index()
        )
    finally:
        con.close()
    assert list(shown.index) == list(mart.index)
    for column in ("treated", "held_out", "uplift", "uplift_lower_95", "uplift_upper_95"):
        assert shown[column].to_numpy() == pytest.approx(mart[column].to_numpy()), column


def test_operations_figures(app, bank):
    (wait,) = one(
        bank,
        """
        select sum(mean_wait_minutes * served) / sum(served)
        from marts.fct_branch_service_hourly
        """,
    )
    (under_staffed,) = one(
        bank,
        "select count(*) from marts.fct_branch_staffing_plan "
        "where staffing_status = 'under_staffed'",
    )
    metrics = open_page(app, "operations")
    assert metrics["Mean branch wait"] == f"{wait:,.1f} min"
    assert metrics["Under-staffed slots"] == count(under_staffed)


def test_trends_figures(app, bank):
    customers, deposits = one(
        bank,
        """
        select
            max_by(kpi_value, month_start) filter (where kpi_name = 'customers'),
            max_by(kpi_value, month_start) filter (where kpi_name = 'deposit_balance_amount')
        from marts.fct_kpi_monthly
        where scope_id = 'bank' and is_complete_month
        """,
    )
    metrics = open_page(app, "trends")
    assert metrics["Customers"] == count(customers)
    assert metrics["Deposit balances ($)"] == money(deposits)


def test_filters_narrow_the_figures(app, bank):
    branch, segment = one(
        bank,
        """
        select home_branch_id, segment_name from marts.dim_customers
        group by all order by count(*) desc, 1, 2 limit 1
        """,
    )
    (customers,) = one(
        bank,
        "select count(*) from marts.dim_customers where home_branch_id = ? and segment_name = ?",
        [branch, segment],
    )
    app.selectbox(key="filter_branch").set_value(branch)
    app.selectbox(key="filter_segment").set_value(segment)
    assert open_page(app, "segments")["Customers"] == count(customers)
    # a page the segment filter does not apply to says so, and ignores it
    (wait,) = one(
        bank,
        """
        select sum(mean_wait_minutes * served) / sum(served)
        from marts.fct_branch_service_hourly where branch_id = ?
        """,
        [branch],
    )
    assert open_page(app, "operations")["Mean branch wait"] == f"{wait:,.1f} min"
    assert "segment filter does not apply" in " ".join(c.value for c in app.caption)

    (months,) = one(
        bank,
        """
        select list(distinct month_start order by month_start) from marts.fct_kpi_monthly
        where scope_type = 'bank'
        """,
    )
    app.selectbox(key="filter_branch").set_value(None)
    app.selectbox(key="filter_segment").set_value(None)
    app.select_slider(key="filter_period").set_range(months[-6], months[-2])
    (alerts,) = one(
        bank,
        """
        select count(*) from marts.fct_aml_alerts
        where window_start_at >= ? and window_start_at < ? + interval 1 month
        """,
        [months[-6], months[-2]],
    )
    (all_alerts,) = one(bank, "select count(*) from marts.fct_aml_alerts")
    assert 0 < alerts < all_alerts
    assert open_page(app, "aml_alerts")["Alerts"] == count(alerts)


def test_missing_serving_copy_is_a_message(tmp_path, monkeypatch):
    monkeypatch.setenv("BANKMINE_SERVING", str(tmp_path / "none.duckdb"))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert "There is no serving copy" in at.warning[0].value
    assert "make demo" in at.warning[0].value


def test_a_republished_copy_is_read_at_once(bank, tmp_path, monkeypatch):
    """The dashboard holds no connection: a copy swapped in with os.replace shows next run."""
    serving = tmp_path / "serving.duckdb"
    shutil.copy(bank, serving)
    monkeypatch.setenv("BANKMINE_SERVING", str(serving))
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    before = open_page(at, "segments")["Customers"]

    fewer = tmp_path / "next.duckdb"
    shutil.copy(bank, fewer)
    con = duckdb.connect(str(fewer))
    con.execute(
        """
        delete from marts.dim_customers where customer_key in (
            select customer_key from marts.dim_customers order by customer_key limit 100
        )
        """
    )
    con.close()
    os.replace(fewer, serving)
    after = open_page(at, "segments")["Customers"]
    assert before == count(CUSTOMERS) and after == count(CUSTOMERS - 100)


# ---------------------------------------------------------------------------------------------
# what the pages read, and the exposures that declare it


def tables_read(query_names: set[str]) -> set[str]:
    found = set()
    for name in query_names:
        source = inspect.getsource(getattr(queries, name))
        found |= set(re.findall(r"\b(?:marts|ml)\.(\w+)", source))
        for constant in re.findall(r"\{(_[A-Z_]+)\}", source):
            found |= set(re.findall(r"\b(?:marts|ml)\.(\w+)", getattr(queries, constant)))
    return found


def test_pages_read_only_marts_and_forecasts():
    """The ml schema carries natural keys: of it the dashboard reads only the KPI forecasts."""
    source = Path(queries.__file__).read_text()
    read = set(re.findall(r"\b(?:from|join)\s+(\w+)\.(\w+)\b(?!\s+import)", source))
    assert {schema for schema, _ in read} == {"marts", "ml", "main"}
    assert {table for schema, table in read if schema == "ml"} == {"kpi_forecasts"}
    assert {table for schema, table in read if schema == "main"} == {"publish_manifest"}


def test_exposures_declare_every_page_and_what_it_reads():
    exposures = yaml.safe_load((ROOT / "models/marts/_marts__exposures.yml").read_text())
    by_url = {
        exposure["url"].removeprefix("http://localhost:8501/") or "overview": exposure
        for exposure in exposures["exposures"]
    }
    assert set(by_url) == set(PAGES)
    sidebar = set(re.findall(r'load\("(\w+)"', (APP.parent / "ui.py").read_text()))
    for page, exposure in by_url.items():
        assert exposure["type"] == "dashboard" and exposure["owner"]["email"]
        declared = {re.fullmatch(r"ref\('(\w+)'\)", ref)[1] for ref in exposure["depends_on"]}
        loaded = set(re.findall(r'load\(\s*"(\w+)"', (VIEWS / f"{page}.py").read_text()))
        assert tables_read(loaded | sidebar) - {"publish_manifest"} <= declared, page


# ---------------------------------------------------------------------------------------------
# a real browser


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    """End a process started in its own session, and its children."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


@pytest.fixture(scope="module")
def server(bank, tmp_path_factory):
    """`streamlit run` of the dashboard on a free port, reading the module's serving copy."""
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    command += ["--browser.gatherUsageStats", "false"]
    with log.open("w") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, "BANKMINE_SERVING": str(bank)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=5) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "streamlit did not answer:\n" + log.read_text()
            time.sleep(0.5)
        yield base
    finally:
        stop(process)


class Browser:
    """Headless Chromium driven over the Chrome DevTools Protocol (websockets, no driver)."""

    def __init__(self, profile: Path):
        from websockets.sync.client import connect

        self.process = subprocess.Popen(
            [
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            assert self.process.poll() is None, "chromium exited at start"
            assert time.monotonic() < deadline, "chromium did not open its debugging port"
            time.sleep(0.2)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as reply:
            target = next(t for t in json.load(reply) if t["type"] == "page")
        self.stack = contextlib.ExitStack()
        self.socket = self.stack.enter_context(
            connect(target["webSocketDebuggerUrl"], max_size=None, open_timeout=30)
        )
        self.next_id = 0
        self.events: list[dict] = []
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.call(f"{domain}.enable")

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=120))
            if message.get("id") == self.next_id:
                assert "error" not in message, (method, message["error"])
                return message["result"]
            self.events.append(message)

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"]["value"]

    def close(self) -> None:
        try:
            self.stack.close()
        finally:
            stop(self.process)


# What the page shows: read in the browser. Settled when the title is there, the app is not
# running, and every chart and table has drawn.
PAGE_STATE = """JSON.stringify((() => {
    const all = (selector) => Array.from(document.querySelectorAll(selector));
    const charts = all('[data-testid="stVegaLiteChart"]');
    const tables = all('[data-testid="stDataFrame"]').filter((e) => e.checkVisibility());
    const main = document.querySelector('[data-testid="stMain"]');
    return {
        title: all('h1').map((e) => e.innerText.trim()),
        running: all('[data-testid="stStatusWidget"]').length,
        exceptions: all('[data-testid="stException"]').map((e) => e.innerText.slice(0, 500)),
        errors: all('[data-testid="stAlertContentError"]').map((e) => e.innerText.slice(0, 500)),
        warnings: all('[data-testid="stAlertContentWarning"]').map((e) => e.innerText),
        charts: charts.length,
        drawn: charts.filter((e) => e.querySelector('canvas, svg')).length,
        tables: tables.length,
        tablesDrawn: tables.filter((e) => e.querySelector('canvas')).length,
        metrics: all('[data-testid="stMetricValue"]').map((e) => e.innerText),
        height: main ? main.scrollHeight : 0,
    };
})())"""
# Streamlit's client probes /<page>/_stcore/... before it knows the app's base path
BASE_PATH_PROBE = re.compile(r"/[\w-]+/_stcore/(health|host-config)$")


def failures(events: list[dict], origin: str) -> list[str]:
    """JS exceptions, console errors and failed same-origin requests among CDP events."""
    urls = {
        event["params"]["requestId"]: event["params"]["request"]["url"]
        for event in events
        if event.get("method") == "Network.requestWillBeSent"
    }
    found = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            found.append(f"JS exception: {params['exceptionDetails']}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            found.append(f"console error: {[a.get('value') for a in params.get('args', [])]}")
        elif method == "Network.responseReceived":
            url, status = params["response"]["url"], params["response"]["status"]
            if status >= 400 and url.startswith(origin) and not BASE_PATH_PROBE.search(url):
                found.append(f"HTTP {status}: {url}")
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            url = urls.get(params["requestId"], "")
            if url.startswith(origin):
                found.append(f"request failed ({params.get('errorText')}): {url}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            url = params["entry"].get("url") or ""
            if url.startswith(origin) and not BASE_PATH_PROBE.search(url):
                found.append(f"console: {params['entry']['text']} {url}")
    return found


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if shutil.which("chromium") is None:
        pytest.fail(
            "chromium is not on PATH: the dashboard's browser test needs it. Run `make browser` "
            "(Debian: apt-get install chromium)"
        )
    chrome = Browser(Path(tempfile.mkdtemp(dir=tmp_path_factory.mktemp("chromium"))))
    try:
        yield chrome
    finally:
        chrome.close()


def test_every_page_in_a_real_browser(server, browser, tmp_path_factory):
    shots = tmp_path_factory.mktemp("screenshots")

    def viewport(height: int) -> None:
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            width=1400,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    viewport(1800)
    problems = {}
    for page, title in PAGES.items():
        browser.events.clear()
        path = "" if page == "overview" else page  # the home page is at /
        navigation = browser.call("Page.navigate", url=f"{server}/{path}")
        assert "errorText" not in navigation, (page, navigation)
        deadline, settled, state = time.monotonic() + 120, 0, {}
        while settled < 3:  # the same finished state three polls running
            time.sleep(0.3)
            previous, state = state, json.loads(browser.evaluate(PAGE_STATE))
            ready = (
                state["title"] == [title]
                and not state["running"]
                and state["metrics"]
                and state["charts"] > 0
                and state["drawn"] == state["charts"]
                and state["tablesDrawn"] == state["tables"]
            )
            settled = settled + 1 if ready and state == previous else 0
            if state["exceptions"] or state["errors"] or time.monotonic() > deadline:
                break
        if state.get("height", 0) > 1800:  # the whole page on the screenshot
            viewport(min(state["height"] + 100, 8000))
            time.sleep(0.5)
        shot = browser.call("Page.captureScreenshot", format="png")
        (shots / f"{page}.png").write_bytes(base64.b64decode(shot["data"]))
        viewport(1800)
        found = failures(browser.events, server)
        found += [f"exception on the page: {text}" for text in state.get("exceptions", [])]
        found += [f"error on the page: {text}" for text in state.get("errors", [])]
        found += [f"warning on the page: {text}" for text in state.get("warnings", [])]
        if settled < 3:
            found.append(f"did not finish rendering with metrics and charts: {state}")
        if found:
            problems[page] = found
    print(f"\nscreenshots in {shots}")
    assert not problems, json.dumps(problems, indent=1)
    assert sorted(path.stem for path in shots.glob("*.png")) == sorted(PAGES)
