"""Every component ID, page-prefixed, in one place (a test checks they are unique).

Each page has its own section; add IDs to your page's section only.
"""

# --- shell ---------------------------------------------------------------------------------------
SHELL_URL = "shell-url"
SHELL_NAV = "shell-nav"
SHELL_LANG = "shell-lang"

# --- overview (总览) ------------------------------------------------------------------------------
OVERVIEW_MAP = "overview-map"
OVERVIEW_URL = "overview-url"
OVERVIEW_MEASURE = "overview-measure"
OVERVIEW_LEVEL = "overview-level"
OVERVIEW_PERIOD = "overview-period"
OVERVIEW_PLAY = "overview-play"
OVERVIEW_TICK = "overview-tick"
OVERVIEW_HEADLINES = "overview-headlines"
OVERVIEW_LEGEND = "overview-legend"
OVERVIEW_VALUES = "overview-values"
OVERVIEW_PAINTED = "overview-painted"
OVERVIEW_QUERY = "overview-query"
OVERVIEW_PERIOD_LABEL = "overview-period-label"

# --- flows (流向) ---------------------------------------------------------------------------------

# --- areas (试点与地区) ----------------------------------------------------------------------------
