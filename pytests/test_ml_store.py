"""The model store (bankmine.ml.store): fits kept in the warehouse and read back only by
the code, settings and library versions that stored them."""

from __future__ import annotations

import datetime as dt
import logging

import duckdb
import numpy as np
from sklearn.ensemble import IsolationForest

from bankmine.ml import store


def forest(seed: int = 0) -> IsolationForest:
    data = np.random.default_rng(seed).normal(size=(200, 3))
    return IsolationForest(n_estimators=10, random_state=seed).fit(data)


def test_a_stored_fit_reads_back_as_the_same_model():
    con = duckdb.connect()
    model = forest()
    store.save(con, "m", "v1", model, "sig", dt.date(2025, 3, 3))
    loaded = store.load(con, "m", "v1", "sig")
    assert loaded.model_version == "v1" and loaded.data_through == dt.date(2025, 3, 3)
    probe = np.random.default_rng(1).normal(size=(50, 3))
    np.testing.assert_array_equal(loaded.model.score_samples(probe), model.score_samples(probe))
    tables = con.execute("select schema_name, table_name from duckdb_tables()").fetchall()
    assert tables == [(store.STORE_SCHEMA, store.STORE_TABLE)], "not in a published schema"


def test_no_store_no_version_or_another_signature_reads_nothing(caplog):
    con = duckdb.connect()
    assert store.load(con, "m", "v1", "sig") is None
    store.save(con, "m", "v1", forest(), "sig", dt.date(2025, 3, 3))
    assert store.load(con, "m", "v2", "sig") is None
    assert store.load(con, "other", "v1", "sig") is None
    with caplog.at_level(logging.INFO, logger="bankmine.ml.store"):
        assert store.load(con, "m", "v1", "new-code") is None
    assert "other code, settings or library versions" in caplog.text


def test_a_damaged_payload_is_refitted_not_fatal(caplog):
    con = duckdb.connect()
    store.save(con, "m", "v1", forest(), "sig", None)
    con.execute(f"update {store.STORE_SCHEMA}.{store.STORE_TABLE} set payload = 'xx'::blob")
    with caplog.at_level(logging.WARNING, logger="bankmine.ml.store"):
        assert store.load(con, "m", "v1", "sig") is None
    assert "cannot be read" in caplog.text


def test_only_the_newest_fits_of_a_model_are_kept_and_a_version_is_stored_once():
    con = duckdb.connect()
    for number in range(5):
        store.save(con, "m", f"v{number}", forest(number), "sig", None, keep=3)
    store.save(con, "other", "v0", forest(), "sig", None, keep=3)
    store.save(con, "m", "v4", forest(4), "sig", None, keep=3)
    rows = con.execute(
        f"select model_name, model_version from {store.STORE_SCHEMA}.{store.STORE_TABLE}"
        " order by 1, 2"
    ).fetchall()
    assert rows == [("m", "v2"), ("m", "v3"), ("m", "v4"), ("other", "v0")]


def test_fits_still_in_use_are_kept_beyond_the_newest():
    con = duckdb.connect()
    for number in range(5):
        store.save(con, "m", f"v{number}", forest(number), "sig", None, keep=2, in_use=["v0"])
    rows = con.execute(
        f"select model_version from {store.STORE_SCHEMA}.{store.STORE_TABLE} order by 1"
    ).fetchall()
    assert rows == [("v0",), ("v3",), ("v4",)]


def test_the_signature_follows_code_settings_and_libraries(monkeypatch):
    def one():
        return 1

    def two():
        return 2

    base = store.signature([one], {"trees": 100})
    assert base == store.signature([one], {"trees": 100})
    assert base != store.signature([two], {"trees": 100})
    assert base != store.signature([one], {"trees": 200})
    monkeypatch.setattr(store.sklearn, "__version__", "0.0.1")
    assert base != store.signature([one], {"trees": 100})
