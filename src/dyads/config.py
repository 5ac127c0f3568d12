"""Configuration: the bundled default TOML, deep-merged with user overrides."""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def default_config_text() -> str:
    return resources.files("dyads").joinpath("data/default.toml").read_text("utf-8")


@dataclass(frozen=True)
class Config:
    """Read-only view of the merged configuration."""

    data: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def load(
        cls, path: str | Path | None = None, overrides: Mapping[str, Any] | None = None
    ) -> Config:
        data = tomllib.loads(default_config_text())
        if path is not None:
            with open(path, "rb") as handle:
                data = deep_merge(data, tomllib.load(handle))
        if overrides:
            data = deep_merge(data, overrides)
        return cls(data)

    def section(self, dotted: str) -> dict[str, Any]:
        node: Any = self.data
        for part in dotted.split("."):
            node = node.get(part, {}) if isinstance(node, Mapping) else {}
        return dict(node) if isinstance(node, Mapping) else {}

    @property
    def stage_names(self) -> list[str]:
        return list(self.section("pipeline").get("stages", []))

    def with_overrides(self, overrides: Mapping[str, Any]) -> Config:
        return Config(deep_merge(self.data, overrides))
