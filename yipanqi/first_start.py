"""First start on a fresh machine: a demo store from synthetic records, so the dashboard has data.

Runs only when the store holds no aggregates. Records are generated from the 2010 census (see
``synthetic.generate``) at ``DEMO_FRACTION`` of the census migrants, every month
2009-01..2012-12, then ingested in demo mode (the published demo hash key) and aggregated; the
departments' feeds of the same months follow (``synthetic.feeds``, 公安's moves in and out from the
records' own arrivals and departures, ``load_demo_feeds``), so the monitoring page has alerts. Real
users ingest their own extracts with ``yipanqi ingest`` instead; the demo never runs against a
store that has data.

While the store has no account at all, one steward account ``admin`` is made with a random
password, written to ``<data dir>/initial-admin-password`` (mode 0600) and printed once on the
console (never logged). Sign in with it, add real accounts (``yipanqi users add``), then disable it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from etl import marts, store
from etl.errors import EtlError, StoreUnavailableError
from etl.pipeline import ingest, recover_store
from etl.store_guard import REAL, record_kind
from synthetic.generate import GenerateOptions, OutputSpec, load_inputs, write_records
from yipanqi.progress import step_progress
from yipanqi.settings import Settings

DEMO_YEAR = 2010
DEMO_FRACTION = 5e-4  # of the census migrants: ~4 M person-month records, ~85,000 persons a month
DEMO_SEED = 2009
FIRST_ACCOUNT = "admin"


def demo_records_path(data_dir: Path) -> Path:
    return data_dir / "demo" / f"records-{DEMO_YEAR}-f{DEMO_FRACTION:g}-s{DEMO_SEED}.parquet"


def needs_demo(store_url: str) -> bool:
    """True when the store has no aggregated period yet (a brand-new store is created first).

    A store the dashboard cannot read (of an older layout: run ``yipanqi store upgrade``; damaged:
    restore a backup) stops the start with its one-line message. A store that cannot be reached
    does not: the app starts without the first-start steps (one line says so) and its pages say
    that the store is away until it answers.
    """
    try:
        engine = store.open_store(store_url, create=True)
    except StoreUnavailableError as exc:
        print(f"warning: {exc}; the app starts and its pages retry until the store answers")
        return False
    except EtlError as exc:
        raise SystemExit(f"error: {exc}") from None
    try:
        return not marts.periods(engine, scope=marts.NATION) and record_kind(engine) != REAL
    finally:
        engine.dispose()


def recover_after_crash(settings: Settings) -> str:
    """At start: runs left ``running`` by a process that is gone are marked failed and staged
    files of runs that did not succeed are removed (``etl.pipeline.recover_store``); returns what
    was done ("" when nothing, or when the store cannot be reached: the next start does it)."""
    try:
        recovered = recover_store(settings.store_url, settings.data_dir)
    except StoreUnavailableError:
        return ""
    except EtlError as exc:
        raise SystemExit(f"error: {exc}") from None
    return recovered.sentence() if recovered else ""


def build_demo_store(settings: Settings) -> None:
    """Generate the demo records (once) and ingest them into the settings' store, with progress bars."""
    path = demo_records_path(settings.data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with step_progress() as report:
        if not path.is_file():
            inputs = load_inputs(
                DEMO_YEAR,
                settings.data_dir / "cache",
                settings.regions_path,
                progress=lambda n: report("demo: county points", n, None),
            )
            options = GenerateOptions(fraction=DEMO_FRACTION, seed=DEMO_SEED)
            write_records(
                inputs,
                options,
                OutputSpec(path),
                progress=lambda done, total: report("demo: generate records", done, total),
            )
        ingest(
            [path],
            settings.store_url,
            settings.data_dir,
            settings.hash_key,
            demo=True,
            regions_path=settings.regions_path,
            progress=lambda event: report(f"demo: {event.task}", event.done, event.total),
        )
        report("demo: departmental feeds", 0, None)
        load_demo_feeds(
            settings.store_url, settings.data_dir, settings.data_dir / "cache", settings.regions_path
        )
        report("demo: departmental feeds", 1, 1)


def load_demo_feeds(
    store_url: str,
    data_dir: Path,
    cache: Path,
    regions_path: Path | None = None,
    periods: tuple[str, str] | None = None,
    seed: int = DEMO_SEED,
) -> int:
    """Generate the feeds of every covered county for ``periods`` (first, last; default: the
    store's) at the demo scale, 公安's counts from the store's records' events, and ingest them;
    the rows loaded."""
    from etl.feeds.ingest import ingest_feeds
    from geodata.hierarchy import hierarchy_table
    from synthetic.feeds import (
        FeedOptions,
        every_county,
        record_arrivals,
        record_departures,
        write_feeds,
    )

    engine = store.open_store(store_url)
    try:
        available = marts.periods(engine, scope=marts.NATION)
        arrivals, departures = record_arrivals(engine), record_departures(engine)
    finally:
        engine.dispose()
    first, last = periods or (available[0], available[-1])
    inputs = every_county(load_inputs(DEMO_YEAR, cache, regions_path), hierarchy_table())
    options = FeedOptions(seed=seed, first_period=first, last_period=last, fraction=DEMO_FRACTION)
    path = data_dir / "demo" / f"feeds-{first}-{last}-s{seed}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    result = write_feeds(inputs, options, path, arrivals=arrivals, departures=departures)
    ingest_feeds([path], store_url, data_dir, regions_path=regions_path)
    return result.rows


def ensure_first_account(settings: Settings) -> Path | None:
    """A steward account ``admin`` when the store has no account; returns the password file."""
    from access import accounts
    from access.errors import AccessError
    from access.roles import Role
    from etl.scope import NATION

    try:
        engine = store.open_store(settings.store_url, create=True)
    except StoreUnavailableError:  # said by needs_demo; made at the first start that reaches it
        return None
    try:
        if accounts.count_accounts(engine):
            return None
        password = secrets.token_urlsafe(15)
        try:
            accounts.add_account(
                engine,
                FIRST_ACCOUNT,
                Role.STEWARD,
                NATION,
                password=password,
                display_name="first-start administrator",
            )
        except AccessError:  # another process of the server made it first
            return None
    finally:
        engine.dispose()
    path = settings.data_dir / "initial-admin-password"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(password + "\n")
    print(
        f"First start: a steward account {FIRST_ACCOUNT!r} was created; its password is {password}\n"
        f"  (also in {path}, readable by this user only). Sign in, add your accounts with\n"
        f"  `yipanqi users add`, then `yipanqi users disable {FIRST_ACCOUNT}`."
    )
    return path
