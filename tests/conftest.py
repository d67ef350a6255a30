from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run by default, so a CI run is reproducible; set
# REACH_HYPOTHESIS=explore to draw fresh random examples (and keep any failure found in .hypothesis/).
settings.register_profile("reproducible", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile("explore" if os.environ.get("REACH_HYPOTHESIS") == "explore" else "reproducible")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
SAMPLES = REPO / "data" / "samples"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real third-party data in ../shared/data (skips with a reason when it is absent)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real test data not found at {SHARED_DATA} (the shared/ folder beside the repository)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES
