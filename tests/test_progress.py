"""Progress on stderr: drawn on a terminal for big work, silent when piped, and
never loaded by the quick lookups."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from khorasan_tui.progress import MIN_WORK, QUIET, for_work
from khorasan_tui.synthetic import generate


def terminal(width: int = 120) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=width, color_system=None), out


def test_drawn_on_a_terminal_with_counts_and_time_left():
    console, out = terminal()
    with for_work(MIN_WORK, console=console) as bar:
        assert bar is not QUIET
        bar.phase("ties", 3_000)
        for done in range(3_000):
            bar.advance()
            if done == 1_000:
                # Printing during the display redraws it under the line, as the phase runs.
                console.print("mid-phase")
        bar.phase("indexing")
    drawn = out.getvalue()
    assert "ties" in drawn and "indexing" in drawn
    assert "3,000/3,000" in drawn
    # While counting, the bar says how long is left (once done, it no longer does).
    assert "left " in drawn.split("mid-phase")[1]


def test_generate_draws_its_phases_on_a_terminal(tmp_path: Path):
    console, out = terminal()
    with for_work(MIN_WORK, console=console) as bar:
        generate(tmp_path / "g.sqlite", 200, 600, seed=2, progress=bar)
    drawn = out.getvalue()
    for phase in ("actors", "ties", "documents", "indexing"):
        assert phase in drawn
    assert "600/600" in drawn and "2,000/" not in drawn


def test_small_work_and_non_terminals_draw_nothing():
    console, out = terminal()
    assert for_work(MIN_WORK - 1, console=console) is QUIET
    piped = Console(file=io.StringIO(), force_terminal=False)
    assert for_work(10 * MIN_WORK, console=piped) is QUIET
    assert out.getvalue() == ""


def test_silent_when_piped(tmp_path: Path):
    out = tmp_path / "piped.sqlite"
    result = subprocess.run(
        [sys.executable, "-m", "khorasan_tui", "generate", "--actors", "2000", "--ties", str(MIN_WORK), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(f"wrote {out}")
    assert result.stderr.count("\n") == 1
    assert "left" not in result.stderr and "\x1b" not in result.stderr


def test_lookups_and_piped_work_never_load_rich_progress(tmp_path: Path):
    for argv in (["show", "iskp"], ["generate", "--actors", "50", "--ties", "100", "-o", str(tmp_path / "s.sqlite")]):
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "khorasan_tui", *argv],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        modules = {
            line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")
        }
        assert "khorasan_tui.cli" in modules, "importtime output was not captured"
        assert "rich.progress" not in modules
