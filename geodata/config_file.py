"""A site's TOML configuration file, read once for every validator (regions, targets, alerts).

``read_config`` reads the file given or the packaged default and parses it; a file that cannot be
read or is not TOML raises the caller's error class with one line naming the file. The text is
kept so that a validator can point at the line of a problem (``line_of``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ConfigFile:
    """A parsed configuration file: ``data`` (the TOML), ``text`` and ``source`` (its path, or
    ``<packaged NAME>``) for messages."""

    data: dict[str, Any]
    text: str
    source: str


def line_of(text: str, token: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line of ``text`` containing ``token`` (0 if absent)."""
    found = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if token in line:
            found += 1
            if found == occurrence:
                return number
    return 0


def read_config(
    path: Path | None, package: str, default: str, error: type[Exception], what: str
) -> ConfigFile:
    """``path`` (``None``: the file ``default`` packaged with ``package``) read and parsed;
    ``error`` ("cannot read <what> file ...", "...: not valid TOML: ...") when it cannot be."""
    if path is None:
        text = resources.files(package).joinpath(default).read_text(encoding="utf-8")
        source = f"<packaged {default}>"
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise error(f"cannot read {what} file {path}: {exc.strerror}") from None
        source = str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{source}: not valid TOML: {exc}") from None
    return ConfigFile(data, text, source)
