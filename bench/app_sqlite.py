"""The app on a big SQLite store, against issue 14's targets.

    python bench/app_sqlite.py STORE.sqlite [--samples 5]

Prints the medians of:
- first frame with data (the explorer painted with the store's actors, from
  before the interpreter starts) against a bare Textual app with the same
  widgets, each in a fresh interpreter (bench/_probe.py); target ≤ 1.3x;
- the app's memory once that frame is painted (VmRSS, and VmHWM, the peak so
  far), and again once the contested claims are worked out; target ≤ 100 MiB;
- a search keystroke to the actor list updated (wall time: the search runs in
  a worker), with the UI thread's CPU time for it; target ≤ 50 ms;
- a jump to the most connected actor: the UI thread's CPU time until its ties
  are listed and counted (the ordering and counting run in workers), and the
  wall time until then; target ≤ 50 ms of UI-thread work.

The first frames are painted into a pseudo-terminal, as bench.py does. The
keystroke and jump figures come from a headless app in a fresh interpreter
(`--probe-ui`, run by this script).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench import run_probe  # noqa: E402  (bench.py beside this file)


def _memory_mib() -> dict[str, float]:
    """VmRSS (now) and VmHWM (the peak so far) of this process."""
    found: dict[str, float] = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split()[:2]
                found[key.rstrip(":")] = int(value) / 1024
    return found


# -- inside the probe process ------------------------------------------------------------


async def _probe_ui(store: str, samples: int) -> dict:
    from khorasan_tui.app import explorer as explorer_module
    from khorasan_tui.app.main import make_app

    clock, cpu_clock = time.perf_counter, time.thread_time
    result: dict = {}
    app = make_app(store, start_actor=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await asyncio.wait_for(app.loaded.wait(), 900)
        await pilot.pause()
        result["memory_at_first_data_frame_mib"] = _memory_mib()
        graph = app.graph
        started = clock()
        while not app.contested_findings and any(w.group == "contested" and not w.is_finished for w in app.workers):
            await asyncio.sleep(0.05)
        await app.workers.wait_for_complete()
        result["contested_s"] = clock() - started
        result["contested_findings"] = len(app.contested_findings)
        result["memory_after_contested_mib"] = _memory_mib()
        explorer = app.explorer

        shown = asyncio.Event()
        original_show = explorer._show_hits

        def timed_show(*args) -> None:
            original_show(*args)
            shown.set()

        explorer._show_hits = timed_show  # type: ignore[method-assign]
        explorer.action_search()
        await pilot.pause()
        latency: list[float] = []
        ui_cpu: list[float] = []
        for word in ["kha", "abu", "nang"][: max(1, samples)]:
            for key in [*word, *["backspace"] * len(word)]:
                shown.clear()
                cpu, wall = cpu_clock(), clock()
                await pilot.press(key)
                await asyncio.wait_for(shown.wait(), 120)
                latency.append(clock() - wall)
                await pilot.pause()
                ui_cpu.append(cpu_clock() - cpu)
        result["keystroke_latency_s"] = latency
        result["keystroke_ui_cpu_s"] = ui_cpu
        await pilot.press("escape")

        hub, degree = graph.most_connected(1)[0]
        leaf = graph.data.backend.one("SELECT id FROM actors WHERE degree = 1 LIMIT 1")[0]
        result["hub"] = {"id": hub, "ties": degree}
        ties = explorer.query_one("#tie-list")
        jump_cpu: list[float] = []
        jump_wall: list[float] = []
        leaf_cpu: list[float] = []

        def hub_shown() -> bool:
            # A hub's counts come from a worker; a small "hub" (a small store) counts at once.
            counted = hub in explorer._tallies or degree <= explorer_module.THREADED_TIES
            return ties.row_count > 0 and counted

        for _ in range(samples):
            app.open_actor(leaf)
            await pilot.pause()
            await app.workers.wait_for_complete()
            explorer._tallies.clear()  # counted afresh each time, as a first visit is
            graph.reindex()  # and its ties read afresh
            cpu, wall = cpu_clock(), clock()
            app.open_actor(hub)
            # Waiting costs the UI thread next to nothing: it sleeps between checks.
            while not hub_shown() and clock() - wall < 120:
                await asyncio.sleep(0.01)
            await pilot.pause()
            jump_wall.append(clock() - wall)
            jump_cpu.append(cpu_clock() - cpu)
            # The baseline: a jump to an actor of one tie, the same way.
            cpu = cpu_clock()
            app.open_actor(leaf)
            while ties.row_count == 0 or app.current != leaf:
                await asyncio.sleep(0.01)
            await pilot.pause()
            leaf_cpu.append(cpu_clock() - cpu)
        result["hub_jump_ui_cpu_s"] = jump_cpu
        result["hub_jump_latency_s"] = jump_wall
        result["leaf_jump_ui_cpu_s"] = leaf_cpu
        result["memory_at_end_mib"] = _memory_mib()
    return result


def probe_ui(store: str, samples: int) -> None:
    result = asyncio.run(_probe_ui(store, samples))
    with open(os.environ["BENCH_OUT"], "w", encoding="utf-8") as out:
        json.dump(result, out)


# -- the parent -----------------------------------------------------------------------------


def run_ui_probe(store: Path, samples: int) -> dict:
    handle, out_path = tempfile.mkstemp(prefix="khorasan-bench-", suffix=".json")
    os.close(handle)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "BENCH_"))}
    env.update(BENCH_OUT=out_path, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, __file__, "--probe-ui", str(store), "--samples", str(samples)],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        with open(out_path, encoding="utf-8") as result:
            return json.load(result)
    except (OSError, ValueError):
        raise SystemExit(f"the UI probe failed ({done.returncode}):\n{done.stderr[-3000:]}") from None
    finally:
        os.unlink(out_path)


def ms(value: float) -> str:
    return f"{value * 1000:,.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--probe-ui", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe_ui:
        probe_ui(str(args.store), args.samples)
        return 0
    median = statistics.median
    floor, app = [], []
    # One discarded round warms the page cache and the .pyc files.
    for round_no in range(args.samples + 1):
        bare = run_probe(["first-frame", "floor"], use_pty=True)
        shown = run_probe(["first-frame", "app", str(args.store)], env={"BENCH_WAIT_LOADED": "1"}, use_pty=True)
        if round_no:
            floor.append(bare["first_frame_s"])
            app.append(shown["loaded_s"])
        print(f"  first frames, round {round_no}/{args.samples}", file=sys.stderr)
    ui = run_ui_probe(args.store, args.samples)
    first_data, bare_frame = median(app), median(floor)
    at_frame = ui["memory_at_first_data_frame_mib"]
    after = ui["memory_after_contested_mib"]
    lines = [
        f"App on {args.store} ({args.samples} samples, medians)",
        f"first frame with data   {ms(first_data)}   bare Textual app {ms(bare_frame)}"
        f"   = {first_data / bare_frame:.2f}x (target ≤ 1.3x)",
        f"memory at that frame    VmRSS {at_frame['VmRSS']:.1f} MiB, VmHWM {at_frame['VmHWM']:.1f} MiB"
        " (target ≤ 100 MiB)",
        f"after contested claims  VmRSS {after['VmRSS']:.1f} MiB, VmHWM {after['VmHWM']:.1f} MiB"
        f" ({ui['contested_findings']} findings, {ui['contested_s']:.1f} s in a worker)",
        f"search keystroke        {ms(median(ui['keystroke_latency_s']))} to the list updated,"
        f" {ms(median(ui['keystroke_ui_cpu_s']))} UI-thread CPU (target ≤ 50 ms)",
        f"jump to the biggest hub ({ui['hub']['ties']:,} ties)  {ms(median(ui['hub_jump_ui_cpu_s']))} UI-thread CPU,"
        f" {ms(median(ui['hub_jump_latency_s']))} until listed and counted (target ≤ 50 ms of UI-thread work;"
        f" a jump to a 1-tie actor: {ms(median(ui['leaf_jump_ui_cpu_s']))})",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
