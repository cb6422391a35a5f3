"""The wheel holds the package, its bundled store and metadata, and nothing else;
the declared licence and dependency ranges are what they say."""

from __future__ import annotations

import re
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory) -> list[str]:
    builder_module = pytest.importorskip("hatchling.builders.wheel")
    out = tmp_path_factory.mktemp("wheel")
    (path,) = builder_module.WheelBuilder(str(ROOT)).build(directory=str(out), versions=["standard"])
    with zipfile.ZipFile(path) as wheel:
        return wheel.namelist()


def test_wheel_holds_only_the_package_its_data_and_metadata(wheel_names: list[str]) -> None:
    dist_info = re.compile(r"khorasan_tui-[^/]+\.dist-info/(METADATA|WHEEL|RECORD|entry_points\.txt|licenses/LICENSE)")
    data = re.compile(r"khorasan_tui/_bundled_data/(khorasan\.json|sources/[0-9a-z_]+\.txt)")
    stray = [
        name
        for name in wheel_names
        if not (
            dist_info.fullmatch(name)
            or data.fullmatch(name)
            or re.fullmatch(r"khorasan_tui/(?!_bundled_data/)[a-z_/]+\.(py|tcss)", name)
            or name == "khorasan_tui/ingest_cues.json"
        )
    ]
    assert stray == []
    assert "khorasan_tui/__main__.py" in wheel_names and "khorasan_tui/app/main.py" in wheel_names
    assert "khorasan_tui/_bundled_data/khorasan.json" in wheel_names
    assert any(name.startswith("khorasan_tui/_bundled_data/sources/") for name in wheel_names)


def test_licence_file_matches_the_declared_licence() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "Khorasan contributors" in text
    project = PYPROJECT["project"]
    assert project["license"] == {"text": "MIT"}
    assert "License :: OSI Approved :: MIT License" in project["classifiers"]


def test_textual_is_a_range_at_run_time_and_exact_for_the_snapshots() -> None:
    runtime = PYPROJECT["project"]["dependencies"]
    dev = PYPROJECT["project"]["optional-dependencies"]["dev"]
    assert "textual>=8.2.8,<9" in runtime and "textual==8.2.8" in dev
    assert not any(d.startswith("textual==") for d in runtime)
    assert PYPROJECT["project"]["optional-dependencies"]["serve"] == ["textual-serve>=1.1"]
