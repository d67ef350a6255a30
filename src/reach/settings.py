"""Build settings: the workspace's ``settings.toml`` ([resolve], [strength]) with ``overrides.json`` and the last
run config's sections on top.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field

from reach.errors import ConfigError
from reach.identity import Overrides, ResolveSettings
from reach.strength import StrengthSettings
from reach.workspace import Workspace


@dataclass(frozen=True)
class BuildSettings:
    resolve: ResolveSettings = field(default_factory=ResolveSettings)
    strength: StrengthSettings = field(default_factory=StrengthSettings)

    def as_dict(self) -> dict:
        return {"resolve": self.resolve.as_dict(), "strength": self.strength.as_dict()}


def load_settings(ws: Workspace) -> BuildSettings:
    """Build settings from the workspace's ``settings.toml`` ([resolve] and [strength]) and ``overrides.json``,
    with the last ``reach run`` config's [strength]/[resolve] on top (:meth:`Workspace.run_settings`).
    """
    data: dict = {}
    if ws.settings_path.exists():
        try:
            data = tomllib.loads(ws.settings_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            msg = f"{ws.settings_path}: {exc}"
            raise ConfigError(msg) from exc
    unknown = [k for k in data if k not in ("resolve", "strength")]
    if unknown:
        msg = f"{ws.settings_path}: unknown section(s) {', '.join(unknown)}; expected [resolve] and [strength]"
        raise ConfigError(msg)
    res = data.get("resolve", {})
    if not isinstance(res, dict):
        msg = f"{ws.settings_path}: expected a table [resolve], got {type(res).__name__}"
        raise ConfigError(msg)
    run = ws.run_settings()  # the last run config's sections win, key by key
    where = f"{ws.settings_path}" + (f" (+ {ws.run_settings_path})" if run else "")
    resolve_settings = ResolveSettings.from_dict(
        {**res, **run.get("resolve", {})}, where=f"{where} [resolve]", overrides=Overrides.from_dict(ws.overrides())
    )
    strength = StrengthSettings.from_dict(
        {**data.get("strength", {}), **run.get("strength", {})}, where=f"{where} [strength]"
    )
    return BuildSettings(resolve=resolve_settings, strength=strength)
