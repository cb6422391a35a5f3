"""Property tests: any name, sent through the CLI, is either refused with the
rulebook's own message at every entry, or stored, printed and exported
exactly (through a pipe, as JSON, in every export format, on a terminal)."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from khorasan_tui import cli, rules
from khorasan_tui.edit import EditError, Editor
from khorasan_tui.model import normalize_key

from .store_writer import make_store, small_store_data
from .test_cli_lookup import run_in_pty, subprocess_env
from .test_hostile_corpus import CONTROL

# Characters that have broken terminals, markup parsers, CSV, XML and DOT
# writers before, mixed into arbitrary Unicode (surrogates cannot be encoded).
_TRICKY = list("[]@=/\\\"'<>&;,:.-+ {}|#%$!?\n\t\r\x1b\x07\x00\x85\x9b\u202e\u2066\u200b\u200d\ufeff\u00ad")
NAMES = st.one_of(
    st.text(st.one_of(st.characters(exclude_categories=("Cs",)), st.sampled_from(_TRICKY)), max_size=40),
    st.sampled_from(
        [
            "[@click=app.quit]q[/]",
            "[bold red]x[/] [link=file:///etc/passwd]y[/link]",
            "=cmd|' /C calc'!A0",
            "-rf",
            "--db",
            '"quoted", name',
            "back\\slash\\n",
            "</node><node id='x'>",
            "Ж Ⓘ𝕊𝕂ℙ 🧨",
        ]
    ),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=295, max_size=305),
)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BASE_KEYS = {normalize_key(n) for a in small_store_data().actors.values() for n in a.names}


class _Store(tuple):
    def __repr__(self) -> str:  # a falsifying example names the file, not its bytes
        return f"store({self[0]})"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> tuple[Path, bytes]:
    db = make_store(tmp_path_factory.mktemp("names"))
    return _Store((db, db.read_bytes()))


def _run(*argv: str) -> tuple[int, str, str]:
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", write_through=True)
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", write_through=True)
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        code = cli.main(list(argv))
    finally:
        sys.stdout, sys.stderr = saved
    text_out, text_err = out_bytes.getvalue().decode(), err_bytes.getvalue().decode()
    for text in (text_out, text_err):
        assert not CONTROL.search(text), repr(text[:300])
    return code, text_out, text_err


def _fresh(store: tuple[Path, bytes]) -> Path:
    db, pristine = store
    db.write_bytes(pristine)
    return db


def _dot_label(dot: str, actor_id: str) -> str:
    """The label of one node, read back the way graphviz reads a quoted string."""
    quoted = r'"((?:[^"\\]|\\.)*)"'
    for line in dot.splitlines():
        # Every statement keeps its shape: quoting never lets a name end one early.
        shape = re.sub(quoted, "Q", line)
        assert re.fullmatch(r"digraph Q \{|  (graph|node|edge) \[.*\];|  Q( -> Q)? \[[^\[\]\"]*\];|\}", shape), line
    node = re.search(rf'^  "{re.escape(actor_id)}" \[label={quoted}', dot, re.MULTILINE)
    assert node, dot
    return re.sub(r"\\(.)", r"\1", node.group(1))


def _exports_round_trip(db: Path, actor_id: str, name: str) -> None:
    import networkx

    code, out, err = _run("export", "--format", "json", "--db", str(db))
    assert code == 0, err
    exported = json.loads(out)
    actors = exported["actors"]
    assert any(a["id"] == actor_id and a["name"] == name for a in actors)

    code, out, err = _run("export", "--format", "csv", "--db", str(db))
    assert code == 0, err
    nodes = list(csv.DictReader(io.StringIO(out.split("\n\n")[0])))
    label = next(row["label"] for row in nodes if row["Id"] == actor_id)
    # A cell a spreadsheet would run as a formula may be guarded with a quote.
    assert label == name or (label == "'" + name and name[:1] in "=+-@\t\r")

    for fmt, read in (("graphml", networkx.read_graphml), ("gexf", networkx.read_gexf)):
        code, out, err = _run("export", "--format", fmt, "--db", str(db))
        assert code == 0, err
        graph = read(io.BytesIO(out.encode("utf-8")))
        assert graph.nodes[actor_id]["label"] == name, fmt

    code, out, err = _run("export", "--format", "dot", "--db", str(db))
    assert code == 0, err
    assert _dot_label(out, actor_id) == name


@SETTINGS
@given(name=NAMES)
@example(name="[@click=app.quit]q[/]")
@example(name="IS\u200bKP")
@example(name="x\x1b[31m")
def test_any_name_is_refused_with_the_rulebooks_message_or_kept_exactly(store, name):
    db = _fresh(store)
    problem = rules.check_name(name)
    collides = problem is None and normalize_key(name) in BASE_KEYS
    code, out, err = _run("add-actor", "--kind", "group", "--json", "--db", str(db), "--", name)
    if problem or collides:
        assert code == 2, (name, out, err)
        assert (problem or "already names") in err
        assert db.read_bytes() == store[1]
        return
    assert code == 0, (name, err)
    added = json.loads(out)["actor"]
    stored = name.strip()  # the one normalisation: surrounding spaces go
    assert added["name"] == stored
    code, out, err = _run("show", "--json", "--db", str(db), "--", added["id"])
    assert code == 0 and json.loads(out)["name"] == stored, err
    code, out, err = _run("show", "--json", "--db", str(db), "--", stored)
    assert code == 0 and json.loads(out)["id"] == added["id"], err
    code, out, err = _run("show", "--db", str(db), "--", added["id"])
    assert code == 0 and out.splitlines()[0] == stored, err
    _exports_round_trip(db, added["id"], stored)


@SETTINGS
@given(name=NAMES)
@example(name="a\x1bb")
@example(name="\u202eevil")
@example(name="")
def test_a_refused_name_is_refused_the_same_way_at_every_entry(store, name):
    problem = rules.check_name(name)
    if problem is None:
        return  # accepted names: the test above
    db = _fresh(store)
    entries = [
        ("add-actor", "--kind", "group", "--db", str(db), "--", name),
        ("add-alias", "--db", str(db), "--", "iskp", name),
    ]
    if name.strip():  # a blank entry in a list of aliases is skipped, not refused
        entries.append(("add-actor", "--kind", "group", f"--alias={name}", "--db", str(db), "--", "A Fine Name"))
    for argv in entries:
        code, out, err = _run(*argv)
        assert code == 2, (argv, out, err)
        assert problem in err, (argv, err)
    editor = Editor.open(db)  # the app's forms go through the Editor
    for attempt in (lambda: editor.add_actor(name, "group"), lambda: editor.add_alias("iskp", name)):
        with pytest.raises(EditError) as refused:
            attempt()
        assert problem in str(refused.value)
    assert db.read_bytes() == store[1]


TERMINAL_NAMES = [
    "[@click=app.quit]quit[/]",
    "[bold red]Evil[/bold red] [link=file:///etc/passwd]y[/link]",
    "back\\x1b[31m literal",
    "Ж Ⓘ𝕊𝕂ℙ 🧨",
]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
@pytest.mark.parametrize("name", TERMINAL_NAMES)
def test_a_hostile_name_shows_literally_on_a_terminal(tmp_path, name):
    db = make_store(tmp_path)
    code, out, err = _run("add-actor", "--kind", "group", "--json", "--db", str(db), "--", name)
    assert code == 0, err
    actor_id = json.loads(out)["actor"]["id"]
    argv = [sys.executable, "-m", "khorasan_tui", "show", "--db", str(db), actor_id]
    styled = run_in_pty(argv, subprocess_env(COLUMNS="200")).decode("utf-8", "replace")
    assert name in re.sub(r"\x1b\[[0-9;]*m", "", styled), styled
    plain = run_in_pty(argv, subprocess_env(COLUMNS="200", NO_COLOR="1")).decode("utf-8", "replace")
    assert name in plain
    assert "\x1b" not in plain
