"""The dbt project follows the contract: one base, stg and quarantine model per raw table,
documented and tested, and personal data tagged from the contract."""

from __future__ import annotations

from pathlib import Path

import yaml

from bankmine.contract import load_contract

ROOT = Path(__file__).resolve().parents[1]


def models_yaml(source: str) -> dict:
    path = ROOT / "models" / "staging" / source / f"_{source}__models.yml"
    return {model["name"]: model for model in yaml.safe_load(path.read_text())["models"]}


def data_test_names(entry: dict) -> list[str]:
    """Names of a model's or column's data tests: a test with arguments or config is a
    one-key mapping."""
    return [next(iter(t)) if isinstance(t, dict) else t for t in entry.get("data_tests", [])]


def test_every_contract_table_has_its_three_models():
    for table in load_contract(ROOT):
        folder = ROOT / "models" / "staging" / table.source
        stem = f"{table.source}__{table.name}"
        assert (folder / "base" / f"base_{stem}.sql").exists(), stem
        assert (folder / f"stg_{stem}.sql").exists(), stem
        assert (folder / "quarantine" / f"quarantine_{stem}.sql").exists(), stem


def test_every_staged_table_is_keyed_reconciled_and_documented():
    for table in load_contract(ROOT):
        models = models_yaml(table.source)
        stg = models[f"stg_{table.source}__{table.name}"]
        assert stg["description"].strip()
        assert "raw_rows_reconcile" in data_test_names(stg)
        columns = {column["name"]: column for column in stg["columns"]}
        key = columns[table.primary_key]
        assert {"unique", "not_null"} <= set(data_test_names(key))
        for column in columns.values():
            assert column.get("description", "").strip(), (table.name, column["name"])


def test_foreign_keys_have_relationship_tests():
    for table in load_contract(ROOT):
        stg = models_yaml(table.source)[f"stg_{table.source}__{table.name}"]
        columns = {column["name"]: column for column in stg["columns"]}
        for column in table.columns:
            if column.references:
                tests = columns[column.name]["data_tests"]
                assert any(isinstance(t, dict) and "relationships" in t for t in tests), column.name


def test_pii_tags_follow_the_contract():
    for table in load_contract(ROOT):
        stg = models_yaml(table.source)[f"stg_{table.source}__{table.name}"]
        tagged = {
            column["name"]
            for column in stg["columns"]
            if column.get("config", {}).get("meta", {}).get("pii")
        }
        assert tagged == {column.name for column in table.columns if column.pii}, table.name


def test_no_model_outside_staging_reads_a_source():
    for path in (ROOT / "models").rglob("*.sql"):
        if "staging" not in path.relative_to(ROOT / "models").parts[0]:
            assert "source(" not in path.read_text(), path


def test_python_models_import_under_the_model_import_lock():
    """dbt-duckdb runs Python models on parallel threads; see bankmine.model_imports."""
    for path in (ROOT / "python_models").rglob("*.py"):
        text = path.read_text()
        assert "with bankmine.model_imports():" in text, path
        top = text.split("with bankmine.model_imports():")[0].splitlines()
        imports = [line for line in top if line.startswith(("import ", "from "))]
        assert imports == ["import bankmine"], path
