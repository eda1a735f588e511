"""Census measures for the maps (2010 and 2020 county tables joined to polygons)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from dashboard.classify import quantile_classes
from dashboard.data.geo import hierarchy
from dashboard.figures.china_map import Classes, MapLayer
from geodata import census


@lru_cache(maxsize=4)
def census_share_layer(year: int) -> tuple[MapLayer, Classes]:
    """Share of each county's residents registered in another province (per resident), census ``year``.

    Counties with no census row are NaN (shown as no data), never zero.
    """
    h = hierarchy()
    h = h[h["in_coverage"]]
    table = h.merge(
        census.county_census(year), on="county_code", how="left", suffixes=("", "_census")
    )
    share = (table["n_hukou_other_province"] / table["pop_total"]).to_numpy(dtype=float)
    hover = [
        f"<b>{prov} {name}</b><br>外省户籍 {n:,.0f} 人 / 常住 {p:,.0f} 人<br>占比 {s:.1%}"
        if np.isfinite(s)
        else f"<b>{prov} {name}</b><br>无普查数据"
        for prov, name, n, p, s in zip(
            table["province_name"],
            table["county_name"],
            table["n_hukou_other_province"],
            table["pop_total"],
            share,
            strict=True,
        )
    ]
    layer = MapLayer(
        codes=table["county_code"].tolist(),
        names=table["county_name"].tolist(),
        values=share,
        hover=hover,
    )
    return layer, quantile_classes(share, 5, percent=True)
