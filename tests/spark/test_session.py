"""The ``[engine]`` table and the session it builds."""

from __future__ import annotations

import sys

import pytest

from reach.errors import ConfigError
from reach.spark import EngineSpec, parse_engine, spark_session


def test_defaults_to_the_local_engine():
    spec, problems = parse_engine({})
    assert problems == []
    assert spec == EngineSpec()


def test_spark_settings_are_kept_as_strings():
    spec, problems = parse_engine({"name": "spark", "remote": "sc://host:15002", "conf": {"a.b": 4, "c": True}})
    assert problems == []
    assert spec.remote == "sc://host:15002"
    assert spec.conf == {"a.b": "4", "c": "true"}


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ({"name": "dask"}, "engine.name: expected 'local' or 'spark'"),
        ({"name": "spark", "master": "local[2]", "remote": "sc://h:1"}, "not both"),
        ({"name": "spark", "master": "localhost"}, "engine.master: 'localhost' is not a Spark master"),
        ({"name": "spark", "remote": "http://h"}, "engine.remote: 'http://h' is not a Spark Connect address"),
        ({"name": "spark", "conf": {"x": [1]}}, "engine.conf.x: expected a string, number or boolean"),
        ({"master": "yarn"}, "apply to the Spark engine only"),
        ({"name": "spark", "workers": 3}, "engine.workers: unknown key"),
    ],
)
def test_every_problem_is_named(table, fragment):
    _, problems = parse_engine(table)
    assert any(fragment in p for p in problems), problems


def test_missing_pyspark_is_a_clear_message(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(ConfigError, match=r"pip install 'reach\[spark\]'"):
        spark_session(EngineSpec(name="spark"))


def test_session_runs_a_query(spark):
    values = list(range(1, 1001))
    df = spark.createDataFrame([(v, v % 7) for v in values], "v long, k long")
    got = {r["k"]: r["s"] for r in df.groupBy("k").agg({"v": "sum"}).withColumnRenamed("sum(v)", "s").collect()}
    want: dict[int, int] = {}
    for v in values:
        want[v % 7] = want.get(v % 7, 0) + v
    assert got == want
    assert spark.conf.get("spark.sql.shuffle.partitions") == "4"
    assert spark.conf.get("spark.sql.session.timeZone") == "UTC"
