"""Settings read once from the environment at an entry point (``app.py`` or ``yipanqi``).

- ``YIPANQI_DATA_DIR``: where caches, the default SQLite store and demo data live
  (default: ``$XDG_DATA_HOME/yipanqi`` or ``~/.local/share/yipanqi``).
- ``YIPANQI_STORE_URL``: SQLAlchemy URL of the store (default: a SQLite file in the data directory).
- ``YIPANQI_REGIONS``: path of the collaboration-region / pilot file (default: the packaged one).
- ``YIPANQI_HASH_KEY``: secret key for pseudonymising national ID numbers (never in the repo).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    store_url: str
    regions_path: Path | None
    hash_key: str | None

    @property
    def geodata_dir(self) -> Path:
        return self.data_dir / "geodata"


def default_data_dir(env: Mapping[str, str]) -> Path:
    home = env.get("HOME") or str(Path.home())
    base = env.get("XDG_DATA_HOME") or str(Path(home) / ".local" / "share")
    return Path(base) / "yipanqi"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from ``env`` (default: ``os.environ``)."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("YIPANQI_DATA_DIR") or default_data_dir(env)).expanduser().resolve()
    store_url = env.get("YIPANQI_STORE_URL") or f"sqlite:///{data_dir / 'yipanqi.sqlite'}"
    regions = env.get("YIPANQI_REGIONS")
    return Settings(
        data_dir=data_dir,
        store_url=store_url,
        regions_path=Path(regions).expanduser() if regions else None,
        hash_key=env.get("YIPANQI_HASH_KEY") or None,
    )
