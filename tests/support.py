"""Shared test helpers: the boundary-layer cache built once per test session."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from geodata.layers import LayerSet, ensure_layers

REPO = Path(__file__).resolve().parents[1]
TEST_OUTPUT = REPO / "test-output"


@lru_cache(maxsize=1)
def layer_cache() -> LayerSet:
    """The layer cache under ``var/test-cache`` (or ``YIPANQI_TEST_CACHE``), built if missing."""
    root = Path(os.environ.get("YIPANQI_TEST_CACHE", REPO / "var" / "test-cache"))
    return ensure_layers(root / "geodata")
