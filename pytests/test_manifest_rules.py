"""Project-evaluator rules checked over dbt's manifest (we cannot install the hub package):
every model described and keyed, marts contracted and documented column by column,
layers reading only what they may."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> dict:
    target = tmp_path_factory.mktemp("manifest")
    env = {**os.environ, "DBT_PROFILES_DIR": str(ROOT), "BANKMINE_DB": str(target / "x.duckdb")}
    dbt_bin = str(Path(sys.executable).parent / "dbt")
    result = subprocess.run(
        [dbt_bin, "parse", "--target-path", str(target), "--no-partial-parse"],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    return json.loads((target / "manifest.json").read_text())


def models(manifest: dict) -> list[dict]:
    return [
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["package_name"] == "bankmine"
    ]


def attached_tests(manifest: dict, unique_id: str) -> list[dict]:
    return [
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "test"
        and unique_id in n["depends_on"]["nodes"]
        and n.get("attached_node") == unique_id
    ]


def test_every_model_is_described(manifest):
    missing = [m["name"] for m in models(manifest) if not m["description"].strip()]
    assert missing == []


def test_every_model_has_a_primary_key_test(manifest):
    unkeyed = []
    for model in models(manifest):
        tests = attached_tests(manifest, model["unique_id"])
        names = {t["test_metadata"]["name"] for t in tests if t.get("test_metadata")}
        unique_columns = {
            t.get("column_name")
            for t in tests
            if t.get("test_metadata", {}).get("name") == "unique"
        }
        not_null_columns = {
            t.get("column_name")
            for t in tests
            if t.get("test_metadata", {}).get("name") == "not_null"
        }
        if not (unique_columns & not_null_columns) and "unique_combination" not in names:
            unkeyed.append(model["name"])
    assert unkeyed == []


ROW_LEVEL_TESTS = {"unique", "not_null", "accepted_values", "known_code", "value_between"}


def test_growing_tables_check_every_row_level_test_on_the_recent_rows_only(manifest):
    """A model whose key test reads only the rows from BANKMINE_DATA_TEST_FROM (a table that
    grows every day, macro get_where_subquery) has every row-level test windowed the same
    way: otherwise the daily run reads its whole history for a not_null."""
    whole_history = []
    for model in models(manifest):
        tests = [
            test
            for test in attached_tests(manifest, model["unique_id"])
            if test.get("test_metadata", {}).get("name") in ROW_LEVEL_TESTS
        ]
        windowed = ["__data_test_from" in (test["config"].get("where") or "") for test in tests]
        if any(windowed) and not all(windowed):
            whole_history += [
                test["name"] for test, ok in zip(tests, windowed, strict=True) if not ok
            ]
    assert whole_history == []


def test_marts_have_enforced_contracts_and_documented_columns(manifest):
    for model in models(manifest):
        if model["schema"] not in ("marts", "restricted"):
            continue
        assert model["config"]["contract"]["enforced"], model["name"]
        assert model["config"]["materialized"] in ("table", "incremental"), model["name"]
        for column in model["columns"].values():
            assert column.get("data_type"), (model["name"], column["name"])
            assert column["description"].strip(), (model["name"], column["name"])


def test_only_staging_reads_sources(manifest):
    offenders = [
        m["name"]
        for m in models(manifest)
        if m["schema"] != "staging"
        and m["schema"] != "quarantine"
        and any(d.startswith("source.") for d in m["depends_on"]["nodes"])
    ]
    assert offenders == []


def test_staging_reads_only_sources_seeds_and_parent_keys(manifest):
    """Staging never reads downstream layers. A base_ model may read its parents' staged keys
    (the referential check that sends orphans to quarantine): that is the one exception."""
    nodes = manifest["nodes"]
    for model in models(manifest):
        if model["schema"] not in ("staging", "quarantine"):
            continue
        for dependency in model["depends_on"]["nodes"]:
            if dependency.startswith(("source.", "seed.")):
                continue
            parent = nodes[dependency]
            assert parent["schema"] in ("staging",), (model["name"], parent["name"])


def test_marts_and_intermediate_names_follow_their_folder(manifest):
    for model in models(manifest):
        if model["schema"] == "intermediate":
            assert model["name"].startswith("int_"), model["name"]
        if model["schema"] == "marts":
            assert model["name"].startswith(("dim_", "fct_")), model["name"]
        if model["schema"] == "staging":
            assert model["name"].startswith(("stg_", "base_")), model["name"]


def test_semantic_layer_has_the_bank_managers_metrics(manifest):
    # dbt parse validated the semantic models and metrics (it fails on a broken one); here:
    # the headline metrics a bank manager asks for are all defined
    metrics = {m["name"]: m for m in manifest["metrics"].values()}
    wanted = {
        "customers",
        "deposit_balance",
        "loan_balance",
        "default_rate",
        "expected_churn_rate",
        "net_promoter_score",
        "campaign_conversion_rate",
        "campaign_uplift",
        "aml_alerts",
        "average_branch_wait_minutes",
        "cost_per_customer",
    }
    assert wanted <= set(metrics)
    for name in wanted:
        assert metrics[name]["description"], name
    assert metrics["campaign_uplift"]["type"] == "derived"
