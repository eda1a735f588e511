"""Who may call what: every route and every callback of the app, with the action it needs.

Dash finds the function of a callback request by the ``output`` field of its JSON body alone, and
takes ``inputs`` and ``state`` from the body as they come (anything can be forged there). So the
gate authorizes a callback by that ``output`` key: the set of component IDs it writes to (the
properties and Dash's ``@hash`` suffix of ``allow_duplicate`` outputs do not matter) must be a key
of ``CALLBACKS``, and the principal's role must allow the action. A callback that is not in the
table is refused (default deny); a test checks that the table and the app's callbacks are the same
set, so a new or changed callback fails the tests until it is given an action here.

Routes are authorized by Flask endpoint the same way: ``OPEN_ROUTES`` need no session (the sign-in
page, health, and static code and fonts, which carry no data); every other endpoint must be in
``ROUTES``.
"""

from __future__ import annotations

import contextlib
import json
from functools import lru_cache

from access.roles import Action
from dashboard import ids

# Dash's own pages machinery (dash.dash._ID_CONTENT, _ID_STORE, _ID_DUMMY).
_PAGES_CONTENT, _PAGES_STORE, _PAGES_TITLE = "_pages_content", "_pages_store", "_pages_dummy"

CALLBACK_ENDPOINT = "/_dash-update-component"
PAGE_ENDPOINTS = frozenset({"/", "/<path:path>"})

OPEN_ROUTES = frozenset(
    {
        "security.login",
        "security.logout",
        "security.healthz",
        "security.static",
        "_dash_assets.static",
        "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>",
        "/_favicon.ico",
    }
)

ROUTES: dict[str, Action] = {
    "/": Action.VIEW,
    "/<path:path>": Action.VIEW,
    "/_dash-layout": Action.VIEW,
    "/_dash-dependencies": Action.VIEW,
    "/_reload-hash": Action.VIEW,
    CALLBACK_ENDPOINT: Action.VIEW,  # and then the callback's own action
    "serve_geometry": Action.VIEW,
}


def _outputs(*component_ids: str) -> frozenset[str]:
    return frozenset(component_ids)


VIEW, SLIDES = Action.VIEW, Action.EXPORT_SLIDES
CALLBACKS: dict[frozenset[str], Action] = {
    # Dash pages: the page router and the document title
    _outputs(_PAGES_CONTENT, _PAGES_STORE): VIEW,
    _outputs(_PAGES_TITLE): VIEW,
    # shell
    _outputs(ids.SHELL_NAV, ids.SHELL_LANG, ids.SHELL_TITLE, ids.SHELL_SUBTITLE): VIEW,
    # overview
    _outputs(
        ids.OVERVIEW_VALUES,
        ids.OVERVIEW_LEGEND,
        ids.OVERVIEW_HEADLINES,
        ids.OVERVIEW_PERIOD_LABEL,
        ids.OVERVIEW_QUERY,
        ids.OVERVIEW_SPANS,
    ): VIEW,
    _outputs(ids.OVERVIEW_MAP): VIEW,
    _outputs(
        ids.OVERVIEW_BODY,
        ids.OVERVIEW_SIDE,
        ids.OVERVIEW_SPLIT_BOX,
        ids.OVERVIEW_TREND_BOX,
        ids.OVERVIEW_SECOND_BOX,
        ids.OVERVIEW_AREAS_BOX,
        ids.OVERVIEW_AREAS,
        ids.OVERVIEW_VALUES2,
        ids.OVERVIEW_LEGEND2,
        ids.OVERVIEW_MAP2,
        ids.OVERVIEW_TREND,
    ): VIEW,
    _outputs(ids.OVERVIEW_PAINTED2): VIEW,
    _outputs(ids.OVERVIEW_SYNC): VIEW,
    _outputs(ids.OVERVIEW_TICK, ids.OVERVIEW_PLAY): VIEW,
    _outputs(ids.OVERVIEW_PERIOD): VIEW,
    _outputs(ids.OVERVIEW_URL): VIEW,
    _outputs(ids.OVERVIEW_PAINTED): VIEW,
    _outputs(ids.OVERVIEW_QUERY): VIEW,
    # flows
    _outputs(ids.FLOWS_BASE, ids.FLOWS_REGION_LEGEND): VIEW,
    _outputs(
        ids.FLOWS_LINES,
        ids.FLOWS_LEGEND,
        ids.FLOWS_TOTALS,
        ids.FLOWS_MAP_TITLE,
        ids.FLOWS_TABLE,
        ids.FLOWS_CLEAR_FOCUS,
        ids.FLOWS_CIRCLES_LEGEND,
        ids.EXPORT_NARRATIVE,  # the flows page's own narrative of the view (reading)
    ): VIEW,
    _outputs(ids.FLOWS_MATRIX): VIEW,
    _outputs(ids.FLOWS_FOCUS): VIEW,
    _outputs(ids.FLOWS_SEARCH): VIEW,
    _outputs(ids.FLOWS_TICK, ids.FLOWS_PLAY): VIEW,
    _outputs(ids.FLOWS_PERIOD): VIEW,
    _outputs(ids.FLOWS_URL, ids.SHELL_LANG): VIEW,
    _outputs(ids.FLOWS_DOWNLOAD): Action.EXPORT_DATA,
    # areas and area
    _outputs(ids.AREAS_PICKER): VIEW,
    _outputs(ids.AREAS_GO): VIEW,
    _outputs(ids.AREA_URL, ids.SHELL_LANG): VIEW,
    _outputs(
        ids.AREA_HEADLINES,
        ids.AREA_BULLET_KEY,
        ids.AREA_BULLETS,
        ids.AREA_TABLE,
        ids.AREA_ASSESSMENT,
        ids.AREA_TRENDS,
        ids.AREA_FLOW_TREND,
        ids.AREA_ORIGINS,
        ids.AREA_DESTINATIONS,
        ids.AREA_ALERTS,
        ids.AREA_BREADCRUMB,
    ): VIEW,
    _outputs(ids.AREA_MAP): VIEW,
    _outputs(ids.AREA_EVAL_BODY): VIEW,  # a pilot's evaluation: figures of the reader's scope
    # assessment: the ranking is viewing; its workbook is a data export
    _outputs(ids.ASSESSMENT_GRID, ids.ASSESSMENT_NOTE, ids.ASSESSMENT_OWED): VIEW,
    _outputs(ids.ASSESSMENT_DOWNLOAD): Action.EXPORT_DATA,
    # monitoring: the alerts are viewing; their workbook is a data export
    _outputs(
        ids.MONITORING_COUNTS,
        ids.MONITORING_REPORTS,
        ids.MONITORING_NOTE,
        ids.MONITORING_GRID,
        ids.MONITORING_URL,
        ids.SHELL_LANG,
    ): VIEW,
    _outputs(ids.MONITORING_DOWNLOAD): Action.EXPORT_DATA,
    _outputs(ids.MONITORING_MAP, ids.MONITORING_LEGEND): VIEW,  # the alerts per unit
    _outputs(ids.MONITORING_NAV): VIEW,  # a unit clicked: its area page
    # scenarios: editing and running a what-if is reading (nothing is written until Save);
    # saving and deleting are the planner's
    _outputs(
        ids.SCENARIOS_SCENARIO, ids.SCENARIOS_FORM, ids.SCENARIOS_EDITOR, ids.SCENARIOS_JSON_NOTE
    ): VIEW,
    _outputs(ids.SCENARIOS_FIELD): VIEW,  # a lever's area search (pattern-matching: by its type)
    _outputs(
        ids.SCENARIOS_WORDS,
        ids.SCENARIOS_PROBLEMS,
        ids.SCENARIOS_STALE,
        ids.SCENARIOS_LEVER_PROBLEMS,
    ): VIEW,
    _outputs(ids.SCENARIOS_QUERY): VIEW,
    _outputs(
        ids.SCENARIOS_MAP,
        ids.SCENARIOS_SUMMARY,
        ids.SCENARIOS_MODEL,
        ids.SCENARIOS_STATUS,
        ids.SCENARIOS_RAN,
    ): VIEW,
    _outputs(
        ids.SCENARIOS_SAVE_STATUS, ids.SCENARIOS_URL, ids.SCENARIOS_SAVED, ids.SCENARIOS_COMPARE
    ): Action.SAVE_SCENARIO,
    # presentation and storyboards: picking and presenting is viewing; every edit is saved at once
    _outputs(
        ids.PRESENT_TITLE,
        ids.PRESENT_COUNTER,
        ids.PRESENT_MESSAGE,
        ids.PRESENT_NARRATIVE,
        ids.PRESENT_TABLE,
        ids.PRESENT_LEGEND,
        ids.PRESENT_FOOTER,
        ids.PRESENT_PAYLOAD,
        ids.PRESENT_MAP,
        ids.PRESENT_LEVEL,
    ): VIEW,
    _outputs(ids.PRESENT_PAINTED): VIEW,
    _outputs(ids.STORYBOARDS_URL): VIEW,
    _outputs(ids.STORYBOARDS_SLIDES, ids.STORYBOARDS_STATUS): Action.SAVE_STORYBOARD,
    _outputs(ids.STORYBOARDS_URL, ids.STORYBOARDS_STATUS): Action.SAVE_STORYBOARD,
    _outputs(ids.STORYBOARDS_DOWNLOAD): SLIDES,
    # hot spots: the analysis is reading; its table is a data export
    _outputs(
        ids.HOTSPOTS_VALUE_MAP,
        ids.HOTSPOTS_VALUE_LEGEND,
        ids.HOTSPOTS_VALUE_TITLE,
        ids.HOTSPOTS_CLUSTER_MAP,
        ids.HOTSPOTS_CLUSTER_LEGEND,
        ids.HOTSPOTS_SIGNIFICANCE_MAP,
        ids.HOTSPOTS_SIGNIFICANCE_LEGEND,
        ids.HOTSPOTS_SUMMARY,
        ids.HOTSPOTS_PROBLEM,
        ids.HOTSPOTS_QUERY,
    ): VIEW,
    _outputs(ids.HOTSPOTS_VARIABLE): VIEW,
    _outputs(ids.HOTSPOTS_QUERY): VIEW,
    # the download menu under every map (dashboard.export.menu; by type, for every page): the
    # narrative is reading, the print map a map export, the layer or flows file a data export
    _outputs(ids.EXPORT_NARRATIVE): VIEW,
    _outputs(ids.EXPORT_MAP_DOWNLOAD, ids.EXPORT_MAP_NOTE): Action.EXPORT_MAP,
    _outputs(ids.EXPORT_DATA_DOWNLOAD, ids.EXPORT_DATA_NOTE): Action.EXPORT_DATA,
}


@lru_cache(maxsize=1024)
def output_ids(output: str) -> frozenset[str]:
    """The component IDs a callback writes to, from Dash's output key (``id.prop``, or
    ``..id.prop...id.prop..`` for several; a pattern-matching ID counts by its ``type``)."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    found = set()
    for part in parts:
        component = part.rsplit(".", 1)[0]
        if component.startswith("{"):
            with contextlib.suppress(ValueError, AttributeError):
                component = str(json.loads(component).get("type", component))
        found.add(component)
    return frozenset(found)


def callback_action(output: str) -> Action | None:
    """The action a callback request for ``output`` needs; None if the table does not know it."""
    return CALLBACKS.get(output_ids(output))
