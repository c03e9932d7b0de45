"""Fitted models kept in the warehouse, so that an incremental run can score with the model
an earlier run fitted instead of fitting a new one every day.

A fit is stored as one row of ``ml_store.fitted_models`` (its own schema: ``bankmine
publish`` copies only ``marts`` and ``ml``, and a pickled model is not for BI tools):

- ``model_name``, ``model_version`` (the version the scores carry, so a scored row leads to
  the model that scored it: an audit trail of the refits);
- ``signature``: a hash of the model code, the fit's settings and the versions of Python
  and the libraries that pickle the model. A stored fit whose signature differs from the
  running code's is never loaded (it is refitted instead): an upgraded scikit-learn may not
  read an older pickle, and changed settings mean a different model;
- ``data_through``: the latest date of the data the fit was drawn from (the refit schedule
  counts from it), ``fitted_at`` and the pickled model (zlib-compressed).

Only the newest ``keep`` fits of each model are kept, and those still in use (whose version
the caller names: a score in the warehouse carries it). The pickle is read back only from the
warehouse the bank's own runs write: whoever can write that file can already change every
score in it. Tested in pytests/test_ml_store.py."""

from __future__ import annotations

import datetime as dt
import json
import logging
import pickle
import platform
import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sklearn

from bankmine.ml import common

log = logging.getLogger("bankmine.ml.store")

STORE_SCHEMA = "ml_store"
STORE_TABLE = "fitted_models"
KEEP_FITS = 12


@dataclass
class StoredFit:
    model_name: str
    model_version: str
    signature: str
    data_through: dt.date | None
    fitted_at: dt.datetime
    model: object


def signature(functions: list, parameters: dict) -> str:
    """Hash of the code that fits and uses a model, its fit settings and the versions of
    Python and the libraries its pickle depends on."""
    digest = common.code_digest(functions, parameters)
    libraries = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scikit-learn": sklearn.__version__,
    }
    digest.update(json.dumps(libraries, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def _schema(database: str | None) -> str:
    return (f'"{database}".' if database else "") + f'"{STORE_SCHEMA}"'


def _table(database: str | None) -> str:
    return f'{_schema(database)}."{STORE_TABLE}"'


def _ensure(con, database: str | None) -> str:
    con.execute(f"create schema if not exists {_schema(database)}")
    table = _table(database)
    con.execute(
        f"create table if not exists {table} ("
        " model_name varchar not null, model_version varchar not null,"
        " signature varchar not null, data_through date, fitted_at timestamp not null,"
        " payload blob not null)"
    )
    return table


def save(
    con,
    model_name: str,
    model_version: str,
    model: object,
    signature: str,
    data_through: dt.date | None,
    database: str | None = None,
    keep: int = KEEP_FITS,
    in_use: list[str] | tuple[str, ...] = (),
) -> None:
    """Store a fit (replacing a stored fit of the same name and version) and drop the fits
    of the model other than the newest `keep` and the versions `in_use` (those that scored
    rows still in the warehouse, so every score keeps the way to its model)."""
    table = _ensure(con, database)
    payload = zlib.compress(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL), 1)
    con.execute(
        f"delete from {table} where model_name = ? and model_version = ?",
        [model_name, model_version],
    )
    con.execute(
        f"insert into {table} values (?, ?, ?, ?, ?, ?)",
        [
            model_name,
            model_version,
            signature,
            data_through,
            dt.datetime.now(dt.UTC).replace(tzinfo=None),
            payload,
        ],
    )
    con.execute(
        f"""delete from {table} where model_name = ? and model_version not in (
            select model_version from {table} where model_name = ?
            order by fitted_at desc, model_version limit {int(keep)})
            and not list_contains(?, model_version)""",
        [model_name, model_name, list(in_use)],
    )


def load(
    con, model_name: str, model_version: str, signature: str, database: str | None = None
) -> StoredFit | None:
    """The stored fit of this name and version, or None when there is none, or it was
    stored by other code, settings or library versions (its signature differs)."""
    exists = con.execute(
        "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?"
        + (" and database_name = ?" if database else ""),
        [STORE_SCHEMA, STORE_TABLE, *([database] if database else [])],
    ).fetchall()[0][0]
    rows = (
        con.execute(
            f"select signature, data_through, fitted_at, payload from {_table(database)}"
            " where model_name = ? and model_version = ?",
            [model_name, model_version],
        ).fetchall()
        if exists
        else []
    )
    if not rows:
        log.info("%s: no stored fit of version %s", model_name, model_version)
        return None
    stored_signature, data_through, fitted_at, payload = rows[0]
    if stored_signature != signature:
        log.info(
            "%s: the stored fit %s was made by other code, settings or library versions",
            model_name,
            model_version,
        )
        return None
    try:
        model = pickle.loads(zlib.decompress(payload))
    except (zlib.error, pickle.UnpicklingError, EOFError, ImportError, AttributeError) as error:
        # a damaged payload, or one naming a class the code no longer has: refit, not fail
        log.warning("%s: the stored fit %s cannot be read (%s)", model_name, model_version, error)
        return None
    return StoredFit(model_name, model_version, stored_signature, data_through, fitted_at, model)
