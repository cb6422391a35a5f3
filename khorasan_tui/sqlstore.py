"""The SQLite backend: a store too big to read whole, queried as it is used.

A SQLite store holds what a JSON store holds, record for record: each actor,
tie and source as its JSON body (unknown fields and all), with its TinyDB
document id, so that `khorasan convert` goes both ways byte for byte. Beside
the bodies are the columns and tables that make lookups cheap: names folded
for search (and a trigram index for substrings), each actor's degree and sort
name for the ranked list, ties by either end, citations by document, and the
ids merges left behind. They are derived data, kept up to date by this module
on every write (`derived_counts_problems` checks the counts against the ties).

`SqlStoreData` is a `StoreData` whose tables are mappings over the file: code
that reads `data.actors[x]` or writes `data.ties[k] = tie` works unchanged,
and only what it touches is read. Writes happen inside the transaction the
write path opens (`BEGIN IMMEDIATE`); a rollback undoes them and clears the
caches. The SQL is plain (tables, indexes, upserts) so that a shared server
could hold the same schema; only the trigram table is SQLite's own.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from . import rules
from .model import SCHEMA_VERSION, Actor, Source, Tie, normalize_key
from .storedata import TABLES, StoreData, StoreError

SQLITE_MAGIC = b"SQLite format 3\x00"
SQL_SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 10_000
_CACHE = 50_000
_RECORDS: dict[str, type] = {"actors": Actor, "ties": Tie, "sources": Source}
# The columns this module reads, by table: a file without them is not a Khorasan store.
_COLUMNS = {
    "meta": "key, value",
    "actors": "id, doc_id, kind, name, sort_name, degree, dup_of, body",
    "ties": "id, doc_id, source, target, type, status, claimant, start_date, end_date, body",
    "sources": "id, doc_id, body",
    "names": "key, actor_id, name",
    "merged": "old_id, actor_id",
    "cites": "doc, tie_id",
    "actor_types": "actor_id, type, n",
    "actor_docs": "actor_id, doc, n",
    "extra_tables": "name, position, body",
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS actors (
    id TEXT PRIMARY KEY,
    doc_id INTEGER NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    degree INTEGER NOT NULL DEFAULT 0,
    dup_of TEXT,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ties (
    id TEXT PRIMARY KEY,
    doc_id INTEGER NOT NULL UNIQUE,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    claimant TEXT,
    start_date TEXT,
    end_date TEXT,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sources (
    id TEXT PRIMARY KEY,
    doc_id INTEGER NOT NULL UNIQUE,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS names (key TEXT NOT NULL, actor_id TEXT NOT NULL, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS merged (old_id TEXT PRIMARY KEY, actor_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cites (doc TEXT NOT NULL, tie_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS actor_types (
    actor_id TEXT NOT NULL, type TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (actor_id, type)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS actor_docs (
    actor_id TEXT NOT NULL, doc TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (actor_id, doc)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS extra_tables (name TEXT PRIMARY KEY, position INTEGER NOT NULL, body TEXT NOT NULL);
"""

# Built after a bulk load (cheaper than keeping them up to date row by row).
INDEXES = """
CREATE INDEX IF NOT EXISTS actors_rank ON actors (degree DESC, sort_name, id);
CREATE INDEX IF NOT EXISTS actors_kind_rank ON actors (kind, degree DESC, sort_name, id);
CREATE INDEX IF NOT EXISTS ties_source ON ties (source, type);
CREATE INDEX IF NOT EXISTS ties_target ON ties (target, type);
CREATE INDEX IF NOT EXISTS ties_type ON ties (type);
CREATE INDEX IF NOT EXISTS ties_claimant ON ties (claimant) WHERE claimant IS NOT NULL;
CREATE INDEX IF NOT EXISTS ties_start ON ties (start_date) WHERE start_date IS NOT NULL;
CREATE INDEX IF NOT EXISTS ties_end ON ties (end_date) WHERE end_date IS NOT NULL;
CREATE INDEX IF NOT EXISTS actors_dup ON actors (dup_of) WHERE dup_of IS NOT NULL;
CREATE INDEX IF NOT EXISTS names_key ON names (key);
CREATE INDEX IF NOT EXISTS names_actor ON names (actor_id);
CREATE INDEX IF NOT EXISTS merged_actor ON merged (actor_id);
CREATE INDEX IF NOT EXISTS cites_doc ON cites (doc, tie_id);
CREATE INDEX IF NOT EXISTS cites_tie ON cites (tie_id);
"""

# Substring search over names and word search over summaries. SQLite's own
# (FTS5); a server would use pg_trgm and tsvector for the same two questions.
FTS = """
CREATE VIRTUAL TABLE IF NOT EXISTS names_fts USING fts5(key, tokenize='trigram', detail='none');
CREATE VIRTUAL TABLE IF NOT EXISTS summaries_fts USING fts5(summary, detail='none');
"""


def is_sqlite(path: str | Path) -> bool:
    """Whether the file is a SQLite database, by its header, whatever its name."""
    try:
        # Never open a pipe or a device to look: it could block forever.
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            return handle.read(16) == SQLITE_MAGIC
    except (OSError, ValueError):
        return False


def wants_sqlite(path: str | Path) -> bool:
    """A path for a new store: SQLite when it names a SQLite file or ends .sqlite/.db."""
    path = Path(path)
    if path.exists():
        return is_sqlite(path)
    return path.suffix.lower() in (".sqlite", ".sqlite3", ".db")


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _connect(path: Path, *, create: bool = False) -> sqlite3.Connection:
    uri = path.absolute().as_uri() + ("?mode=rwc" if create else "?mode=rw")
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    except sqlite3.OperationalError:
        if create:
            raise
        # A store the user may only read: open it read-only; writes say so.
        conn = sqlite3.connect(
            path.absolute().as_uri() + "?mode=ro", uri=True, isolation_level=None, check_same_thread=False
        )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def _problem(path: Path, message: str) -> StoreError:
    return StoreError(path, message)


class SqlBackend:
    """One connection to one SQLite store, shared by the threads of one program.

    The app reads from worker threads and the UI thread alike: a lock makes
    each query (and each write transaction) one at a time on the connection.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.RLock()
        try:
            self.conn = _connect(path)
        except sqlite3.DatabaseError as exc:
            raise _problem(path, f"not a usable SQLite database ({exc})") from None
        try:
            self.read_only = self.conn.execute("PRAGMA query_only").fetchone()[0] == 1 or not os.access(path, os.W_OK)
            tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            # Looked at before anything is written: another program's database
            # named by mistake must be left exactly as it was.
            self._check_shape(tables)
            mode = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
            if mode != "wal" and not self.read_only:
                # Many readers and one writer: readers never wait for a writer.
                self.conn.execute("PRAGMA journal_mode = WAL")
            # A commit is on disk when it returns, as the JSON store's fsync'd save is.
            self.conn.execute("PRAGMA synchronous = FULL")
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise _problem(path, f"not a usable SQLite database ({exc})") from None
        except StoreError:
            self.conn.close()
            raise
        self.has_fts = {"names_fts", "summaries_fts"} <= tables
        self.in_transaction = False
        self.seen_version = self.data_version()
        self.on_rollback: list[Callable[[], None]] = []

    # -- plumbing ---------------------------------------------------------------------------
    def query(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
        with self.lock:
            return self.conn.execute(sql, tuple(params)).fetchall()

    def one(self, sql: str, params: Iterable[Any] = ()) -> tuple | None:
        with self.lock:
            return self.conn.execute(sql, tuple(params)).fetchone()

    def execute(self, sql: str, params: Iterable[Any] = ()) -> None:
        with self.lock:
            self.conn.execute(sql, tuple(params))

    def _check_shape(self, tables: set[str]) -> None:
        """Refuse a SQLite file that is not a Khorasan store: its tables, their
        columns, and a meta record of a schema version this code reads."""
        path = self.path
        missing = set(_COLUMNS) - tables
        if missing:
            raise _problem(path, f"a SQLite file but not a Khorasan store (no {', '.join(sorted(missing))} table)")
        for table, columns in _COLUMNS.items():
            try:
                self.conn.execute(f"SELECT {columns} FROM {table} LIMIT 0")  # noqa: S608 - our own names
            except sqlite3.OperationalError as exc:
                raise _problem(path, f"a SQLite file but not a Khorasan store (table {table}: {exc})") from None
        meta = self.meta_value("meta")
        if not isinstance(meta, dict):
            raise _problem(path, "missing the 'meta' record; it is not a Khorasan store")
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise _problem(
                path,
                f"schema version {meta.get('schema_version')!r} is not supported "
                f"(this Khorasan reads version {SCHEMA_VERSION})",
            )

    def meta_value(self, key: str) -> Any:
        row = self.one("SELECT value FROM meta WHERE key = ?", (key,))
        if row is None:
            return None
        try:
            return orjson.loads(row[0])
        except (orjson.JSONDecodeError, TypeError):
            raise _problem(self.path, f"the {key!r} record is not JSON") from None

    def data_version(self) -> int:
        """Changes whenever another connection commits (PRAGMA data_version)."""
        return self.one("PRAGMA data_version")[0]

    def changed_by_others(self) -> bool:
        return self.data_version() != self.seen_version

    def mark_seen(self) -> None:
        self.seen_version = self.data_version()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction: BEGIN IMMEDIATE (the writer's lock, waiting
        up to the busy timeout), COMMIT on success, ROLLBACK on any error."""
        with self.lock:
            if self.read_only:
                raise sqlite3.OperationalError("attempt to write a readonly database")
            self.conn.execute("BEGIN IMMEDIATE")
            self.in_transaction = True
            try:
                yield
            except BaseException:
                self.conn.execute("ROLLBACK")
                for hook in self.on_rollback:
                    hook()
                raise
            else:
                self.conn.execute("COMMIT")
            finally:
                self.in_transaction = False

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    # -- derived data, kept with every write ------------------------------------------------
    def _write_names(self, actor: Actor | None, actor_id: str) -> None:
        conn = self.conn
        conn.execute("DELETE FROM names WHERE actor_id = ?", (actor_id,))
        conn.execute("DELETE FROM merged WHERE actor_id = ?", (actor_id,))
        if actor is None:
            return
        rows = _name_rows(actor)
        conn.executemany("INSERT INTO names (key, actor_id, name) VALUES (?, ?, ?)", rows)
        conn.executemany(
            "INSERT OR REPLACE INTO merged (old_id, actor_id) VALUES (?, ?)", [(m, actor_id) for m in actor.merged_ids]
        )

    def _sync_fts(self, actor_id: str, summary: str | None) -> None:
        if not self.has_fts:
            return
        rowid = self.conn.execute("SELECT rowid FROM actors WHERE id = ?", (actor_id,)).fetchone()
        if rowid is None:
            return
        self.conn.execute("DELETE FROM summaries_fts WHERE rowid = ?", rowid)
        if summary:
            self.conn.execute("INSERT INTO summaries_fts (rowid, summary) VALUES (?, ?)", (rowid[0], summary))

    def put_actor(self, actor: Actor, doc_id: int | None) -> None:
        conn = self.conn
        exists = conn.execute("SELECT 1 FROM actors WHERE id = ?", (actor.id,)).fetchone()
        body = _dumps(actor.to_dict())
        if exists:
            conn.execute(
                "UPDATE actors SET kind = ?, name = ?, sort_name = ?, dup_of = ?, body = ? WHERE id = ?",
                (actor.kind, actor.name, actor.name.casefold(), actor.possible_duplicate_of, body, actor.id),
            )
        else:
            if doc_id is None or conn.execute("SELECT 1 FROM actors WHERE doc_id = ?", (doc_id,)).fetchone():
                doc_id = _next_doc_id(conn, "actors")
            # Ties may already name it (a merge or an undo puts ties back first).
            degree = conn.execute(
                "SELECT (SELECT count(*) FROM ties WHERE source = ?1)"
                " + (SELECT count(*) FROM ties WHERE target = ?1 AND source != ?1)",
                (actor.id,),
            ).fetchone()[0]
            conn.execute(
                "INSERT INTO actors (id, doc_id, kind, name, sort_name, degree, dup_of, body)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    actor.id,
                    doc_id,
                    actor.kind,
                    actor.name,
                    actor.name.casefold(),
                    degree,
                    actor.possible_duplicate_of,
                    body,
                ),
            )
        self._remove_name_trigrams(actor.id)
        self._write_names(actor, actor.id)
        self._add_name_trigrams(actor.id)
        self._sync_fts(actor.id, actor.summary)

    def delete_actor(self, actor_id: str) -> None:
        self._sync_fts(actor_id, None)
        self._remove_name_trigrams(actor_id)
        self._write_names(None, actor_id)
        self.conn.execute("DELETE FROM actors WHERE id = ?", (actor_id,))

    def _remove_name_trigrams(self, actor_id: str) -> None:
        if self.has_fts:
            self.conn.execute(
                "DELETE FROM names_fts WHERE rowid IN (SELECT rowid FROM names WHERE actor_id = ?)", (actor_id,)
            )

    def _add_name_trigrams(self, actor_id: str) -> None:
        if self.has_fts:
            self.conn.execute(
                "INSERT INTO names_fts (rowid, key) SELECT rowid, key FROM names WHERE actor_id = ?", (actor_id,)
            )

    def put_tie(self, tie: Tie, doc_id: int | None) -> None:
        conn = self.conn
        exists = conn.execute("SELECT 1 FROM ties WHERE id = ?", (tie.id,)).fetchone()
        body = _dumps(tie.to_dict())
        if exists:
            self._tie_counts(tie.id, -1)
            conn.execute(
                "UPDATE ties SET source = ?, target = ?, type = ?, status = ?, claimant = ?, start_date = ?,"
                " end_date = ?, body = ? WHERE id = ?",
                (tie.source, tie.target, tie.type, tie.status, tie.claimant, tie.start, tie.end, body, tie.id),
            )
        else:
            if doc_id is None or conn.execute("SELECT 1 FROM ties WHERE doc_id = ?", (doc_id,)).fetchone():
                doc_id = _next_doc_id(conn, "ties")
            conn.execute(
                "INSERT INTO ties (id, doc_id, source, target, type, status, claimant, start_date, end_date, body)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (tie.id, doc_id, tie.source, tie.target, tie.type, tie.status, tie.claimant, tie.start, tie.end, body),
            )
        conn.execute("DELETE FROM cites WHERE tie_id = ?", (tie.id,))
        conn.executemany(
            "INSERT INTO cites (doc, tie_id) VALUES (?, ?)",
            [(d, tie.id) for d in dict.fromkeys(c.source for c in tie.citations)],
        )
        self._tie_counts(tie.id, +1)

    def delete_tie(self, tie_id: str) -> None:
        conn = self.conn
        if conn.execute("SELECT 1 FROM ties WHERE id = ?", (tie_id,)).fetchone() is None:
            return
        self._tie_counts(tie_id, -1)
        conn.execute("DELETE FROM ties WHERE id = ?", (tie_id,))
        conn.execute("DELETE FROM cites WHERE tie_id = ?", (tie_id,))

    def _tie_counts(self, tie_id: str, step: int) -> None:
        """Count a stored tie in (+1) or out (-1) of its ends' degree, per-type
        and per-document counts: what an actor's pane shows without its ties."""
        conn = self.conn
        source, target, kind = conn.execute("SELECT source, target, type FROM ties WHERE id = ?", (tie_id,)).fetchone()
        docs = [r[0] for r in conn.execute("SELECT doc FROM cites WHERE tie_id = ?", (tie_id,))]
        for end in dict.fromkeys((source, target)):
            conn.execute("UPDATE actors SET degree = degree + ? WHERE id = ?", (step, end))
            _bump(conn, "actor_types", "type", end, kind, step)
            for doc in docs:
                _bump(conn, "actor_docs", "doc", end, doc, step)

    def put_source(self, source: Source, doc_id: int | None) -> None:
        conn = self.conn
        body = _dumps(source.to_dict())
        if conn.execute("SELECT 1 FROM sources WHERE id = ?", (source.id,)).fetchone():
            conn.execute("UPDATE sources SET body = ? WHERE id = ?", (body, source.id))
            return
        if doc_id is None or conn.execute("SELECT 1 FROM sources WHERE doc_id = ?", (doc_id,)).fetchone():
            doc_id = _next_doc_id(conn, "sources")
        conn.execute("INSERT INTO sources (id, doc_id, body) VALUES (?, ?, ?)", (source.id, doc_id, body))

    def delete_source(self, source_id: str) -> None:
        self.conn.execute("DELETE FROM sources WHERE id = ?", (source_id,))


def _bump(conn: sqlite3.Connection, table: str, column: str, actor_id: str, value: str, step: int) -> None:
    conn.execute(
        f"INSERT INTO {table} (actor_id, {column}, n) VALUES (?, ?, ?)"  # noqa: S608 - names are ours
        f" ON CONFLICT (actor_id, {column}) DO UPDATE SET n = n + excluded.n",
        (actor_id, value, step),
    )
    if step < 0:
        conn.execute(f"DELETE FROM {table} WHERE actor_id = ? AND {column} = ? AND n <= 0", (actor_id, value))  # noqa: S608


def _next_doc_id(conn: sqlite3.Connection, table: str) -> int:
    return (conn.execute(f"SELECT max(doc_id) FROM {table}").fetchone()[0] or 0) + 1  # noqa: S608 - table is ours


def _name_rows(actor: Actor) -> list[tuple[str, str, str]]:
    rows: dict[tuple[str, str], None] = {}
    for name in actor.names:
        key = normalize_key(name)
        if key:
            rows.setdefault((key, name), None)
    return [(key, actor.id, name) for key, name in rows]


class SqlTable(MutableMapping[str, Any]):
    """One table of a SQLite store as a mapping of id -> record, read on demand.

    Records read are kept (up to `_CACHE` of them) until a write by someone
    else or a rollback makes them stale (`forget`).
    """

    def __init__(self, backend: SqlBackend, table: str) -> None:
        self.backend = backend
        self.table = table
        self.record = _RECORDS[table]
        self._cache: OrderedDict[str, Any] = OrderedDict()
        self._len: int | None = None
        self.pending_doc_ids: dict[str, int] = {}
        self.data: SqlStoreData | None = None  # set by open_sqlite: the other tables, for the rules
        # False for `validate`, which lists every problem rather than stopping at the first.
        self.checked = True

    def forget(self) -> None:
        self._cache.clear()
        self._len = None

    @property
    def _columns(self) -> str:
        """id, body (and for a tie, its ends' kinds, which its rules need: one
        join in SQLite rather than two lookups per tie in Python)."""
        if self.table == "ties":
            return (
                "t.id, t.body, s.kind, g.kind FROM ties AS t"
                " LEFT JOIN actors AS s ON s.id = t.source LEFT JOIN actors AS g ON g.id = t.target"
            )
        return f"t.id, t.body FROM {self.table} AS t"

    def _parse(self, body: str, key: str = "?", ends: Any = ()) -> Any:
        """A record as it is read, held to the rulebook's record rules: another
        program may have written the file, and a record no rule would let in is
        refused here (StoreError naming it) as the JSON loader refuses its file."""
        where = f"{self.table} record {key!r}"
        try:
            raw = orjson.loads(body)
        except (orjson.JSONDecodeError, TypeError):
            raise _problem(self.backend.path, f"{where} is not JSON") from None
        if not isinstance(raw, dict):
            raise _problem(self.backend.path, f"{where} is not an object")
        wrong = rules.wrong_field_type(self.table, raw)
        if wrong:
            raise _problem(self.backend.path, f"{where}: {wrong}")
        try:
            record = self.record.from_dict(raw)
        except (KeyError, TypeError, AttributeError) as exc:
            raise _problem(self.backend.path, f"{where} lacks a required field {exc}") from None
        if record.id != key and key != "?":
            raise _problem(self.backend.path, f"{where} holds a record with id {record.id!r}")
        # Records read from the file are held to the rules inside a write too:
        # what a change writes is served from the cache, never parsed back.
        problems = self._check(record, ends) if self.checked else []
        if problems:
            # Worded as the JSON loader words it, with `validate` to list the rest.
            first = problems[0]
            raise _problem(self.backend.path, f"{first.where}: {first.text} (`khorasan validate` lists every problem)")
        return record

    def _check(self, record: Any, ends: Any = ()) -> list[rules.Problem]:
        data = self.data
        if data is None:
            return []
        if self.backend.in_transaction:
            # Mid-change, the records around this one may be in flux (a new kind
            # that no longer fits a tie): the write path checks those relations
            # itself, and says so as a refusal. The record's own rules still hold.
            if self.table == "actors":
                return rules.errors(rules.actor_problems(record))
            if self.table == "ties":
                return rules.errors(rules.tie_problems(record))
            return rules.errors(rules.source_problems(record))
        if self.table == "actors":
            if rules._actor_clean(record, data.sources):
                return []
            return rules.errors(rules.actor_problems(record, data.sources))
        if self.table == "ties":
            kinds = _EndKinds(record, ends, data.actors)
            if rules._tie_clean(record, kinds, data.sources):
                return []
            return rules.errors(rules.tie_problems(record, kinds, data.sources))
        return rules.errors(rules.source_problems(record))

    def __getitem__(self, key: str) -> Any:
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if not isinstance(key, str):
            raise KeyError(key)
        row = self.backend.one(f"SELECT {self._columns} WHERE t.id = ?", (key,))  # noqa: S608
        if row is None:
            raise KeyError(key)
        record = self._parse(row[1], key, row[2:])
        self._remember(key, record)
        return record

    def _remember(self, key: str, record: Any) -> None:
        cache = self._cache
        cache[key] = record
        if len(cache) > _CACHE:
            cache.popitem(last=False)

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        """Several records in one query (the ties of a hub), in the order asked."""
        keys = list(dict.fromkeys(keys))
        found: dict[str, Any] = {}
        missing = [k for k in keys if k not in self._cache]
        for start in range(0, len(missing), 900):
            chunk = missing[start : start + 900]
            marks = ",".join("?" * len(chunk))
            for key, body, *ends in self.backend.query(f"SELECT {self._columns} WHERE t.id IN ({marks})", chunk):  # noqa: S608
                record = self._parse(body, key, ends)
                found[key] = record
                self._remember(key, record)
        return {k: found[k] if k in found else self._cache[k] for k in keys if k in found or k in self._cache}

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        if key in self._cache:
            return True
        return self.backend.one(f"SELECT 1 FROM {self.table} WHERE id = ?", (key,)) is not None  # noqa: S608

    def __len__(self) -> int:
        if self._len is None:
            self._len = self.backend.one(f"SELECT count(*) FROM {self.table}")[0]  # noqa: S608
        return self._len

    def __iter__(self) -> Iterator[str]:
        # Streams the keys in file order; a million ids are read a page at a time.
        last = -1
        while True:
            rows = self.backend.query(
                f"SELECT doc_id, id FROM {self.table} WHERE doc_id > ? ORDER BY doc_id LIMIT 5000",  # noqa: S608
                (last,),
            )
            if not rows:
                return
            for _, key in rows:
                yield key
            last = rows[-1][0]

    def items(self):  # type: ignore[override]
        return _Items(self)

    def values(self):  # type: ignore[override]
        return _Values(self)

    def _rows(self) -> Iterator[tuple[str, Any]]:
        last = -1
        while True:
            rows = self.backend.query(
                f"SELECT t.doc_id, {self._columns} WHERE t.doc_id > ? ORDER BY t.doc_id LIMIT 2000",  # noqa: S608
                (last,),
            )
            if not rows:
                return
            for _, key, body, *ends in rows:
                cached = self._cache.get(key)
                yield key, cached if cached is not None else self._parse(body, key, ends)
            last = rows[-1][0]

    def __setitem__(self, key: str, record: Any) -> None:
        backend = self.backend
        if not backend.in_transaction:
            raise RuntimeError("a SQLite store is written only inside the write path's transaction")
        doc_id = self.pending_doc_ids.pop(key, None)
        if self.table == "actors":
            backend.put_actor(record, doc_id)
        elif self.table == "ties":
            backend.put_tie(record, doc_id)
        else:
            backend.put_source(record, doc_id)
        self._remember(key, record)
        self._len = None

    def __delitem__(self, key: str) -> None:
        backend = self.backend
        if not backend.in_transaction:
            raise RuntimeError("a SQLite store is written only inside the write path's transaction")
        if key not in self:
            raise KeyError(key)
        if self.table == "actors":
            backend.delete_actor(key)
        elif self.table == "ties":
            backend.delete_tie(key)
        else:
            backend.delete_source(key)
        self._cache.pop(key, None)
        self._len = None


class _EndKinds(Mapping[str, str]):
    """actor id -> kind for one tie's rules: its two ends from the row that was
    read with it (one join), anyone else (a claimant) looked up."""

    def __init__(self, tie: Tie, ends: Any, actors: Mapping[str, Actor]) -> None:
        self._ends = {k: v for k, v in zip((tie.source, tie.target), ends) if v is not None} if ends else {}
        self._known = bool(ends)
        self._others = rules._KindView(actors)
        self._tie = tie

    def __getitem__(self, key: str) -> str:
        if self._known and key in (self._tie.source, self._tie.target):
            return self._ends[key]
        return self._others[key]

    def __contains__(self, key: object) -> bool:
        if self._known and key in (self._tie.source, self._tie.target):
            return key in self._ends
        return key in self._others

    def __iter__(self) -> Iterator[str]:
        return iter(self._ends)

    def __len__(self) -> int:
        return len(self._ends)


class _Items:
    def __init__(self, table: SqlTable) -> None:
        self.table = table

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        return self.table._rows()

    def __len__(self) -> int:
        return len(self.table)


class _Values(_Items):
    def __iter__(self) -> Iterator[Any]:  # type: ignore[override]
        return (record for _, record in self.table._rows())


class SqlDocIds(MutableMapping[str, int]):
    """The TinyDB document ids of one table, as `changes._swap` expects them."""

    def __init__(self, table: SqlTable) -> None:
        self.table = table

    def __getitem__(self, key: str) -> int:
        row = self.table.backend.one(f"SELECT doc_id FROM {self.table.table} WHERE id = ?", (key,))  # noqa: S608
        if row is None:
            pending = self.table.pending_doc_ids.get(key)
            if pending is None:
                raise KeyError(key)
            return pending
        return row[0]

    def __setitem__(self, key: str, value: int) -> None:
        # Used for the next insert of `key` (an undone deletion goes back to its place).
        self.table.pending_doc_ids[key] = value

    def __delitem__(self, key: str) -> None:
        self.table.pending_doc_ids.pop(key, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)

    def values(self):  # type: ignore[override]
        return _DocIdValues(self.table)


class _DocIdValues:
    def __init__(self, table: SqlTable) -> None:
        self.table = table

    def __contains__(self, value: object) -> bool:
        return (
            self.table.backend.one(f"SELECT 1 FROM {self.table.table} WHERE doc_id = ?", (value,)) is not None  # noqa: S608
            or value in self.table.pending_doc_ids.values()
        )


@dataclass
class SqlStoreData(StoreData):
    """A `StoreData` over a SQLite file: its tables are `SqlTable`s."""

    backend: SqlBackend | None = field(default=None, repr=False)

    @property
    def is_sql(self) -> bool:
        return True

    def forget(self) -> None:
        """Drop what was read: someone else committed, or a transaction rolled back."""
        for table in TABLES:
            getattr(self, table).forget()

    def ties_touching(self, actor_ids: Iterable[str]) -> list[Tie]:
        ids = list(dict.fromkeys(actor_ids))
        if not ids:
            return []
        found: set[tuple[int, str]] = set()
        for aid in ids:
            found.update(
                self.backend.query(
                    "SELECT doc_id, id FROM ties WHERE source = ?1 UNION SELECT doc_id, id FROM ties WHERE target = ?1",
                    (aid,),
                )
            )
        # In file order, as the in-memory store lists them: the rulebook's
        # messages about them come in this order.
        return list(self.ties.get_many(tie_id for _, tie_id in sorted(found)).values())

    def referrers(self, removed: set[str]) -> tuple[list[Tie], list[Actor]]:
        ties: set[tuple[int, str]] = set()
        actors: set[tuple[int, str]] = set()
        for aid in sorted(removed):
            ties.update(
                self.backend.query(
                    "SELECT doc_id, id FROM ties WHERE source = ?1 UNION SELECT doc_id, id FROM ties WHERE target = ?1"
                    " UNION SELECT doc_id, id FROM ties WHERE claimant = ?1",
                    (aid,),
                )
            )
            actors.update(self.backend.query("SELECT doc_id, id FROM actors WHERE dup_of = ?", (aid,)))
        return (
            list(self.ties.get_many(tie_id for _, tie_id in sorted(ties)).values()),
            list(self.actors.get_many(actor_id for _, actor_id in sorted(actors)).values()),
        )

    def records_citing(self, source_id: str, limit: int = 5) -> list[str]:
        rows = self.backend.query("SELECT tie_id FROM cites WHERE doc = ? LIMIT ?", (source_id, limit))
        found = [r[0] for r in rows]
        if len(found) < limit:
            # Actors' own citations are few: the bodies say.
            for aid, body in self.backend.query(
                "SELECT id, body FROM actors WHERE body LIKE ?", (f'%"source":{_dumps(source_id)}%',)
            ):
                if any(c.source == source_id for c in Actor.from_dict(orjson.loads(body)).citations):
                    found.append(aid)
        return found[:limit]

    def to_tinydb(self) -> dict[str, dict[str, Any]]:
        tables: dict[str, dict[str, Any]] = {}
        for table in TABLES:
            rows = self.backend.query(f"SELECT doc_id, body FROM {table} ORDER BY doc_id")  # noqa: S608
            tables[table] = {str(doc_id): orjson.loads(body) for doc_id, body in rows}
        tables["meta"] = {"1": dict(self.meta)}
        for name, table in self.extra_tables.items():
            tables.setdefault(name, table)
        return tables


def open_sqlite(path: str | Path, *, check: bool = True) -> SqlStoreData:
    """Open a SQLite store; reads only its meta record. Raises `StoreError`.

    Records are held to the rulebook's record rules as they are read (unless
    `check` is False, for `validate`): StoreError names the first one broken."""
    path = Path(path).absolute()
    backend = SqlBackend(path)
    data = SqlStoreData(meta=dict(backend.meta_value("meta")), path=path, backend=backend)
    data.actors = SqlTable(backend, "actors")
    data.ties = SqlTable(backend, "ties")
    data.sources = SqlTable(backend, "sources")
    data.doc_ids = {t: SqlDocIds(getattr(data, t)) for t in TABLES}
    for table in TABLES:
        getattr(data, table).data = data
        getattr(data, table).checked = check
    try:
        data.extra_tables = {
            name: orjson.loads(body)
            for name, body in backend.query("SELECT name, body FROM extra_tables ORDER BY position")
        }
    except (orjson.JSONDecodeError, TypeError):
        backend.close()
        raise _problem(path, "a table another tool added is not JSON") from None
    backend.on_rollback.append(data.forget)
    return data


# -- bulk writing ---------------------------------------------------------------------------
class SqlWriter:
    """Writes a new SQLite store record by record with bounded memory.

    The file is built under a temporary name with journaling off (a crash leaves
    only that temp file) and indexes made at the end, then renamed into place.
    """

    BATCH = 5_000

    def __init__(self, path: str | Path, meta: dict[str, Any], extra_tables: dict[str, Any] | None = None) -> None:
        self.path = Path(path)
        self.tmp = self.path.with_name(f".{self.path.name}.building.tmp")
        if self.tmp.exists():
            self.tmp.unlink()
        self.conn = sqlite3.connect(self.tmp, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = OFF")
        self.conn.execute("PRAGMA synchronous = OFF")
        self.conn.execute("PRAGMA cache_size = -65536")
        self.conn.executescript(SCHEMA)
        self.conn.execute("BEGIN")
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES ('meta', ?), ('sql_schema_version', ?)",
            (_dumps(meta), str(SQL_SCHEMA_VERSION)),
        )
        for position, (name, table) in enumerate((extra_tables or {}).items()):
            self.conn.execute(
                "INSERT INTO extra_tables (name, position, body) VALUES (?, ?, ?)", (name, position, _dumps(table))
            )
        self._actors: list[tuple] = []
        self._names: list[tuple] = []
        self._merged: list[tuple] = []
        self._ties: list[tuple] = []
        self._cites: list[tuple] = []
        self._sources: list[tuple] = []
        self._doc_id = {t: 0 for t in TABLES}
        self.counts = {t: 0 for t in TABLES}

    def _doc(self, table: str, doc_id: int | None) -> int:
        number = doc_id if doc_id is not None else self._doc_id[table] + 1
        self._doc_id[table] = max(self._doc_id[table], number)
        self.counts[table] += 1
        return number

    def add_actor(self, actor: Actor, doc_id: int | None = None) -> None:
        number = self._doc("actors", doc_id)
        self._actors.append(
            (
                actor.id,
                number,
                actor.kind,
                actor.name,
                actor.name.casefold(),
                actor.possible_duplicate_of,
                _dumps(actor.to_dict()),
            )
        )
        self._names += _name_rows(actor)
        self._merged += [(m, actor.id) for m in actor.merged_ids]
        if len(self._actors) >= self.BATCH:
            self._flush()

    def add_tie(self, tie: Tie, doc_id: int | None = None) -> None:
        self._ties.append(
            (
                tie.id,
                self._doc("ties", doc_id),
                tie.source,
                tie.target,
                tie.type,
                tie.status,
                tie.claimant,
                tie.start,
                tie.end,
                _dumps(tie.to_dict()),
            )
        )
        self._cites += [(d, tie.id) for d in dict.fromkeys(c.source for c in tie.citations)]
        if len(self._ties) >= self.BATCH:
            self._flush()

    def add_source(self, source: Source, doc_id: int | None = None) -> None:
        self._sources.append((source.id, self._doc("sources", doc_id), _dumps(source.to_dict())))
        if len(self._sources) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        conn = self.conn
        try:
            conn.executemany(
                "INSERT INTO actors (id, doc_id, kind, name, sort_name, degree, dup_of, body) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
                self._actors,
            )
            conn.executemany("INSERT INTO names (key, actor_id, name) VALUES (?, ?, ?)", self._names)
            conn.executemany("INSERT OR REPLACE INTO merged (old_id, actor_id) VALUES (?, ?)", self._merged)
            conn.executemany(
                "INSERT INTO ties (id, doc_id, source, target, type, status, claimant, start_date, end_date, body)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self._ties,
            )
            conn.executemany("INSERT INTO cites (doc, tie_id) VALUES (?, ?)", self._cites)
            conn.executemany("INSERT INTO sources (id, doc_id, body) VALUES (?, ?, ?)", self._sources)
        except sqlite3.IntegrityError as exc:
            raise ValueError(f"two records share an id or a document number ({exc})") from None
        for batch in (self._actors, self._names, self._merged, self._ties, self._cites, self._sources):
            batch.clear()

    def finish(self, progress: Callable[[str], None] | None = None) -> Path:
        self._flush()
        conn = self.conn
        say = progress or (lambda _what: None)
        say("indexing")
        conn.execute("COMMIT")
        conn.executescript(INDEXES)
        say("counting ties per actor")
        conn.execute("BEGIN")
        _derive_counts(conn)
        say("indexing names and summaries")
        conn.execute("COMMIT")
        conn.executescript(FTS)
        conn.execute("BEGIN")
        _derive_text_indexes(conn)
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.close()
        # A WAL left beside a store this one replaces (a crash) would be replayed into it.
        for leftover in (f"{self.path}-wal", f"{self.path}-shm"):
            if os.path.exists(leftover):
                os.unlink(leftover)
        os.replace(self.tmp, self.path)
        return self.path

    def abort(self) -> None:
        try:
            self.conn.close()
        finally:
            if self.tmp.exists():
                self.tmp.unlink()


def _derive_counts(conn: sqlite3.Connection) -> None:
    """Degrees, per-type and per-document counts from the ties, all at once."""
    conn.execute("DELETE FROM actor_types")
    conn.execute("DELETE FROM actor_docs")
    conn.execute(
        "UPDATE actors SET degree = (SELECT count(*) FROM ties WHERE source = actors.id)"
        " + (SELECT count(*) FROM ties WHERE target = actors.id AND source != actors.id)"
    )
    conn.execute(
        "INSERT INTO actor_types (actor_id, type, n) SELECT end_id, type, count(*) FROM"
        " (SELECT source AS end_id, type FROM ties UNION ALL"
        "  SELECT target AS end_id, type FROM ties WHERE target != source) GROUP BY end_id, type"
    )
    conn.execute(
        "INSERT INTO actor_docs (actor_id, doc, n) SELECT end_id, doc, count(*) FROM"
        " (SELECT ties.source AS end_id, cites.doc AS doc FROM cites JOIN ties ON ties.id = cites.tie_id"
        "  UNION ALL SELECT ties.target, cites.doc FROM cites JOIN ties ON ties.id = cites.tie_id"
        "  WHERE ties.target != ties.source) GROUP BY end_id, doc"
    )


def _derive_text_indexes(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM names_fts")
    conn.execute("DELETE FROM summaries_fts")
    conn.execute("INSERT INTO names_fts (rowid, key) SELECT rowid, key FROM names")
    conn.execute(
        "INSERT INTO summaries_fts (rowid, summary) SELECT rowid, json_extract(body, '$.summary') FROM actors"
        " WHERE json_extract(body, '$.summary') != ''"
    )


def derived_counts_problems(backend: SqlBackend) -> list[str]:
    """Where the kept counts differ from what the ties say (none, unless
    another program wrote the tables without keeping them): recomputed in a
    transaction that is rolled back, so nothing changes."""
    queries = {
        "degree": "SELECT id, degree FROM actors ORDER BY id",
        "actor_types": "SELECT actor_id, type, n FROM actor_types ORDER BY 1, 2",
        "actor_docs": "SELECT actor_id, doc, n FROM actor_docs ORDER BY 1, 2",
    }
    with backend.lock:
        conn = backend.conn
        kept = {name: conn.execute(sql).fetchall() for name, sql in queries.items()}
        conn.execute("BEGIN")
        try:
            _derive_counts(conn)
            fresh = {name: conn.execute(sql).fetchall() for name, sql in queries.items()}
        finally:
            conn.execute("ROLLBACK")
    return [f"the kept {name} counts differ from the ties" for name in queries if kept[name] != fresh[name]]


def write_sqlite(
    data: StoreData,
    path: str | Path,
    progress: Callable[[int], None] | None = None,
    phase: Callable[[str], None] | None = None,
) -> Path:
    """A new SQLite store with everything `data` holds, in its order.
    `progress` hears of each record written, `phase` of the indexing steps after."""
    writer = SqlWriter(path, data.meta, data.extra_tables)
    try:
        for table, add in (("actors", writer.add_actor), ("ties", writer.add_tie), ("sources", writer.add_source)):
            ids = data.doc_ids.get(table, {})
            for key, record in getattr(data, table).items():
                add(record, ids.get(key))
                if progress is not None:
                    progress(1)
        return writer.finish(phase)
    except BaseException:
        writer.abort()
        raise


def iter_json_chunks(data: SqlStoreData, progress: Callable[[int], None] | None = None) -> Iterator[bytes]:
    """The store as the bytes `store.encode_store` would give, a record at a time
    (`progress` hears of each)."""
    backend = data.backend
    yield b"{"
    first_table = True
    tables: list[tuple[str, Iterable[tuple[int, Any]]]] = [(table, _bodies(backend, table)) for table in TABLES]
    tables.append(("meta", [(1, dict(data.meta))]))
    tables += [(name, None) for name in data.extra_tables if name not in (*TABLES, "meta")]
    for name, rows in tables:
        yield (b"\n" if first_table else b",\n") + b"  " + orjson.dumps(name) + b": "
        first_table = False
        if rows is None:
            yield _indent(orjson.dumps(data.extra_tables[name], option=orjson.OPT_INDENT_2), 2)
            continue
        empty = True
        for doc_id, record in rows:
            yield (b"{\n" if empty else b",\n") + b"    " + orjson.dumps(str(doc_id)) + b": "
            yield _indent(orjson.dumps(record, option=orjson.OPT_INDENT_2), 4)
            empty = False
            if progress is not None:
                progress(1)
        yield b"{}" if empty else b"\n  }"
    yield b"\n}\n"


def _bodies(backend: SqlBackend, table: str) -> Iterator[tuple[int, Any]]:
    last = -1
    while True:
        rows = backend.query(f"SELECT doc_id, body FROM {table} WHERE doc_id > ? ORDER BY doc_id LIMIT 2000", (last,))  # noqa: S608
        if not rows:
            return
        for doc_id, body in rows:
            yield doc_id, orjson.loads(body)
        last = rows[-1][0]


def _indent(encoded: bytes, spaces: int) -> bytes:
    return encoded.replace(b"\n", b"\n" + b" " * spaces)
