"""``yipanqi geodata ...`` from the command line, and settings from the environment."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from yipanqi.cli import app
from yipanqi.settings import load_settings


def test_report_json_has_published_totals():
    result = CliRunner().invoke(app, ["geodata", "report", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["n_county_polygons"] == 2875
    census_2020 = report["census"]["2020"]
    assert census_2020["national"]["census"]["n_hukou_other_province"] == 124_837_153
    provinces = {p["province_name"]: p for p in census_2020["provinces"]}
    assert provinces["广东省"]["census"]["n_hukou_other_province"] == 29_622_110
    assert provinces["北京市"]["census"]["n_hukou_other_province"] == 8_418_418
    assert report["census"]["2010"]["national"]["census"]["n_hukou_other_province"] == 85_876_337
    # every unmatched code is listed with its reason
    reasons = census_2020["unmatched"]
    assert "development zone, no polygon" in reasons
    assert all(group["units"] for group in reasons.values())


def test_settings_from_environment(tmp_path: Path):
    settings = load_settings({"YIPANQI_DATA_DIR": str(tmp_path), "HOME": "/nonexistent"})
    assert settings.data_dir == tmp_path.resolve()
    assert settings.store_url == f"sqlite:///{tmp_path.resolve() / 'yipanqi.sqlite'}"
    assert settings.hash_key is None
    default = load_settings({"HOME": str(tmp_path)})
    assert default.data_dir == (tmp_path / ".local" / "share" / "yipanqi").resolve()
