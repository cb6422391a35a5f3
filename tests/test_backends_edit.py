"""The contract both backends keep, part 4: edits, undo and refusals.

The same edits go to a JSON store and to the same store in SQLite, through
the CLI and through the `Editor`; after each step both stores must be the same
file (`store_bytes`), undo must give back the starting bytes exactly, and a
refused edit must leave both untouched with the same message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from khorasan_tui.cli import main
from khorasan_tui.edit import EditConflict, EditError, Editor, NewSource, UnknownItem, ValidationError
from khorasan_tui.store import load_store

from .backends import bundled_copy, derived_rows, normalise, store_bytes, to_sqlite

DOC_000 = "000_f7d597f755b0e798"
DOC_001 = "001_174c9ef1dfd94733"
DOC_002 = "002_7cc125320d65fb31"
QUOTE_002 = "So do its intricate ties to the Pakistani military and intelligence community."
FORMER = "a former member of the militiamen of Jalaluddin"  # in 001: a past role
NEW_TEXT = "The Haqqanis and the Taliban are close partners.\nMore text."


def run(capsys, argv: list[str], store: Path) -> tuple[int, str, str]:
    code = main([*argv, "--db", str(store)])
    out, err = capsys.readouterr()
    return code, normalise(out, store), normalise(err, store)


def run_both(capsys, argv: list[str], stores: tuple[Path, Path]) -> tuple[int, str, str]:
    """Run one command on both stores; same exit, same output, and the same store after."""
    json_run, sql_run = (run(capsys, argv, store) for store in stores)
    assert sql_run == json_run, argv
    assert store_bytes(stores[1]) == store_bytes(stores[0]), f"the stores differ after {argv}"
    return json_run


def assert_indexes_kept(stores: tuple[Path, Path], tmp_path: Path) -> None:
    """The edited SQLite store's derived data is what a fresh conversion of the
    same records has: no degree, name, merged id, citation or word index left stale."""
    fresh = tmp_path / f"fresh-{len(list(tmp_path.glob('fresh-*')))}.sqlite"
    to_sqlite(stores[0], fresh)
    kept, rebuilt = derived_rows(stores[1]), derived_rows(fresh)
    for table in rebuilt:
        assert kept[table] == rebuilt[table], table


EDITS = [
    ["add-actor", "Nangarhar Shura", "--kind", "group", "--alias", "NS", "--summary", "A council [b]in[/b] Nangarhar."],
    ["add-alias", "iskp", "Daesh-Khorasan"],
    ["add-alias", "Nangarhar Shura", "Shura of Nangarhar", "--json"],
    ["add-tie", "Nangarhar Shura", "allied_with", "iskp", "--source", DOC_002, "--quote", QUOTE_002],
    ["add-tie", "Nangarhar Shura", "hostile_to", "taliban", "--source", DOC_002, "--quote", QUOTE_002, "--json"],
    ["rm", "iskp--affiliated_with--isi", "--yes"],
    ["rm", "nangarhar-shura", "--dry-run"],
    ["rm", "nangarhar-shura", "--yes"],
    ["merge", "kabul", "kabul-airport", "--dry-run"],
    ["merge", "kabul", "kabul-airport", "--yes"],
    ["show", "kabul-airport", "--json"],
    ["merge", "haqqani-network", "taliban", "--yes", "--json", "--allow-warnings"],
]


READ_BACK = [
    ["stats", "--json"],
    ["validate", "--json"],
    ["contested", "--json"],
    ["timeline", "--json"],
    ["show", "kabul", "--json"],
    ["show", "haqqani-network"],
    ["ties", "haqqani-network", "--json"],
    ["search", "kabul", "--json"],
    ["search", "taliban"],
    ["path", "iskp", "kabul", "--json"],
    ["export", "--format", "graphml"],
]


def test_cli_edits_and_undo_leave_both_backends_the_same_store(store_pair, capsys, tmp_path):
    original = store_bytes(store_pair[0])
    assert store_bytes(store_pair[1]) == original
    saved = 0
    for argv in EDITS:
        code, out, err = run_both(capsys, argv, store_pair)
        assert code == 0, (argv, err)
        if "--dry-run" not in argv and argv[0] != "show":
            saved += 1
            assert store_bytes(store_pair[0]) != original
            assert_indexes_kept(store_pair, tmp_path)
    # Every read of the edited stores agrees too.
    for argv in READ_BACK:
        code, _, err = run_both(capsys, argv, store_pair)
        assert code in (0, 1), (argv, err)
    data = load_store(store_pair[1])
    assert "nangarhar-shura" not in data.actors and "taliban" not in data.actors
    assert "kabul-airport" in data.actors["kabul"].merged_ids
    assert "Daesh-Khorasan" in data.actors["iskp"].aliases
    data.backend.close()
    for _ in range(saved):
        code, out, err = run_both(capsys, ["undo"], store_pair)
        assert code == 0, err
        assert_indexes_kept(store_pair, tmp_path)
    assert store_bytes(store_pair[0]) == store_bytes(store_pair[1]) == original
    code, _, err = run_both(capsys, ["undo"], store_pair)
    assert code == 1 and "nothing to undo" in err


def test_undo_restores_the_exact_bytes_after_each_kind_of_edit(store_path, capsys):
    original = store_bytes(store_path)
    for argv in [e for e in EDITS if "--dry-run" not in e and e[0] != "show"][:6]:
        before = store_bytes(store_path)
        code, _, err = run(capsys, argv, store_path)
        assert code == 0, err
        assert run(capsys, ["undo"], store_path)[0] == 0
        assert store_bytes(store_path) == before, argv
        code, _, err = run(capsys, argv, store_path)  # and again, for the next step to build on
        assert code == 0, err
    while run(capsys, ["undo"], store_path)[0] == 0:
        pass
    assert store_bytes(store_path) == original


REFUSALS = [
    # The rulebook: a quote not in the document, a name another actor has, a tie to itself.
    (["add-tie", "iskp", "allied_with", "taliban", "--source", DOC_002, "--quote", "not in the text at all"], 2),
    (["add-actor", "Islamic State Khorasan", "--kind", "group"], 2),
    (["add-alias", "taliban", "ISKP"], 2),
    (["add-tie", "iskp", "hostile_to", "iskp", "--source", DOC_002, "--quote", QUOTE_002], 2),
    (["add-tie", "iskp", "leads", "kabul", "--source", DOC_002, "--quote", QUOTE_002], 2),
    (["add-actor", "Bad\u202eName", "--kind", "group"], 2),
    (["add-tie", "iskp", "allied_with", "taliban", "--source", "no-such-doc", "--quote", QUOTE_002], 1),
    # A lint warning without --allow-warnings: a past role and no end date.
    (["add-tie", "shahab-al-muhajir", "member_of", "al-qaeda", "--source", DOC_001, "--quote", FORMER], 2),
    # Unknown or ambiguous actors, unknown ties.
    (["add-alias", "Zzqxv", "Someone"], 1),
    (["add-tie", "Zzqxv", "allied_with", "iskp", "--source", DOC_002, "--quote", QUOTE_002], 1),
    (["add-alias", "Orakzai", "Someone"], 3),
    (["rm", "no-such-actor-or-tie", "--yes"], 1),
    (["rm", "taliban"], 2),  # no --yes off a terminal
    (["merge", "iskp", "iskp", "--yes"], 2),
    (["merge", "iskp", "Zzqxv", "--yes"], 1),
]


@pytest.mark.parametrize("argv, code", REFUSALS, ids=lambda v: " ".join(v) if isinstance(v, list) else str(v))
def test_refused_edits_change_neither_store_and_say_the_same(argv, code, store_pair, capsys):
    original = store_bytes(store_pair[0])
    got, out, err = run_both(capsys, argv, store_pair)
    assert got == code, err
    assert err.strip(), "a refusal says why"
    assert "Traceback" not in err
    assert store_bytes(store_pair[0]) == store_bytes(store_pair[1]) == original
    assert run_both(capsys, ["undo"], store_pair)[0] == 1, "a refused edit leaves nothing to undo"


def test_a_lint_warning_is_saved_with_allow_warnings_on_both(store_pair, capsys):
    argv = ["add-tie", "shahab-al-muhajir", "member_of", "al-qaeda", "--source", DOC_001, "--quote", FORMER]
    code, out, err = run_both(capsys, [*argv, "--allow-warnings"], store_pair)
    assert code == 0, err
    assert "shahab-al-muhajir--member_of--al-qaeda" in load_store(store_pair[0]).ties


# -- the Editor --------------------------------------------------------------------------------


def _editor_script(editor: Editor) -> list[str]:
    """Every kind of edit, undo and redo; returns what it did, to compare."""
    done = []
    actor = editor.add_actor("Abu Test", "person", aliases=["A. Test"], summary="Someone.", born="1970")
    done.append(actor.id)
    done.append(editor.edit_actor(actor.id, summary="Someone else.", aliases=["A. Test", "Tester"]).summary)
    done.append(editor.add_alias("iskp", "Daesh-K").aliases[-1])
    tie = editor.add_tie(actor.id, "member_of", "iskp", quote=QUOTE_002, source_id=DOC_002, start="2020")
    done.append(tie.id)
    editor.undo()
    done.append(str(tie.id in editor.data.ties))
    editor.redo()
    done.append(str(tie.id in editor.data.ties))
    done.append(editor.delete_tie("iskp--affiliated_with--isi").id)
    impact = editor.deletion_impact("kabul-hotel")
    done.append(impact.describe())
    done.append(editor.delete_actor("kabul-hotel", confirmed=impact).describe())
    merge = editor.merge_impact("kabul", "kabul-airport")
    done.append(merge.describe())
    editor.merge_actors("kabul", "kabul-airport", confirmed=merge)
    done.append(editor.resolve_actor("kabul-airport").id)
    done.append(editor.resolve_actor("Tester").id)
    done.append(str([t.id for t in editor.graph.ties_of(actor.id)]))
    with pytest.raises(ValidationError) as refused:
        editor.add_actor("ISKP", "group")
    done.append(str(refused.value))
    with pytest.raises(UnknownItem) as unknown:
        editor.delete_tie("no-such-tie")
    done.append(str(unknown.value))
    return done


def test_the_editor_does_the_same_on_both_backends(store_pair, tmp_path):
    original = store_bytes(store_pair[0])
    editors = [Editor.open(p) for p in store_pair]
    assert _editor_script(editors[1]) == _editor_script(editors[0])
    assert store_bytes(store_pair[1]) == store_bytes(store_pair[0])
    assert_indexes_kept(store_pair, tmp_path)
    steps = 0
    while editors[0].can_undo:
        assert editors[1].undo_description == editors[0].undo_description
        for editor in editors:
            editor.undo()
        steps += 1
        assert store_bytes(store_pair[1]) == store_bytes(store_pair[0]), f"after undo {steps}"
        assert_indexes_kept(store_pair, tmp_path)
    assert not editors[1].can_undo
    assert store_bytes(store_pair[1]) == store_bytes(store_pair[0]) == original
    while editors[0].can_redo:
        for editor in editors:
            editor.redo()
    assert store_bytes(store_pair[1]) == store_bytes(store_pair[0]) != original


def test_the_editor_reads_its_own_writes_at_once(store_path):
    editor = Editor.open(store_path)
    actor = editor.add_actor("Abu Test", "person", aliases=["Tester"])
    assert editor.resolve_actor("Tester").id == actor.id
    assert [h.actor_id for h in editor.graph.search("Tester")][0] == actor.id
    tie = editor.add_tie(actor.id, "member_of", "iskp", quote=QUOTE_002, source_id=DOC_002)
    assert editor.graph.degree(actor.id) == 1 and tie.id in [t.id for t in editor.graph.ties_of("iskp")]
    assert editor.graph.neighbours(actor.id) == ["iskp"]
    editor.undo()
    assert editor.graph.degree(actor.id) == 0 and tie.id not in editor.data.ties
    editor.undo()
    assert actor.id not in editor.data.actors
    with pytest.raises(Exception) as gone:
        editor.resolve_actor("Tester")
    assert "Tester" in str(gone.value)
    with pytest.raises(EditError, match="nothing to undo"):
        editor.undo()


def test_a_refused_editor_edit_leaves_the_store_and_the_graph_as_they_were(store_path):
    editor = Editor.open(store_path)
    before = store_bytes(store_path)
    degree = editor.graph.degree("iskp")
    seen = [[t.to_dict() for t in editor.graph.ties_of(a)] for a in ("iskp", "taliban", "kabul-airport")]
    with pytest.raises(ValidationError):
        editor.add_tie("iskp", "allied_with", "taliban", quote="not in the text at all", source_id=DOC_002)
    with pytest.raises(ValidationError):
        editor.add_alias("taliban", "ISKP")
    with pytest.raises((EditConflict, EditError)):
        editor.merge_actors("iskp", "iskp")
    with pytest.raises(EditError):  # a merge the lints refuse: it moves ties, then puts them back
        editor.allow_warnings = False
        editor.merge_actors("haqqani-network", "taliban")
    assert store_bytes(store_path) == before
    assert editor.graph.degree("iskp") == degree
    assert [[t.to_dict() for t in editor.graph.ties_of(a)] for a in ("iskp", "taliban", "kabul-airport")] == seen
    assert editor.resolve_actor("Taliban").id == "taliban"
    assert "Daesh" not in " ".join(editor.data.actors["taliban"].aliases)
    assert not editor.can_undo


def _sources_folder(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((path.parent / "sources").iterdir())}


def run_validate(stores) -> tuple[int, int]:
    return tuple(main(["validate", "--db", str(p)]) for p in stores)


def test_a_new_document_is_written_beside_either_store_and_undo_removes_it(store_pair):
    folders = [_sources_folder(p) for p in store_pair]
    editors = [Editor.open(p) for p in store_pair]
    made = []
    for editor in editors:
        tie = editor.add_tie(
            "haqqani-network",
            "cooperates_with",
            "taliban",
            quote="close  partners",
            new_source=NewSource(" Kabul Times ", publisher="KT", published="2022-01", text=NEW_TEXT),
            status="claimed",
            claimant="iskp",
        )
        made.append((tie.id, tie.citations[0].source, editor.data.sources[tie.citations[0].source].path))
    assert made[1] == made[0]
    assert store_bytes(store_pair[1]) == store_bytes(store_pair[0])
    added = [_sources_folder(p) for p in store_pair]
    assert added[1] == added[0] and len(added[0]) == len(folders[0]) + 1
    assert run_validate(store_pair) == (0, 0)
    for editor in editors:
        editor.undo()
    assert [_sources_folder(p) for p in store_pair] == folders
    assert store_bytes(store_pair[1]) == store_bytes(store_pair[0])
    for editor in editors:
        editor.redo()
    assert [_sources_folder(p) for p in store_pair] == added


def test_cli_import_and_its_undo_are_the_same_on_both(store_pair, capsys, tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text(
        "source,target,type,status,quote\n"
        "Nangarhar Shura,Taliban,hostile_to,reported,Nangarhar Shura fights the Taliban\n"
        "ISKP,Nangarhar Shura,allied_with,alleged,ISKP is said to back the shura\n",
        encoding="utf-8",
    )
    original = store_bytes(store_pair[0])
    folders = [_sources_folder(p) for p in store_pair]
    argv = ["import", "csv", str(rows), "--source-title", "Rows"]
    code, out, err = run_both(capsys, [*argv, "--dry-run", "--json"], store_pair)
    assert code == 0, err
    assert store_bytes(store_pair[0]) == original
    code, out, err = run_both(capsys, argv, store_pair)
    assert code == 0, err
    assert "nangarhar-shura" in load_store(store_pair[0]).actors
    assert _sources_folder(store_pair[1]) == _sources_folder(store_pair[0]) != folders[0]
    code, _, err = run_both(capsys, ["undo"], store_pair)
    assert code == 0, err
    assert store_bytes(store_pair[1]) == store_bytes(store_pair[0]) == original
    assert [_sources_folder(p) for p in store_pair] == folders


@pytest.mark.parametrize("folder", ["a store #1 ?%20", "ünïcode — 店", "a;b&c=d"])
def test_a_store_in_a_folder_with_an_awkward_name_edits_alike(folder, tmp_path, capsys):
    stores = (bundled_copy(tmp_path / folder / "json", "json"), bundled_copy(tmp_path / folder / "sqlite", "sqlite"))
    original = store_bytes(stores[0])
    assert run_both(capsys, ["add-alias", "iskp", "Daesh-K"], stores)[0] == 0
    assert run_both(capsys, ["undo"], stores)[0] == 0
    assert store_bytes(stores[1]) == original


def test_edits_through_a_symlink_reach_the_store_it_names(store_path, capsys):
    link = store_path.with_name("link" + store_path.suffix)
    link.symlink_to(store_path.name)
    assert run(capsys, ["add-alias", "iskp", "Daesh-K"], link)[0] == 0
    assert link.is_symlink() and "Daesh-K" in load_store(store_path).actors["iskp"].aliases
    mine = Editor.open(store_path)
    assert run(capsys, ["add-alias", "taliban", "Test Emirate"], link)[0] == 0
    assert mine.changed_on_disk()
    code, out, err = run(capsys, ["undo"], store_path)  # the journal is the real file's, whichever name was used
    assert code == 0 and "Test Emirate" in out, err
    assert "Test Emirate" not in load_store(link).actors["taliban"].aliases


REPORT = (
    "In May 2021 the Taliban, led by Haibatullah Akhundzada, fought ISKP in Nangarhar. According to the UN,"
    " the Haqqani Network allegedly supports ISKP. Sirajuddin Haqqani heads the Haqqani Network.\n"
)


def test_ingesting_a_report_and_its_undo_are_the_same_on_both(store_pair, capsys, tmp_path):
    report = tmp_path / "report.txt"
    report.write_text(REPORT, encoding="utf-8")
    original = store_bytes(store_pair[0])
    folders = [_sources_folder(p) for p in store_pair]
    argv = ["ingest", str(report), "--title", "UN report", "--published", "2021-06"]
    code, out, err = run_both(capsys, [*argv, "--dry-run", "--json"], store_pair)
    assert code == 0 and '"haqqani-network"' in out, err
    code, out, err = run_both(capsys, [*argv, "--accept-known"], store_pair)
    assert code == 0, err
    assert store_bytes(store_pair[0]) != original
    assert _sources_folder(store_pair[1]) == _sources_folder(store_pair[0])
    code, _, err = run_both(capsys, ["undo"], store_pair)
    assert code == 0, err
    assert store_bytes(store_pair[1]) == store_bytes(store_pair[0]) == original
    assert [_sources_folder(p) for p in store_pair] == folders


def test_an_ambiguous_name_lists_the_same_candidates_in_the_same_order_after_edits(store_pair, capsys):
    """The SQLite names index is rewritten for each edited actor; the candidates still come in file order."""
    for argv in (["add-alias", "ziaurahman", "Zia Orakzai Test"], ["add-alias", "orakzai-agency", "Orakzai Region"]):
        assert run_both(capsys, argv, store_pair)[0] == 0
    for argv in (["show", "Orakzai"], ["show", "Orakzai", "--json"], ["show", "a"], ["search", "orakzai"]):
        code, out, err = run_both(capsys, argv, store_pair)
        assert code in (0, 3), err
    code, _, err = run_both(capsys, ["show", "Orakzai"], store_pair)
    assert code == 3 and err.index("Ziaurahman") < err.index("Aslam Farooqi") < err.index("Orakzai Agency"), err


def test_a_new_kind_that_no_longer_fits_a_tie_is_refused_alike(store_pair):
    """The check reads the actor's ties as the change leaves them, inside the
    write transaction: a refusal, the same on both, never an unusable store."""
    refusals = []
    for path in store_pair:
        editor = Editor.open(path)
        with pytest.raises(ValidationError) as refused:
            editor.edit_actor("haqqani-network", kind="place")
        refusals.append(str(refused.value))
        assert editor.data.actors["haqqani-network"].kind == "group"
        assert not editor.can_undo
    assert refusals[1] == refusals[0] and "cannot link" in refusals[0]
    assert store_bytes(store_pair[1]) == store_bytes(store_pair[0])
