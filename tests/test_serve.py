"""`khorasan serve`: the app in a browser through textual-serve.

The browser test starts the real server on a free loopback port and drives
Debian's chromium with playwright (never a downloaded browser). xterm.js draws
the terminal on a canvas, so the test reads what the page's websocket
received (the app's screen output) and looks for text there after each key.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from khorasan_tui.cli import build_parser, main
from khorasan_tui.commands.serve import INSTALL_HINT, app_command

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|.)")


def test_defaults_are_loopback_port_8000_read_only() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.edit) == ("127.0.0.1", 8000, False)


def test_app_command_is_the_entry_point_read_only_and_quoted() -> None:
    command = app_command("/tmp/a store; rm -rf x/k.json", read_only=True)
    assert shlex.split(command) == [
        sys.executable,
        "-m",
        "khorasan_tui",
        "--db",
        "/tmp/a store; rm -rf x/k.json",
        "--read-only",
    ]
    assert "--read-only" not in app_command("/s.json", read_only=False)


def test_without_textual_serve_it_says_how_to_install(capsys, monkeypatch) -> None:
    # None in sys.modules makes the import fail as if the package were absent.
    monkeypatch.setitem(sys.modules, "textual_serve", None)
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)
    assert main(["serve", "--port", "8123"]) == 2
    assert INSTALL_HINT in capsys.readouterr().err


def test_bad_port_and_bad_store_exit_2(capsys, tmp_path: Path) -> None:
    assert main(["serve", "--port", "0"]) == 2
    assert "--port" in capsys.readouterr().err
    if importlib.util.find_spec("textual_serve") is None:
        pytest.skip("textual-serve is not installed")
    assert main(["serve", "--db", str(tmp_path / "missing.json"), "--port", "8124"]) == 2
    assert "cannot open store" in capsys.readouterr().err


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited with {process.returncode}: {process.stderr.read()}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port}")


def serve_and_screenshot(db: Path, screenshot: Path) -> str:
    """Serve `db`, open it in chromium, search ISKP by keyboard; the screen text after the keys."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "khorasan_tui", "serve", "--db", str(db), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, process)
        received: list[str] = []

        def on_frame(payload) -> None:
            text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
            received.append(ANSI.sub("", text))

        def wait_for_text(*needles: str, since: int = 0, timeout: float = 90) -> str:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                screen = "".join(received[since:])
                if all(n in screen for n in needles):
                    return screen
                page.wait_for_timeout(200)
            raise AssertionError(f"{needles} never shown; got {''.join(received[since:])[-2000:]!r}")

        def search(text: str, best_match: str, actor_id: str) -> None:
            """`/`, the text, enter, as a user types them, each once the app has
            drawn the last: the footer offers "Leave search" when the box has the
            focus (an `s` typed before that would open Sources), enter waits for
            the list to show the best match (the search runs as you type), and the
            next key waits for the detail pane to show the actor opened."""
            mark = len(received)
            page.keyboard.press("/")
            wait_for_text("Leave search", since=mark)
            mark = len(received)
            page.keyboard.type(text, delay=50)
            wait_for_text(best_match, since=mark)
            mark = len(received)
            page.keyboard.press("Enter")
            wait_for_text(f"id {actor_id} ·", since=mark)

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
                page.goto(f"http://127.0.0.1:{port}/")
                wait_for_text("Actors", "Relationships", "read-only")
                page.locator(".textual-terminal").click()
                # Away from ISKP first, so ISKP's ties must come from the keys below.
                search("Pakistan", "Pakistan", "pakistan")
                mark = len(received)
                # The list shows the actor by name, whatever alias matched.
                search("ISKP", "Islamic State-Khorasan", "iskp")
                # ISKP's detail (its aliases) and its ties, drawn after the keys.
                screen = wait_for_text("Also: ISKP", "Haqqani Network", "affiliated with", since=mark)
                page.wait_for_timeout(500)
                page.screenshot(path=str(screenshot))
                return screen
            finally:
                browser.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
@pytest.mark.skipif(importlib.util.find_spec("textual_serve") is None, reason="textual-serve is not installed")
@pytest.mark.skipif(importlib.util.find_spec("playwright") is None, reason="playwright is not installed")
def test_browser_shows_the_actor_list_and_iskps_ties(bundled_store_copy: Path, tmp_path: Path) -> None:
    screenshot = tmp_path / "serve-browser.png"
    screen = serve_and_screenshot(bundled_store_copy, screenshot)
    assert "Haqqani Network" in screen
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


if __name__ == "__main__":
    # python tests/test_serve.py: the README's screenshot of the bundled store.
    serve_and_screenshot(ROOT / "data" / "khorasan.json", ROOT / "screenshots" / "serve-browser.png")
