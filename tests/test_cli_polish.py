"""The one-shot commands' manners, through the real entry point: what export
says it wrote, counts in words, new folders for generate, and the app refusing
to start without a terminal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson

from khorasan_tui.cli import main
from khorasan_tui.store import default_store_path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_export_to_a_file_says_what_it_wrote(capsys, tmp_path: Path) -> None:
    target = tmp_path / "net.graphml"
    code, out, err = run(capsys, "export", "--format", "graphml", "-o", str(target))
    assert code == 0 and out == ""
    stats = orjson.loads(
        subprocess.run(
            [sys.executable, "-m", "khorasan_tui", "stats", "--json"], capture_output=True, check=True
        ).stdout
    )
    assert err == f"wrote graphml: {stats['actors']} actors, {stats['ties']} ties to {target}\n"
    code, _, err = run(
        capsys, "export", "--format", "json", "--around", "iskp", "--depth", "0", "-o", str(tmp_path / "x.json")
    )
    assert code == 0 and err.startswith("wrote json: 1 actor, 0 ties to ")
    code, _, err = run(
        capsys, "export", "--format", "csv", "--around", "iskp", "--depth", "0", "-o", str(tmp_path / "g.csv")
    )
    assert code == 0 and err.startswith("wrote csv: 1 actor, 0 ties: nodes to ") and "g.edges.csv" in err
    # on stdout the data is all there is
    code, out, err = run(capsys, "export", "--format", "dot", "--around", "iskp", "--depth", "0")
    assert code == 0 and err == "" and out.startswith(("digraph", "strict"))


def test_counts_read_in_the_singular_and_the_plural(capsys, tmp_path: Path) -> None:
    store = tmp_path / "store.json"
    assert run(capsys, "generate", "--actors", "2", "--ties", "1", "-o", str(store))[0] == 0
    code, out, _ = run(capsys, "stats", "--db", str(store))
    assert code == 0 and "2 actors, 1 tie," in out
    actor = orjson.loads(
        subprocess.run(
            [sys.executable, "-m", "khorasan_tui", "search", "", "--db", str(store), "--json"],
            capture_output=True,
            check=True,
        ).stdout
    )[0]
    code, out, _ = run(capsys, "ties", actor["id"], "--db", str(store))
    assert code == 0 and ": 1 tie\n" in out
    code, out, _ = run(capsys, "search", actor["name"], "--db", str(store), "--limit", "1")
    assert code == 0 and out.startswith("1 match for")
    code, out, _ = run(capsys, "validate", "--db", str(store))
    assert "(s)" not in out and "1 tie," in out
    for argv in (("path", "iskp", "sirajuddin-haqqani"), ("contested",), ("timeline", "iskp"), ("show", "iskp")):
        code, out, _ = run(capsys, *argv)
        assert code == 0 and "(s)" not in out, argv


def test_generate_creates_the_folders_it_needs(capsys, tmp_path: Path) -> None:
    target = tmp_path / "some" / "new" / "folder" / "store.json"
    code, _, err = run(capsys, "generate", "--actors", "5", "--ties", "5", "-o", str(target))
    assert code == 0, err
    assert target.is_file() and f"wrote {target}" in err
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    code, _, err = run(capsys, "generate", "--actors", "5", "--ties", "5", "-o", str(blocked / "store.json"))
    assert code == 2 and "cannot create the folder" in err and "Traceback" not in err


def test_the_app_without_a_terminal_says_so_and_exits(tmp_path: Path) -> None:
    for stdout in (subprocess.PIPE, None):
        done = subprocess.run(
            [sys.executable, "-m", "khorasan_tui", "--db", str(default_store_path())],
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
        assert done.returncode == 2
        assert b"needs a terminal" in done.stderr and b"Traceback" not in done.stderr
