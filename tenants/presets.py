"""Tenant presets: TOML files under `tenants/presets/`, merged with the module sets they include."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from tenants.modules import unknown_modules

PRESET_DIR = Path(__file__).resolve().parent / "presets"


class PresetError(ValueError):
    pass


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


def _read(code: str) -> dict:
    path = PRESET_DIR / f"{code}.toml"
    if not path.is_file():
        raise PresetError(f"没有名为 {code} 的预设。")
    with path.open("rb") as handle:
        return tomllib.load(handle)


@cache
def load_preset(code: str) -> Preset:
    data = _read(code)
    if data.get("kind") != "tenant":
        raise PresetError(f"{code} 是模块组合，不能单独创建租户。")
    modules = list(data.get("modules", []))
    flows = dict(data.get("flows", {}))
    windows = list(data.get("windows", []))
    for set_code in data.get("module_sets", []):
        module_set = _read(set_code)
        modules += [m for m in module_set.get("modules", []) if m not in modules]
        flows.update(module_set.get("flows", {}))
        windows += module_set.get("windows", [])
    unknown = unknown_modules(modules)
    if unknown:
        raise PresetError(f"预设 {code} 引用了未知模块：{', '.join(unknown)}")
    merged = {**data, "modules": modules, "flows": flows, "windows": windows}
    return Preset(
        code=code,
        name=data["name"],
        short_name=data.get("short_name", data["name"]),
        schema_name=data.get("schema_name", code),
        subdomain=data.get("subdomain", code),
        modules=tuple(modules),
        data=merged,
    )


def tenant_preset_codes() -> list[str]:
    codes = []
    for path in sorted(PRESET_DIR.glob("*.toml")):
        with path.open("rb") as handle:
            if tomllib.load(handle).get("kind") == "tenant":
                codes.append(path.stem)
    return codes
