"""``yipanqi evaluate PILOT``: did a pilot work? (``planning.evaluation``)

Prints the difference-in-differences estimate of the pilot's effect on one indicator against
matched comparison counties, its 95% interval, the pre-trend and placebo checks and the verdict;
``--out F.csv|.xlsx`` also writes the whole evaluation (estimate, event study, group rates,
counties, metadata) through the data-export writer, with one audit row ``export.evaluation``.
The command line is the operator's and reads as the nation; ``--as ACCOUNT`` evaluates with that
account's scope (it must exist, be enabled and be allowed data exports) and names it in the audit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from yipanqi.options import CommandError, StoreOption, console, open_store_or_exit, store_failures
from yipanqi.settings import load_settings


def register(app: typer.Typer) -> None:
    """Add the ``evaluate`` command to the root app."""
    app.command("evaluate")(evaluate_command)


def evaluate_command(
    pilot: Annotated[str, typer.Argument(help="Pilot code of the region file (310115, 320200, ...).")],
    indicator: Annotated[
        str, typer.Option(help="Indicator flag (cert_verified, policy_aware, ...).")
    ] = "cert_verified",
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Also write the evaluation: .csv (UTF-8 with BOM) or .xlsx."),
    ] = None,
    store: StoreOption = None,
    as_account: Annotated[
        str | None,
        typer.Option("--as", help="The account this evaluation is made for (its scope applies)."),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="County names in zh or en.")] = "zh",
) -> None:
    """Estimate a pilot's effect by difference-in-differences against matched counties."""
    from dashboard.export.evaluation import export_evaluation
    from dashboard.export.source import store_context
    from etl.indicators import indicator as indicator_of
    from geodata.layers import ensure_layers
    from planning.evaluation import EvaluationError

    try:
        indicator_of(indicator)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    settings = load_settings()
    url = store or settings.store_url
    principal = _principal(url, as_account)
    layers = ensure_layers(settings.geodata_dir)
    try:
        with store_failures(store):
            if out is not None:
                result, files = export_evaluation(
                    layers, url, out, pilot, indicator, lang, principal=principal
                )
            else:
                from dashboard.data.evaluation import pilot_evaluation
                from dashboard.data.store import reading_as

                files = []
                with store_context(layers, url):
                    if principal is not None:
                        with reading_as(principal.scope):
                            result = pilot_evaluation(pilot, indicator)
                    else:
                        result = pilot_evaluation(pilot, indicator)
    except EvaluationError as exc:
        raise CommandError(str(exc)) from None
    console.print(summary_text(result))
    for path in files:
        console.print(f"wrote {escape(str(path))}")


def summary_text(result) -> str:  # noqa: ANN001 - planning.evaluation.Evaluation, imported lazily
    """The evaluation in a few plain lines (rates in percentage points)."""
    pre_trend = (
        "not testable (fewer than two pre-period bins)"
        if result.pre_trend_p is None
        else f"p = {result.pre_trend_p:.3f} ({'no sign of' if result.pre_trend_ok else 'WARNING:'}"
        " diverging trends before the start)"
    )
    placebo = (
        "not run" if result.placebo_p is None
        else f"p = {result.placebo_p:.3f} over {result.placebo_runs} comparison counties"
    )  # fmt: skip
    if result.interval is None:
        interval = "none (too few comparison counties for a placebo interval)"
    else:
        low, high = result.interval
        interval = f"{100 * low:+.2f} to {100 * high:+.2f} ({result.interval_kind})"
    lines = [
        f"pilot {result.pilot.code} {result.pilot.name_zh} ({result.pilot.name_en}), "
        f"start {result.pilot.start}, indicator {result.indicator}, scope {result.scope}",
        f"counties: {len(result.treated)} pilot, {len(result.controls)} comparison "
        f"(pool {result.pool_size}; unmatched: {', '.join(result.unmatched) or 'none'}; "
        f"too few persons: {', '.join(result.too_small) or 'none'})",
        f"months: {len(result.pre_periods)} before, {len(result.post_periods)} from the start",
        f"effect: {100 * result.effect:+.2f} percentage points; 95% interval {interval}",
        f"clustered by county: {100 * result.ci_low:+.2f} to {100 * result.ci_high:+.2f} "
        f"(SE {100 * result.std_error:.2f}, p = {result.p_value:.3f})",
        f"pre-trend check: {pre_trend}",
        f"placebo check: {placebo}",
        f"verdict: {result.verdict}",
    ]
    return "\n".join(escape(line) for line in lines)


def _principal(url: str, account: str | None):  # noqa: ANN202 - access.principal.Principal
    """The principal of ``--as`` (checked: enabled, may export data), or None."""
    if account is None:
        return None
    from access.accounts import get_account
    from access.roles import Action

    engine = open_store_or_exit(url)
    try:
        found = get_account(engine, account)
    finally:
        engine.dispose()
    if found is None or found.disabled:
        raise CommandError(f"no enabled account {account!r}")
    if not found.principal.may(Action.EXPORT_DATA):
        raise CommandError(f"account {account!r} ({found.role}) may not export data")
    return found.principal
