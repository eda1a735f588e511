"""``yipanqi export map|layer`` end to end (the commands added by ``yipanqi.export_cli``)."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

import yipanqi.export_cli  # noqa: F401 - adds map and layer to the export group
from dashboard.export.render import png_size
from tests.export.conftest import need_chromium
from yipanqi.cli import app


@pytest.fixture
def env(store_and_layers, monkeypatch):
    url, layers = store_and_layers
    monkeypatch.setenv("YIPANQI_DATA_DIR", str(layers.root.parents[1]))  # <data>/geodata/<cache>
    return url


def test_export_layer_csv_and_flow_matrix(env, tmp_path):
    runner = CliRunner()
    out = tmp_path / "county.csv"
    result = runner.invoke(
        app,
        [
            "export",
            "layer",
            "--store",
            env,
            "--out",
            str(out),
            "--measure",
            "inflow",
            "--level",
            "county",
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.exists() and (tmp_path / "county.metadata.csv").exists()
    matrix = tmp_path / "m.csv"
    result = runner.invoke(
        app,
        [
            "export",
            "layer",
            "--store",
            env,
            "--out",
            str(matrix),
            "--level",
            "region",
            "--flows",
            "matrix",
        ],
    )
    assert result.exit_code == 0, result.output
    assert matrix.read_bytes().startswith(b"\xef\xbb\xbforigin_code,origin_name,")
    english = tmp_path / "en.csv"
    result = runner.invoke(
        app,
        [
            "export",
            "layer",
            "--store",
            env,
            "--out",
            str(english),
            "--level",
            "county",
            "--lang",
            "en",
        ],
    )
    assert result.exit_code == 0, result.output
    names = pd.read_csv(english, dtype=str).set_index("code")["name"]
    assert names["310115"] == "Pudong New Area" and names["320205"] == "Xishan District"


def test_export_errors_are_one_line_with_exit_2(env, tmp_path):
    result = CliRunner().invoke(
        app,
        ["export", "layer", "--store", env, "--out", str(tmp_path / "x.csv"), "--level", "town"],
    )
    assert result.exit_code == 2
    assert "unknown level 'town'" in result.output


@pytest.mark.browser
def test_export_map_png_in_english(env, tmp_path):
    need_chromium()
    out, pdf = tmp_path / "map.png", tmp_path / "map.pdf"
    result = CliRunner().invoke(
        app,
        [
            "export",
            "map",
            "--store",
            env,
            "--out",
            str(out),
            "--out",
            str(pdf),
            "--measure",
            "net",
            "--level",
            "province",
            "--lang",
            "en",
        ],
    )
    assert result.exit_code == 0, result.output
    assert png_size(out.read_bytes())[0] >= 2480
    assert pdf.read_bytes().startswith(b"%PDF")


def test_export_map_refuses_an_unknown_format_before_any_work(env, tmp_path):
    result = CliRunner().invoke(
        app, ["export", "map", "--store", env, "--out", str(tmp_path / "map.jpg")]
    )
    assert result.exit_code == 2 and "a map is one of .png, .svg, .pdf" in result.output
