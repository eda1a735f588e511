"""A hand-made baseline whose scenario numbers are worked out by hand in ``README.md``.

Two origins (O1 Zhengzhou 410102, O2 Chengdu 510104) and two destinations (D1 Shanghai 310104,
D2 Wuxi 320211), plus D1's intra-county movers (the diagonal)::

            D1   D2
      O1    30   10      O_1 = 40
      O2    20   40      O_2 = 60
      D1     5            (diagonal)
"""

from __future__ import annotations

import pandas as pd

from planning.model import Baseline

O1, O2, D1, D2 = "410102", "510104", "310104", "320211"
PERIOD = "2010-01"


def tiny_baseline() -> Baseline:
    flows = pd.DataFrame(
        [(O1, D1, 30), (O1, D2, 10), (O2, D1, 20), (O2, D2, 40), (D1, D1, 5)],
        columns=["origin_code", "destination_code", "persons"],
    )
    coverage = pd.DataFrame(
        [
            (D1, "inflow", "cert_verified", 40, 50),
            (D2, "inflow", "health_check", 30, 40),
            (O1, "outflow", "cert_issued", 20, 25),
        ],
        columns=["unit_code", "side", "indicator", "numerator", "denominator"],
    )
    units = pd.DataFrame(
        [
            (O1, "410100", "410000"),
            (O2, "510100", "510000"),
            (D1, "310100", "310000"),
            (D2, "320200", "320000"),
        ],
        columns=["county_code", "prefecture_code", "province_code"],
    )
    members = pd.DataFrame(
        [("pan_yangtze", "310000"), ("pan_yangtze", "320000"), ("pan_pearl", "510000")],
        columns=["region_code", "province_code"],
    )
    return Baseline.from_frames(PERIOD, flows, coverage, units, members, run_id=7)
