"""`khorasan generate`: a synthetic store that passes validation, the same bytes
for the same seed, and the shape the benchmarks need (hubs and a long tail)."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from khorasan_tui.cli import main
from khorasan_tui.graph import Graph
from khorasan_tui.model import KINDS, TIE_TYPES
from khorasan_tui.sqlstore import is_sqlite
from khorasan_tui.store import default_store_path, load_store
from khorasan_tui.synthetic import STATUS_SHARE, generate, sources_folder_for
from khorasan_tui.validate import validate

ACTORS, TIES = 300, 1500


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("syn") / "small.json"
    generate(path, ACTORS, TIES, seed=7)
    return path


def test_generated_store_is_valid(small: Path) -> None:
    data = load_store(small)
    assert len(data.actors) == ACTORS
    assert len(data.ties) == TIES
    errors = [p for p in validate(data) if p.level == "error"]
    assert errors == []


def test_every_quote_is_in_its_document(small: Path) -> None:
    data = load_store(small)
    folder = sources_folder_for(small)
    assert folder.is_dir()
    for source in data.sources.values():
        assert (small.parent / source.path).is_file()
        assert Path(source.path).parts[0] == folder.name
    texts = {sid: (small.parent / s.path).read_text(encoding="utf-8") for sid, s in data.sources.items()}
    for tie in data.ties.values():
        assert tie.citations
        for citation in tie.citations:
            assert citation.quote in texts[citation.source]


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    # Same file name in three folders: Source.path names the articles' folder after the store.
    paths = [tmp_path / name / "store.json" for name in ("a", "b", "c")]
    generate(paths[0], 200, 800, seed=3)
    generate(paths[1], 200, 800, seed=3)
    generate(paths[2], 200, 800, seed=4)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].read_bytes() != paths[2].read_bytes()
    docs_a = sorted(sources_folder_for(paths[0]).iterdir())
    docs_b = sorted(sources_folder_for(paths[1]).iterdir())
    assert [p.read_bytes() for p in docs_a] == [p.read_bytes() for p in docs_b]


def test_same_bytes_across_processes(tmp_path: Path) -> None:
    """Hash randomisation differs per process: the output must not depend on it."""
    here = tmp_path / "here" / "store.json"
    there = tmp_path / "there" / "store.json"
    there.parent.mkdir()
    generate(here, 150, 600, seed=5)
    code = f"from khorasan_tui.synthetic import generate; generate({str(there)!r}, 150, 600, seed=5)"
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONHASHSEED": "123", "PATH": ""})
    assert here.read_bytes() == there.read_bytes()


def test_hubs_and_long_tail(small: Path) -> None:
    graph = Graph(load_store(small))
    degrees = sorted((graph.degree(a) for a in graph.actors), reverse=True)
    median = degrees[len(degrees) // 2]
    assert degrees[0] >= 20 * max(median, 1)
    assert degrees.count(1) >= len(degrees) // 5
    assert 0 not in degrees  # the spanning tree reaches everyone


def test_hubs_reach_thousands_at_scale(tmp_path: Path) -> None:
    path = tmp_path / "mid.json"
    generate(path, 4_000, 20_000, seed=1)
    graph = Graph(load_store(path))
    assert graph.most_connected(1)[0][1] >= 1_000


def test_realistic_mix(small: Path) -> None:
    data = load_store(small)
    kinds = Counter(a.kind for a in data.actors.values())
    assert set(kinds) == set(KINDS)
    types = Counter(t.type for t in data.ties.values())
    assert len(types) >= 12 and set(types) <= set(TIE_TYPES)
    statuses = Counter(t.status for t in data.ties.values())
    assert set(statuses) == {status for status, _ in STATUS_SHARE}
    assert all(t.claimant in data.actors for t in data.ties.values() if t.status == "claimed")
    assert sum(1 for a in data.actors.values() if a.aliases) >= ACTORS // 10
    assert any(t.start for t in data.ties.values())


def test_cli_generate_then_validate(tmp_path: Path, capsys) -> None:
    out = tmp_path / "cli.json"
    assert main(["generate", "--actors", "120", "--ties", "400", "--seed", "2", "-o", str(out)]) == 0
    assert "120 actors, 400 ties" in capsys.readouterr().err
    assert main(["--db", str(out), "validate"]) == 0
    # A generated store may be regenerated in place.
    assert main(["generate", "--actors", "120", "--ties", "400", "--seed", "3", "-o", str(out)]) == 0


def test_cli_refuses_to_overwrite_real_stores(tmp_path: Path, capsys) -> None:
    real = tmp_path / "real.json"
    real.write_bytes(default_store_path().read_bytes())
    before = real.read_bytes()
    assert main(["generate", "--actors", "10", "--ties", "10", "-o", str(real)]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    assert real.read_bytes() == before


@pytest.mark.parametrize(
    "argv",
    [
        ["--actors", "1", "--ties", "3"],
        ["--actors", "-1", "--ties", "0"],
    ],
)
def test_cli_rejects_impossible_sizes(tmp_path: Path, argv: list[str], capsys) -> None:
    assert main(["generate", *argv, "-o", str(tmp_path / "x.json")]) == 2
    assert not (tmp_path / "x.json").exists()


def test_cli_entry_point(tmp_path: Path) -> None:
    out = tmp_path / "entry.json"
    done = subprocess.run(
        [sys.executable, "-m", "khorasan_tui", "generate", "--actors", "50", "--ties", "100", "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert load_store(out).meta["synthetic"] == {"actors": 50, "ties": 100, "seed": 1}


def test_sqlite_store_converts_to_the_json_store_byte_for_byte(tmp_path: Path, capsys) -> None:
    """Streamed into SQLite or gathered into JSON, a seed gives the same records."""
    as_json = tmp_path / "json" / "store.json"
    as_sqlite = tmp_path / "sqlite" / "store.sqlite"
    for out in (as_json, as_sqlite):
        assert main(["generate", "--actors", "400", "--ties", "2000", "--seed", "9", "-o", str(out)]) == 0
    assert is_sqlite(as_sqlite)
    converted = as_sqlite.with_suffix(".json")
    assert main(["convert", str(as_sqlite), str(converted)]) == 0
    assert converted.read_bytes() == as_json.read_bytes()
    docs_json = sorted(sources_folder_for(as_json).iterdir())
    docs_sqlite = sorted(sources_folder_for(as_sqlite).iterdir())
    assert [p.name for p in docs_json] == [p.name for p in docs_sqlite]
    assert [p.read_bytes() for p in docs_json] == [p.read_bytes() for p in docs_sqlite]
    # No spool of quotes is left behind.
    assert sorted(p.name for p in as_sqlite.parent.iterdir()) == ["store-sources", "store.json", "store.sqlite"]
    capsys.readouterr()
    assert main(["--db", str(as_sqlite), "validate"]) == 0


def test_sqlite_store_is_regenerated_in_place_but_real_ones_are_not(tmp_path: Path, capsys) -> None:
    out = tmp_path / "g.sqlite"
    assert main(["generate", "--actors", "50", "--ties", "100", "--seed", "1", "-o", str(out)]) == 0
    assert main(["generate", "--actors", "60", "--ties", "100", "--seed", "1", "-o", str(out)]) == 0
    assert "60 actors" in capsys.readouterr().err
    real = tmp_path / "real.sqlite"
    assert main(["convert", str(default_store_path()), str(real)]) == 0
    before = real.read_bytes()
    assert main(["generate", "--actors", "10", "--ties", "10", "-o", str(real)]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    assert real.read_bytes() == before
