"""One small SparkSession for the whole test session (skipped where pyspark is not installed)."""

from __future__ import annotations

import pytest

pytest.importorskip("pyspark")

from reach.spark import parse_engine, spark_session

TEST_CONF = {
    "master": "local[2]",
    "name": "spark",
    "conf": {"spark.sql.shuffle.partitions": 4, "spark.ui.enabled": False, "spark.driver.memory": "1g"},
}


@pytest.fixture(scope="session")
def spark():
    spec, problems = parse_engine(TEST_CONF)
    assert problems == []
    session = spark_session(spec)
    yield session
    session.stop()
