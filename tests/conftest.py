"""Fixtures shared by several test files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(autouse=True)
def private_user_folders(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Edits of the default store go to the user's data folder and settings to
    the config folder: never the real ones from a test (subprocesses inherit these)."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.delenv("KHORASAN_DB", raising=False)


@pytest.fixture
def bundled_store_copy(tmp_path: Path) -> Path:
    """A copy of the bundled store (data/khorasan.json and its data/sources/) in
    tmp_path, so a test may edit it; returns the copy's store path."""
    shutil.copytree(DATA / "sources", tmp_path / "sources")
    target = tmp_path / "khorasan.json"
    shutil.copyfile(DATA / "khorasan.json", target)
    return target


@pytest.fixture(autouse=True)
def private_app_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app reads and writes its settings file here, never in the user's config folder."""
    path = tmp_path / "khorasan-config.toml"
    monkeypatch.setenv("KHORASAN_CONFIG", str(path))
    return path


@pytest.fixture(params=["json", "sqlite"])
def store_path(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A fresh copy of the bundled store in each backend (JSON, then SQLite),
    its documents beside it: a test using it is a contract both backends keep."""
    from .backends import bundled_copy

    return bundled_copy(tmp_path / request.param, request.param)


@pytest.fixture
def store_pair(tmp_path: Path) -> tuple[Path, Path]:
    """Fresh copies of the bundled store in both backends, each in its own folder."""
    from .backends import bundled_copy

    return bundled_copy(tmp_path / "json", "json"), bundled_copy(tmp_path / "sqlite", "sqlite")
