"""The generator is a tool beside the ETL, not a step of it: no etl module imports ``synthetic``."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import etl


def test_importing_every_etl_module_leaves_synthetic_unimported():
    modules = sorted(f"etl.{m.name}" for m in pkgutil.iter_modules(etl.__path__))
    assert "etl.pipeline" in modules and "etl.stage" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'synthetic')\n"
        "assert not loaded, loaded\n"
    )
    repo = Path(etl.__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
