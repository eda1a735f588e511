"""What a store may receive: records hashed with its own key, and never demo and real records mixed.

A store remembers two things in ``store_meta`` when its first ingest succeeds:

- ``key_fingerprint``: a tag of the hash key (``etl.pseudonymise.key_fingerprint``); records
  hashed with another key would never match its person hashes, so another key is refused;
- ``record_kind``: ``demo`` when it was loaded in demo mode (synthetic records), ``real`` once any
  other ingest has loaded into it. A store made before this marker is ``demo`` when its key is the
  published demo key, ``real`` otherwise.

Demo mode refuses a store of real records (the published demo key and synthetic records have no
place beside real ones). An ingest of real records refuses a store of demo records unless told so
(``into_demo_store``): the store is then ``real`` for good, and demo mode refuses it from then on.
"""

from __future__ import annotations

import sqlalchemy as sa

from etl import store
from etl.errors import HashKeyError, StoreKindError
from etl.pseudonymise import DEMO_HASH_KEY, key_fingerprint

DEMO, REAL = "demo", "real"


def record_kind(engine: sa.Engine | sa.Connection) -> str | None:
    """``demo``, ``real`` or None (nothing loaded yet) for the records of a store."""
    kind = store.meta(engine, "record_kind")
    if kind:
        return kind
    fingerprint = store.meta(engine, "key_fingerprint")
    if fingerprint is None:
        return None
    return DEMO if fingerprint == key_fingerprint(DEMO_HASH_KEY.encode("utf-8")) else REAL


def admit(engine: sa.Engine, key: bytes, demo: bool, into_demo_store: bool = False) -> str:
    """Check that an ingest with ``key`` (in demo mode or not) may load into the store; returns
    the key's fingerprint. Raises ``StoreKindError`` or ``HashKeyError`` saying what to do."""
    kind = record_kind(engine)
    if demo and kind == REAL:
        raise StoreKindError(
            "demo mode refuses this store: it holds records that are not demo records; "
            "give the demo its own store (--store or YIPANQI_STORE_URL) and data directory"
        )
    fingerprint = key_fingerprint(key)
    known = store.meta(engine, "key_fingerprint")
    if known and known != fingerprint:
        raise HashKeyError(
            f"the store was built with another hash key (fingerprint {known}, this key gives "
            f"{fingerprint}): use the same YIPANQI_HASH_KEY, or a new store for a new key"
            + (" (this store holds demo records)" if kind == DEMO else "")
        )
    if not demo and kind == DEMO and not into_demo_store:
        raise StoreKindError(
            "this store holds demo (synthetic) records: load real records into a new store "
            "(--store or YIPANQI_STORE_URL), or pass --into-demo-store to mix them on purpose"
        )
    return fingerprint


def remember(conn: sa.Connection, fingerprint: str, demo: bool) -> None:
    """Record the key and the kind of records of a succeeded ingest (inside its transaction)."""
    kind = record_kind(conn)
    if store.meta(conn, "key_fingerprint") is None:
        store.set_meta(conn, "key_fingerprint", fingerprint)
    if kind is None or (not demo and kind != REAL):
        store.set_meta(conn, "record_kind", DEMO if demo else REAL)
