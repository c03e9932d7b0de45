"""bankmine dashboard: `make dashboard`, or
`BANKMINE_SERVING=warehouse/serving.duckdb streamlit run bankmine/dashboard/app.py`.

Reads only the BI serving copy written by `bankmine publish`, read-only, one short connection
per query. The pages are the scripts in views/, each at a stable address (/segments, ...).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from bankmine.dashboard import ui

VIEWS = Path(__file__).resolve().parent / "views"
# (file, title, url path, icon); the overview is the home page at /
PAGES = [
    ("overview.py", "Overview", "overview", ":material/home:"),
    ("segments.py", "Segments", "segments", ":material/groups:"),
    ("credit_risk.py", "Credit risk", "credit_risk", ":material/credit_score:"),
    ("churn.py", "Churn", "churn", ":material/person_remove:"),
    ("aml_alerts.py", "AML alerts", "aml_alerts", ":material/policy:"),
    ("campaigns.py", "Campaigns", "campaigns", ":material/campaign:"),
    ("operations.py", "Operations", "operations", ":material/schedule:"),
    ("trends.py", "Trends", "trends", ":material/trending_up:"),
]

st.set_page_config(page_title="bankmine", page_icon="🏦", layout="wide")
navigation = st.navigation(
    [
        st.Page(VIEWS / file, title=title, url_path=url_path, icon=icon, default=index == 0)
        for index, (file, title, url_path, icon) in enumerate(PAGES)
    ]
)
ui.sidebar()
navigation.run()
