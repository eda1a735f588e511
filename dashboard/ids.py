"""Every component ID, page-prefixed, in one place (a test checks they are unique)."""

OVERVIEW_MAP = "overview-map"
