"""The engine setting (``[engine]`` table) and the SparkSession it describes.

``name`` is ``"local"`` (the default: polars on this machine) or ``"spark"``; with Spark, either ``master``
(``local[2]``, ``yarn``, ``spark://host:7077``, ``k8s://https://...``) or ``remote`` (a Spark Connect address,
``sc://host:15002``), never both; ``conf`` is a free-form table of Spark settings passed to the builder as written.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from typing import Any

from reach.errors import ConfigError

ENGINES = ("local", "spark")
ENGINE_KEYS = {"name", "master", "remote", "conf", "app_name"}
MASTER = re.compile(r"local(\[(\d+|\*)(,\d+)?\])?|yarn|(spark|k8s|mesos)://\S+")
# Settings that keep a small session quick; the engine's ``conf`` overrides any of them.
DEFAULT_CONF = {"spark.sql.session.timeZone": "UTC"}


@dataclass(frozen=True)
class EngineSpec:
    """A validated ``[engine]`` table."""

    name: str = "local"
    master: str | None = None
    remote: str | None = None
    conf: dict[str, str] = field(default_factory=dict)
    app_name: str = "reach"


def _conf_value(v: object) -> str | None:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float, str)):
        return str(v)
    return None


def parse_engine(table: dict[str, Any], where: str = "engine") -> tuple[EngineSpec, list[str]]:
    """Check an ``[engine]`` table; return the spec and every problem found (``where.key: what is wrong``)."""
    problems: list[str] = []
    if not isinstance(table, dict):
        return EngineSpec(), [f"{where}: expected a table, got {type(table).__name__}"]
    for k in sorted(set(table) - ENGINE_KEYS):
        problems.append(f"{where}.{k}: unknown key (expected one of {', '.join(sorted(ENGINE_KEYS))})")
    name = table.get("name", "local")
    if name not in ENGINES:
        problems.append(f"{where}.name: expected 'local' or 'spark', got {name!r}")
        name = "local"
    strs: dict[str, str | None] = {}
    for k in ("master", "remote", "app_name"):
        v = table.get(k)
        if v is not None and (not isinstance(v, str) or not v.strip()):
            problems.append(f"{where}.{k}: expected a non-empty string, got {v!r}")
            v = None
        strs[k] = v.strip() if isinstance(v, str) else None
    master, remote = strs["master"], strs["remote"]
    if master and remote:
        problems.append(f"{where}: give either master ({master!r}) or remote ({remote!r}), not both")
    if master and not MASTER.fullmatch(master):
        problems.append(
            f"{where}.master: {master!r} is not a Spark master "
            "(expected local[N], yarn, spark://host:port or k8s://https://host:port)"
        )
    if remote and not remote.startswith("sc://"):
        problems.append(f"{where}.remote: {remote!r} is not a Spark Connect address (expected sc://host:port)")
    if name == "local" and (master or remote or table.get("conf")):
        problems.append(f"{where}: master, remote and conf apply to the Spark engine only (name = 'spark')")
    conf_t = table.get("conf", {})
    conf: dict[str, str] = {}
    if not isinstance(conf_t, dict):
        problems.append(f"{where}.conf: expected a table of Spark settings, got {type(conf_t).__name__}")
    else:
        for k, v in conf_t.items():
            s = _conf_value(v)
            if s is None:
                problems.append(f"{where}.conf.{k}: expected a string, number or boolean, got {type(v).__name__}")
            else:
                conf[str(k)] = s
    spec = EngineSpec(name=name, master=master, remote=remote, conf=conf, app_name=strs["app_name"] or "reach")
    return spec, problems


def _pyspark() -> Any:
    try:
        return importlib.import_module("pyspark.sql")
    except ImportError:
        msg = (
            "the Spark engine needs pyspark, which is not installed: pip install 'reach[spark]' "
            "(or use the local engine: [engine] name = 'local')"
        )
        raise ConfigError(msg) from None


def spark_session(spec: EngineSpec) -> Any:
    """The SparkSession for ``spec`` (``local[2]`` when neither master nor remote is given)."""
    if spec.name != "spark":
        msg = f"engine {spec.name!r} has no Spark session (set [engine] name = 'spark')"
        raise ConfigError(msg)
    sql = _pyspark()
    builder = sql.SparkSession.builder.appName(spec.app_name)
    builder = builder.remote(spec.remote) if spec.remote else builder.master(spec.master or "local[2]")
    for k, v in {**DEFAULT_CONF, **spec.conf}.items():
        builder = builder.config(k, v)
    return builder.getOrCreate()
