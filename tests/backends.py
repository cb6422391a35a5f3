"""Stores in either backend, for the contract suite (tests/test_backends_*.py).

A SQLite store is made the way `khorasan convert` makes one: the JSON store
loaded, then `write_sqlite`; its documents sit beside it in `sources/`, as a
JSON store's do. `store_bytes` gives any store as the JSON file it would be,
so two stores in different backends compare byte for byte.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from khorasan_tui.sqlstore import is_sqlite, iter_json_chunks, write_sqlite
from khorasan_tui.store import load_store

DATA = Path(__file__).resolve().parent.parent / "data"
BACKENDS = ["json", "sqlite"]
STORE_NAMES = {"json": "khorasan.json", "sqlite": "khorasan.sqlite"}


def to_sqlite(json_path: Path, target: Path | None = None) -> Path:
    """Convert a JSON store to a SQLite one beside it (same folder, so the same documents)."""
    target = target if target is not None else json_path.with_name(STORE_NAMES["sqlite"])
    write_sqlite(load_store(json_path), target)
    return target


def bundled_copy(folder: Path, backend: str) -> Path:
    """A fresh copy of the bundled store and its documents in `folder`, in `backend`."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(DATA / "sources", folder / "sources")
    if backend == "json":
        target = folder / STORE_NAMES["json"]
        shutil.copyfile(DATA / "khorasan.json", target)
        return target
    return to_sqlite(DATA / "khorasan.json", folder / STORE_NAMES["sqlite"])


def store_bytes(path: Path) -> bytes:
    """The store as the JSON file it is (or, for SQLite, would be when converted back)."""
    if not is_sqlite(path):
        return path.read_bytes()  # every save writes `encode_store`'s bytes
    data = load_store(path)
    try:
        return b"".join(iter_json_chunks(data))
    finally:
        data.backend.close()


def normalise(text: str, *paths: Path) -> str:
    """Output with the file names that differ between two stores replaced by placeholders."""
    for path in paths:
        text = text.replace(str(path), "<STORE>").replace(str(path.parent), "<FOLDER>")
    return text


def derived_rows(path: Path) -> dict[str, list[tuple]]:
    """Everything a SQLite store keeps beside its records (columns, name index,
    merged ids, citations, word index), sorted: equal for two files that hold
    the same records when each was kept up to date correctly."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        queries = {
            "actors": "SELECT id, doc_id, kind, name, sort_name, degree, dup_of FROM actors",
            "ties": "SELECT id, doc_id, source, target, type, status, claimant, start_date, end_date FROM ties",
            "sources": "SELECT id, doc_id FROM sources",
            "names": "SELECT key, actor_id, name FROM names",
            "merged": "SELECT old_id, actor_id FROM merged",
            "cites": "SELECT doc, tie_id FROM cites",
            "names_fts": "SELECT names.key, names.actor_id FROM names_fts JOIN names ON names.rowid = names_fts.rowid",
            "summaries_fts": "SELECT actors.id, summaries_fts.summary FROM summaries_fts"
            " JOIN actors ON actors.rowid = summaries_fts.rowid",
        }
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        # Per-actor counts, where the schema keeps them.
        queries.update({name: f"SELECT * FROM {name}" for name in ("actor_types", "actor_docs") if name in tables})  # noqa: S608
        return {name: sorted(conn.execute(sql).fetchall(), key=repr) for name, sql in queries.items()}
    finally:
        conn.close()
