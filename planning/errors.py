"""The one exception type of the planning package."""

from __future__ import annotations


class ScenarioError(ValueError):
    """A scenario file, lever or saved scenario is invalid or cannot be applied."""
