"""`khorasan export`: every format reads back with the same actors, ties and attributes."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import networkx as nx
import orjson
import pytest

from khorasan_tui import exchange
from khorasan_tui.cli import main
from khorasan_tui.graph import Graph
from khorasan_tui.model import Actor, Citation, Source, Tie
from khorasan_tui.serialize import actor_json, tie_json
from khorasan_tui.store import StoreData, load_store, save_store

# Names are one line without control characters (the rulebook); quoting,
# backslashes and XML specials still have to survive every format.
TRICKY_NAME = 'The "Quoted" \\ Back\\slash <&> Group; second line; a, b tab'
SOURCE_TEXT = "Alpha leads Beta. Beta is hostile to Gamma. Beta and Gamma also negotiate. Alpha met Lonely.\n"


@pytest.fixture()
def store_path(tmp_path: Path) -> Path:
    """A small store with hostile names and parallel ties (directed and undirected)."""
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "doc.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    data = StoreData(path=tmp_path / "store.json")
    data.meta["name"] = 'test "store"'
    data.sources["doc"] = Source(id="doc", title="A <doc> & more", path="sources/doc.txt")
    actors = [
        Actor("alpha", "Alpha", "person", aliases=["A; the first"], born="1970"),
        Actor("beta", TRICKY_NAME, "group", summary='Says "hi"\r\nand \\n is not a newline', founded="2015-01"),
        Actor("gamma", "Gamma ✦ Ünïcode", "state"),
        Actor("lonely", "Lonely", "place", possible_duplicate_of="alpha"),
    ]
    for actor in actors:
        data.actors[actor.id] = actor
    cite = [Citation("doc", "Alpha leads Beta.")]
    ties = [
        Tie("alpha--leads--beta", "leads", "alpha", "beta", start="2015", end="2020-03", citations=cite),
        Tie(
            "beta--hostile_to--gamma",
            "hostile_to",
            "beta",
            "gamma",
            status="alleged",
            citations=[Citation("doc", "Beta is hostile to Gamma.")],
        ),
        Tie(
            "beta--negotiates_with--gamma",
            "negotiates_with",
            "beta",
            "gamma",
            citations=[Citation("doc", "Beta and Gamma also negotiate.")],
        ),
        Tie(
            "beta--supports--gamma",
            "supports",
            "beta",
            "gamma",
            role='"money"',
            citations=[Citation("doc", "Beta is hostile to Gamma."), Citation("doc", "Beta and Gamma also negotiate.")],
        ),
        Tie(
            "alpha--located_in--lonely",
            "located_in",
            "alpha",
            "lonely",
            citations=[Citation("doc", "Alpha met Lonely.")],
        ),
    ]
    for tie in ties:
        data.ties[tie.id] = tie
    save_store(data)
    return data.path


def export(capsys, store_path: Path, *args: str) -> tuple[int, str, str]:
    code = main(["export", "--db", str(store_path), *args])
    out, err = capsys.readouterr()
    return code, out, err


def xml_normalised(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n")


def assert_graph_matches(read_back: nx.MultiDiGraph, data: StoreData) -> None:
    assert isinstance(read_back, nx.MultiDiGraph)
    assert read_back.number_of_nodes() == len(data.actors)
    assert read_back.number_of_edges() == len(data.ties)
    for actor in data.actors.values():
        attrs = read_back.nodes[actor.id]
        assert attrs["label"] == xml_normalised(actor.name)
        assert attrs["kind"] == actor.kind
        assert attrs.get("summary", "") == xml_normalised(actor.summary)
        assert attrs.get("possible_duplicate_of") == actor.possible_duplicate_of
        assert attrs.get("born") == actor.born
    for tie in data.ties.values():
        attrs = read_back.edges[tie.source, tie.target, tie.id]
        assert attrs["tie_type"] == tie.type
        assert attrs["directed"] is tie.directed
        assert attrs["status"] == tie.status
        assert attrs.get("start_date") == tie.start
        assert attrs.get("end_date") == tie.end
        assert attrs.get("role") == tie.role
        assert attrs["quote"] == tie.citations[0].quote
        assert orjson.loads(attrs["citations_json"]) == [c.to_dict() for c in tie.citations]


@pytest.mark.parametrize("fmt, reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_xml_formats_read_back_in_networkx(capsys, store_path: Path, tmp_path: Path, fmt, reader) -> None:
    out_file = tmp_path / f"graph.{fmt}"
    code, out, err = export(capsys, store_path, "--format", fmt, "-o", str(out_file))
    assert code == 0, err
    assert out == ""
    read_back = reader(out_file)
    assert_graph_matches(read_back, load_store(store_path))
    # three ties between beta and gamma survive as parallel edges
    assert read_back.number_of_edges("beta", "gamma") == 3


@pytest.mark.parametrize("fmt, reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_xml_formats_on_stdout(capsys, store_path: Path, fmt, reader) -> None:
    code, out, _ = export(capsys, store_path, "--format", fmt)
    assert code == 0
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert reader(io.BytesIO(out.encode("utf-8"))).number_of_edges() == 5


def test_xml_drops_characters_xml_forbids(store_path: Path) -> None:
    data = load_store(store_path)
    data.actors["alpha"].name = "Al\x00pha\x1b[31m"
    graph = Graph(data)
    selection = exchange.select(graph)
    for text, reader in (
        (exchange.to_graphml(graph, selection), nx.read_graphml),
        (exchange.to_gexf(graph, selection), nx.read_gexf),
    ):
        assert reader(io.BytesIO(text.encode("utf-8"))).nodes["alpha"]["label"] == "Alpha[31m"


def test_json_export_uses_serialize_shapes(capsys, store_path: Path) -> None:
    code, out, _ = export(capsys, store_path, "--format", "json")
    assert code == 0
    doc = orjson.loads(out)
    assert set(doc) == {"actors", "ties", "sources"}
    # As written: line ends as "\n", no control characters.
    graph = exchange.scrubbed(Graph(load_store(store_path)))
    assert doc["actors"] == [actor_json(graph, a) for a in graph.actors.values()]
    assert doc["ties"] == [tie_json(graph, t) for t in graph.ties.values()]
    assert [s["id"] for s in doc["sources"]] == ["doc"]


def test_csv_with_output_writes_nodes_and_edges_files(capsys, store_path: Path, tmp_path: Path) -> None:
    nodes_file = tmp_path / "graph.csv"
    code, out, err = export(capsys, store_path, "--format", "csv", "-o", str(nodes_file))
    assert code == 0, err
    edges_file = tmp_path / "graph.edges.csv"
    assert str(edges_file) in err
    with nodes_file.open(newline="", encoding="utf-8") as f:
        nodes = list(csv.DictReader(f))
    with edges_file.open(newline="", encoding="utf-8") as f:
        edges = list(csv.DictReader(f))
    assert [n["Id"] for n in nodes] == ["alpha", "beta", "gamma", "lonely"]
    assert nodes[1]["label"] == TRICKY_NAME
    assert nodes[0]["aliases"] == "A; the first"
    assert len(edges) == 5
    by_id = {e["Id"]: e for e in edges}
    assert by_id["alpha--leads--beta"]["Type"] == "Directed"
    assert by_id["beta--hostile_to--gamma"]["Type"] == "Undirected"
    assert by_id["beta--hostile_to--gamma"]["directed"] == "false"
    assert by_id["beta--supports--gamma"]["role"] == '"money"'
    assert by_id["alpha--leads--beta"]["start_date"] == "2015"


def test_csv_on_stdout_is_nodes_blank_line_edges(capsys, store_path: Path) -> None:
    code, out, _ = export(capsys, store_path, "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out, newline="")))
    blank = rows.index([])
    nodes, edges = rows[:blank], rows[blank + 1 :]
    assert nodes[0] == exchange.NODE_COLUMNS and len(nodes) == 1 + 4
    assert edges[0] == exchange.EDGE_COLUMNS and len(edges) == 1 + 5


def test_edges_path_for() -> None:
    from khorasan_tui.commands.export import edges_path_for

    assert edges_path_for(Path("out/g.csv")) == Path("out/g.edges.csv")
    assert edges_path_for(Path("g.nodes.csv")) == Path("g.edges.csv")
    assert edges_path_for(Path("g")) == Path("g.edges.csv")


DOT_STRING = r'"(?:[^"\\]|\\.)*"'
DOT_STATEMENT = re.compile(
    rf"^  (?:{DOT_STRING}(?: -> {DOT_STRING})?|graph|node|edge) \[(?:\w+={DOT_STRING}(?:, )?)*\];$"
)


def dot_unescape(token: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), token[1:-1])


def test_dot_is_well_formed_with_hostile_names(capsys, store_path: Path) -> None:
    code, out, _ = export(capsys, store_path, "--format", "dot")
    assert code == 0
    lines = out.splitlines()
    assert re.fullmatch(rf"digraph {DOT_STRING} \{{", lines[0])
    assert lines[-1] == "}"
    for line in lines[1:-1]:
        assert DOT_STATEMENT.match(line), line
    edges = [line for line in lines if " -> " in line]
    assert len(edges) == 5
    labels = [dot_unescape(m) for m in re.findall(rf"label=({DOT_STRING})", out)]
    assert TRICKY_NAME in labels
    undirected = [line for line in edges if 'dir="none"' in line]
    assert len(undirected) == 2  # hostile_to and negotiates_with


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz is not installed")
def test_dot_renders_with_graphviz(capsys, store_path: Path) -> None:
    _, out, _ = export(capsys, store_path, "--format", "dot")
    done = subprocess.run(["dot", "-Tsvg"], input=out.encode("utf-8"), capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    assert b"<svg" in done.stdout


def test_around_exports_the_neighbourhood(capsys, store_path: Path) -> None:
    code, out, _ = export(capsys, store_path, "--format", "graphml", "--around", "Alpha", "--depth", "1")
    assert code == 0
    read_back = nx.read_graphml(io.BytesIO(out.encode("utf-8")))
    assert set(read_back.nodes) == {"alpha", "beta", "lonely"}
    assert read_back.number_of_edges() == 2
    graph = Graph(load_store(store_path))
    actors, ties = graph.neighbourhood("alpha", 2)
    code, out, _ = export(capsys, store_path, "--format", "json", "--around", "alpha", "--depth", "2")
    doc = orjson.loads(out)
    assert {a["id"] for a in doc["actors"]} == actors
    assert {t["id"] for t in doc["ties"]} == ties


def test_depth_zero_is_the_actor_alone(capsys, store_path: Path) -> None:
    code, out, _ = export(capsys, store_path, "--format", "json", "--around", "gamma", "--depth", "0")
    doc = orjson.loads(out)
    assert [a["id"] for a in doc["actors"]] == ["gamma"] and doc["ties"] == []


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--format", "json", "--around", "nobody at all"], 1),
        (["--format", "json", "--depth", "-1", "--around", "alpha"], 2),
        (["--format", "yaml"], 2),
        (["--format", "json", "-o", "/nonexistent-folder/x.json"], 2),
    ],
)
def test_export_errors_exit_cleanly(capsys, store_path: Path, args, expected) -> None:
    code, _, err = export(capsys, store_path, *args)
    assert code == expected
    assert "Traceback" not in err and err.strip()


def test_bundled_store_round_trips_through_the_real_entry_point(tmp_path: Path) -> None:
    from khorasan_tui.store import default_store_path

    # A copy: others may be curating the bundled store while this runs.
    copy = tmp_path / "bundled.json"
    shutil.copyfile(default_store_path(), copy)
    out_file = tmp_path / "bundled.gexf"
    done = subprocess.run(
        [sys.executable, "-m", "khorasan_tui", "export", "--db", str(copy), "--format", "gexf", "-o", str(out_file)],
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    data = load_store(copy)
    read_back = nx.read_gexf(out_file)
    assert read_back.number_of_nodes() == len(data.actors)
    assert read_back.number_of_edges() == len(data.ties)
    assert read_back.nodes["iskp"]["kind"] == "group"


def test_gexf_is_dynamic_with_spells_from_partial_dates(capsys, store_path: Path) -> None:
    code, out, _ = export(capsys, store_path, "--format", "gexf")
    assert code == 0
    assert 'mode="dynamic"' in out and 'timeformat="date"' in out
    read_back = nx.read_gexf(io.BytesIO(out.encode("utf-8")))
    assert read_back.graph["mode"] == "dynamic"
    # born 1970 and founded 2015-01: open-ended spells from the first day.
    assert read_back.nodes["alpha"]["spells"] == [("1970-01-01", "None")]
    assert read_back.nodes["beta"]["spells"] == [("2015-01-01", "None")]
    assert "spells" not in read_back.nodes["gamma"]  # undated: present throughout
    edges = {key: attrs for _, _, key, attrs in read_back.edges(keys=True, data=True)}
    # 2015 .. 2020-03 widened to whole days: the end is March's last day.
    assert edges["alpha--leads--beta"]["spells"] == [("2015-01-01", "2020-03-31")]
    assert "spells" not in edges["beta--hostile_to--gamma"]


@pytest.mark.parametrize(
    "value, last, expected",
    [
        ("2020", False, "2020-01-01"),
        ("2020", True, "2020-12-31"),
        ("2020-02", True, "2020-02-29"),
        ("2019-02", True, "2019-02-28"),
        ("2020-03-25", True, "2020-03-25"),
        ("", False, None),
        ("soon", True, None),
    ],
)
def test_widened(value: str, last: bool, expected: str | None) -> None:
    assert exchange.widened(value, last) == expected


HOSTILE_NAMES = {
    "formula": '=HYPERLINK("http://evil","x")',
    "plus": "+cmd|' /C calc'!A0",
    "minus": "-2+3",
    "at": "@SUM(1)",
    "tab": "\tpadded",
    "escape": "Evil\x1b[31m\x07 \x9bGroup",
    "bidi": "\u202eevil\u202c Group",
    "zerowidth": "IS\u200bKP\ufeff",
}


@pytest.fixture()
def hostile_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # The loader refuses control and invisible characters (tests/test_safety.py).
    # These tests check the exporters' and printers' own guard behind it, so the
    # rulebook is switched off for this store alone.
    from khorasan_tui import store as store_module

    monkeypatch.setattr(store_module, "check_structure", lambda data: None)
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "d.txt").write_text("q\n", encoding="utf-8")
    data = StoreData(path=tmp_path / "s.json")
    data.sources["d"] = Source("d", "Doc\x1b[2J", path="sources/d.txt")
    for actor_id, name in HOSTILE_NAMES.items():
        data.actors[actor_id] = Actor(actor_id, name, "group", aliases=[name], summary=f"about {name}")
    data.ties["t"] = Tie(
        "t", "hostile_to", "escape", "bidi", summary="\x1b]0;title\x07", citations=[Citation("d", "q")]
    )
    save_store(data, check=False)
    return data.path


def test_csv_formula_cells_are_neutralised_unless_asked(capsys, hostile_store: Path) -> None:
    code, out, _ = export(capsys, hostile_store, "--format", "csv")
    assert code == 0
    nodes = {row["Id"]: row for row in csv.DictReader(io.StringIO(out.split("\n\n")[0]))}
    assert nodes["formula"]["label"] == '\'=HYPERLINK("http://evil","x")'
    assert nodes["plus"]["label"].startswith("'+") and nodes["minus"]["label"] == "'-2+3"
    assert nodes["at"]["label"] == "'@SUM(1)" and nodes["tab"]["label"] == "'\tpadded"
    assert nodes["zerowidth"]["label"] == "ISKP"
    for row in nodes.values():
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    code, out, _ = export(capsys, hostile_store, "--format", "csv", "--no-formula-guard")
    nodes = {row["Id"]: row for row in csv.DictReader(io.StringIO(out.split("\n\n")[0]))}
    assert nodes["formula"]["label"] == HOSTILE_NAMES["formula"] and nodes["minus"]["label"] == "-2+3"


RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


@pytest.mark.parametrize("fmt", ["json", "csv", "graphml", "gexf", "dot", "ftm", "stix"])
def test_no_export_carries_a_control_or_invisible_character(capsys, hostile_store: Path, fmt: str) -> None:
    code, out, _ = export(capsys, hostile_store, "--format", fmt)
    assert code == 0
    assert not RAW_CONTROL.search(out), RAW_CONTROL.findall(out)
    # Nor JSON escapes that decode into them.
    assert "\\u001b" not in out.lower() and "\\u0007" not in out
    assert "evil Group" in out  # the text around them stays


def test_terminal_output_carries_no_control_or_invisible_character(capsys, hostile_store: Path) -> None:
    for argv in (["show", "escape"], ["show", "bidi", "--json"], ["ties", "escape"], ["search", "evil"]):
        assert main([*argv, "--db", str(hostile_store)]) == 0, argv
        out, err = capsys.readouterr()
        assert not RAW_CONTROL.search(out + err), (argv, RAW_CONTROL.findall(out + err))
