"""The contract both backends keep, part 3: every read command prints the same.

Each command runs through the real entry point on a JSON store and on the
same store converted to SQLite; stdout, stderr and the exit code must match,
once the lines that name the store's file are normalised.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from khorasan_tui.cli import main

from .backends import BACKENDS, bundled_copy, normalise

DOC = "002_7cc125320d65fb31"


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> tuple[Path, Path]:
    # Read-only commands: one pair of stores for the whole module.
    folder = tmp_path_factory.mktemp("cli")
    return tuple(bundled_copy(folder / backend, backend) for backend in BACKENDS)


def run(capsys, argv: list[str], store: Path) -> tuple[int, str, str]:
    code = main([*argv, "--db", str(store)])
    out, err = capsys.readouterr()
    return code, normalise(out, store), normalise(err, store)


READS = [
    ["show", "iskp"],
    ["show", "Abdullah Orakzai"],
    ["show", "pakistan-tribal-areas"],
    ["show", "Haqani Netwark"],
    ["show", "Orakzai"],  # ambiguous: exit 3
    ["show", "Zzqxv"],  # not found: exit 1
    ["show", "[@click=app.quit]"],
    ["ties", "haqqani-network"],
    ["ties", "haqqani-network", "--type", "leads"],
    ["ties", "iskp", "--status", "alleged,claimed"],
    ["ties", "iskp", "--source", DOC],
    ["ties", "iskp", "--type", "no_such_type"],
    ["path", "iskp", "Sirajuddin Haqqani"],
    ["path", "Aslam Farooqi", "Sirajuddin Haqqani", "--max", "4", "--status", "reported"],
    ["path", "iskp", "taliban", "--type", "cooperates_with,allied_with", "--limit", "2"],
    ["path", "iskp", "haqqani-network", "--as-of", "2016", "--exclude-type", "hostile_to"],
    ["path", "iskp", "Zzqxv"],
    ["path", "badaruddin-haqqani", "sikh-community", "--limit", "1"],
    ["path", "khalil-haqqani", "mumbai", "--limit", "2"],
    ["search", "orakzai", "--kind", "person"],
    ["search", "haqqani"],
    ["search", "al-qaeda", "--limit", "5"],
    ["search", "Haqani Netwark"],
    ["search", "zzqxv"],
    ["stats"],
    ["validate"],
    ["timeline"],
    ["timeline", "iskp", "--from", "2020", "--to", "2020"],
    ["timeline", "--as-of", "2016"],
    ["timeline", "haqqani-network", "--from", "2015-07"],
    ["contested"],
    ["contested", "haqqani-network"],
    ["contested", "iskp"],
]
EXPORTS = ["json", "csv", "graphml", "gexf", "dot", "ftm", "stix"]


@pytest.mark.parametrize("json_flag", [False, True], ids=["text", "json"])
@pytest.mark.parametrize("argv", READS, ids=" ".join)
def test_read_commands_print_the_same_on_both_backends(argv, json_flag, stores, capsys):
    argv = [*argv, "--json"] if json_flag else argv
    json_run, sql_run = (run(capsys, argv, store) for store in stores)
    assert sql_run == json_run
    assert json_run[1] or json_run[2], "the command said something"


@pytest.mark.parametrize("fmt", EXPORTS)
def test_exports_to_stdout_are_identical(fmt, stores, capsys):
    around = ["--around", "Haqqani Network", "--depth", "2"] if fmt in ("json", "dot") else []
    json_run, sql_run = (run(capsys, ["export", "--format", fmt, *around], store) for store in stores)
    assert json_run[0] == 0, json_run[2]
    assert sql_run == json_run
    assert len(json_run[1]) > 1000


@pytest.mark.parametrize("fmt", EXPORTS)
def test_exports_to_a_file_are_identical(fmt, stores, capsys, tmp_path):
    results = []
    for store in stores:
        out = tmp_path / store.suffix.lstrip(".") / f"graph.{fmt}"
        out.parent.mkdir()
        code, stdout, stderr = run(capsys, ["export", "--format", fmt, "-o", str(out)], store)
        files = {p.name: p.read_bytes() for p in sorted(out.parent.iterdir())}
        results.append((code, stdout, normalise(stderr, out.parent / "x"), files))
    assert results[0][0] == 0 and results[0][3], results[0]
    assert results[1] == results[0]


def test_an_ambiguous_name_gives_the_same_candidates_as_json(stores, capsys):
    json_run, sql_run = (run(capsys, ["show", "Orakzai", "--json"], store) for store in stores)
    assert json_run[0] == 3 and '"ambiguous": true' in json_run[1]
    assert sql_run == json_run
