"""The Spark engine: reach's stages on a Spark cluster (``pip install 'reach[spark]'``)."""

from reach.spark.session import EngineSpec, parse_engine, spark_session

__all__ = ["EngineSpec", "parse_engine", "spark_session"]
