"""Exports made once per module from the session's demo store (tests.support.demo_store)."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.support import TEST_OUTPUT, demo_store, layer_cache


@pytest.fixture(scope="session")
def store_and_layers():
    url, _ = demo_store()
    return url, layer_cache()


@pytest.fixture(scope="session")
def kept() -> object:
    """Folder for files a person should look at (CI artefact): test-output/exports."""
    folder = TEST_OUTPUT / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def need_chromium() -> None:
    if not (os.environ.get("YIPANQI_CHROMIUM") or shutil.which("chromium")):
        if os.environ.get("CI"):
            pytest.fail("Debian chromium is not installed; `make test` installs it")
        pytest.skip("chromium not installed")
