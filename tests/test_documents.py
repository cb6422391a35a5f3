"""documents: a store's document files are read inside its folder, and only regular files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from khorasan_tui.documents import DocumentRefused, DocumentTexts, document_path_problems, read_document
from khorasan_tui.model import Source
from khorasan_tui.storedata import StoreData


def store_in(folder: Path, path: str) -> tuple[StoreData, Source]:
    source = Source("doc", "A document", path=path)
    return StoreData(sources={"doc": source}, path=folder / "store.json"), source


def test_a_document_inside_the_folder_is_read(tmp_path):
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "doc.txt").write_text("ISKP claimed the attack.\n", encoding="utf-8")
    data, source = store_in(tmp_path, "sources/doc.txt")
    assert read_document(data, source) == "ISKP claimed the attack.\n"
    assert DocumentTexts(data).contains("doc", "ISKP  claimed\nthe attack.")


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("/etc/passwd", "not inside the store's folder"),
        ("../../../../etc/passwd", "leaves the store's folder"),
        ("sources/../../outside.txt", "leaves the store's folder"),
        ("~/notes.txt", "not inside the store's folder"),
    ],
)
def test_paths_that_leave_the_folder_are_refused_unopened(tmp_path, path, why):
    data, source = store_in(tmp_path, path)
    with pytest.raises(DocumentRefused, match=why):
        read_document(data, source)


def test_a_symlink_out_of_the_folder_is_refused_at_load_and_read(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("root:x:0:0\n")
    folder = tmp_path / "store"
    folder.mkdir()
    (folder / "link.txt").symlink_to(outside)
    data, source = store_in(folder, "link.txt")
    assert [p.field for p in document_path_problems(data)] == ["path"]
    with pytest.raises(DocumentRefused, match="leads outside the store's folder"):
        read_document(data, source)


def test_a_fifo_is_refused_without_hanging(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    data, source = store_in(tmp_path, "pipe.txt")
    with pytest.raises(DocumentRefused, match="not a regular file"):
        read_document(data, source)


def test_a_device_behind_a_symlink_inside_the_folder_is_refused(tmp_path):
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    data, source = store_in(tmp_path, "zero.txt")
    with pytest.raises(DocumentRefused):
        read_document(data, source)


def test_oversized_and_non_utf8_documents_are_refused(tmp_path):
    (tmp_path / "big.txt").write_bytes(b"x" * 101)
    data, source = store_in(tmp_path, "big.txt")
    with pytest.raises(DocumentRefused, match="larger than 100 bytes"):
        read_document(data, source, max_bytes=100)
    (tmp_path / "latin.txt").write_bytes("Kābul".encode("latin-1", "replace") + b"\xff")
    data, source = store_in(tmp_path, "latin.txt")
    with pytest.raises(DocumentRefused, match="not UTF-8"):
        read_document(data, source)


def test_texts_remember_why_a_document_was_not_read(tmp_path):
    data, _ = store_in(tmp_path, "missing.txt")
    texts = DocumentTexts(data)
    assert texts.squashed("doc") is None
    assert "missing" in texts.refused["doc"]
    (tmp_path / "missing.txt").write_text("now here")
    assert texts.squashed("doc") is None, "read once per session"
    texts.forget("doc")
    assert texts.squashed("doc") == "now here" and "doc" not in texts.refused
