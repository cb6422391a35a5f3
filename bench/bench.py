#!/usr/bin/env python
"""Khorasan's performance, each figure beside a baseline measured in the same run.

    python bench/bench.py                 full run (a few minutes; builds the
                                          10k and 100k stores once, then reuses them)
    python bench/bench.py --repeat 7      more runs per figure (medians)
    python bench/bench.py --quick         CI smoke: tiny stores, one run each
    python bench/bench.py --only load     only the store loads against orjson

Start-up, memory and load figures come from fresh subprocesses (bench/_probe.py);
the first frame is caught as it reaches a real terminal driver inside a
pseudo-terminal (--headless to skip the pty). UI-thread work is the CPU time of
the UI thread (time.thread_time) from a key press until the app is idle again,
inside a headless app on the store, so it includes Textual's layout and paint.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import fcntl
import hashlib
import json
import os
import platform
import pty
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = Path(__file__).resolve().with_name("_probe.py")
PYTHON = sys.executable
TERMINAL_SIZE = (120, 40)
FULL_SIZES = ((10_000, 50_000), (100_000, 500_000))
QUICK_SIZES = ((300, 1_500),)
SEED = 1


# -- running probes ----------------------------------------------------------------


class ProbeFailed(RuntimeError):
    pass


def _drain(fd: int) -> None:
    """Read the pseudo-terminal until the child closes it, so it never blocks."""
    while True:
        try:
            if not os.read(fd, 65536):
                return
        except OSError:
            return


def run_probe(args: list[str], env: dict[str, str] | None = None, use_pty: bool = False, timeout: float = 900) -> dict:
    """Run `_probe.py ARGS` in a fresh interpreter and return its JSON result."""
    handle, out_path = tempfile.mkstemp(prefix="khorasan-bench-", suffix=".json")
    os.close(handle)
    child_env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "BENCH_"))}
    child_env.update(env or {})
    child_env["BENCH_OUT"] = out_path
    child_env.setdefault("PYTHONPATH", str(ROOT))
    with tempfile.TemporaryFile() as errors:
        try:
            if use_pty:
                master, slave = pty.openpty()
                columns, rows = TERMINAL_SIZE
                fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
                child_env.update(TERM="xterm-256color", COLORTERM="truecolor")
                child_env.pop("COLUMNS", None)
                child_env.pop("LINES", None)
                child_env["BENCH_T0"] = repr(time.time())
                process = subprocess.Popen(
                    [PYTHON, str(PROBE), *args],
                    stdin=slave,
                    stdout=slave,
                    stderr=errors,
                    env=child_env,
                    start_new_session=True,
                )
                os.close(slave)
                reader = threading.Thread(target=_drain, args=(master,), daemon=True)
                reader.start()
                try:
                    code = process.wait(timeout=timeout)
                finally:
                    if process.poll() is None:
                        process.kill()
                        process.wait()
                    reader.join(timeout=5)
                    os.close(master)
            else:
                child_env["BENCH_T0"] = repr(time.time())
                process = subprocess.run(
                    [PYTHON, str(PROBE), *args],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=errors,
                    env=child_env,
                    timeout=timeout,
                    check=False,
                )
                code = process.returncode
            errors.seek(0)
            stderr = errors.read().decode("utf-8", "replace")
            try:
                with open(out_path, encoding="utf-8") as result:
                    data = json.load(result)
            except (OSError, ValueError):
                raise ProbeFailed(f"probe {args} exited {code} without a result:\n{stderr[-3000:]}") from None
            if code != 0:
                raise ProbeFailed(f"probe {args} exited {code}:\n{stderr[-3000:]}")
            return data
        finally:
            os.unlink(out_path)


def wall_time(argv: list[str], env: dict[str, str] | None = None) -> float:
    child_env = dict(os.environ, **(env or {}))
    started = time.perf_counter()
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, env=child_env, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise ProbeFailed(f"{argv} exited {done.returncode}: {done.stderr.decode()[-2000:]}")
    return elapsed


# -- stores ------------------------------------------------------------------------


def generator_fingerprint() -> str:
    source = (ROOT / "khorasan_tui" / "synthetic.py").read_bytes()
    return hashlib.blake2b(source, digest_size=4).hexdigest()


def synthetic_store(cache: Path, actors: int, ties: int, log) -> Path:
    """A generated store in `cache`, built once per size and generator version."""
    from khorasan_tui.synthetic import generate

    path = cache / f"syn-{actors}-{ties}-s{SEED}-{generator_fingerprint()}.json"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        log(f"generating {path.name} ...")
        started = time.perf_counter()
        generate(path, actors, ties, SEED)
        log(f"  done in {time.perf_counter() - started:.1f} s")
    return path


def bundled_store() -> Path:
    from khorasan_tui.store import default_store_path

    return default_store_path()


# -- the report --------------------------------------------------------------------


@dataclass
class Row:
    section: str
    what: str
    value: float | None
    unit: str  # "ms" or "MiB" or "x"
    baseline_label: str = ""
    baseline: float | None = None
    target: str = ""
    passed: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    details: dict = field(default_factory=dict)

    def add(self, *args, **kwargs) -> Row:
        row = Row(*args, **kwargs)
        self.rows.append(row)
        return row


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ms":
        return f"{value * 1000:.1f} ms" if value < 10 else f"{value:.2f} s"
    if unit == "MiB":
        return f"{value:.0f} MiB"
    return f"{value:.2f}"


def render_table(report: Report) -> str:
    header = ["", "measure", "median", "baseline", "baseline median", "ratio", "target", "result"]
    lines = []
    for row in report.rows:
        ratio = row.ratio
        result = "" if row.passed is None else ("PASS" if row.passed else "MISS")
        lines.append(
            [
                row.section,
                row.what,
                _fmt(row.value, row.unit),
                row.baseline_label,
                _fmt(row.baseline, row.unit) if row.baseline_label else "",
                f"{ratio:.2f}x" if ratio is not None and row.baseline_label else "",
                row.target,
                result,
            ]
        )
    widths = [max(len(str(x)) for x in column) for column in zip(header, *lines)]
    out = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |"]
    out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for line in lines:
        out.append("| " + " | ".join(str(x).ljust(w) for x, w in zip(line, widths)) + " |")
    return "\n".join(out)


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


# -- the measurements --------------------------------------------------------------


def bench_first_frame(report: Report, stores: list[tuple[str, Path]], repeat: int, use_pty: bool, log) -> None:
    """First painted frame of the app against a bare Textual app, and peak RSS."""
    runs: dict[str, list[dict]] = {"floor": [], **{label: [] for label, _ in stores}}
    # One discarded round warms the page cache and the .pyc files.
    for round_no in range(repeat + 1):
        for label, path in [("floor", None), *stores]:
            if label == "floor":
                result = run_probe(["first-frame", "floor"], use_pty=use_pty, env=_headless(use_pty))
            else:
                env = {"BENCH_WAIT_LOADED": "1", **_headless(use_pty)}
                result = run_probe(["first-frame", "app", str(path)], env=env, use_pty=use_pty)
            if round_no:
                runs[label].append(result)
        log(f"  first frame round {round_no}/{repeat} done")
    floor_frame = median([r["first_frame_s"] for r in runs["floor"]])
    floor_rss = median([r["peak_rss_mib"] for r in runs["floor"]])
    for label, _ in stores:
        frames = [r["first_frame_s"] for r in runs[label]]
        value = median(frames)
        report.add(
            "start-up",
            f"first frame, app on {label}",
            value,
            "ms",
            "bare Textual app",
            floor_frame,
            "≤ 1.2x",
            value is not None and value <= 1.2 * floor_frame,
        )
        loaded = median([r.get("loaded_s") for r in runs[label] if r.get("loaded_s")])
        report.add("start-up", f"store loaded and shown, {label} (info)", loaded, "ms")
        early = sum(1 for r in runs[label] if not r.get("loaded_before_first_frame"))
        report.details[f"first_frame_{label}"] = {
            "first_frame_s": frames,
            "loaded_s": [r.get("loaded_s") for r in runs[label]],
            "peak_rss_mib": [r["peak_rss_mib"] for r in runs[label]],
            "first_frame_before_load": f"{early}/{len(runs[label])}",
        }
    report.details["first_frame_floor"] = {
        "first_frame_s": [r["first_frame_s"] for r in runs["floor"]],
        "peak_rss_mib": [r["peak_rss_mib"] for r in runs["floor"]],
    }
    for index, (label, _) in enumerate(stores):
        rss = median([r["peak_rss_mib"] for r in runs[label]])
        is_bundled = index == 0
        report.add(
            "memory",
            f"peak RSS, app on {label} (loaded)",
            rss,
            "MiB",
            "bare Textual app",
            floor_rss,
            "≤ 1.2x" if is_bundled else "",
            (rss is not None and rss <= 1.2 * floor_rss) if is_bundled else None,
        )


def _headless(use_pty: bool) -> dict[str, str]:
    return {} if use_pty else {"BENCH_HEADLESS": "1"}


def khorasan_command() -> list[str]:
    script = Path(PYTHON).parent / "khorasan"
    return [str(script)] if script.exists() else [PYTHON, "-m", "khorasan_tui"]


def bench_show(report: Report, repeat: int, log) -> None:
    show = [*khorasan_command(), "show", "ISKP"]
    rich = [PYTHON, "-c", "import rich"]
    env = {"NO_COLOR": "1", "COLUMNS": "120"}
    times: dict[str, list[float]] = {"show": [], "rich": []}
    runs = max(5, repeat * 5)
    for round_no in range(runs + 1):
        show_s = wall_time(show, env)
        rich_s = wall_time(rich, env)
        if round_no:
            times["show"].append(show_s)
            times["rich"].append(rich_s)
    value, baseline = median(times["show"]), median(times["rich"])
    report.add(
        "cli",
        "khorasan show ISKP (bundled store)",
        value,
        "ms",
        'python -c "import rich"',
        baseline,
        "≤ 1.5x",
        value <= 1.5 * baseline,
    )
    report.details["show"] = times
    log("  show done")


def bench_store(
    report: Report, label: str, path: Path, repeat: int, samples: int, big: bool, log, ui: bool = True
) -> None:
    loads, firsts, parses = [], [], []
    # The first open of a file checks every record against the rulebook and
    # remembers the verdict (user cache folder); a reopen of the same bytes
    # trusts it. Both are measured, each in fresh processes.
    warm_cache = tempfile.mkdtemp(prefix="khorasan-bench-cache-")
    run_probe(["load", str(path)], env={"XDG_CACHE_HOME": warm_cache})
    for round_no in range(repeat + 1):
        first = run_probe(["load", str(path)], env={"XDG_CACHE_HOME": tempfile.mkdtemp()})
        load = run_probe(["load", str(path)], env={"XDG_CACHE_HOME": warm_cache})
        parse = run_probe(["parse", str(path)])
        if round_no:
            firsts.append(first)
            loads.append(load)
            parses.append(parse)
    log(f"  {label}: load/parse done")
    first_s = median([r["load_index_s"] for r in firsts])
    load_s = median([r["load_index_s"] for r in loads])
    parse_s = median([r["parse_s"] for r in parses])
    # Issue 14: load and index within 2x of orjson, both with the collector off.
    for what, value in (
        ("load + index (JSON), first open (every record checked)", first_s),
        ("load + index (JSON), reopen (verdict remembered)", load_s),
    ):
        report.add(
            label,
            what,
            value,
            "ms",
            "orjson.loads, collector off",
            parse_s,
            "≤ 2x" if big else "",
            (value <= 2 * parse_s) if big else None,
        )
    load_rss = median([r["peak_rss_mib"] for r in loads])
    parse_rss = median([r["peak_rss_mib"] for r in parses])
    report.add(
        label,
        "peak RSS, load + index",
        load_rss,
        "MiB",
        "orjson.loads only",
        parse_rss,
        "≤ 2x" if big else "",
        (load_rss <= 2 * parse_rss) if big else None,
    )
    report.details[f"load_{label}"] = {
        "load_s": [r["load_s"] for r in loads],
        "index_s": [r["index_s"] for r in loads],
        "load_index_s": [r["load_index_s"] for r in loads],
        "parse_s": [r["parse_s"] for r in parses],
        "load_rss_mib": [r["peak_rss_mib"] for r in loads],
        "parse_rss_mib": [r["peak_rss_mib"] for r in parses],
        "first_open_load_index_s": [r["load_index_s"] for r in firsts],
        # Each round's ratios: other work on the machine moves both figures of a round together.
        "first_open_ratio": [f["load_index_s"] / p["parse_s"] for f, p in zip(firsts, parses)],
        "reopen_ratio": [r["load_index_s"] / p["parse_s"] for r, p in zip(loads, parses)],
    }
    if not ui:
        return

    ui = run_probe(["ui", str(path), str(samples)])
    log(f"  {label}: UI done")
    report.details[f"ui_{label}"] = ui
    idle = median(ui["idle_keystroke_ui_cpu_s"])
    key = median(ui["keystroke_ui_cpu_s"])
    report.add(
        label,
        "search keystroke: UI-thread CPU",
        key,
        "ms",
        "cursor-move keystroke",
        idle,
        "≤ 16 ms",
        (key <= 0.016) if big else None,
    )
    report.add(label, "  of which list refresh (_show_hits)", median(ui["show_hits_s"]), "ms")
    search_where = "worker thread" if ui["threaded_search"] else "UI thread"
    report.add(label, f"  Graph.search per keystroke ({search_where})", median(ui["search_worker_s"]), "ms")
    report.add(label, "  keystroke to list updated (latency, info)", median(ui["keystroke_latency_s"]), "ms")
    report.add(label, "  clearing the search (all actors ranked), UI CPU", median(ui["clear_search_ui_cpu_s"]), "ms")
    hub = ui["hub"]
    hub_cpu = median(ui["hub_jump_ui_cpu_s"])
    report.add(
        label,
        f"jump to hub ({hub['ties']} ties): UI-thread CPU",
        hub_cpu,
        "ms",
        "jump to a 1-tie actor",
        median(ui["leaf_jump_ui_cpu_s"]),
        "≤ 16 ms",
        (hub_cpu <= 0.016) if big else None,
    )
    report.add(label, "  of which show_current", median(ui["hub_show_current_s"]), "ms")
    path_s = median(ui["shortest_path_s"])
    p = ui["path"]
    report.add(
        label,
        f"shortest paths, {p['length']} hops, {p['chains']} chains",
        path_s,
        "ms",
        "",
        None,
        "≤ 100 ms",
        (path_s <= 0.1) if big else None,
    )
    if "store_ready_ui_s" in ui:
        report.add(label, "store ready: UI-thread work after load (info)", ui["store_ready_ui_s"], "ms")


# -- machine -----------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    try:
        from importlib.metadata import version

        textual = version("textual")
        rich = version("rich")
        orjson = version("orjson")
    except Exception:  # noqa: BLE001 - informational only
        textual = rich = orjson = "?"
    return {
        "date": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "ram": ram,
        "python": platform.python_version(),
        "textual": textual,
        "rich": rich,
        "orjson": orjson,
        "os": f"{platform.system()} {platform.release()}",
    }


# -- main --------------------------------------------------------------------------


def run(
    quick: bool = False,
    repeat: int | None = None,
    sizes: list[tuple[int, int]] | None = None,
    cache: Path | None = None,
    use_pty: bool = True,
    log=None,
    only: str | None = None,
) -> Report:
    """Every measurement (`only="load"`: the store loads alone); returns the report (the smoke test calls this)."""
    log = log or (lambda message: print(message, file=sys.stderr, flush=True))
    repeat = repeat or (1 if quick else 5)
    sizes = sizes or list(QUICK_SIZES if quick else FULL_SIZES)
    cache = cache or Path(tempfile.gettempdir()) / "khorasan-bench"
    samples = 3 if quick else max(5, repeat)
    report = Report()
    report.details["machine"] = machine()
    report.details["settings"] = {"repeat": repeat, "sizes": sizes, "pty": use_pty, "quick": quick}

    stores = [
        (f"{a // 1000}k/{t // 1000}k" if a >= 1000 else f"{a}/{t}", synthetic_store(cache, a, t, log)) for a, t in sizes
    ]
    if only != "load":
        log("start-up and memory ...")
        first_frame_stores = [("bundled store", bundled_store())]
        if stores:
            first_frame_stores.append((f"{stores[-1][0]} store", stores[-1][1]))
        bench_first_frame(report, first_frame_stores, repeat, use_pty, log)
        log("khorasan show ...")
        bench_show(report, repeat, log)
    for (label, path), (actors, _) in zip(stores, sizes):
        log(f"store {label} ...")
        bench_store(report, label, path, repeat, samples, big=actors >= 100_000, log=log, ui=only != "load")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, help="runs per figure (default 5; 1 with --quick)")
    parser.add_argument("--quick", action="store_true", help="tiny stores, one run: a smoke test")
    parser.add_argument("--sizes", help="stores as ACTORS:TIES[,ACTORS:TIES...] (default 10000:50000,100000:500000)")
    parser.add_argument("--cache", type=Path, help="where generated stores are kept (default: $TMPDIR/khorasan-bench)")
    parser.add_argument(
        "--headless", action="store_true", help="catch the first frame in Textual's headless mode, not a pty"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write every sample as JSON")
    parser.add_argument("--only", choices=["load"], help="load: only the store loads against orjson (minutes less)")
    args = parser.parse_args(argv)
    sizes = None
    if args.sizes:
        sizes = [tuple(int(n) for n in part.split(":")) for part in args.sizes.split(",")]
    report = run(args.quick, args.repeat, sizes, args.cache, use_pty=not args.headless, only=args.only)
    info = report.details["machine"]
    print(
        f"{info['date']} · {info['cpu']} · {info['nproc']} CPUs · {info['ram']} · Python {info['python']} · "
        f"textual {info['textual']} · medians of {report.details['settings']['repeat']} run(s)"
    )
    print(render_table(report))
    if args.json:
        args.json.write_text(json.dumps(report.details, indent=2))
    for key, details in report.details.items():
        if key.startswith("load_"):
            print(
                f"{key[len('load_') :]}: median of each round's ratio to orjson: "
                f"first open {median(details['first_open_ratio']):.2f}x, reopen {median(details['reopen_ratio']):.2f}x"
            )
    missed = [row.what for row in report.rows if row.passed is False]
    print(f"\n{sum(1 for r in report.rows if r.passed)} PASS, {len(missed)} MISS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
