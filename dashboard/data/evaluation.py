"""Pilot evaluations for the pages and the command line (``planning.evaluation``), read with the
reader's scope and memoised per store, data version and scope (``dashboard.data.store.cached``).

The pilot and its start month come from the region file of the app (``AppContext.regions_path``);
the comparison pool leaves out every other pilot and the counties bordering the pilot's (from the
cached national county layer). Callers must not mutate what they return.
"""

from __future__ import annotations

from sqlalchemy import Engine

from dashboard import context
from dashboard.data.store import cached
from etl.scope import Scope
from geodata import areas
from geodata.regions import Pilot
from planning.evaluation import DEFAULT_INDICATOR, Evaluation, EvaluationError, evaluate_pilot
from planning.matching import neighbour_codes


def pilot_of(code: str, regions_path: str | None = None) -> Pilot:
    """The pilot ``code`` of the region file; EvaluationError naming the pilots for another."""
    config = areas.regions(regions_path)
    try:
        return config.pilot(code)
    except KeyError:
        known = ", ".join(p.code for p in config.pilots) or "none"
        raise EvaluationError(
            f"{code!r} is not a pilot of the region file (pilots: {known})"
        ) from None


def pilot_evaluation(code: str, indicator: str = DEFAULT_INDICATOR) -> Evaluation:
    """The evaluation of pilot ``code`` on ``indicator`` for the reader's scope (EvaluationError
    when it cannot be made: unknown pilot, outside the scope, too few months, no comparison)."""
    return _evaluation(code, indicator, context.current().regions_path)


@cached(maxsize=16)
def _evaluation(
    engine: Engine, code: str, indicator: str, regions_path: str | None, *, scope: Scope
) -> Evaluation:
    pilot = pilot_of(code, regions_path)
    others = [p.code for p in areas.regions(regions_path).pilots if p.code != code]
    counties = areas.hierarchy()
    own = counties.loc[
        (counties["county_code"] == code) | (counties["prefecture_code"] == code), "county_code"
    ]
    shapes = context.current().layers.read("county", "national")
    return evaluate_pilot(
        engine, pilot, scope=scope, indicator=indicator, other_pilots=others,
        neighbours=neighbour_codes(shapes, set(own)),
    )  # fmt: skip
