"""Pseudonymisation: a national ID number becomes a keyed hash, and the raw ID is never stored.

The *person hash* of an ID is the first 16 bytes (128 bits) of HMAC-SHA256(key, ID), where the ID
is its 18 ASCII characters with a final ``x`` written as ``X``. Truncating an HMAC to half its length
is allowed by RFC 2104; at 128 bits two different people sharing a hash is not a practical concern.

The key comes from configuration (``YIPANQI_HASH_KEY``), never from the repository. Without a key
the loader stops with a clear error, except in demo mode, which uses :data:`DEMO_HASH_KEY`: a
fixed, published key that is only fit for synthetic records. The store remembers a fingerprint of
the key it was built with (an HMAC of a fixed text, which does not reveal the key), so a store is
never fed hashes made with two keys.

Hashing is the one step of the loader that runs per row in Python (OpenSSL through ``hashlib``,
about 0.7 microseconds per ID); large batches are therefore spread over worker processes while the
main process parses and validates the next batch.
"""

from __future__ import annotations

import hashlib
import hmac
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor

import numpy as np

from etl.errors import HashKeyError

DEMO_HASH_KEY = "yipanqi-demo-key: published, not secret, for synthetic records only"
"""The key demo mode uses when no key is configured. Anyone can recompute its hashes."""

HASH_BYTES = 16
"""Bytes kept of the HMAC-SHA256 digest (the person hash is 128 bits)."""

ID_WIDTH = 18
MIN_KEY_LENGTH = 16
_FINGERPRINT_TEXT = b"yipanqi hash-key fingerprint v1"


def resolve_key(hash_key: str | None, demo: bool = False) -> bytes:
    """The key to hash with: ``hash_key``, else the demo key in demo mode, else an error."""
    if hash_key:
        key = hash_key.encode("utf-8")
        if len(key) < MIN_KEY_LENGTH:
            raise HashKeyError(
                f"the hash key (YIPANQI_HASH_KEY) is {len(key)} bytes long; use at least "
                f"{MIN_KEY_LENGTH} (e.g. the output of `python -c 'import secrets; print(secrets.token_hex(32))'`)"
            )
        return key
    if demo:
        return DEMO_HASH_KEY.encode("utf-8")
    raise HashKeyError(
        "no pseudonymisation key: set YIPANQI_HASH_KEY to a secret of at least "
        f"{MIN_KEY_LENGTH} characters (keep it out of the repository, e.g. "
        "`export YIPANQI_HASH_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')`), "
        "or use demo mode (--demo) for synthetic records"
    )


def key_fingerprint(key: bytes) -> str:
    """A short, non-reversible tag of ``key``, stored to detect a change of key."""
    return hmac.new(key, _FINGERPRINT_TEXT, hashlib.sha256).hexdigest()[:16]


def person_hashes(ids: bytes, key: bytes, width: int = ID_WIDTH) -> bytes:
    """Person hashes of IDs packed back to back, ``width`` bytes each, as ``HASH_BYTES`` each.

    HMAC with the inner and outer key blocks absorbed once: each ID then costs two SHA-256
    compressions (OpenSSL, SHA-NI where the CPU has it) plus the Python call overhead.
    """
    block = 64
    padded = key if len(key) <= block else hashlib.sha256(key).digest()
    padded = padded.ljust(block, b"\0")
    inner_copy = hashlib.sha256(bytes(b ^ 0x36 for b in padded)).copy
    outer_copy = hashlib.sha256(bytes(b ^ 0x5C for b in padded)).copy

    def one(message: bytes) -> bytes:
        h = inner_copy()
        h.update(message)
        o = outer_copy()
        o.update(h.digest())
        return o.digest()[:HASH_BYTES]

    return b"".join(map(one, [ids[i : i + width] for i in range(0, len(ids), width)]))


class Hasher:
    """Hashes batches of IDs, inline or spread over worker processes, remembering recent ones.

    ``submit(ids, keys)`` takes the IDs packed as bytes and an int64 key per ID (any injective
    code of the ID, see ``etl.stage``), returns at once, and ``result()`` of what it returns gives
    the packed hashes in the same order. Each distinct ID of a batch is hashed once, and IDs seen
    in the last few million (a person reported again the next month) are not hashed again. The
    cache lives in this process only and is never written anywhere. Use as a context manager so
    the workers stop.
    """

    def __init__(self, key: bytes, workers: int = 0, width: int = ID_WIDTH, cache_size: int = 4_000_000) -> None:
        self.key = key
        self.width = width
        self.workers = workers
        self.cache_size = cache_size
        self._pool: ProcessPoolExecutor | None = None
        empty = (np.zeros(0, np.int64), np.zeros((0, HASH_BYTES), np.uint8))
        self._previous = empty
        self._current = empty
        self.n_hashed = 0

    def submit(self, ids: bytes, keys: np.ndarray) -> PendingHashes:
        n = len(keys)
        if n == 0:
            return PendingHashes(lambda: b"")
        unique, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        found = np.zeros((len(unique), HASH_BYTES), np.uint8)
        hit = np.zeros(len(unique), dtype=bool)
        for cached_keys, cached_hashes in (self._previous, self._current):
            if len(cached_keys):
                pos = np.searchsorted(cached_keys, unique)
                pos[pos == len(cached_keys)] = 0
                match = (cached_keys[pos] == unique) & ~hit
                found[match] = cached_hashes[pos[match]]
                hit |= match
        missing = np.flatnonzero(~hit)
        rows = np.frombuffer(ids, dtype=np.uint8).reshape(n, self.width)
        to_hash = rows[first[missing]].tobytes()
        self.n_hashed += len(missing)
        futures = self._hash(to_hash)

        def assemble() -> bytes:
            hashed = b"".join(f.result() for f in futures)
            if len(missing):
                fresh = np.frombuffer(hashed, dtype=np.uint8).reshape(len(missing), HASH_BYTES)
                found[missing] = fresh
                self._remember(unique[missing], fresh)
            return found[inverse].tobytes()

        return PendingHashes(assemble)

    def _hash(self, ids: bytes) -> list[Future[bytes]]:
        n = len(ids) // self.width
        if self.workers < 1 or n < 20_000:
            done: Future[bytes] = Future()
            done.set_result(person_hashes(ids, self.key, self.width))
            return [done]
        if self._pool is None:  # started on the first large batch: small loads stay in-process
            self._pool = _fork_pool(self.workers)
        step = -(-n // self.workers)
        return [
            self._pool.submit(
                person_hashes, ids[i * step * self.width : min(n, (i + 1) * step) * self.width], self.key, self.width
            )
            for i in range(self.workers)
            if i * step < n
        ]

    def _remember(self, keys: np.ndarray, hashes: np.ndarray) -> None:
        """Add sorted ``keys`` to the current generation; a full generation becomes the previous."""
        current_keys, current_hashes = self._current
        at = np.searchsorted(current_keys, keys)  # a linear merge of two sorted arrays
        self._current = (np.insert(current_keys, at, keys), np.insert(current_hashes, at, hashes, axis=0))
        if len(self._current[0]) >= self.cache_size:
            self._previous = self._current
            self._current = (np.zeros(0, np.int64), np.zeros((0, HASH_BYTES), np.uint8))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Hasher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _fork_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes forked now, all at once.

    Fork, not spawn: a spawned worker re-imports the caller's ``__main__`` (a script without a
    ``__main__`` guard, such as a first-start hook, would run again in every worker). The workers
    only run ``person_hashes`` (hashlib on bytes), which touches no lock another thread of the
    parent could hold.
    """
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    for future in [pool.submit(int, 0) for _ in range(workers)]:
        future.result()
    return pool


class PendingHashes:
    """A submitted batch: ``result()`` waits for its hashes."""

    def __init__(self, assemble: Callable[[], bytes]) -> None:
        self._assemble = assemble

    def result(self) -> bytes:
        return self._assemble()
