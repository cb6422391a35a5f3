"""One measurement in a fresh process, for bench.py. Not meant to be run by hand.

    _probe.py first-frame app STORE   the real `khorasan` start-up on STORE
    _probe.py first-frame floor       a bare Textual app with the same widget types
    _probe.py load STORE              store.load_store + graph.Graph
    _probe.py parse STORE             orjson.loads of the same bytes

The parent passes BENCH_T0 (its time.time() just before spawning) so start-up
counts from before the interpreter exists, and BENCH_OUT, a file for the JSON
result (stdout may be the terminal under test). Only the standard library is
imported up front, so the probe adds nothing to what it measures.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

T0 = float(os.environ.get("BENCH_T0") or time.time())


def _rss_mib() -> float:
    """Peak resident memory of this process so far.

    VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork and exec, so a
    probe spawned by a big parent would report the parent's peak.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    scale = 1 / (1024 * 1024) if sys.platform == "darwin" else 1 / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def _report(result: dict) -> None:
    with open(os.environ["BENCH_OUT"], "w", encoding="utf-8") as out:
        json.dump(result, out)


def _watch_first_frame(screen_name: str, wait_loaded: bool) -> dict:
    """Hook App._display: the first frame of `screen_name` that reaches the
    driver is the first painted frame. Then (optionally) wait for the store."""
    from textual.app import App

    result: dict = {}
    original = App._display

    def display(app, screen, renderable) -> None:
        original(app, screen, renderable)
        if renderable is None or "first_frame_s" in result or type(screen).__name__ != screen_name:
            return
        result["first_frame_s"] = time.time() - T0
        result["first_frame_rss_mib"] = _rss_mib()
        result["loaded_before_first_frame"] = bool(getattr(app, "graph", None))
        if wait_loaded and hasattr(app, "loaded"):
            app.run_worker(_finish_when_loaded(app), exclusive=False)
        else:
            app.call_later(app.exit)

    async def _finish_when_loaded(app) -> None:
        await app.loaded.wait()

        def shown() -> None:
            result["loaded_s"] = time.time() - T0
            app.exit()

        # The explorer fills its panes in the same tick that sets `loaded`;
        # count the load as done once that frame has been painted.
        app.screen.call_after_refresh(shown)

    App._display = display  # type: ignore[method-assign]
    return result


def first_frame(target: str, store: str | None) -> None:
    wait_loaded = os.environ.get("BENCH_WAIT_LOADED") == "1"
    if os.environ.get("BENCH_HEADLESS") == "1":
        os.environ["TEXTUAL_HEADLESS"] = "1"
    if target == "app":
        result = _watch_first_frame("ExplorerScreen", wait_loaded)
        from khorasan_tui.cli import main

        # The real entry point: argument parsing, the up-front check of small
        # stores, the app with its CSS, the load in a worker thread.
        argv = ["--db", store] if store else []
        if os.environ.get("BENCH_HEADLESS") == "1":
            import khorasan_tui.app.main as app_main

            original_make = app_main.make_app

            def make_headless(*args, **kwargs):
                app = original_make(*args, **kwargs)
                app.run = lambda *a, **k: type(app).run(app, headless=True)  # type: ignore[method-assign]
                return app

            app_main.make_app = make_headless
        code = main(argv)
    else:
        result = _watch_first_frame("FloorScreen", False)
        from textual.app import App, ComposeResult
        from textual.containers import Horizontal, Vertical, VerticalScroll
        from textual.screen import Screen
        from textual.widgets import Footer, Header, Input, Static

        from khorasan_tui.app.rowlist import RowList

        class FloorScreen(Screen):
            def compose(self) -> ComposeResult:
                yield Header()
                yield Static("")
                with Horizontal():
                    with Vertical():
                        yield Input()
                        yield Static("")
                        yield RowList()
                    with Vertical():
                        with VerticalScroll():
                            yield Static("")
                        with Vertical():
                            yield Static("")
                            yield RowList()
                            yield Static("")
                yield Footer()

        class FloorApp(App):
            def on_mount(self) -> None:
                self.push_screen(FloorScreen())

        app = FloorApp()
        app.run(headless=os.environ.get("BENCH_HEADLESS") == "1")
        code = app.return_code or 0
    result["exit_code"] = code
    result["peak_rss_mib"] = _rss_mib()
    _report(result)


def load(store: str) -> None:
    started = time.perf_counter()
    from khorasan_tui.graph import Graph
    from khorasan_tui.store import load_store

    imported = time.perf_counter()
    data = load_store(store)
    loaded = time.perf_counter()
    graph = Graph(data)
    indexed = time.perf_counter()
    _report(
        {
            "import_s": imported - started,
            "load_s": loaded - imported,
            "index_s": indexed - loaded,
            "load_index_s": indexed - imported,
            "peak_rss_mib": _rss_mib(),
            "actors": len(graph.actors),
        }
    )


def parse(store: str) -> None:
    import gc

    import orjson

    # Like with like: the loader parses with the cyclic collector paused
    # (store.gc_paused), so the baseline does too.
    gc.disable()
    started = time.perf_counter()
    with open(store, "rb") as handle:
        doc = orjson.loads(handle.read())
    parsed = time.perf_counter()
    gc.enable()
    _report({"parse_s": parsed - started, "peak_rss_mib": _rss_mib(), "tables": len(doc)})


def ui(store: str, samples: int) -> None:
    import asyncio

    _report(asyncio.run(_ui(store, samples)))


def _far_pair(graph) -> tuple[str, str]:
    """A long-tail actor and the actor farthest from it (another leaf if possible)."""
    from collections import deque

    leaves = [a for a in graph.actors if graph.degree(a) == 1]
    start = leaves[len(leaves) // 2] if leaves else next(iter(graph.actors))
    distance = {start: 0}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for tie_id in graph.adjacency.get(node, ()):
            tie = graph.ties[tie_id]
            other = tie.target if tie.source == node else tie.source
            if other not in distance:
                distance[other] = distance[node] + 1
                queue.append(other)
    far = max(distance.values())
    ends = [a for a, d in distance.items() if d == far]
    ends.sort(key=lambda a: (graph.degree(a) != 1, a))
    return start, ends[0]


async def _ui(store: str, samples: int) -> dict:
    """UI-thread work inside a headless app on the store: keystrokes in the
    search box, jumps to the biggest hub; plus the graph-only timings."""
    import asyncio
    import statistics

    from khorasan_tui.app.main import make_app

    thread_time = time.thread_time
    clock = time.perf_counter
    result: dict = {}
    app = make_app(store, start_actor=None)
    original_ready = app._store_ready

    def timed_ready(*args) -> None:
        cpu, wall = thread_time(), clock()
        original_ready(*args)
        result["store_ready_ui_s"] = clock() - wall
        result["store_ready_ui_cpu_s"] = thread_time() - cpu

    app._store_ready = timed_ready  # type: ignore[method-assign]
    started = clock()
    async with app.run_test(size=(120, 40)) as pilot:
        await asyncio.wait_for(app.loaded.wait(), 900)
        result["app_load_s"] = clock() - started
        await pilot.pause()
        explorer = app.explorer
        graph = app.graph
        result["threaded_search"] = len(graph.actors) > 20_000

        shown = asyncio.Event()
        show_calls: list[float] = []
        original_show = explorer._show_hits

        def timed_show(*args) -> None:
            wall = clock()
            original_show(*args)
            show_calls.append(clock() - wall)
            shown.set()

        explorer._show_hits = timed_show  # type: ignore[method-assign]
        search_calls: list[float] = []
        original_search = graph.search

        def timed_search(*args, **kwargs):
            wall = clock()
            hits = original_search(*args, **kwargs)
            search_calls.append(clock() - wall)
            return hits

        graph.search = timed_search  # type: ignore[method-assign]

        explorer.action_search()
        await pilot.pause()
        words = ["kha", "abu", "nang"]
        keystroke_cpu: list[float] = []
        keystroke_wall: list[float] = []
        clear_cpu: list[float] = []
        for word in words:
            keys = list(word) + ["backspace"] * len(word)
            for n, key in enumerate(keys):
                shown.clear()
                cpu, wall = thread_time(), clock()
                await pilot.press(key)
                await asyncio.wait_for(shown.wait(), 120)
                await pilot.pause()
                spent, latency = thread_time() - cpu, clock() - wall
                if n == len(keys) - 1:
                    clear_cpu.append(spent)  # back to the empty query: every actor, ranked
                else:
                    keystroke_cpu.append(spent)
                    keystroke_wall.append(latency)
        result["keystroke_ui_cpu_s"] = keystroke_cpu
        result["keystroke_latency_s"] = keystroke_wall
        result["clear_search_ui_cpu_s"] = clear_cpu
        result["show_hits_s"] = show_calls
        result["search_in_app_s"] = search_calls
        # The floor for a keystroke: one that moves the cursor and searches nothing.
        await pilot.press(*"kh")
        await pilot.pause()
        idle_cpu: list[float] = []
        for key in ["left", "right"] * max(samples, 3):
            cpu = thread_time()
            await pilot.press(key)
            await pilot.pause()
            idle_cpu.append(thread_time() - cpu)
        result["idle_keystroke_ui_cpu_s"] = idle_cpu
        graph.search = original_search  # type: ignore[method-assign]

        hub, hub_degree = graph.most_connected(1)[0]
        leaf = next((a for a in graph.actors if graph.degree(a) == 1), next(iter(graph.actors)))
        result["hub"] = {"id": hub, "ties": hub_degree}
        hub_cpu, hub_call, leaf_cpu, hub_latency = [], [], [], []
        tie_list = explorer.query_one("#tie-list")
        for _ in range(max(samples, 3)):
            app.open_actor(leaf)
            await pilot.pause()
            cpu, wall = thread_time(), clock()
            app.open_actor(hub)
            hub_call.append(clock() - wall)
            await pilot.pause()
            # Big tie lists are ordered in a worker: count the UI work until the list is shown.
            while tie_list.row_count == 0 and clock() - wall < 60:
                await asyncio.sleep(0.002)
                await pilot.pause()
            hub_cpu.append(thread_time() - cpu)
            hub_latency.append(clock() - wall)
            cpu = thread_time()
            app.open_actor(leaf)
            await pilot.pause()
            leaf_cpu.append(thread_time() - cpu)
        result["hub_jump_ui_cpu_s"] = hub_cpu
        result["hub_show_current_s"] = hub_call
        result["hub_jump_latency_s"] = hub_latency
        result["leaf_jump_ui_cpu_s"] = leaf_cpu

    # Graph-only figures, outside the app.
    search_direct: list[float] = []
    for word in words:
        for end in range(1, len(word) + 1):
            wall = clock()
            graph.search(word[:end], limit=5_000)
            search_direct.append(clock() - wall)
    result["search_worker_s"] = search_direct
    a, b = _far_pair(graph)
    paths = graph.shortest_paths(a, b)
    path_times = []
    for _ in range(max(samples, 3)):
        wall = clock()
        graph.shortest_paths(a, b)
        path_times.append(clock() - wall)
    result["path"] = {"a": a, "b": b, "length": len(paths[0]) if paths else None, "chains": len(paths)}
    result["shortest_path_s"] = path_times
    result["median_keystroke_ui_cpu_s"] = statistics.median(keystroke_cpu)
    return result


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "first-frame":
        first_frame(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    elif mode == "load":
        load(sys.argv[2])
    elif mode == "parse":
        parse(sys.argv[2])
    elif mode == "ui":
        ui(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 5)
    else:
        raise SystemExit(f"unknown mode {mode!r}")
