"""Where the bundled sample exports live (inside the installed package, or in a source checkout)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def samples_dir() -> Path:
    """The directory holding ``data/samples`` (shipped in the wheel as ``reach/samples``)."""
    packaged = Path(str(resources.files("reach"))) / "samples"
    if (packaged / "pipeline.toml").exists():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "data" / "samples"
    if (checkout / "pipeline.toml").exists():
        return checkout
    msg = "the bundled samples are missing from this installation; reinstall reach"
    raise FileNotFoundError(msg)
