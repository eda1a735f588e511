"""Early warning (预警监测): rules that flag a unit in a period, read through the marts with a scope.

The rules and their thresholds are configuration (``etl/alerts.toml``; ``YIPANQI_ALERTS`` names
another file, installed by an entry point with ``use_alerts``), validated like the target file:
every problem on its own line naming the file, the line and the key. The rules, per period P:

- ``feed_missing``: a department's report of a county for P was not received
  (``etl.marts.read_feed_submissions``); department set;
- ``feed_late``: it was received after its due date; ``value`` = days late, high severity from
  ``high_after_days``;
- ``coverage_below_target``: a coverage indicator of a unit of the configured levels, a published
  cell (``etl.marts.published``: never a suppressed one), under the target in force for P
  (``etl.targets``); ``value`` = the rate, ``reference`` = the target (percent), severity by the
  gap in points;
- ``coverage_drop``: the same cell fell by more than ``points`` percentage points against the
  previous period of the store, both cells published; ``reference`` = the previous rate;
- ``inflow_seasonal``: a unit's inflow (``read_unit_flows``) against the same month of the earlier
  years (at least ``min_years``): robust z = (inflow - median) / max(1.4826 x MAD,
  ``min_spread_share`` x median), an alert where |z| > ``z``; none where P or any year of the
  history is a small cell; ``value`` = inflow, ``reference`` = the median, ``score`` = z;
- ``origin_destination_mismatch``: 公安's ``moves_out`` (迁出) count of a county for P differs by
  more than ``tolerance_persons`` from the records' own departures of its hukou holders
  (``record_events`` ``departures``: the seeds' reconciliation of 流入 against 流出); ``value``
  = the feed count, ``reference`` = the records'. A small count (either under the threshold) is
  withheld: the alert stands, its numbers are blank and its reason names none.

Each alert is a row of ``ALERT_COLUMNS``: rule, severity (``high``, ``medium``, ``low``), level,
unit code, its province, period, department (feed rules), indicator (coverage rules), ``value``,
``reference``, ``score``, ``small_cell``, a plain-language reason in Chinese and English and the
link to the unit's page ``/area/<code>?period=P``. Sorted most severe first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from etl import indicators as rules
from etl import marts, targets
from etl.errors import AlertConfigError
from etl.feeds.format import DEPARTMENT_BY_CODE
from etl.indicators import BASIS, INDICATOR_BY_FLAG
from etl.scope import Scope
from geodata.config_file import line_of, read_config

DEFAULT_ALERTS_FILE = "alerts.toml"
RULES = (
    "feed_missing", "feed_late", "coverage_below_target", "coverage_drop", "inflow_seasonal",
    "origin_destination_mismatch",
)  # fmt: skip
SEVERITIES = ("high", "medium", "low")
LEVELS = ("county", "prefecture", "province")
ALERT_COLUMNS = (
    "period", "rule", "severity", "level", "unit_code", "province_code", "department",
    "indicator", "value", "reference", "score", "small_cell", "reason_zh", "reason_en", "link",
)  # fmt: skip
RULE_NAMES = {
    "feed_missing": ("未报送", "Report missing"),
    "feed_late": ("逾期报送", "Report late"),
    "coverage_below_target": ("低于目标", "Below target"),
    "coverage_drop": ("覆盖率下降", "Coverage drop"),
    "inflow_seasonal": ("流入异常", "Unusual inflow"),
    "origin_destination_mismatch": ("流入流出不符", "Origin-destination mismatch"),
}
"""Each rule's short name (Chinese, English)."""
SEVERITY_NAMES = {"high": ("高", "High"), "medium": ("中", "Medium"), "low": ("低", "Low")}

# What each rule's table may hold, with its type and range (the file is checked against it).
_KEYS: dict[str, dict[str, tuple[type, float, float]]] = {
    "feed_missing": {},
    "feed_late": {"high_after_days": (int, 1, 366)},
    "coverage_below_target": {
        "levels": (list, 0, 0), "medium_gap_points": (float, 0, 100), "high_gap_points": (float, 0, 100),
    },
    "coverage_drop": {"levels": (list, 0, 0), "points": (float, 0, 100), "high_points": (float, 0, 100)},
    "inflow_seasonal": {
        "levels": (list, 0, 0), "min_years": (int, 1, 50), "z": (float, 0.5, 100),
        "high_z": (float, 0.5, 1000), "min_spread_share": (float, 0, 1),
    },
    "origin_destination_mismatch": {"tolerance_persons": (int, 0, 10**9), "high_share": (float, 0, 100)},
}  # fmt: skip


@dataclass(frozen=True)
class AlertRules:
    """The validated rule file: per rule, ``enabled``, ``severity`` and its thresholds."""

    settings: Mapping[str, Mapping[str, Any]]
    source: str

    def enabled(self, rule: str) -> bool:
        return bool(self.settings[rule]["enabled"])

    def severity(self, rule: str) -> str:
        return str(self.settings[rule]["severity"])

    def __getitem__(self, key: tuple[str, str]) -> Any:
        return self.settings[key[0]][key[1]]


def load_alerts(path: Path | None = None) -> AlertRules:
    """Read and validate a rule file (``None``: the packaged default); AlertConfigError listing
    every problem, one line each, for a malformed one."""
    config = read_config(path, "etl", DEFAULT_ALERTS_FILE, AlertConfigError, "alert rule")
    return _validated(config.data, config.text, config.source)


def _validated(data: dict, text: str, source: str) -> AlertRules:
    errors: list[str] = []
    settings: dict[str, dict[str, Any]] = {}
    for name in data:
        if name not in _KEYS:
            errors.append(
                f"{source}:{line_of(text, f'[{name}]')}: unknown rule [{name}]; one of {', '.join(RULES)}"
            )
    for rule in RULES:
        raw = data.get(rule)
        where = f"{source}:{line_of(text, f'[{rule}]')}"
        if not isinstance(raw, dict):
            errors.append(f"{source}: no [{rule}] table")
            continue
        known = {"enabled": (bool, 0, 0), "severity": (str, 0, 0), **_KEYS[rule]}
        values: dict[str, Any] = {}
        for key in raw:
            if key not in known:
                errors.append(f"{where}: {rule}.{key}: unknown key; one of {', '.join(known)}")
        for key, (kind, low, high) in known.items():
            value = raw.get(key)
            label = f"{where}: {rule}.{key}"
            if value is None:
                errors.append(f"{label} missing")
            elif kind is bool:
                if not isinstance(value, bool):
                    errors.append(f"{label} must be true or false, got {value!r}")
            elif kind is str:
                if value not in SEVERITIES:
                    errors.append(f"{label} must be one of {', '.join(SEVERITIES)}, got {value!r}")
            elif kind is list:
                if not isinstance(value, list) or not set(value) <= set(LEVELS) or not value:
                    errors.append(
                        f"{label} must be a list of levels among {', '.join(LEVELS)}, got {value!r}"
                    )
            else:
                number = isinstance(value, int | float) and not isinstance(value, bool)
                if kind is int and not isinstance(value, int):
                    number = False
                if not number or not low <= value <= high:
                    what = "a whole number" if kind is int else "a number"
                    errors.append(f"{label} must be {what} from {low:g} to {high:g}, got {value!r}")
            values[key] = value
        settings[rule] = values
    pairs = (("coverage_below_target", "medium_gap_points", "high_gap_points"),
             ("coverage_drop", "points", "high_points"), ("inflow_seasonal", "z", "high_z"))  # fmt: skip
    for rule, lower, upper in pairs:
        one = settings.get(rule, {})
        if (
            all(isinstance(one.get(k), int | float) for k in (lower, upper))
            and one[upper] < one[lower]
        ):
            errors.append(
                f"{source}:{line_of(text, f'{upper} =')}: {rule}.{upper} is below {rule}.{lower}"
            )
    if errors:
        raise AlertConfigError("\n".join(errors))
    return AlertRules(settings, source)


_active: AlertRules | None = None


def use_alerts(rules_: AlertRules | None) -> None:
    """Install ``rules_`` as the rules every alert uses (None: back to the packaged default)."""
    global _active
    _active = rules_


def active_alerts() -> AlertRules:
    global _active
    if _active is None:
        _active = load_alerts(None)
    return _active


# --- the alerts ---------------------------------------------------------------------------------


def alerts_table(
    engine: sa.Engine | sa.Connection,
    period: str,
    *,
    scope: Scope,
    config: AlertRules | None = None,
) -> pd.DataFrame:
    """Every alert of ``period`` for the units inside ``scope`` (``ALERT_COLUMNS``), most severe
    first; ValueError naming the store's periods for one it does not have."""
    config = config or active_alerts()
    available = marts.periods(engine, scope=scope)
    if period not in available:
        raise ValueError(
            f"no period {period!r} in the store; one of {available[0]}..{available[-1]}"
            if available
            else "the store has no periods"
        )
    previous = available[available.index(period) - 1] if available.index(period) else None
    threshold = marts.small_cell_threshold(engine, scope=scope)
    units = marts.read_units(engine, scope=scope)
    parts = []
    if config.enabled("feed_missing") or config.enabled("feed_late"):
        parts.append(_feed_alerts(engine, period, scope, config))
    if config.enabled("coverage_below_target") or config.enabled("coverage_drop"):
        parts.append(_coverage_alerts(engine, period, previous, scope, config))
    if config.enabled("inflow_seasonal"):
        parts.append(_inflow_alerts(engine, period, scope, config, threshold))
    if config.enabled("origin_destination_mismatch"):
        parts.append(_mismatch_alerts(engine, period, scope, config, threshold))
    frames = [p for p in parts if len(p)]
    if not frames:
        return _empty()
    data = pd.concat(frames, ignore_index=True).reindex(
        columns=[c for c in ALERT_COLUMNS if c not in ("period", "province_code", "link")]
    )
    data["period"] = period
    data["province_code"] = _province_of(data, units)
    data["link"] = "/area/" + data["unit_code"] + "?period=" + period
    for name in ("department", "indicator"):
        data[name] = data[name].astype(object).fillna("").astype(str)  # all-NaN: float64 first
    for name in ("value", "reference", "score"):
        data[name] = pd.to_numeric(data[name]).astype("float64")
    data["small_cell"] = data["small_cell"].astype(object).fillna(False).astype(bool)
    order = {s: n for n, s in enumerate(SEVERITIES)}
    rule_order = {r: n for n, r in enumerate(RULES)}
    level_order = {lv: n for n, lv in enumerate(("province", "prefecture", "county"))}
    data = data.assign(
        _s=data["severity"].map(order), _r=data["rule"].map(rule_order),
        _l=data["level"].map(level_order),
    ).sort_values(["_s", "_r", "_l", "unit_code", "department", "indicator"], kind="stable",
                  ignore_index=True)  # fmt: skip
    return data[list(ALERT_COLUMNS)]


_CACHE: dict[tuple, pd.DataFrame] = {}
_CACHE_SIZE = 16


def cached_alerts(engine: sa.Engine, period: str, *, scope: Scope) -> pd.DataFrame:
    """``alerts_table`` memoised per store, latest succeeded run, period, scope and rule set (the
    storyboard narrative asks for the same period slide after slide); callers must not mutate it."""
    from etl.store import latest_run

    run = latest_run(engine, status="succeeded")
    key = (str(engine.url), run.run_id if run else 0, period, scope, id(active_alerts()))
    found = _CACHE.get(key)
    if found is None:
        found = alerts_table(engine, period, scope=scope)
        while len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)), None)
        _CACHE[key] = found
    return found


def alerts_of_place(data: pd.DataFrame, counties: set[str] | frozenset[str]) -> pd.DataFrame:
    """The alerts of a place given as its counties: those of its counties, and of every
    prefecture and province all of whose covered counties are among them (a pilot prefecture's
    own alerts count, its province's do not)."""
    h = _hierarchy_parents()
    inside = h["county_code"].isin(counties)
    codes = set(counties)
    for level in ("prefecture_code", "province_code"):
        whole = inside.groupby(h[level]).all()
        codes |= set(whole[whole].index)
    return data[data["unit_code"].isin(codes)]


def _hierarchy_parents() -> pd.DataFrame:
    """Every county inside the census coverage with its prefecture and province (read once)."""
    from geodata.hierarchy import hierarchy_table

    global _PARENTS
    if _PARENTS is None:
        h = hierarchy_table()
        if "in_coverage" in h.columns:
            h = h[h["in_coverage"].astype(bool)]
        _PARENTS = h[["county_code", "prefecture_code", "province_code"]].reset_index(drop=True)
    return _PARENTS


_PARENTS: pd.DataFrame | None = None


def _empty() -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series(dtype="object") for name in ALERT_COLUMNS})
    for name in ("value", "reference", "score"):
        frame[name] = frame[name].astype("float64")
    frame["small_cell"] = frame["small_cell"].astype(bool)
    return frame


def _province_of(data: pd.DataFrame, units: pd.DataFrame) -> pd.Series:
    """The province of each alert's unit (a province: itself)."""
    lookup: dict[str, str] = {}
    for level in ("county", "prefecture"):
        lookup.update(dict(zip(units[f"{level}_code"], units["province_code"], strict=True)))
    lookup.update({p: p for p in units["province_code"]})
    return data["unit_code"].map(lookup).fillna("").astype(str)


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def _dept(code: str) -> tuple[str, str]:
    d = DEPARTMENT_BY_CODE[code]
    return d.name_zh, d.name_en


def _feed_alerts(engine: sa.Engine | sa.Connection, period: str, scope: Scope,
                 config: AlertRules) -> pd.DataFrame:  # fmt: skip
    subs = marts.read_feed_submissions(engine, period, scope=scope)
    rows: list[dict[str, Any]] = []
    if config.enabled("feed_missing"):
        for r in subs[~subs["received"]].itertuples(index=False):
            zh, en = _dept(r.department)
            rows.append({
                "rule": "feed_missing", "severity": config.severity("feed_missing"),
                "level": "county", "unit_code": r.county_code, "department": r.department,
                "value": np.nan, "reference": np.nan, "score": np.nan, "small_cell": False,
                "reason_zh": f"{zh}部门未报送{period}的月度通报（应于{r.due_date:%Y-%m-%d}前报送）。",
                "reason_en": f"{en} did not send its {period} report (due {r.due_date:%Y-%m-%d}).",
            })  # fmt: skip
    if config.enabled("feed_late"):
        late = subs[subs["received"] & ~subs["on_time"]]
        high = config["feed_late", "high_after_days"]
        for r in late.itertuples(index=False):
            zh, en = _dept(r.department)
            sent = pd.Timestamp(r.submitted_at).date()
            days = (sent - r.due_date).days
            rows.append({
                "rule": "feed_late",
                "severity": "high" if days >= high else config.severity("feed_late"),
                "level": "county", "unit_code": r.county_code, "department": r.department,
                "value": float(days), "reference": np.nan, "score": np.nan, "small_cell": False,
                "reason_zh": f"{zh}部门{period}的通报于{sent:%Y-%m-%d}报送，逾期{days}天（应于{r.due_date:%Y-%m-%d}前）。",
                "reason_en": f"{en} sent its {period} report on {sent:%Y-%m-%d}, {days} day(s) after the due date {r.due_date:%Y-%m-%d}.",
            })  # fmt: skip
    return _frame(rows)


def _rates(rows: pd.DataFrame) -> np.ndarray:
    return np.asarray(rules.ratio(rows["numerator"], rows["denominator"]), dtype=np.float64)


def _coverage_alerts(engine: sa.Engine | sa.Connection, period: str, previous: str | None,
                     scope: Scope, config: AlertRules) -> pd.DataFrame:  # fmt: skip
    now = marts.read_published_coverage(engine, scope=scope, period=period)
    levels = set(config["coverage_below_target", "levels"]) | set(config["coverage_drop", "levels"])
    shown = now[now["level"].isin(levels) & ~now["suppressed"] & (now["denominator"] > 0)].copy()
    shown["rate"] = _rates(shown)
    rows: list[dict[str, Any]] = []
    if config.enabled("coverage_below_target"):
        part = shown[shown["level"].isin(config["coverage_below_target", "levels"])]
        bp = targets.target_bps(part["indicator"], period).to_numpy()
        below = ~np.asarray(
            rules.at_target(part["numerator"].to_numpy(), part["denominator"].to_numpy(), bp)
        )
        medium = config["coverage_below_target", "medium_gap_points"]
        high = config["coverage_below_target", "high_gap_points"]
        for r, goal in zip(part[below].itertuples(index=False), bp[below], strict=True):
            rate, target = 100 * r.rate, 100 * goal / BASIS
            gap = target - rate
            severity = (
                "high"
                if gap >= high
                else "medium"
                if gap >= medium
                else config.severity("coverage_below_target")
            )
            ind = INDICATOR_BY_FLAG[r.indicator]
            rows.append({
                "rule": "coverage_below_target", "severity": severity, "level": r.level,
                "unit_code": r.unit_code, "indicator": r.indicator, "value": rate,
                "reference": target, "score": np.nan, "small_cell": False,
                "reason_zh": f"{ind.name_zh}为{rate:.1f}%，低于{period[:4]}年目标{target:.0f}%（差{gap:.1f}个百分点）。",
                "reason_en": f"{ind.name_en} is {rate:.1f}%, under the {period[:4]} target of {target:.0f}% by {gap:.1f} points.",
            })  # fmt: skip
    if config.enabled("coverage_drop") and previous is not None:
        before = marts.read_published_coverage(engine, scope=scope, period=previous)
        before = before[~before["suppressed"] & (before["denominator"] > 0)].copy()
        before["previous"] = _rates(before)
        keys = ["level", "unit_code", "side", "indicator"]
        part = shown[shown["level"].isin(config["coverage_drop", "levels"])].merge(
            before[[*keys, "previous"]], on=keys
        )
        fall = 100 * (part["previous"] - part["rate"])
        limit, high = config["coverage_drop", "points"], config["coverage_drop", "high_points"]
        for r, points in zip(
            part[fall > limit].itertuples(index=False), fall[fall > limit], strict=True
        ):
            ind = INDICATOR_BY_FLAG[r.indicator]
            rows.append({
                "rule": "coverage_drop",
                "severity": "high" if points >= high else config.severity("coverage_drop"),
                "level": r.level, "unit_code": r.unit_code, "indicator": r.indicator,
                "value": 100 * r.rate, "reference": 100 * r.previous, "score": np.nan, "small_cell": False,
                "reason_zh": f"{ind.name_zh}由{previous}的{100 * r.previous:.1f}%降至{100 * r.rate:.1f}%，下降{points:.1f}个百分点。",
                "reason_en": f"{ind.name_en} fell from {100 * r.previous:.1f}% in {previous} to {100 * r.rate:.1f}%, down {points:.1f} points.",
            })  # fmt: skip
    return _frame(rows)


def robust_z(value: float, history: np.ndarray, min_spread_share: float) -> float:
    """(value - median) / max(1.4826 x MAD, ``min_spread_share`` x median) of ``history``; NaN
    where that spread is 0."""
    median = float(np.median(history))
    mad = float(np.median(np.abs(history - median)))
    spread = max(1.4826 * mad, min_spread_share * abs(median))
    return (value - median) / spread if spread > 0 else float("nan")


def _inflow_alerts(engine: sa.Engine | sa.Connection, period: str, scope: Scope,
                   config: AlertRules, threshold: int) -> pd.DataFrame:  # fmt: skip
    frames = [
        seasonal_alerts(
            marts.read_unit_flows(engine, level, scope=scope), level, period, config, threshold
        )
        for level in config["inflow_seasonal", "levels"]
    ]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else _frame([])


def seasonal_alerts(flows: pd.DataFrame, level: str, period: str, config: AlertRules,
                    threshold: int) -> pd.DataFrame:  # fmt: skip
    """``inflow_seasonal`` alerts of ``period`` from unit flows (``period, unit_code, inflow``)
    of one level: pure, for a test on a hand-made history."""
    year, month = int(period[:4]), period[5:]
    rows: list[dict[str, Any]] = []
    need = config["inflow_seasonal", "min_years"]
    z_limit, z_high = config["inflow_seasonal", "z"], config["inflow_seasonal", "high_z"]
    share = config["inflow_seasonal", "min_spread_share"]
    for _ in (level,):
        same = flows[
            (flows["period"].str[5:] == month) & (flows["period"].str[:4].astype(int) <= year)
        ]
        wide = same.pivot_table(index="unit_code", columns="period", values="inflow", aggfunc="sum")
        if period not in wide.columns:
            break
        history = [c for c in wide.columns if c != period]
        if len(history) < need:
            break
        for code, values in wide.iterrows():
            now = values[period]
            past = values[history].to_numpy(dtype=np.float64)
            if np.isnan(now) or np.isnan(past).any():
                continue
            if rules.small_cell(now, threshold) or bool(
                np.asarray(rules.small_cell(past, threshold)).any()
            ):
                continue
            z = robust_z(float(now), past, share)
            if np.isnan(z) or abs(z) <= z_limit:
                continue
            median = float(np.median(past))
            up = z > 0
            rows.append({
                "rule": "inflow_seasonal",
                "severity": "high" if abs(z) >= z_high else config.severity("inflow_seasonal"),
                "level": level, "unit_code": str(code), "value": float(now), "reference": median,
                "score": float(z), "small_cell": False,
                "reason_zh": f"流入人口{int(now):,}人，{'高于' if up else '低于'}往年同月（{history[0][:4]}-{history[-1][:4]}年）中位数{median:,.0f}人，稳健Z值{z:.1f}。",
                "reason_en": f"Inflow of {int(now):,} persons is {'above' if up else 'below'} the median of {median:,.0f} for the same month of {history[0][:4]}-{history[-1][:4]} (robust z {z:.1f}).",
            })  # fmt: skip
    return _frame(rows)


def _mismatch_alerts(engine: sa.Engine | sa.Connection, period: str, scope: Scope,
                     config: AlertRules, threshold: int) -> pd.DataFrame:  # fmt: skip
    fed = marts.read_feed_counts(engine, period, "public_security", "moves_out", scope=scope)
    events = marts.read_record_events(engine, period, "departures", scope=scope)
    both = fed.merge(events, on=["period", "county_code"])
    tolerance = config["origin_destination_mismatch", "tolerance_persons"]
    high = config["origin_destination_mismatch", "high_share"]
    diff = both["count"] - both["persons"]
    rows: list[dict[str, Any]] = []
    for r, d in zip(
        both[diff.abs() > tolerance].itertuples(index=False),
        diff[diff.abs() > tolerance],
        strict=True,
    ):
        small = bool(rules.small_cell(r.count, threshold) or rules.small_cell(r.persons, threshold))
        severe = abs(d) >= high * max(r.persons, 1)
        if small:
            zh = f"公安部门报送的{period}迁出人数与记录中本县户籍人员迁往外县的人数不符（人数较少，不予显示）。"
            en = f"Public security's moves out for {period} differ from the records' departures of the county's hukou holders (small numbers withheld)."
        else:
            zh = f"公安部门报送{period}迁出{r.count:,}人，记录显示本县户籍人员迁往外县{r.persons:,}人，相差{d:+,}人。"
            en = f"Public security reported {r.count:,} moves out for {period}; the records show {r.persons:,} hukou holders leaving for other counties ({d:+,})."
        rows.append({
            "rule": "origin_destination_mismatch",
            "severity": "high" if severe else config.severity("origin_destination_mismatch"),
            "level": "county", "unit_code": r.county_code, "department": "public_security",
            "value": float(r.count), "reference": float(r.persons), "score": float(d),
            "small_cell": small, "reason_zh": zh, "reason_en": en,
        })  # fmt: skip
    return _frame(rows)


def published_alerts(data: pd.DataFrame) -> pd.DataFrame:
    """``alerts_table`` rows as they may leave the system: the numbers of a small cell blank."""
    out = data.copy()
    hidden = out["small_cell"].to_numpy(bool)
    for name in ("value", "reference", "score"):
        out.loc[hidden, name] = np.nan
    return out


def severity_counts(data: pd.DataFrame) -> dict[str, int]:
    """How many alerts of each severity (every severity, 0 where none)."""
    counts = data["severity"].value_counts()
    return {s: int(counts.get(s, 0)) for s in SEVERITIES}
