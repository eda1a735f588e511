"""What every page needs, fixed when the app is created and read (never written) per request."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import flask
import orjson
import sqlalchemy as sa

from access.tables import ensure_tables
from dashboard.data import geo
from dashboard.geometry_route import geometry_url
from dashboard.i18n import t
from etl.store import open_store
from geodata.layers import LayerSet

CONFIG_KEY = "YIPANQI_CONTEXT"


@dataclass(frozen=True)
class AppContext:
    layers: LayerSet
    store_url: str
    regions_path: str | None = None

    @cached_property
    def engine(self) -> sa.Engine:
        """The store's engine (connection pool), shared by every request of this app, with the
        account and audit tables made. Opened at the first use that succeeds: while the store
        cannot be reached, each use raises (``dashboard.store_outage`` answers 503) and the
        next one tries again."""
        engine = open_store(self.store_url)
        try:
            ensure_tables(engine)
        except BaseException:
            engine.dispose()
            raise
        return engine

    @property
    def engine_opened(self) -> bool:
        """True once ``engine`` has been opened (nothing to dispose of before)."""
        return "engine" in self.__dict__

    @cached_property
    def maritime(self) -> tuple[list[float | None], list[float | None]]:
        """The maritime boundary as lon / lat lists with ``None`` between lines (for scattergeo)."""
        feature = orjson.loads(self.layers.geojson_path("maritime").read_bytes())
        lon: list[float | None] = []
        lat: list[float | None] = []
        for line in feature["geometry"]["coordinates"]:
            for x, y in line:
                lon.append(round(x, 3))
                lat.append(round(y, 3))
            lon.append(None)
            lat.append(None)
        return lon, lat

    def national_frame(self, level: str) -> dict:
        """Keyword arguments of the national map builders (``dashboard.figures``): the level's
        geometry URL, areas outside coverage, province borders, the maritime line, labels (in the
        current language). Units outside the reader's scope are drawn grey as those outside
        coverage, with their own hover label ("outside your scope")."""
        # the store module reads this context
        from dashboard.data.store import beyond_scope, outside_units

        codes = outside_units(level)
        beyond = beyond_scope(level)
        coverage, scope = t("outside_coverage"), t("outside_scope")
        return {
            "geojson_url": geometry_url(self.layers, f"{level}_national"),
            "outside_codes": codes,
            "outside_label": coverage,
            "outside_hover": [scope if code in beyond else coverage for code in codes],
            "province_geojson_url": geometry_url(self.layers, "province_national"),
            "province_codes": geo.province_codes(),
            "maritime": self.maritime,
            "scs_label": t("scs_islands"),
        }


def current() -> AppContext:
    """The context of the app serving this request."""
    return flask.current_app.config[CONFIG_KEY]
