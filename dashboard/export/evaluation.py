"""A pilot evaluation (``planning.evaluation``) as a data export: CSV or XLSX with metadata.

One long table, ``EVALUATION_COLUMNS``, one row per figure:

- ``part = estimate``: the difference-in-differences effect (``key`` = ``did``) with its standard
  error, 95% interval and p-value; ``pre_trend`` (the joint test's p-value in ``p_value``) and
  ``placebo`` (the placebo p-value);
- ``part = event``: one row per event-time bin (``key`` = the bin, ``period`` = its first month);
- ``part = group_rate``: the monthly rate of the pilot and comparison groups (``key`` = group);
- ``part = county``: the pilot's and the comparison counties (``key`` = code, ``name``,
  ``period`` = ``pilot`` or ``comparison``), ``value`` their pre-period rate (blank when a small
  cell), ``times_matched`` how often a comparison county was chosen.

Rates and effects are shares (0-1, rate points for an effect). The metadata (``section, key,
value``) names the pilot, its start, the indicator, the method, the verdict and the lineage. Both
files go through ``dashboard.export.tables.write_table`` (the one writer of data exports) and each
export writes one audit row (``dashboard.export.audit``) where it is made.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime
from pathlib import Path

import pandas as pd

from access.principal import Principal
from dashboard.data import geo
from dashboard.data.evaluation import pilot_evaluation
from dashboard.data.store import current_scope, reading_as
from dashboard.export.audit import record_export
from dashboard.export.source import ExportError, Lineage, read_lineage, store_context
from dashboard.export.tables import Table, write_table
from etl.indicators import INDICATOR_BY_FLAG
from geodata.layers import LayerSet
from planning.evaluation import Evaluation

EVALUATION_FORMATS = (".csv", ".xlsx")
EVALUATION_COLUMNS = (
    "part", "key", "name", "period", "value", "std_error", "ci_low", "ci_high", "p_value",
    "times_matched",
)  # fmt: skip
METHOD = (
    "difference-in-differences: rate[county, month] = county + month + effect x pilot x post, "
    "weighted least squares (weights: the month's denominator persons x times matched), standard "
    "errors clustered by county (CR1, t with clusters - 1 df); comparison counties: nearest "
    "neighbours on standardised pre-period rate, log 2010 census population and 2010 migrant share, "
    "within a caliper on every covariate, other pilots, the pilot's prefecture and its neighbouring "
    "counties excluded; event study by bins of event time (reference: the last pre-period bin); "
    "pre-trend: joint F test that the earlier pre-period bins are 0; placebo: each comparison county "
    "given the start date in turn"
)


def export_evaluation(
    layers: LayerSet,
    store_url: str,
    out: str | Path,
    pilot_code: str,
    indicator: str,
    lang: str = "zh",
    *,
    principal: Principal | None = None,
    now: datetime | None = None,
) -> tuple[Evaluation, list[Path]]:
    """Evaluate pilot ``pilot_code`` and write it as .csv or .xlsx (with metadata), with one
    audit row; ``principal`` (the command line's ``--as``) sets the scope and the audit's who."""
    if Path(out).suffix.lower() not in EVALUATION_FORMATS:
        raise ExportError(
            f"an evaluation is written as {' or '.join(EVALUATION_FORMATS)}, not {Path(out).name}"
        )
    with store_context(layers, store_url) as ctx:
        scope = reading_as(principal.scope) if principal is not None else nullcontext()
        with scope:
            evaluation = pilot_evaluation(pilot_code, indicator)
            table = evaluation_table(evaluation, read_lineage(ctx, now), lang)
            files = write_table(table, out)
            params = {"pilot": pilot_code, "indicator": indicator, "lang": lang,
                      "scope": current_scope()}  # fmt: skip
            record_export(
                ctx.engine, "evaluation", params, rows=len(table.data), out=out,
                principal=principal,
            )  # fmt: skip
    return evaluation, files


def evaluation_table(evaluation: Evaluation, lineage: Lineage, lang: str = "zh") -> Table:
    """The long table and metadata of ``evaluation`` (names in ``lang``)."""
    ev = evaluation
    names = geo.unit_names(lang)
    rows: list[dict[str, object]] = [
        {"part": "estimate", "key": "did", "value": ev.effect, "std_error": ev.std_error,
         "ci_low": ev.ci_low, "ci_high": ev.ci_high, "p_value": ev.p_value},
        {"part": "estimate", "key": "pre_trend", "p_value": ev.pre_trend_p},
        {"part": "estimate", "key": "placebo", "p_value": ev.placebo_p},
    ]  # fmt: skip
    rows += [
        {"part": "event", "key": str(r.bin), "period": r.first_month, "value": r.coefficient,
         "std_error": r.std_error, "ci_low": r.ci_low, "ci_high": r.ci_high}
        for r in ev.event.itertuples(index=False)
    ]  # fmt: skip
    rows += [
        {"part": "group_rate", "key": r.group, "period": r.period, "value": r.rate}
        for r in ev.groups.itertuples(index=False)
    ]
    rows += [
        {"part": "county", "key": r.county_code, "name": names.get(r.county_code, r.county_code),
         "value": r.pre_rate, "times_matched": r.times_matched,
         "period": "pilot" if r.role == "pilot" else "comparison"}
        for r in ev.comparisons.itertuples(index=False)
    ]  # fmt: skip
    data = pd.DataFrame(rows, columns=list(EVALUATION_COLUMNS))
    for column in ("value", "std_error", "ci_low", "ci_high", "p_value"):
        data[column] = pd.to_numeric(data[column], errors="coerce").astype("Float64")
    data["times_matched"] = data["times_matched"].astype("Int64")
    data = data.fillna({c: "" for c in ("key", "name", "period")})
    return Table(data, _metadata(ev, lineage), f"evaluation_{ev.pilot.code}")


def _metadata(ev: Evaluation, lineage: Lineage) -> pd.DataFrame:
    flag = INDICATOR_BY_FLAG[ev.indicator]
    rows = [
        ("export", "content", "pilot evaluation (difference-in-differences)"),
        ("export", "pilot_code", ev.pilot.code),
        ("export", "pilot_name_zh", ev.pilot.name_zh),
        ("export", "pilot_name_en", ev.pilot.name_en),
        ("export", "pilot_start", f"{ev.pilot.start} (region file; an assumption unless set)"),
        ("export", "indicator", ev.indicator),
        ("export", "indicator_name", f"{flag.name_zh} / {flag.name_en}"),
        ("export", "unit", "share (0-1); an effect in rate points (0.05 = 5 percentage points)"),
        ("export", "scope", str(ev.scope)),
        ("export", "pre_period", f"{ev.pre_periods[0]}..{ev.pre_periods[-1]}"),
        ("export", "post_period", f"{ev.post_periods[0]}..{ev.post_periods[-1]}"),
        ("export", "made_at", lineage.made_at),
        ("result", "verdict", ev.verdict),
        ("result", "pre_trend_ok", "" if ev.pre_trend_ok is None else str(ev.pre_trend_ok)),
        ("result", "treated_counties", " ".join(ev.treated)),
        ("result", "comparison_counties", " ".join(ev.controls)),
        ("result", "unmatched_counties", " ".join(ev.unmatched)),
        ("result", "too_few_persons", " ".join(ev.too_small)),
        ("result", "pool_counties", str(ev.pool_size)),
        ("result", "excluded_counties", str(ev.excluded)),
        ("result", "placebo_runs", str(ev.placebo_runs)),
        ("method", "estimator", METHOD),
        ("method", "k", str(ev.settings.k)),
        ("method", "caliper_sd", str(ev.settings.caliper)),
        ("method", "min_persons", str(ev.settings.min_persons)),
        ("method", "bin_months", str(ev.bin_months)),
        ("lineage", "data_version", lineage.data_version),
        ("lineage", "etl_run_id", str(lineage.run_id)),
        ("lineage", "etl_code_version", lineage.code_version),
        ("lineage", "residents", "2010 census (第六次全国人口普查), county tables"),
        ("suppression", "rule",
         f"a group's monthly rate or a county's pre-period rate whose denominator is under "
         f"{lineage.small_cell_threshold} persons is blank"),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["section", "key", "value"])
