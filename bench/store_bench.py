#!/usr/bin/env python
"""The command line and the engine on big stores, JSON and SQLite, each figure
beside a baseline measured in the same run.

    python bench/store_bench.py STORE [STORE ...] [--repeat N]

For each store (a JSON or a SQLite file, told apart by its header):

* show: wall time of `khorasan --db STORE show X` (a typical actor and the
  biggest hub) against `python -c "import sqlite3, json"`, interleaved, with
  bytecode cached, stdout piped; peak RSS of the same command.
* search: `Graph.search` for each keystroke of typing a name (in-process,
  store already open), median and worst.
* path: `Graph.shortest_routes` between pairs of far, weakly tied actors
  (fixed seed), median and worst.
* edit: one `add-alias` committed through the write path (Editor) and undone,
  median; beside a bare SQLite insert with a durable commit (WAL, synchronous
  FULL) in a scratch file in the same folder. The store ends as it began.

Timings of in-process work run with the collector as the program runs it.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PYTHON = sys.executable


def run(argv: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of a command, via /usr/bin/time when there."""
    timer = ["/usr/bin/time", "-f", "%M"] if os.path.exists("/usr/bin/time") else []
    started = time.perf_counter()
    done = subprocess.run([*timer, *argv], capture_output=True, stdin=subprocess.DEVNULL, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0,):
        raise SystemExit(f"{argv} exited {done.returncode}: {done.stderr.decode()[-1500:]}")
    rss = int(done.stderr.decode().strip().splitlines()[-1]) if timer else 0
    return elapsed, rss


def ms(value: float) -> str:
    return f"{value * 1000:.1f} ms"


def bench_show(store: Path, actor: str, repeat: int) -> dict:
    env_cmd = [PYTHON, "-m", "khorasan_tui", "--db", str(store), "show", actor]
    base_cmd = [PYTHON, "-c", "import sqlite3, json"]
    run(env_cmd)  # warm the page cache and the bytecode
    show, base, rss = [], [], []
    for _ in range(repeat):
        t, r = run(base_cmd)
        base.append(t)
        t, r = run(env_cmd)
        show.append(t)
        rss.append(r)
    return {"show": statistics.median(show), "base": statistics.median(base), "rss_kib": max(rss)}


def open_graph(store: Path):
    from khorasan_tui.graph import Graph
    from khorasan_tui.store import load_store

    return Graph(load_store(store))


def pick_actors(graph, rng: random.Random, n: int) -> list[str]:
    backend = getattr(graph.data, "backend", None)
    if backend is not None:
        count = len(graph.actors)
        picked = []
        while len(picked) < n:
            row = backend.one("SELECT id, degree FROM actors WHERE doc_id = ?", (rng.randrange(1, count + 1),))
            if row and 1 <= row[1] <= 3:
                picked.append(row[0])
        return picked
    ids = [a for a in graph.actors if 1 <= graph.degree(a) <= 3]
    return rng.sample(ids, n)


def bench_search(graph, names: list[str]) -> dict:
    times = []
    for name in names:
        for end in range(1, len(name) + 1):
            started = time.perf_counter()
            graph.search(name[:end])
            times.append(time.perf_counter() - started)
    return {"median": statistics.median(times), "worst": max(times), "keystrokes": len(times)}


def bench_paths(graph, pairs: list[tuple[str, str]]) -> dict:
    times, hops = [], []
    for a, b in pairs:
        started = time.perf_counter()
        routes = graph.shortest_routes(a, b)
        times.append(time.perf_counter() - started)
        hops.append(len(routes[0].actors) - 1 if routes else 0)
    return {"median": statistics.median(times), "worst": max(times), "hops": statistics.median(hops)}


def bench_edit(graph, actor: str, repeat: int) -> dict:
    from khorasan_tui.edit import Editor

    editor = Editor(graph.data, graph)
    times = []
    for i in range(repeat):
        started = time.perf_counter()
        editor.add_alias(actor, f"Bench alias {i} {os.getpid()}")
        times.append(time.perf_counter() - started)
        editor.undo()
    return {"median": statistics.median(times)}


def bench_sqlite_insert(folder: Path, repeat: int) -> float:
    fd, name = tempfile.mkstemp(suffix=".sqlite", dir=folder)
    os.close(fd)
    try:
        conn = sqlite3.connect(name, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)")
        times = []
        for i in range(repeat):
            started = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t VALUES (?, ?)", (f"k{i}", "v" * 200))
            conn.execute("COMMIT")
            times.append(time.perf_counter() - started)
        conn.close()
        return statistics.median(times)
    finally:
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(name + suffix)
            except OSError:
                pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stores", nargs="+", type=Path)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--no-edit", action="store_true", help="leave the store alone (no edit and undo)")
    args = parser.parse_args(argv)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "khorasan_tui")], check=False)
    rng = random.Random(7)
    for store in args.stores:
        from khorasan_tui.sqlstore import is_sqlite

        kind = "sqlite" if is_sqlite(store) else "json"
        print(f"\n## {store.name} ({kind}, {store.stat().st_size / 1e6:.0f} MB)")
        started = time.perf_counter()
        graph = open_graph(store)
        opened = time.perf_counter() - started
        print(f"open + index in-process: {ms(opened)} ({len(graph.actors)} actors)")
        hub, hub_degree = graph.most_connected(1)[0]
        typical = pick_actors(graph, rng, 1)[0]
        for label, actor in (("typical actor", typical), (f"hub ({hub_degree} ties)", hub)):
            shown = bench_show(store, actor, args.repeat)
            print(
                f'show {label}: {ms(shown["show"])} vs `python -c "import sqlite3, json"` {ms(shown["base"])}'
                f" = {shown['show'] / shown['base']:.2f}x; peak RSS {shown['rss_kib'] / 1024:.0f} MiB"
            )
        names = [graph.actors[a].name for a in pick_actors(graph, rng, 5)]
        searched = bench_search(graph, names)
        print(
            f"search, {searched['keystrokes']} keystrokes typing 5 names: median {ms(searched['median'])},"
            f" worst {ms(searched['worst'])}"
        )
        ends = pick_actors(graph, rng, 30)
        paths = bench_paths(graph, list(zip(ends[::2], ends[1::2])))
        print(
            f"shortest routes, 15 pairs of weakly tied actors: median {ms(paths['median'])},"
            f" worst {ms(paths['worst'])} (median {paths['hops']:.0f} hops)"
        )
        if not args.no_edit:
            edited = bench_edit(graph, typical, max(3, args.repeat))
            base = bench_sqlite_insert(store.parent, max(3, args.repeat))
            print(
                f"one add-alias committed (Editor): {ms(edited['median'])} vs a bare durable SQLite insert"
                f" {ms(base)} = {edited['median'] / base:.2f}x"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
