"""bench/bench.py runs end to end on a tiny store (no timing assertions)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench.py"


def _load_bench():
    spec = importlib.util.spec_from_file_location("khorasan_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["khorasan_bench"] = module
    spec.loader.exec_module(module)
    return module


def test_quick_benchmark_produces_every_figure(tmp_path: Path) -> None:
    bench = _load_bench()
    report = bench.run(quick=True, sizes=[(200, 800)], cache=tmp_path, use_pty=True, log=lambda message: None)
    by_name = {row.what: row for row in report.rows}
    assert any(name.startswith("first frame, app on bundled store") for name in by_name)
    assert any(name.startswith("khorasan show") for name in by_name)
    assert any(name.startswith("load + index") for name in by_name)
    assert any(name.startswith("search keystroke") for name in by_name)
    assert any(name.startswith("jump to hub") for name in by_name)
    assert any(name.startswith("shortest paths") for name in by_name)
    for row in report.rows:
        assert row.value is not None and row.value >= 0, row
    table = bench.render_table(report)
    assert "bare Textual app" in table and "orjson.loads" in table
    ui = report.details["ui_200/800"]
    assert ui["hub"]["ties"] > 1
    assert ui["path"]["length"] >= 1


def test_only_load_measures_the_store_loads_alone(tmp_path: Path) -> None:
    bench = _load_bench()
    report = bench.run(quick=True, sizes=[(200, 800)], cache=tmp_path, log=lambda message: None, only="load")
    names = [row.what for row in report.rows]
    assert any(name.startswith("load + index (JSON), first open") for name in names)
    assert any(name.startswith("load + index (JSON), reopen") for name in names)
    assert not any(name.startswith(("first frame", "khorasan show", "search keystroke")) for name in names)
    details = report.details["load_200/800"]
    assert len(details["first_open_ratio"]) == len(details["reopen_ratio"]) == 1
