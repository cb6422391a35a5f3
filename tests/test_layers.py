"""Layering: only khorasan_tui.app may import textual, so lookups start fast."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import khorasan_tui

PACKAGE = Path(khorasan_tui.__file__).resolve().parent
APP = PACKAGE / "app"

NON_UI_MODULES = [
    "khorasan_tui.model",
    "khorasan_tui.store",
    "khorasan_tui.graph",
    "khorasan_tui.validate",
    "khorasan_tui.serialize",
    "khorasan_tui.console_output",
    "khorasan_tui.cli",
    "khorasan_tui.commands.lookup",
]


def is_textual(module: str) -> bool:
    return module == "textual" or module.startswith("textual.")


def test_importing_the_non_ui_layers_leaves_textual_out():
    script = (
        "import sys\n"
        f"for name in {NON_UI_MODULES!r}:\n"
        "    __import__(name)\n"
        "leaked = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "assert not leaked, leaked\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def imported_modules(importtime_stderr: str) -> set[str]:
    """Module names from `python -X importtime` lines: 'import time: self | cumulative | name'."""
    names = set()
    for line in importtime_stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


@pytest.mark.parametrize(
    "argv",
    [
        ["show", "iskp", "--json"],
        ["show", "iskp"],
        ["ties", "iskp", "--json"],
        ["ties", "iskp"],
        ["path", "sirajuddin-haqqani", "taliban", "--json"],
        ["path", "sirajuddin-haqqani", "taliban"],
        ["search", "haqqani", "--json"],
        ["search", "haqqani"],
    ],
    ids=" ".join,
)
def test_lookup_commands_never_import_textual(argv):
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "khorasan_tui", *argv],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    modules = imported_modules(result.stderr)
    assert "khorasan_tui.graph" in modules, "importtime output was not captured"
    assert not [m for m in modules if is_textual(m)]
    assert not [m for m in modules if m.startswith("khorasan_tui.app")]


def textual_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import {a.name}" for a in node.names if is_textual(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and is_textual(node.module):
            found.append(f"line {node.lineno}: from {node.module} import ...")
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and is_textual(node.args[0].value)
        ):
            found.append(f"line {node.lineno}: dynamic import of {node.args[0].value}")
    return found


def test_only_the_app_package_imports_textual():
    offenders = {}
    checked = 0
    for path in sorted(PACKAGE.rglob("*.py")):
        if APP in path.parents or "_bundled_data" in path.parts:
            continue
        checked += 1
        found = textual_imports(path)
        if found:
            offenders[str(path.relative_to(PACKAGE))] = found
    assert checked >= 8
    assert offenders == {}


def test_the_static_check_catches_textual_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\nimport textual.app\nfrom textual.widgets import Static\n"
        "import importlib\nimportlib.import_module('textual')\nfrom .textual_like import x\n",
        encoding="utf-8",
    )
    assert [f.split(":")[0] for f in textual_imports(sample)] == ["line 2", "line 3", "line 5"]


def test_piped_lookup_does_not_import_rich_console():
    """Plain output in a pipe must not pay rich's import cost (bench: `khorasan show`)."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "khorasan_tui", "show", "iskp"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Islamic State-Khorasan" in result.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "khorasan_tui.graph" in imported, "the import-time report was read"
    assert "rich.console" not in imported
    assert not any(name.startswith("textual") for name in imported)
