"""Visual constants: colours, fonts, map geometry. Nothing else in the dashboard hard-codes them."""

from __future__ import annotations

from typing import Any

FONT_FAMILY = "'Noto Sans SC', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"
TEXT = "#1f2933"
MUTED = "#616e7c"
BORDER = "#ffffff"
PROVINCE_BORDER = "#3e4c59"
OUT_OF_PLACE = "#eef0f3"  # the units around a slide's place (region, area): pale, no data colour
OUTSIDE_COVERAGE = "#e6e6e6"  # Taiwan, Hong Kong, Macao: drawn, outside the data's coverage
NO_DATA = "#f4f1ea"
NO_DATA_SWATCH = "#e3dccb"  # legend swatch for no data, visible on white
SEA_LINE = "#4a6fa5"
INSET_FRAME = "#3e4c59"

# Sequential blues (ColorBrewer Blues, 5 classes): count and share measures.
SEQUENTIAL_5 = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")

# Albers equal-area conic suited to China: standard parallels 25N / 47N, central meridian 105E.
PROJECTION = {"type": "conic equal area", "parallels": [25, 47], "rotation": {"lon": 105}}
MAINLAND_LON = (73.0, 135.5)
MAINLAND_LAT = (17.6, 54.0)
# 南海诸岛 inset: the same conic, centred on the sea so the islands are not sheared.
SCS_PROJECTION = {"type": "conic equal area", "parallels": [25, 47], "rotation": {"lon": 114}}
SCS_LON = (106.0, 123.0)
SCS_LAT = (3.0, 24.5)
SCS_DOMAIN = {"x": [0.86, 0.995], "y": [0.01, 0.34]}

# Coverage against its target (ColorBrewer RdYlGn, 4 classes): below .. at target.
TARGET_4 = ("#d7191c", "#fdae61", "#a6d96a", "#1a9641")
# Net flows, diverging around zero (ColorBrewer RdBu, 6 classes): net outflow red, net inflow blue.
DIVERGING_6 = ("#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac")
SUPPRESSED = "#ababab"  # small cells: fewer people than the store's threshold (mid grey, unlike
# the light grey of areas outside coverage and the beige of no data)

# dcc.Graph config shared by every page: no plotly logo, plotly.js geo's base topojson served
# locally (it fetches it even with every base layer hidden), no scroll zoom on projector pages, and
# nothing that sends a chart off the server (no "share" to Chart Studio, no link to plotly's cloud).
GRAPH_CONFIG: Any = {  # dcc.Graph types its config as a TypedDict
    "displaylogo": False,
    "topojsonURL": "/assets/topojson/",
    "scrollZoom": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "showLink": False,
    "plotlyServerURL": "",
}

# Hot spots (the colours GeoDa's LISA maps use): local Moran clusters, in the order of
# analytics.autocorrelation.CLUSTERS (not significant, HH, LH, LL, HL), and significance classes
# (not significant, p <= 0.05, 0.01, 0.001).
LISA_5 = ("#eeeeee", "#d7191c", "#abd9e9", "#2c7bb6", "#fdae61")
SIGNIFICANCE_4 = ("#eeeeee", "#a1d99b", "#41ab5d", "#006d2c")
# Box map (ColorBrewer RdBu, 6 classes, low to high): lower outliers, four quartiles, upper outliers.
BOX_6 = ("#2166ac", "#67a9cf", "#d1e5f0", "#fddbc7", "#ef8a62", "#b2182b")
SEQUENTIAL_9 = (
    "#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c",
    "#08306b",
)  # fmt: skip
# a wash over units whose rate rests on a small denominator (hot spots page)
SMALL_BASE_WASH = "rgba(255,255,255,0.62)"
SMALL_BASE_LINE = "#3e4c59"
