"""A test hook: a load kills its own process (SIGKILL) at a named point.

With ``YIPANQI_TEST_KILL_AT=<point>`` in its environment, a load stops dead when it reaches that
point: no exception handler, rollback or clean-up runs, as with ``kill -9``, a power cut or the
out-of-memory killer. The tests use it to check that every point leaves the previous data
readable and that the next start cleans up (tests/etl/test_crash.py). Unset, ``reached`` is one
dictionary lookup.

Points, in the order a load meets them:

- ``parse``: the first batch of an input has been read, nothing staged yet;
- ``stage``: a row group has been written to a staged file (files half written);
- ``staged``: every staged file is complete, the store not yet written;
- ``aggregate``: inside the store transaction, the old marts of the periods deleted, the new
  ones being computed;
- ``store``: inside the store transaction, the first chunk of new marts inserted;
- ``commit``: the run marked succeeded, the transaction not yet committed.
"""

from __future__ import annotations

import os
import signal

KILL_AT = "YIPANQI_TEST_KILL_AT"
POINTS = ("parse", "stage", "staged", "aggregate", "store", "commit")


def reached(point: str) -> None:
    """Kill this process now if ``YIPANQI_TEST_KILL_AT`` names ``point``."""
    if os.environ.get(KILL_AT) == point:
        os.kill(os.getpid(), signal.SIGKILL)
