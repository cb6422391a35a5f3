"""The one write path: reproductions of what "one rulebook and one write path" closes.

Each test reproduces one reported way a store could be broken or an edit lost,
through the real entry points (`khorasan_tui.cli.main`, the Editor, a second process).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from khorasan_tui import rules
from khorasan_tui.changes import Command, RecordChange
from khorasan_tui.cli import main
from khorasan_tui.edit import EditError, Editor
from khorasan_tui.model import Actor, Citation, Tie
from khorasan_tui.store import StoreError, load_store, save_store
from khorasan_tui.validate import validate

from . import store_writer
from .store_writer import DOC_ID, QUOTES, make_store
from .test_cli_lookup import run_in_pty, subprocess_env

WRITER = Path(store_writer.__file__)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def validate_json(capsys, path: Path) -> dict:
    code, out, _ = run(capsys, "validate", "--json", "--db", str(path))
    report = orjson.loads(out)
    assert (code == 0) == report["valid"]
    return report


# -- the importer and add-alias ask the rulebook -----------------------------------------------


def test_import_csv_and_add_alias_refuse_what_the_rulebook_refuses(tmp_path, capsys):
    path = make_store(tmp_path)
    before = path.read_bytes()
    long_name = "N" * 400
    name_message = rules.check_name(long_name)
    claim = Tie("t", "hostile_to", "taliban", "iskp", status="claimed", citations=[Citation(DOC_ID, QUOTES[3])])
    claim_message = next(p.message for p in rules.tie_problems(claim) if p.field == "claimant")

    for row, message in [
        (f"{long_name},ISKP,hostile_to,reported", name_message),
        ("Taliban,ISKP,hostile_to,claimed", claim_message),
    ]:
        csv_file = tmp_path / "rows.csv"
        csv_file.write_text(f"source,target,type,status\n{row}\n", encoding="utf-8")
        code, out, err = run(capsys, "import", "csv", str(csv_file), "--db", str(path), "--source-title", "Rows")
        rejected_row = code == 0 and message in out and "Nothing imported" in out
        refused = code == 2 and message in err
        assert rejected_row or refused, (code, out, err)
        assert path.read_bytes() == before
        assert not (tmp_path / "sources" / "rows.csv").exists(), "a refused import keeps no document"

    code, _, err = run(capsys, "add-alias", "iskp", "A" * 400, "--db", str(path))
    assert code == 2
    assert rules.check_name("A" * 400) in err
    assert path.read_bytes() == before


# -- stores that would lose records ---------------------------------------------------------------


def test_document_ids_1_and_01_are_refused_naming_the_table_and_both_keys(tmp_path, capsys):
    path = make_store(tmp_path)
    doc = orjson.loads(path.read_bytes())
    actors = doc["actors"]
    first_key = next(iter(actors))
    actors["0" + first_key] = {"id": "second-actor", "name": "Second Actor", "kind": "group"}
    path.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    before = path.read_bytes()
    names_before = sorted(os.listdir(tmp_path))

    with pytest.raises(StoreError) as refused:
        load_store(path)
    for part in ("actors", repr(first_key), repr("0" + first_key)):
        assert part in refused.value.problem
    code, out, err = run(capsys, "validate", "--db", str(path))
    assert code == 2
    for part in ("actors", repr(first_key), repr("0" + first_key)):
        assert part in out + err
    assert run(capsys, "add-alias", "iskp", "Daesh Khorasan", "--db", str(path))[0] == 2
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == names_before, "nothing written beside it either (no backup, no temp file)"


CUSTOM = {"reviewed_by": "analyst 7", "scores": [1, 2.5, -3e-05, None, True], "nested": {"é": "ü\u4e2d", "n": 0}}


def test_unknown_fields_survive_an_unrelated_save(tmp_path, capsys):
    path = make_store(tmp_path)
    doc = orjson.loads(path.read_bytes())

    def record(table: str, record_id: str) -> dict:
        return next(r for r in doc[table].values() if r["id"] == record_id)

    record("actors", "haqqani-network")["custom_notes"] = CUSTOM
    record("ties", "taliban--hostile_to--iskp")["custom_notes"] = CUSTOM
    record("sources", DOC_ID)["custom_notes"] = CUSTOM
    record("ties", "shahab-al-muhajir--leads--iskp")["citations"][0]["custom_notes"] = CUSTOM
    path.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))

    code, _, err = run(capsys, "add-alias", "taliban", "Islamic Emirate", "--db", str(path))
    assert code == 0, err
    doc = orjson.loads(path.read_bytes())
    assert "Islamic Emirate" in record("actors", "taliban")["aliases"], "the save really happened"
    for value in (
        record("actors", "haqqani-network")["custom_notes"],
        record("ties", "taliban--hostile_to--iskp")["custom_notes"],
        record("sources", DOC_ID)["custom_notes"],
        record("ties", "shahab-al-muhajir--leads--iskp")["citations"][0]["custom_notes"],
    ):
        assert orjson.dumps(value) == orjson.dumps(CUSTOM)


def test_duplicate_json_keys_are_refused_naming_the_key(tmp_path):
    path = make_store(tmp_path)
    raw = path.read_bytes()
    marker = b'"name": "Taliban"'
    assert raw.count(marker) == 1
    path.write_bytes(raw.replace(marker, b'"name": "Taliban",\n      "name": "Talibans"'))
    before = path.read_bytes()
    with pytest.raises(StoreError) as refused:
        load_store(path)
    assert "'name'" in refused.value.problem and "twice" in refused.value.problem
    assert path.read_bytes() == before


# -- rm takes what depends on the actor -----------------------------------------------------------


def test_rm_taliban_takes_its_claims_and_leaves_no_new_warning(bundled_store_copy, capsys):
    path = bundled_store_copy
    data = load_store(path)
    claims = [t.id for t in data.ties.values() if t.claimant == "taliban" and "taliban" not in (t.source, t.target)]
    assert claims, "the bundled store has ties that the Taliban claims"
    before = validate_json(capsys, path)
    assert before["errors"] == []

    code, out, err = run(capsys, "rm", "taliban", "--yes", "--db", str(path))
    assert code == 0, err
    assert f"{len(claims)} ties it claims" in " ".join(out.split())
    after = validate_json(capsys, path)
    assert after["errors"] == []
    assert set(after["warnings"]) <= set(before["warnings"])
    remaining = load_store(path)
    assert "taliban" not in remaining.actors
    assert not any(tie_id in remaining.ties for tie_id in claims)


# -- writers, leftovers, and the open store ------------------------------------------------------


def test_two_writers_through_a_path_and_a_symlink_lose_nothing(tmp_path):
    path = make_store(tmp_path)
    link = tmp_path / "link.json"
    link.symlink_to(path.name)
    procs = [
        subprocess.Popen(
            [sys.executable, str(WRITER), "race", str(target), tag, "30"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=WRITER.parent,
        )
        for target, tag in ((path, "direct"), (link, "linked"))
    ]
    for proc in procs:
        assert proc.stdout.readline().strip() == b"ready", proc.stderr.read().decode()
    for proc in procs:
        proc.stdin.write(b"go\n")
        proc.stdin.flush()
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
        assert json.loads(out)["tag"]
    assert link.is_symlink(), "saving through the link keeps it a link"
    data = load_store(path)
    for tag in ("direct", "linked"):
        for n in range(30):
            assert f"{tag}-actor-{n}" in data.actors
            assert f"{tag} alias {n}" in data.actors["iskp"].aliases
    assert [p for p in validate(data) if p.level == "error"] == []


def test_a_save_removes_the_temp_files_killed_saves_left_behind(tmp_path):
    path = make_store(tmp_path)
    leftovers = [tmp_path / ".khorasan.json.k2j4h1.tmp", tmp_path / ".khorasan.json.zz9.tmp"]
    for leftover in leftovers:
        leftover.write_bytes(b'{"half": "a sa')
    # Another store's temp files: one beside it, and one of a store whose name begins with this one's
    # (`khorasan.json.old`), which another lock guards and which may be mid-save right now.
    unrelated = [tmp_path / ".other.json.x.tmp", tmp_path / ".khorasan.json.old.k2j4h1ab.tmp"]
    for other in unrelated:
        other.write_bytes(b"someone else's")
    Editor.open(path).add_alias("iskp", "Daesh Khorasan")
    assert "Daesh Khorasan" in load_store(path).actors["iskp"].aliases
    for leftover in leftovers:
        assert not leftover.exists()
    for other in unrelated:
        assert other.read_bytes() == b"someone else's"


def test_export_and_generate_refuse_to_overwrite_the_open_store(tmp_path, capsys):
    path = make_store(tmp_path)
    Editor.open(path).add_alias("iskp", "Daesh Khorasan")  # a save, so that the backup exists
    backup = tmp_path / "khorasan.json.bak"
    assert backup.exists()
    link = tmp_path / "link.json"
    link.symlink_to(path.name)
    files = {p: p.read_bytes() for p in (path, backup)}
    for target in (path, link, backup):
        for argv in (
            ["export", "--format", "json", "-o", str(target)],
            ["generate", "--actors", "5", "--ties", "5", "-o", str(target)],
        ):
            code, _, err = run(capsys, *argv, "--db", str(path))
            assert code == 2, (argv, err)
            assert str(target) in err
            assert {p: p.read_bytes() for p in files} == files, argv
    assert link.is_symlink()


# -- invisible characters -----------------------------------------------------------------------


def test_an_invisible_character_is_refused_in_a_new_name_and_ignored_in_a_lookup(tmp_path, capsys):
    path = make_store(tmp_path)
    before = path.read_bytes()
    code, _, err = run(capsys, "add-actor", "ISK\u200bP", "--kind", "group", "--db", str(path))
    assert code == 2
    assert rules.check_name("ISK\u200bP") in err
    assert "U+200B" in err
    assert path.read_bytes() == before
    code, out, err = run(capsys, "show", "ISK\u200bP", "--json", "--db", str(path))
    assert code == 0, err
    assert orjson.loads(out)["id"] == "iskp"


# -- merge ----------------------------------------------------------------------------------------


def _store_with_a_duplicate(tmp_path: Path) -> Path:
    path = make_store(tmp_path)
    data = load_store(path)
    data.actors["haqqani-dup"] = Actor(
        "haqqani-dup", "Haqqani Netwrk", "group", ["HQN"], citations=[Citation(DOC_ID, QUOTES[2])]
    )
    tie = Tie(
        "haqqani-dup--hostile_to--taliban",
        "hostile_to",
        "haqqani-dup",
        "taliban",
        citations=[Citation(DOC_ID, QUOTES[3])],
    )
    data.ties[tie.id] = tie
    save_store(data)
    return path


def _assert_merged(path: Path) -> None:
    data = load_store(path)
    assert "haqqani-dup" not in data.actors
    keep = data.actors["haqqani-network"]
    assert {"Haqqanis", "Haqqani Netwrk", "HQN"} <= set(keep.aliases)
    assert Citation(DOC_ID, QUOTES[2]) in keep.citations
    assert "haqqani-dup" in keep.merged_ids
    moved = data.ties["haqqani-dup--hostile_to--taliban"]
    assert (moved.source, moved.target) == ("haqqani-network", "taliban")
    assert not any("haqqani-dup" in (t.source, t.target, t.claimant) for t in data.ties.values())
    assert [p for p in validate(data) if p.level == "error"] == []


def test_cli_merge_repoints_unites_resolves_the_old_id_and_undoes_byte_for_byte(tmp_path, capsys):
    path = _store_with_a_duplicate(tmp_path)
    before = path.read_bytes()
    code, out, err = run(capsys, "merge", "haqqani-network", "haqqani-dup", "--yes", "--db", str(path))
    assert code == 0, err
    _assert_merged(path)
    code, out, err = run(capsys, "show", "haqqani-dup", "--json", "--db", str(path))
    assert code == 0, err
    assert orjson.loads(out)["id"] == "haqqani-network"
    code, out, err = run(capsys, "undo", "--db", str(path))
    assert code == 0, err
    assert path.read_bytes() == before


def test_editor_merge_then_undo_restores_the_file(tmp_path):
    path = _store_with_a_duplicate(tmp_path)
    before = path.read_bytes()
    editor = Editor.open(path)
    editor.merge_actors("haqqani-network", "haqqani-dup")
    _assert_merged(path)
    assert editor.resolve_actor("haqqani-dup").id == "haqqani-network"
    editor.undo()
    assert path.read_bytes() == before
    assert editor.resolve_actor("haqqani-dup").name == "Haqqani Netwrk"


# -- rm asks first ---------------------------------------------------------------------------------


def test_rm_without_yes_off_a_terminal_changes_nothing_and_dry_run_lists(tmp_path, capsys):
    path = make_store(tmp_path)
    before = path.read_bytes()
    code, out, err = run(capsys, "rm", "taliban", "--db", str(path))
    assert code == 2
    assert "--yes" in err and "Taliban" in err
    assert path.read_bytes() == before
    code, out, err = run(capsys, "rm", "taliban", "--dry-run", "--json", "--db", str(path))
    assert code == 0, err
    report = orjson.loads(out)
    assert report["dry_run"] is True
    assert [t["id"] for t in report["ties"]] == ["taliban--hostile_to--iskp"]
    code, out, err = run(capsys, "rm", "taliban", "--dry-run", "--db", str(path))
    assert "Would remove" in out and "1 tie" in out
    assert path.read_bytes() == before


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_rm_on_a_terminal_asks_and_takes_the_answer(tmp_path):
    path = make_store(tmp_path)
    before = path.read_bytes()
    argv = [sys.executable, "-m", "khorasan_tui", "rm", "taliban", "--db", str(path)]
    env = subprocess_env(NO_COLOR="1", COLUMNS="120")
    refused = run_in_pty(argv, env, answer=b"n\n").decode("utf-8", "replace")
    assert "Remove" in refused and "[y/N]" in refused
    assert "nothing changed" in refused
    assert path.read_bytes() == before
    accepted = run_in_pty(argv, env, answer=b"y\n").decode("utf-8", "replace")
    assert "Removed" in accepted
    data = load_store(path)
    assert "taliban" not in data.actors and "taliban--hostile_to--iskp" not in data.ties


# -- undo --------------------------------------------------------------------------------------------


def test_cli_undo_takes_back_each_change_then_has_nothing_to_undo(tmp_path, capsys):
    path = make_store(tmp_path)
    original = path.read_bytes()
    assert run(capsys, "add-alias", "iskp", "Daesh Khorasan", "--db", str(path))[0] == 0
    after_one = path.read_bytes()
    assert run(capsys, "add-alias", "taliban", "Islamic Emirate", "--db", str(path))[0] == 0
    assert path.read_bytes() != after_one
    code, out, err = run(capsys, "undo", "--db", str(path))
    assert code == 0, err
    assert "Islamic Emirate" in out
    assert path.read_bytes() == after_one
    assert run(capsys, "undo", "--db", str(path))[0] == 0
    assert path.read_bytes() == original
    code, _, err = run(capsys, "undo", "--db", str(path))
    assert code == 1
    assert "nothing to undo" in err
    assert path.read_bytes() == original


def test_cli_undo_that_conflicts_is_forgotten_so_older_changes_can_still_be_undone(tmp_path, capsys):
    path = make_store(tmp_path)
    original = path.read_bytes()
    assert run(capsys, "add-alias", "iskp", "Daesh Khorasan", "--db", str(path))[0] == 0
    assert run(capsys, "add-alias", "taliban", "Islamic Emirate", "--db", str(path))[0] == 0
    Editor.open(path).edit_actor("taliban", aliases=["Emirate"])  # someone else changes the same record
    code, _, err = run(capsys, "undo", "--db", str(path))
    assert code == 2
    assert "actor 'taliban' was changed" in err
    code, out, err = run(capsys, "undo", "--db", str(path))
    assert code == 0, err
    assert "Daesh Khorasan" in out
    data = load_store(path)
    assert "Daesh Khorasan" not in data.actors["iskp"].aliases
    assert data.actors["taliban"].aliases == ["Emirate"], "the other analyst's change stays"
    assert run(capsys, "undo", "--db", str(path))[0] == 1
    assert path.read_bytes() != original


def test_cli_undo_of_an_import_removes_its_document_and_restores_the_store(tmp_path, capsys):
    path = make_store(tmp_path)
    before = path.read_bytes()
    csv_file = tmp_path / "rows.csv"
    csv_file.write_text("source,target,type\nTaliban,New Front,hostile_to\n", encoding="utf-8")
    code, _, err = run(capsys, "import", "csv", str(csv_file), "--db", str(path), "--source-title", "Rows")
    assert code == 0, err
    kept = tmp_path / "sources" / "rows.csv"
    assert kept.exists() and "new-front" in load_store(path).actors
    code, _, err = run(capsys, "undo", "--db", str(path))
    assert code == 0, err
    assert path.read_bytes() == before
    assert not kept.exists()


def test_a_new_actor_never_takes_the_id_a_merged_actor_left_behind(tmp_path, capsys):
    path = _store_with_a_duplicate(tmp_path)
    assert run(capsys, "merge", "haqqani-network", "haqqani-dup", "--yes", "--db", str(path))[0] == 0
    # "Haqqani Dup!" is a name of its own (the "!" counts) whose slug is the merged-away id.
    code, out, err = run(capsys, "add-actor", "Haqqani Dup!", "--kind", "group", "--json", "--db", str(path))
    assert code == 0, err
    assert orjson.loads(out)["actor"]["id"] == "haqqani-dup-2"
    csv_file = tmp_path / "rows.csv"
    csv_file.write_text("source,target,type\nTaliban,Haqqani-Dup?,hostile_to\n", encoding="utf-8")
    code, out, err = run(capsys, "import", "csv", str(csv_file), "--db", str(path), "--source-title", "Rows", "--json")
    assert code == 0, err
    assert [a["id"] for a in orjson.loads(out)["new_actors"]] == ["haqqani-dup-3"]
    data = load_store(path)  # the store still loads: no id answers to two actors
    assert "haqqani-dup" not in data.actors
    code, out, err = run(capsys, "show", "haqqani-dup", "--json", "--db", str(path))
    assert orjson.loads(out)["id"] == "haqqani-network"


def test_the_write_path_refuses_an_actor_under_a_merged_away_id(tmp_path):
    path = _store_with_a_duplicate(tmp_path)
    editor = Editor.open(path)
    editor.merge_actors("haqqani-network", "haqqani-dup")
    before = path.read_bytes()
    stray = Actor("haqqani-dup", "Haqqani Dup!", "group")
    with pytest.raises(EditError) as refused:
        editor.commit(lambda: Command("add a stray actor", [RecordChange("actors", stray.id, None, stray)]))
    assert rules.merged_id_taken("haqqani-dup", "haqqani-dup") in str(refused.value)
    assert path.read_bytes() == before
    load_store(path)


def test_changing_an_actors_kind_is_refused_when_its_ties_no_longer_fit(tmp_path):
    path = make_store(tmp_path)
    before = path.read_bytes()
    editor = Editor.open(path)
    with pytest.raises(EditError) as refused:
        editor.edit_actor("iskp", kind="event")
    assert rules.check_ends("leads", "person", "event") in str(refused.value)
    assert path.read_bytes() == before
    assert editor.data.actors["iskp"].kind == "group", "refused in memory too"
    editor.edit_actor("iskp", kind="organization")  # one its ties still fit
    assert load_store(path).actors["iskp"].kind == "organization"
