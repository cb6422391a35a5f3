"""CI must run exactly the test command README.md gives a new user."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_the_readme_test_command_word_for_word():
    readme_commands = [
        line.strip()
        for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("python -m pytest")
    ]
    ci_commands = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("python -m pytest")
    ]
    assert readme_commands == ["python -m pytest -q -n 2"]
    assert ci_commands == readme_commands
