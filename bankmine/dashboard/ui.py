"""Rendering helpers shared by the dashboard's pages: the sidebar filters, cached queries,
number formats and the note saying which filters a page uses.

Queries live in `bankmine.dashboard.queries`; this module only calls them by name, caches the
frames per serving-file version and turns a missing or outdated serving copy into a message.
"""

from __future__ import annotations

import math
from dataclasses import astuple, replace
from datetime import date
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from bankmine.dashboard import queries

FILTER_KEYS = {"branch": "filter_branch", "segment": "filter_segment", "period": "filter_period"}
DAYS = {1: "Mon", 2: "Tue", 3: "Wed", 4: "Thu", 5: "Fri", 6: "Sat", 7: "Sun"}
DAY_ORDER = list(DAYS.values())


@st.cache_data(max_entries=512, show_spinner=False)
def _cached(
    path: str, stamp: tuple | None, name: str, filters: tuple, options: tuple
) -> pd.DataFrame:
    """queries.<name>(con, Filters(*filters), **options); stamp keys the cache to the file."""
    with queries.connect(Path(path)) as con:
        return getattr(queries, name)(con, queries.Filters(*filters), **dict(options))


def load(name: str, filters: queries.Filters = queries.ALL, **options: object) -> pd.DataFrame:
    """A query's frame, re-read whenever `bankmine publish` has swapped in a new copy.

    A missing or outdated serving copy stops the page with a message, not a traceback.
    """
    path = queries.serving_path()
    try:
        return _cached(
            str(path),
            queries.file_stamp(path),
            name,
            astuple(filters),
            tuple(sorted(options.items())),
        )
    except queries.ServingError as error:
        st.warning(str(error), icon=":material/database:")
        st.stop()
        raise  # st.stop raises; this keeps type checkers content


# ---------------------------------------------------------------------------------------------
# sidebar


def sidebar() -> None:
    """The filters, shared by every page (their state lives in st.session_state)."""
    branches = load("branches")
    segments = load("segments")
    months = history_months()
    names = dict(zip(branches["branch_id"], branches["branch_name"], strict=True))
    with st.sidebar:
        st.header("Filters")
        st.selectbox(
            "Branch",
            [None, *names],
            format_func=lambda branch: "All branches" if branch is None else names[branch],
            key=FILTER_KEYS["branch"],
        )
        st.selectbox(
            "Segment",
            [None, *segments["segment_name"]],
            format_func=lambda segment: "All segments" if segment is None else label(segment),
            key=FILTER_KEYS["segment"],
        )
        if len(months) >= 2:
            st.select_slider(
                "Period",
                options=months,
                value=(months[0], months[-1]),
                format_func=lambda month: month.strftime("%b %Y"),
                key=FILTER_KEYS["period"],
            )
        info = load("serving_info").iloc[0]
        st.caption(
            f"Serving copy as of {pd.Timestamp(info['as_of_date']):%d %b %Y}, published "
            f"{pd.Timestamp(info['published_at']):%d %b %Y %H:%M} UTC. Read-only."
        )


def history_months() -> list[date]:
    return [value.date() for value in pd.to_datetime(load("months")["month_start"])]


def chosen_filters() -> queries.Filters:
    """The sidebar's choices; the whole history chosen means no period filter at all (loans
    and campaigns may start before the first month of the KPI history)."""
    state = st.session_state
    period = state.get(FILTER_KEYS["period"])
    months = history_months()
    month_from, month_to = (None, None)
    if period and months and tuple(period) != (months[0], months[-1]):
        month_from, month_to = period
    return queries.Filters(
        branch_id=state.get(FILTER_KEYS["branch"]),
        segment_name=state.get(FILTER_KEYS["segment"]),
        month_from=month_from,
        month_to=month_to,
    )


def page(title: str, intro: str, not_applying: dict[str, str] | None = None) -> queries.Filters:
    """Title, introduction and a note on the filters; returns the filters that apply.

    not_applying: filter (branch, segment, period) -> why it does not apply to this page.
    """
    not_applying = not_applying or {}
    st.title(title)
    st.markdown(intro)
    chosen = chosen_filters()
    shown = {
        "branch": chosen.branch_id or "all branches",
        "segment": label(chosen.segment_name) if chosen.segment_name else "all segments",
        "period": (
            f"{chosen.month_from:%b %Y} to {chosen.month_to:%b %Y}"
            if chosen.month_from
            else "all months"
        ),
    }
    applied = [f"{name} **{shown[name]}**" for name in FILTER_KEYS if name not in not_applying]
    reasons: dict[str, list[str]] = {}
    for name, why in not_applying.items():
        reasons.setdefault(why, []).append(name)
    notes = [
        f"the {_listed(names)} filter{'s do' if len(names) > 1 else ' does'} not apply: {why}"
        for why, names in reasons.items()
    ]
    text = "; ".join(([f"Filters: {', '.join(applied)}"] if applied else []) + notes)
    st.caption(text[0].upper() + text[1:] + ".")
    cleared = {
        "branch": {"branch_id": None},
        "segment": {"segment_name": None},
        "period": {"month_from": None, "month_to": None},
    }
    changes = {}
    for name in not_applying:
        changes.update(cleared[name])
    return replace(chosen, **changes)


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def nothing(frame: pd.DataFrame, what: str) -> bool:
    """True (with a message) when frame has no rows."""
    if frame.empty:
        st.info(f"No {what} in the serving copy for these filters.", icon=":material/info:")
        return True
    return False


def stop_when_empty(rows: int, what: str) -> None:
    """End the page with a message when there is nothing to show."""
    if not rows:
        st.info(f"No {what} in the serving copy for these filters.", icon=":material/info:")
        st.stop()


# ---------------------------------------------------------------------------------------------
# formats


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def count(value: object) -> str:
    return "–" if _missing(value) else f"{float(value):,.0f}"


def money(value: object) -> str:
    """$300,014 below a million, $22.18M from a million."""
    if _missing(value):
        return "–"
    amount = float(value)
    sign = "-" if amount < 0 else ""
    if abs(amount) >= 1_000_000:
        return f"{sign}${abs(amount) / 1_000_000:,.2f}M"
    return f"{sign}${abs(amount):,.0f}"


def percent(value: object, digits: int = 1) -> str:
    return "–" if _missing(value) else f"{float(value) * 100:.{digits}f}%"


def points(value: object) -> str:
    """A difference of two rates, in percentage points."""
    return "–" if _missing(value) else f"{float(value) * 100:+.1f} pp"


def number(value: object, digits: int = 1) -> str:
    return "–" if _missing(value) else f"{float(value):,.{digits}f}"


def label(code: str | None) -> str:
    """mass_market -> Mass market."""
    return "" if code is None else str(code).replace("_", " ").capitalize()


def month(value: date | pd.Timestamp) -> str:
    return f"{pd.Timestamp(value):%b %Y}"


# ---------------------------------------------------------------------------------------------
# charts


def chart(spec: alt.Chart | alt.LayerChart) -> None:
    st.altair_chart(spec, width="stretch")


def day_names(frame: pd.DataFrame) -> pd.DataFrame:
    """Replace the ISO day_of_week number by Mon..Sun."""
    return frame.assign(day=frame["day_of_week"].map(DAYS))
