"""The raw-data contract, read from the dbt sources YAML files.

The authoritative contract lives in ``models/staging/*/_*__sources.yml`` of
the dbt project: one dbt source per source system, one table per raw file.
Contract meta sits under ``config: meta:`` (a top-level ``meta:`` is accepted
too) for tables (``required``, ``primary_key``) and columns (``required``,
``not_null``, ``references``, ``min_value``, ``max_value``, ``code_set``,
``may_be_future``, ``pii``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bankmine.errors import BankmineError

SOURCES_GLOB = "models/staging/*/_*__sources.yml"


class ContractError(BankmineError):
    """The contract files are missing or malformed."""


@dataclass
class Column:
    name: str
    data_type: str = "varchar"
    description: str = ""
    required: bool = False
    not_null: bool = False
    references: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    code_set: str | None = None
    may_be_future: bool = False
    pii: bool = False

    @property
    def type_category(self) -> str:
        """One of text, integer, decimal, double, boolean, date, timestamp."""
        return type_category(self.data_type)


@dataclass
class Table:
    source: str
    name: str
    description: str = ""
    required: bool = False
    primary_key: str | None = None
    columns: list[Column] = field(default_factory=list)

    @property
    def primary_key_columns(self) -> list[str]:
        if not self.primary_key:
            return []
        return [part.strip() for part in self.primary_key.split(",") if part.strip()]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column | None:
        lowered = name.lower()
        for col in self.columns:
            if col.name.lower() == lowered:
                return col
        return None


def type_category(data_type: str) -> str:
    """Map a contract data_type (as written in the YAML) to a coarse category."""
    t = (data_type or "varchar").strip().lower()
    base = t.split("(", 1)[0].strip()
    if base in {"varchar", "text", "string", "char", "bpchar", "uuid"}:
        return "text"
    if base in {
        "integer",
        "int",
        "int4",
        "bigint",
        "int8",
        "smallint",
        "int2",
        "tinyint",
        "hugeint",
        "ubigint",
        "uinteger",
        "usmallint",
        "utinyint",
    }:
        return "integer"
    if base in {"decimal", "numeric"}:
        return "decimal"
    if base in {"double", "float", "real", "float4", "float8", "double precision"}:
        return "double"
    if base in {"boolean", "bool"}:
        return "boolean"
    if base == "date":
        return "date"
    if base.startswith("timestamp") or base == "datetime":
        return "timestamp"
    return "text"


def _meta(node: dict[str, Any]) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    top = node.get("meta")
    if isinstance(top, dict):
        meta.update(top)
    config = node.get("config")
    if isinstance(config, dict) and isinstance(config.get("meta"), dict):
        meta.update(config["meta"])
    return meta


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _primary_key(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def _description(node: dict[str, Any]) -> str:
    return " ".join(str(node.get("description") or "").split())


def _parse_column(node: dict[str, Any]) -> Column:
    meta = _meta(node)
    return Column(
        name=str(node["name"]),
        data_type=str(node.get("data_type") or "varchar"),
        description=_description(node),
        required=bool(meta.get("required", False)),
        not_null=bool(meta.get("not_null", False)),
        references=meta.get("references"),
        min_value=_number(meta.get("min_value")),
        max_value=_number(meta.get("max_value")),
        code_set=meta.get("code_set"),
        may_be_future=bool(meta.get("may_be_future", False)),
        pii=bool(meta.get("pii", False)),
    )


def sources_files(project_dir: str | os.PathLike) -> list[Path]:
    return sorted(Path(project_dir).glob(SOURCES_GLOB))


def load_contract(project_dir: str | os.PathLike | None = None) -> list[Table]:
    """Every contract table of the project, in sources-file order."""
    project = Path(project_dir) if project_dir is not None else find_project_dir()
    files = sources_files(project)
    if not files:
        raise ContractError(f"no contract files ({SOURCES_GLOB}) under {project}")
    tables: list[Table] = []
    seen: dict[str, Path] = {}
    for path in files:
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ContractError(f"{path}: invalid YAML: {exc}") from exc
        for source in doc.get("sources") or []:
            source_name = str(source.get("name"))
            for node in source.get("tables") or []:
                meta = _meta(node)
                name = str(node["name"])
                if name in seen:
                    raise ContractError(f"table {name} is defined twice ({seen[name]} and {path})")
                seen[name] = path
                tables.append(
                    Table(
                        source=source_name,
                        name=name,
                        description=_description(node),
                        required=bool(meta.get("required", False)),
                        primary_key=_primary_key(meta.get("primary_key")),
                        columns=[_parse_column(c) for c in node.get("columns") or []],
                    )
                )
    return tables


def project_vars(project_dir: str | os.PathLike | None = None) -> dict[str, Any]:
    """The ``vars:`` of dbt_project.yml (raw values; Jinja is not rendered)."""
    project = Path(project_dir) if project_dir is not None else find_project_dir()
    path = project / "dbt_project.yml"
    if not path.is_file():
        return {}
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        return {}
    values = doc.get("vars")
    return dict(values) if isinstance(values, dict) else {}


def find_project_dir() -> Path:
    """The dbt project dir: $BANKMINE_PROJECT_DIR, else the nearest dir at or
    above the cwd holding dbt_project.yml, else the parent of this package."""
    env = os.environ.get("BANKMINE_PROJECT_DIR")
    if env:
        return Path(env).expanduser().resolve()
    cwd = Path.cwd().resolve()
    for candidate in (cwd, *cwd.parents):
        if (candidate / "dbt_project.yml").is_file():
            return candidate
    return Path(__file__).resolve().parent.parent
