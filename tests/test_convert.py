"""`khorasan convert`: JSON to SQLite and back, byte for byte, with the document
texts; refusals; and the exports of a SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from khorasan_tui.cli import main
from khorasan_tui.sqlstore import is_sqlite


@pytest.fixture
def converted(bundled_store_copy: Path, tmp_path: Path) -> Path:
    """The bundled store converted to SQLite in another folder."""
    out = tmp_path / "big" / "khorasan.sqlite"
    assert main(["convert", str(bundled_store_copy), str(out)]) == 0
    return out


def test_json_to_sqlite_to_json_gives_the_same_bytes(bundled_store_copy: Path, converted: Path, tmp_path: Path):
    assert is_sqlite(converted)
    back = tmp_path / "back" / "khorasan.json"
    assert main(["convert", str(converted), str(back)]) == 0
    assert back.read_bytes() == bundled_store_copy.read_bytes()


def test_the_document_texts_go_along(bundled_store_copy: Path, converted: Path, capsys):
    originals = sorted((bundled_store_copy.parent / "sources").iterdir())
    assert originals
    for original in originals:
        assert (converted.parent / "sources" / original.name).read_bytes() == original.read_bytes()
    capsys.readouterr()
    # Every quote is found in the copied texts.
    assert main(["--db", str(converted), "validate"]) == 0
    assert "valid" in capsys.readouterr().out


def test_lookups_work_on_the_converted_store(converted: Path, capsys):
    capsys.readouterr()
    assert main(["--db", str(converted), "ties", "haqqani-network", "--json"]) == 0
    ties = json.loads(capsys.readouterr().out)
    assert ties


def test_json_summary_says_what_was_copied(bundled_store_copy: Path, tmp_path: Path, capsys):
    out = tmp_path / "elsewhere" / "k.db"
    assert main(["convert", str(bundled_store_copy), str(out), "--json"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["format"] == "sqlite"
    assert summary["actors"] > 0 and summary["ties"] > 0
    texts = summary["document_texts"]
    assert texts["copied"] == summary["documents"]
    assert texts["differ"] == texts["missing"] == []
    assert f"wrote {out}" in captured.err


def test_same_folder_copies_nothing(bundled_store_copy: Path, capsys):
    out = bundled_store_copy.with_suffix(".sqlite")
    before = sorted(p.name for p in (bundled_store_copy.parent / "sources").iterdir())
    assert main(["convert", str(bundled_store_copy), str(out)]) == 0
    assert "the same folder, nothing to copy" in capsys.readouterr().err
    assert sorted(p.name for p in (bundled_store_copy.parent / "sources").iterdir()) == before


def test_a_different_text_already_there_is_left_alone_and_named(bundled_store_copy: Path, tmp_path: Path, capsys):
    target = tmp_path / "other"
    first = sorted((bundled_store_copy.parent / "sources").iterdir())[0]
    (target / "sources").mkdir(parents=True)
    (target / "sources" / first.name).write_text("someone else's text\n", encoding="utf-8")
    assert main(["convert", str(bundled_store_copy), str(target / "k.sqlite")]) == 0
    err = capsys.readouterr().err
    assert "already had a different text file there" in err
    assert (target / "sources" / first.name).read_text(encoding="utf-8") == "someone else's text\n"


def test_a_missing_text_is_reported(bundled_store_copy: Path, tmp_path: Path, capsys):
    gone = sorted((bundled_store_copy.parent / "sources").iterdir())[0]
    # Converted from SQLite (which opens without the JSON load's document checks).
    sqlite = bundled_store_copy.with_suffix(".sqlite")
    assert main(["convert", str(bundled_store_copy), str(sqlite)]) == 0
    gone.unlink()
    capsys.readouterr()
    assert main(["convert", str(sqlite), str(tmp_path / "out" / "k.json")]) == 0
    assert "had no text file" in capsys.readouterr().err


def test_refuses_an_existing_output_unless_forced(bundled_store_copy: Path, converted: Path, capsys):
    before = converted.read_bytes()
    assert main(["convert", str(bundled_store_copy), str(converted)]) == 2
    assert "--force" in capsys.readouterr().err
    assert converted.read_bytes() == before
    assert main(["convert", str(bundled_store_copy), str(converted), "--force"]) == 0
    assert is_sqlite(converted)


@pytest.mark.parametrize("which", ["input", "open store", "open store's backup"])
def test_refuses_to_write_over_the_input_or_the_open_store(bundled_store_copy: Path, converted: Path, which, capsys):
    if which == "input":
        argv = ["convert", str(converted), str(converted), "--to", "json", "--force"]
        victim = converted
    else:
        victim = bundled_store_copy if which == "open store" else Path(f"{bundled_store_copy}.bak")
        victim.write_bytes(bundled_store_copy.read_bytes())
        argv = ["--db", str(bundled_store_copy), "convert", str(converted), str(victim), "--to", "json", "--force"]
    before = victim.read_bytes()
    assert main(argv) == 2
    assert "cannot write" in capsys.readouterr().err
    assert victim.read_bytes() == before


def test_usage_errors(bundled_store_copy: Path, tmp_path: Path, capsys):
    assert main(["convert", str(bundled_store_copy), str(tmp_path / "x.json")]) == 2
    assert "already a json store" in capsys.readouterr().err
    assert main(["convert", str(tmp_path / "nothing.json"), str(tmp_path / "x.sqlite")]) == 2
    assert "no such file" in capsys.readouterr().err
    (tmp_path / "folder.sqlite").mkdir()
    assert main(["convert", str(bundled_store_copy), str(tmp_path / "folder.sqlite"), "--force"]) == 2
    assert "directory" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("fmt", ["json", "csv", "stix", "graphml"])
def test_exports_of_a_sqlite_store_equal_those_of_its_json(bundled_store_copy: Path, converted: Path, tmp_path, fmt):
    outputs = []
    for store in (bundled_store_copy, converted):
        out = tmp_path / f"{store.suffix[1:]}-export.{fmt}"
        assert main(["--db", str(store), "export", "--format", fmt, "-o", str(out)]) == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert b"Haqqani" in outputs[1]


def test_json_export_of_a_sqlite_store_to_stdout(converted: Path, capsys):
    assert main(["--db", str(converted), "export", "--format", "json", "--around", "iskp"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert "iskp" in {a["id"] for a in exported["actors"]}
    assert exported["ties"] and exported["sources"]
