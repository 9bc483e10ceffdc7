"""Tenant presets: TOML files under `tenants/presets/`, checked against `tenants.preset_schema` and merged with the
module sets they include. A preset that does not fit the schema is refused at load with every problem listed as
`<file>: <key path>: <what is wrong; what is allowed>`, so a typo never reaches a tenant as a silent default."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pydantic import ValidationError

from tenants.errors import DomainError
from tenants.preset_schema import KINDS, OWN_CITY_TABLES, TenantPreset, key_path, schema_errors

PRESET_DIR = Path(__file__).resolve().parent / "presets"
PROJECT_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Preset:
    code: str
    name: str
    short_name: str
    schema_name: str
    subdomain: str
    modules: tuple[str, ...]
    data: dict = field(repr=False, hash=False, compare=False)

    @property
    def demo_accounts(self) -> list[dict]:
        return self.data.get("demo_accounts", [])

    def data_for(self, schema_name: str) -> dict:
        """What the preset gives the tenant `schema_name`: everything for its own city; for any other city the
        same defaults without the tables that name the preset's city (OWN_CITY_TABLES: its bureau, contacts and
        anchor units), so a city created from the Harbin preset never shows Harbin's bureau as its authority."""
        if schema_name == self.schema_name:
            return dict(self.data)
        return {key: value for key, value in self.data.items() if key not in OWN_CITY_TABLES}


def _shown(path: Path) -> str:
    """The file as people know it: `tenants/presets/harbin.toml` inside the project, else the full path."""
    try:
        return str(path.resolve().relative_to(PROJECT_DIR))
    except ValueError:
        return str(path)


def _invalid(path: Path, problems: list[tuple[str, str]]) -> DomainError:
    lines = [f"{_shown(path)}: {key}: {message}" for key, message in problems]
    return DomainError("\n".join(lines), code="preset.invalid", field="preset")


def _toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise _invalid(path, [("(TOML 语法)", str(error))]) from error


def _read(code: str, directory: Path, *, kind: str | None = None):
    """One file, validated against the schema of its `kind` (or of the kind the caller requires)."""
    path = directory / f"{code}.toml"
    if not path.is_file():
        raise DomainError(f"没有名为 {code} 的预设。", code="preset.unknown", field="preset")
    raw = _toml(path)
    declared = raw.get("kind")
    if declared not in KINDS:
        raise _invalid(path, [("kind", f"取值 {declared!r} 无效；允许：{', '.join(KINDS)}")])
    if kind is not None and declared != kind:
        raise _invalid(path, [("kind", f"此处需要 kind = {kind!r}")])
    model = KINDS[declared]
    try:
        parsed = model.model_validate(raw)
    except ValidationError as error:
        raise _invalid(path, schema_errors(error, model)) from error
    if parsed.code != code:
        raise _invalid(path, [("code", f"应与文件名一致：{code!r}")])
    return parsed


def _dump(table) -> dict:
    """Plain data for the consumers: schema defaults filled in, absent optional values left out (`.get` → None)."""
    return table.model_dump(exclude_none=True)


@cache
def load_preset(code: str, directory: Path | None = None) -> Preset:
    """The tenant preset `code` with its module sets merged in. Raises DomainError `preset.unknown` when there is
    no such tenant preset and `preset.invalid` (every problem, one per line) when a file does not fit the schema."""
    directory = directory or PRESET_DIR
    path = directory / f"{code}.toml"
    if path.is_file() and _toml(path).get("kind") == "module_set":
        raise DomainError(f"{code} 是模块组合，不能单独创建租户。", code="preset.unknown", field="preset")
    preset: TenantPreset = _read(code, directory, kind="tenant")
    data = _dump(preset)
    modules, flows, windows = list(data["modules"]), dict(data["flows"]), list(data["windows"])
    regions = list(data["regions"])
    for index, set_code in enumerate(preset.module_sets):
        if not (directory / f"{set_code}.toml").is_file():
            available = ", ".join(
                sorted(p.stem for p in directory.glob("*.toml") if _toml(p).get("kind") == "module_set")
            )
            raise _invalid(
                path, [(key_path(("module_sets", index)), f"没有名为 {set_code} 的模块组合；可用：{available}")]
            )
        module_set = _dump(_read(set_code, directory, kind="module_set"))
        modules += [m for m in module_set["modules"] if m not in modules]
        flows.update(module_set["flows"])
        windows += module_set["windows"]
        regions += [r for r in module_set["regions"] if r["code"] not in {known["code"] for known in regions}]
        if module_set.get("cultivation") and not data.get("cultivation"):
            data["cultivation"] = module_set["cultivation"]
    merged = {**data, "modules": modules, "flows": flows, "windows": windows, "regions": regions}
    return Preset(
        code=code,
        name=preset.name,
        short_name=preset.short_name,
        schema_name=preset.schema_name,
        subdomain=preset.subdomain,
        modules=tuple(modules),
        data=merged,
    )


def tenant_preset_codes(directory: Path | None = None) -> list[str]:
    return [
        path.stem for path in sorted((directory or PRESET_DIR).glob("*.toml")) if _toml(path).get("kind") == "tenant"
    ]
