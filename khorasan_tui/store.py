"""Persistence: one TinyDB JSON file, read once, written atomically.

The file is a regular TinyDB database (tables ``actors``, ``ties``, ``sources``
and ``meta``), so ``TinyDB(path)`` can open it, but we never query through
TinyDB: its default storage re-reads and re-parses the whole file per query.
We parse once into plain objects and write the whole file back explicitly.
"""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage

try:
    # hashlib would first load OpenSSL (7 ms of every CLI start-up) only to
    # hand back this same class.
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - interpreters without the C module
    from hashlib import blake2b

from .model import KINDS, SCHEMA_VERSION, STATUSES, TIE_TYPES, Actor, Source, Tie

TABLES = ("actors", "ties", "sources")
META_TABLE = "meta"
LOCK_TIMEOUT_S = 10.0

# Read once at import: os.umask can only be read by setting it, which is not
# safe to do later while other threads create files.
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def encode_store(data: StoreData) -> bytes:
    """The file's bytes: TinyDB tables, stable order, two-space indentation."""
    return _dumps(data.to_tinydb())


class StoreError(Exception):
    """A store that cannot be used. The message names the file and the problem."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class StoreConflict(StoreError):
    """Someone else saved the file after we read it."""


def _dumps(data: Any) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic collector while building millions of small objects
    without cycles (parsing, indexing): it would only rescan them again and
    again, roughly doubling the time. Never re-enables it behind a caller's back."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # some platforms cannot open folders; the rename is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, payload: bytes, backup: bool = True) -> None:
    """Write `payload` to `path` so a crash leaves the old file or the new one.

    The temp file lives in the same folder (``os.replace`` is only atomic on one
    filesystem), is fsynced before the rename, and the folder is fsynced after so
    the rename itself survives a power cut. The previous version is kept as
    ``<name>.bak`` through a hard link, which never exposes a partial file.
    """
    # Write through a symlink: replacing the link itself would leave the shared
    # file it points to unchanged and turn the link into a private copy.
    import tempfile  # only writers pay for it (it pulls in random): 5 ms of start-up

    path = Path(os.path.realpath(path))
    folder = path.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(payload)
            tmp.flush()
            os.fsync(tmp.fileno())
        if path.exists():
            try:
                os.chmod(tmp_name, path.stat().st_mode & 0o7777)
            except OSError:
                pass
            if backup:
                bak = path.with_name(path.name + ".bak")
                bak_tmp = path.with_name(f".{path.name}.bak.tmp")
                try:
                    if bak_tmp.exists():
                        bak_tmp.unlink()
                    os.link(path, bak_tmp)
                    os.replace(bak_tmp, bak)
                except OSError:
                    pass  # a backup is a courtesy; never let it block the save
        else:
            # mkstemp makes 0600 files; a new store should be as readable as any file.
            try:
                os.chmod(tmp_name, 0o666 & ~_UMASK)
            except OSError:
                pass
        os.replace(tmp_name, path)
        _fsync_dir(folder)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        raise


class AtomicJSONStorage(Storage):
    """A TinyDB storage that parses with orjson and saves through `atomic_write`."""

    def __init__(self, path: str | Path, create_dirs: bool = False, **_: Any) -> None:
        self.path = Path(path)
        if create_dirs:
            self.path.parent.mkdir(parents=True, exist_ok=True)

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if not raw.strip():
            return None
        return orjson.loads(raw)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        atomic_write(self.path, _dumps(data))

    def close(self) -> None:
        pass


def open_tinydb(path: str | Path) -> TinyDB:
    """The store as a TinyDB database, for ad-hoc scripting."""
    return TinyDB(path, storage=AtomicJSONStorage)


@dataclass(slots=True)
class Fingerprint:
    size: int
    mtime_ns: int
    digest: str

    @classmethod
    def of_bytes(cls, raw: bytes, stat: os.stat_result) -> Fingerprint:
        return cls(stat.st_size, stat.st_mtime_ns, blake2b(raw, digest_size=16).hexdigest())


@dataclass
class StoreData:
    """Everything in one store, in memory. Key order is the file's order."""

    actors: dict[str, Actor] = field(default_factory=dict)
    ties: dict[str, Tie] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=lambda: {"schema_version": SCHEMA_VERSION})
    path: Path | None = None
    fingerprint: Fingerprint | None = None
    # TinyDB document ids, kept stable across saves so diffs stay small.
    doc_ids: dict[str, dict[str, int]] = field(default_factory=lambda: {t: {} for t in TABLES})

    @property
    def folder(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    @property
    def name(self) -> str:
        return str(self.meta.get("name") or (self.path.stem if self.path else "store"))

    def source_text_path(self, source: Source) -> Path | None:
        if not source.path:
            return None
        return (self.folder / source.path).resolve()

    def to_tinydb(self) -> dict[str, dict[str, Any]]:
        tables: dict[str, dict[str, Any]] = {}
        collections: dict[str, dict[str, Any]] = {
            "actors": self.actors,
            "ties": self.ties,
            "sources": self.sources,
        }
        for table, items in collections.items():
            ids = self.doc_ids.setdefault(table, {})
            live = set(items)
            for gone in [k for k in ids if k not in live]:
                del ids[gone]
            next_id = max(ids.values(), default=0) + 1
            for key in items:
                if key not in ids:
                    ids[key] = next_id
                    next_id += 1
            ordered = sorted(items, key=lambda k: ids[k])
            tables[table] = {str(ids[k]): items[k].to_dict() for k in ordered}
        tables[META_TABLE] = {"1": dict(self.meta)}
        return tables


def _problem(path: Path, message: str) -> StoreError:
    return StoreError(path, message)


_TEXT_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # table: (fields that must be strings when present, fields that may also be null)
    "actors": (("id", "name", "kind", "summary"), ("born", "founded", "died", "ended", "possible_duplicate_of")),
    "ties": (("id", "type", "source", "target", "status", "summary"), ("claimant", "role", "start", "end")),
    "sources": (("id", "title", "published_note", "path"), ("publisher", "published")),
}


def _wrong_field_type(table: str, record: dict[str, Any]) -> str | None:
    """Name a field of the wrong JSON type: a number for a name would crash the
    indexes later, and a string for a list would be split into characters."""
    strings, nullable = _TEXT_FIELDS[table]
    # Runs once per record of a big store: one dict lookup per field, and the
    # exact-type test first (JSON strings are always exactly str).
    get = record.get
    for key in strings:
        value = get(key, "")
        if value.__class__ is not str and not isinstance(value, str):
            return f"field {key!r} is not a string"
    for key in nullable:
        value = get(key)
        if value is not None and value.__class__ is not str and not isinstance(value, str):
            return f"field {key!r} is not a string or null"
    aliases = get("aliases")
    if aliases is not None and not (isinstance(aliases, list) and all(isinstance(a, str) for a in aliases)):
        return "field 'aliases' is not a list of strings"
    citations = get("citations")
    if citations is not None:
        if not isinstance(citations, list):
            return "field 'citations' is not a list"
        for citation in citations:
            if not (
                isinstance(citation, dict)
                and isinstance(citation.get("source"), str)
                and isinstance(citation.get("quote"), str)
            ):
                return "a citation is not an object with string 'source' and 'quote'"
    return None


def parse_store(raw: bytes, path: Path) -> StoreData:
    """Turn file bytes into `StoreData`, or raise `StoreError` saying what is wrong."""
    if not raw.strip():
        raise _problem(path, "the file is empty; it is not a Khorasan store")
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise _problem(path, f"not valid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise _problem(path, "not a TinyDB store: the top level is not an object")
    meta_table = doc.get(META_TABLE)
    if not isinstance(meta_table, dict) or not meta_table:
        raise _problem(path, "missing the 'meta' table; it is not a Khorasan store")
    meta = next(iter(meta_table.values()))
    if not isinstance(meta, dict):
        raise _problem(path, "the 'meta' record is not an object")
    version = meta.get("schema_version")
    if version != SCHEMA_VERSION:
        raise _problem(
            path, f"schema version {version!r} is not supported (this Khorasan reads version {SCHEMA_VERSION})"
        )
    data = StoreData(meta=dict(meta), path=path)
    builders = {"actors": Actor.from_dict, "ties": Tie.from_dict, "sources": Source.from_dict}
    for table, build in builders.items():
        records = doc.get(table)
        if not isinstance(records, dict):
            raise _problem(path, f"missing the '{table}' table")
        target: dict[str, Any] = getattr(data, table)
        for doc_id, record in records.items():
            if not isinstance(record, dict):
                raise _problem(path, f"{table} record {doc_id} is not an object")
            wrong = _wrong_field_type(table, record)
            if wrong:
                raise _problem(path, f"{table} record {doc_id}: {wrong}")
            try:
                item = build(record)
            except (KeyError, TypeError, AttributeError) as exc:
                raise _problem(path, f"{table} record {doc_id} lacks a required field {exc}") from None
            if not isinstance(item.id, str) or not item.id:
                raise _problem(path, f"{table} record {doc_id} has no usable id")
            if item.id in target:
                raise _problem(path, f"duplicate id {item.id!r} in table '{table}'")
            target[item.id] = item
            try:
                data.doc_ids[table][item.id] = int(doc_id)
            except ValueError:
                raise _problem(path, f"{table} record key {doc_id!r} is not a TinyDB document id") from None
    check_structure(data)
    return data


def check_structure(data: StoreData) -> None:
    """The problems that make a store unusable: unknown vocabulary, dangling ids."""
    path = data.path or Path("<memory>")
    for actor in data.actors.values():
        if actor.kind not in KINDS:
            raise _problem(path, f"actor {actor.id!r} has unknown kind {actor.kind!r}")
    for tie in data.ties.values():
        if tie.type not in TIE_TYPES:
            raise _problem(path, f"tie {tie.id!r} has unknown type {tie.type!r}")
        if tie.status not in STATUSES:
            raise _problem(path, f"tie {tie.id!r} has unknown status {tie.status!r}")
        for end in (tie.source, tie.target):
            if end not in data.actors:
                raise _problem(path, f"tie {tie.id!r} points to missing actor {end!r}")


def load_store(path: str | Path) -> StoreData:
    """Read and check a store once. Raises `StoreError`; never writes."""
    path = Path(path)
    if path.is_dir():
        raise _problem(path, "is a directory, not a store file")
    try:
        raw = path.read_bytes()
        stat = path.stat()
    except FileNotFoundError:
        raise _problem(path, "no such file") from None
    except PermissionError:
        raise _problem(path, "permission denied") from None
    except OSError as exc:
        raise _problem(path, f"cannot be read ({exc.strerror or exc})") from None
    with gc_paused():
        data = parse_store(raw, path.absolute())
    data.fingerprint = Fingerprint.of_bytes(raw, stat)
    return data


def current_fingerprint(path: Path) -> Fingerprint | None:
    try:
        raw = path.read_bytes()
        return Fingerprint.of_bytes(raw, path.stat())
    except OSError:
        return None


def changed_since(path: Path, fingerprint: Fingerprint | None) -> bool:
    """Whether the file's content differs from what `fingerprint` recorded.

    Content, not timestamps: a `touch` is no conflict, and two saves within
    one clock tick of the same size are still told apart.
    """
    if fingerprint is None:
        return False
    now = current_fingerprint(path)
    return now is not None and now.digest != fingerprint.digest


def save_store(data: StoreData, path: str | Path | None = None, *, check_conflict: bool = True) -> None:
    """Write the whole store atomically under a lock.

    With `check_conflict`, refuse (StoreConflict) when the file changed on disk
    since it was read: never silently overwrite another analyst's save.
    """
    from filelock import Timeout

    target = Path(path) if path else data.path
    if target is None:
        raise ValueError("save_store needs a path")
    target = target.absolute()
    check_structure(data)
    lock = locked(target)
    try:
        with lock:
            if check_conflict and target == data.path and changed_since(target, data.fingerprint):
                raise StoreConflict(target, "the file was changed by someone else since it was read")
            payload = encode_store(data)
            atomic_write(target, payload)
            data.path = target
            data.fingerprint = Fingerprint.of_bytes(payload, target.stat())
    except Timeout:
        raise StoreError(target, f"another process holds the lock {lock.lock_file}") from None


_LOCKS: dict[str, Any] = {}


def locked(path: str | Path):
    """The store's write lock, for read-modify-write cycles across processes.

    One lock object per file and process: filelock's locks are re-entrant per
    object, so a save inside a caller's `with locked(path):` does not deadlock.
    """
    from filelock import FileLock

    key = str(Path(path).absolute()) + ".lock"
    if key not in _LOCKS:
        _LOCKS[key] = FileLock(key, timeout=LOCK_TIMEOUT_S)
    return _LOCKS[key]


def default_store_path() -> Path:
    """The bundled store: next to the package in a checkout, inside it in a wheel."""
    env = os.environ.get("KHORASAN_DB")
    if env:
        return Path(env)
    package = Path(__file__).resolve().parent
    checkout = package.parent / "data" / "khorasan.json"
    if checkout.exists():
        return checkout
    return package / "_bundled_data" / "khorasan.json"
