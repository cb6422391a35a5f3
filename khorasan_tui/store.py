"""Persistence: one TinyDB JSON file, read once, written atomically.

The file is a regular TinyDB database (tables ``actors``, ``ties``, ``sources``
and ``meta``), so ``TinyDB(path)`` can open it, but we never query through
TinyDB: its default storage re-reads and re-parses the whole file per query.
We parse once into plain objects and write the whole file back explicitly.
"""

from __future__ import annotations

import gc
import itertools
import operator
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage

from . import rules
from .documents import document_path_problems
from .model import SCHEMA_VERSION, Actor, Citation, Source, Tie
from .sqlstore import is_sqlite
from .storedata import META_TABLE, TABLES, Fingerprint, StoreData, StoreError, gc_paused

__all__ = ["Fingerprint", "StoreData", "StoreError", "gc_paused", "TABLES", "META_TABLE"]
LOCK_TIMEOUT_S = 10.0

# Read once at import: os.umask can only be read by setting it, which is not
# safe to do later while other threads create files.
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def encode_store(data: StoreData) -> bytes:
    """The file's bytes: TinyDB tables, stable order, two-space indentation."""
    return _dumps(data.to_tinydb())


class StoreConflict(StoreError):
    """Someone else saved the file after we read it."""


def _dumps(data: Any) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"


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


def atomic_write(
    path: Path, payload: bytes | Iterable[bytes], backup: bool = True, follow_symlinks: bool = True
) -> None:
    """Write `payload` (bytes, or chunks of them: a store too big to hold whole
    as one string) to `path` so a crash leaves the old file or the new one.

    The temp file lives in the same folder (``os.replace`` is only atomic on one
    filesystem), is fsynced before the rename, and the folder is fsynced after so
    the rename itself survives a power cut. The previous version is kept as
    ``<name>.bak`` through a hard link, which never exposes a partial file.
    `follow_symlinks=False` replaces a symlink at `path` instead of writing
    where it points: for the files we keep beside a store (journal, documents),
    where a symlink can only come from someone else's folder.
    """
    # Write through a symlink: replacing the link itself would leave the shared
    # file it points to unchanged and turn the link into a private copy.
    import tempfile  # only writers pay for it (it pulls in random): 5 ms of start-up

    path = Path(os.path.realpath(path) if follow_symlinks else os.path.abspath(path))
    folder = path.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as tmp:
            if isinstance(payload, bytes):
                tmp.write(payload)
            else:
                for chunk in payload:
                    tmp.write(chunk)
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


def _problem(path: Path, message: str) -> StoreError:
    return StoreError(path, message)


# The field-type rule lives in the rulebook; the loader's fast paths read its table.
_TEXT_FIELDS = rules.TEXT_FIELDS
_wrong_field_type = rules.wrong_field_type


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


def _duplicate_key(raw: bytes) -> str | None:
    """A key that occurs twice in one JSON object, named for the user, or None.

    orjson keeps the last of two equal keys silently; the standard library's
    parser with a hook sees every pair, at several times orjson's cost.
    """
    import json

    try:
        json.loads(raw, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as exc:
        return f"the key {exc.args[0]!r} occurs twice in one object"
    except ValueError:
        return None  # orjson already accepted it; nothing more to learn here
    return None


def _canonical(raw: bytes, doc: dict[str, Any]) -> bool:
    """Whether the file is exactly what `encode_store` would write for what
    orjson read: then no key was repeated (orjson would have dropped one and
    the re-encoding would come out shorter). One re-encoding, in C, costs
    less than a second parse that watches every key."""
    try:
        return _dumps(doc) == raw
    except (TypeError, ValueError):
        return False


# orjson writes at most 254 levels; past that a record would load but every
# save and every --json print of it would fail. Records of our own shape nest 4.
MAX_NESTING = 100
_TOO_DEEP = f"nests deeper than {MAX_NESTING} levels; it could never be saved again"


def _too_deep(value: Any) -> bool:
    """Whether `value` nests deeper than MAX_NESTING. Iterative: a hostile
    file must not exhaust the stack of the check meant to refuse it."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_NESTING:
            return True
        if not isinstance(value, (dict, list)):
            continue  # a scalar (a table another tool added may be a number or null)
        children = value.values() if isinstance(value, dict) else value
        stack.extend((v, depth + 1) for v in children if isinstance(v, (dict, list)))
    return False


def _unknown_fields_too_deep(item: Any) -> bool:
    """Only fields another tool added can nest: ours are type-checked flat."""
    extras = [item.extra] if item.extra else []
    extras += [c.extra for c in getattr(item, "citations", ()) if c.extra]
    return any(_too_deep(extra) for extra in extras)


# -- the fast build ------------------------------------------------------------------------
# A store's records almost always have the shape `encode_store` writes: our fields
# only, of the right JSON types. Those are built straight from orjson's dicts
# (positional arguments, no per-field checks) and checked a column at a time in C.
# A table holding any other record is built by the careful loop in parse_store
# instead, which alone words the problems: both build the same objects.


class _Irregular(Exception):
    """A record the fast build does not take as it is."""


_TIE_VALUES = operator.itemgetter(
    "id", "type", "source", "target", "status", "claimant", "role", "start", "end", "summary"
)


def _citation(data: dict[str, Any]) -> Citation:
    size = len(data)
    if size == 2:
        return Citation(data["source"], data["quote"])
    if size == 3:
        return Citation(data["source"], data["quote"], data["credibility"])
    raise _Irregular


def _fast_ties(records: list[dict[str, Any]], ids: list[str]) -> list[Tie]:
    ties: list[Tie] = []
    append, add_id = ties.append, ids.append
    new_tie, new_citation, tie_values, citation = Tie, Citation, _TIE_VALUES, _citation
    for record in records:
        # Eleven fields, all named above plus "citations": nothing unknown to keep.
        size = len(record)
        if size == 11:
            note = ""
        elif size == 12:
            note = record["note"]
        else:
            raise _Irregular
        values = tie_values(record)
        cited = record["citations"]
        summary = values[9]
        # What from_dict would change: an empty status reads as "reported", a null text as "".
        if not values[4] or (not summary and summary != "") or (not note and note != "") or cited.__class__ is not list:
            raise _Irregular
        if len(cited) == 1 and len(first := cited[0]) == 2:
            citations = [new_citation(first["source"], first["quote"])]
        else:
            citations = [citation(c) for c in cited]
        append(new_tie(*values, citations, note))
        add_id(values[0])
    return ties


def _fast_actors(records: list[dict[str, Any]], ids: list[str]) -> list[Actor]:
    actors: list[Actor] = []
    append, add_id = actors.append, ids.append
    new_actor, citation = Actor, _citation
    for record in records:
        # Keywords refuse any key that is not a field; `extra` given twice refuses that one.
        actor = new_actor(**record, extra={})
        cited = actor.citations
        summary = actor.summary
        if (
            cited.__class__ is not list
            or actor.aliases.__class__ is not list
            or actor.merged_ids.__class__ is not list
            or (not summary and summary != "")
        ):
            raise _Irregular
        if cited:
            actor.citations = [citation(c) for c in cited]
        append(actor)
        add_id(actor.id)
    return actors


_FAST_TABLES: dict[str, tuple[Any, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    # table: (build, text fields, fields that may also be null, lists of text)
    "actors": (_fast_actors, ("id", "name", "kind", "summary"), _TEXT_FIELDS["actors"][1], ("aliases", "merged_ids")),
    "ties": (_fast_ties, _TEXT_FIELDS["ties"][0], _TEXT_FIELDS["ties"][1], ()),
}


def _column_types(items: list[Any], fields: tuple[str, ...]) -> set[type]:
    get = operator.attrgetter(*fields)
    if len(fields) == 1:
        return set(map(type, map(get, items)))
    return set(map(type, itertools.chain.from_iterable(map(get, items))))


def _wrong_column_type(
    items: list[Any], texts: tuple[str, ...], nullable: tuple[str, ...], lists: tuple[str, ...]
) -> bool:
    """Whether any item has a field of a type the careful loop's check
    (_wrong_field_type) would refuse: one pass per kind of field, in C."""
    if not _column_types(items, texts) <= {str} or not _column_types(items, nullable) <= {str, type(None)}:
        return True
    for name in lists:
        values = list(map(operator.attrgetter(name), items))
        if not set(map(type, values)) <= {list} or not set(map(type, itertools.chain.from_iterable(values))) <= {str}:
            return True
    cited = list(itertools.chain.from_iterable(map(operator.attrgetter("citations"), items)))
    return bool(cited) and not _column_types(cited, ("source", "quote")) <= {str}


def _fast_table(table: str, records: dict[str, Any], trusted: bool) -> tuple[dict[str, Any], dict[str, int]] | None:
    """The table's items by id and their TinyDB document ids, or None when any
    record is not of the plain shape, is of a wrong type, or repeats an id or a
    document number: then the careful loop builds it and names the problem.
    A trusted store's types were checked when its verdict was given."""
    spec = _FAST_TABLES.get(table)
    if spec is None:
        return None
    build, texts, nullable, lists = spec
    ids: list[str] = []
    try:
        items = build(list(records.values()), ids)
    except (_Irregular, KeyError, TypeError, AttributeError):
        return None
    if not trusted and _wrong_column_type(items, texts, nullable, lists):
        return None
    if not set(map(type, ids)) <= {str}:
        return None
    by_id = dict(zip(ids, items))
    if len(by_id) != len(items) or "" in by_id:
        return None
    try:
        numbers = list(map(int, records))
    except ValueError:
        return None
    if len(set(numbers)) != len(numbers):
        return None
    return by_id, dict(zip(ids, numbers))


def parse_json(raw: bytes, path: Path) -> dict[str, Any]:
    """The file's JSON object, or StoreError saying why it is none."""
    if not raw.strip():
        raise _problem(path, "the file is empty; it is not a Khorasan store")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise _problem(path, "the file is UTF-16; a store is UTF-8 JSON")
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise _problem(path, f"not valid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise _problem(path, "not a TinyDB store: the top level is not an object")
    return doc


def parse_store(
    raw: bytes, path: Path, *, check: bool = True, trusted: bool = False, doc: dict[str, Any] | None = None
) -> StoreData:
    """Turn file bytes into `StoreData`, or raise `StoreError` saying what is wrong.

    With `check` (every command but `validate`, which lists all problems),
    a store breaking any of the rulebook's errors is refused, naming the
    record and the field. `doc`: the bytes as `parse_json` already read them.
    """
    if doc is None:
        doc = parse_json(raw, path)
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
    if not trusted and not _canonical(raw, doc):
        duplicate = _duplicate_key(raw)
        if duplicate:
            raise _problem(path, f"{duplicate}; one of the two would be lost")
    data = StoreData(meta=dict(meta), path=path)
    # Tables another tool added survive a save like unknown fields do.
    data.extra_tables = {name: table for name, table in doc.items() if name not in TABLES and name != META_TABLE}
    for name, table in [(META_TABLE, meta), *data.extra_tables.items()]:
        if _too_deep(table):
            raise _problem(path, f"table {name!r} {_TOO_DEEP}")
    builders = {"actors": Actor.from_dict, "ties": Tie.from_dict, "sources": Source.from_dict}
    for table, build in builders.items():
        records = doc.get(table)
        if not isinstance(records, dict):
            raise _problem(path, f"missing the '{table}' table")
        fast = _fast_table(table, records, trusted)
        if fast is not None:
            items, numbers = fast
            setattr(data, table, items)
            data.doc_ids[table] = numbers
            continue
        target: dict[str, Any] = getattr(data, table)
        doc_ids = data.doc_ids[table]
        keys_seen: dict[int, str] = {}
        for doc_id, record in records.items():
            if not isinstance(record, dict):
                raise _problem(path, f"{table} record {doc_id} is not an object")
            wrong = None if trusted else _wrong_field_type(table, record)
            if wrong:
                raise _problem(path, f"{table} record {doc_id}: {wrong}")
            try:
                item = build(record)
            except (KeyError, TypeError, AttributeError) as exc:
                raise _problem(path, f"{table} record {doc_id} lacks a required field {exc}") from None
            if not isinstance(item.id, str) or not item.id:
                raise _problem(path, f"{table} record {doc_id} has no usable id")
            if not trusted and _unknown_fields_too_deep(item):
                raise _problem(path, f"{table} record {doc_id} {_TOO_DEEP}")
            if item.id in target:
                raise _problem(path, rules.duplicate_id(table, item.id))
            target[item.id] = item
            try:
                number = int(doc_id)
            except ValueError:
                raise _problem(path, f"{table} record key {doc_id!r} is not a TinyDB document id") from None
            # TinyDB turns keys into integers: "1" and "01" would become one
            # record, and the next save would silently drop the other.
            if number in keys_seen:
                raise _problem(
                    path, f"{table} keys {keys_seen[number]!r} and {doc_id!r} are both TinyDB document {number}"
                )
            keys_seen[number] = doc_id
            doc_ids[item.id] = number
    if check and not trusted:
        check_structure(data)
    elif trusted:
        # The verdict covers the store's bytes; where its document paths lead
        # depends on the file system, so that is looked at every time.
        moved = document_path_problems(data)
        if moved:
            raise _problem(path, f"{moved[0].where}: {moved[0].text}")
    return data


def check_structure(data: StoreData) -> None:
    """Refuse a store that breaks any of the rulebook's errors, naming the first."""
    path = data.path or Path("<memory>")
    problems = rules.errors(rules.store_problems(data.actors, data.ties, data.sources))
    problems += document_path_problems(data)
    if problems:
        more = f" (and {len(problems) - 1:,} more; `khorasan validate` lists them)" if len(problems) > 1 else ""
        first = problems[0]
        raise _problem(path, f"{first.where}: {first.text}{more}")


MAX_STORE_BYTES = 8_000_000_000
_SNIFF_ABOVE = 16_000_000
_SNIFF_BYTES = 65_536


def check_store_file(path: Path) -> os.stat_result:
    """Refuse at once, without opening it, anything but a regular file of
    sensible size: a FIFO would hang the reader, /dev/zero fill memory, and a
    writer would put its lock file beside whatever a symlink points to."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise _problem(path, "no such file") from None
    except PermissionError:
        raise _problem(path, "permission denied") from None
    except OSError as exc:
        raise _problem(path, f"cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise _problem(path, "is a directory, not a store file")
    if not stat.S_ISREG(info.st_mode):
        raise _problem(path, "is not a regular file (a pipe, socket or device); a store is a JSON file")
    if info.st_size > MAX_STORE_BYTES:
        raise _problem(path, f"is larger than {MAX_STORE_BYTES:,} bytes")
    return info


def read_store_bytes(path: Path) -> tuple[bytes, os.stat_result]:
    """The store file's bytes, refusing anything but a regular file at once."""
    check_store_file(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except PermissionError:
        raise _problem(path, "permission denied") from None
    except OSError as exc:
        raise _problem(path, f"cannot be read ({exc.strerror or exc})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):  # swapped since the stat; fdopen would raise on a folder
        os.close(fd)
        raise _problem(path, "is not a regular file (a pipe, socket or device); a store is a JSON file")
    with os.fdopen(fd, "rb") as handle:
        try:
            if info.st_size > _SNIFF_ABOVE:
                # A big file that is no JSON object (a sparse file of zeros, a
                # disk image) is refused from its first bytes, not after all of
                # them have filled memory.
                head = handle.read(_SNIFF_BYTES)
                if not head.lstrip().startswith(b"{"):
                    raise _problem(path, "not a TinyDB store: it does not begin with a JSON object")
                raw = head + handle.read()
            else:
                raw = handle.read()
        except OSError as exc:
            raise _problem(path, f"cannot be read ({exc.strerror or exc})") from None
    return raw, info


def load_store(path: str | Path, *, check: bool = True) -> StoreData:
    """Read and check a store once. Raises `StoreError`; never writes.

    `check=False` (for `validate`, which reports every problem) skips the
    rulebook but never the structural checks that make a store usable at all.
    """
    path = Path(path)
    if is_sqlite(path):
        # Read as it is used: the rulebook checked every record on its way in.
        from .sqlstore import open_sqlite

        return open_sqlite(path, check=check)
    raw, info = read_store_bytes(path)
    fingerprint_of = _fingerprint_beside(raw, info)
    collecting = gc.isenabled()
    with gc_paused():
        doc = parse_json(raw, path.absolute())
        fingerprint = fingerprint_of()
        # A file this user's Khorasan checked (or wrote) byte for byte needs no
        # second look: the verdict is kept per content digest and rulebook version.
        # Below a few megabytes checking costs less than consulting the cache.
        cached = check and info.st_size >= _VERDICT_MIN_BYTES
        trusted = cached and _checked_before(path, fingerprint.digest)
        data = parse_store(raw, path.absolute(), check=check, trusted=trusted, doc=doc)
        if collecting:
            # The collector counted every object built meanwhile: re-enabled as
            # it is, its next allocation would walk them all (a quarter of the
            # parse again). freeze() moves them aside in O(1) and resets that
            # count; unfreeze() puts them in the oldest generation, collectable.
            # A caller that paused the collector itself (the app) decides.
            gc.freeze()
            gc.unfreeze()
    data.fingerprint = fingerprint
    if cached and not trusted:
        _remember_checked(path, fingerprint.digest)
    return data


def _fingerprint_beside(raw: bytes, info: os.stat_result) -> Callable[[], Fingerprint]:
    """The file's fingerprint, worked out in a thread while the caller parses
    a big file: blake2b lets go of the GIL, so its half a second on a 300 MB
    store is hidden behind orjson's parse."""
    if len(raw) < _VERDICT_MIN_BYTES:
        fingerprint = Fingerprint.of_bytes(raw, info)
        return lambda: fingerprint
    import threading

    done: list[Fingerprint] = []
    worker = threading.Thread(target=lambda: done.append(Fingerprint.of_bytes(raw, info)), daemon=True)
    worker.start()

    def result() -> Fingerprint:
        worker.join()
        return done[0] if done else Fingerprint.of_bytes(raw, info)

    return result


_VERDICTS_KEPT = 64
_VERDICT_MIN_BYTES = 4_000_000


def _verdict_file() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("khorasan", appauthor=False)) / "checked-stores.json"


def _verdict_key(path: Path, digest: str) -> str:
    return f"{rules.RULES_VERSION}:{os.path.realpath(path)}:{digest}"


def _checked_before(path: Path, digest: str) -> bool:
    try:
        verdicts = orjson.loads(_verdict_file().read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(verdicts, list) and _verdict_key(path, digest) in verdicts


def _remember_checked(path: Path, digest: str) -> None:
    """Record that this content passed the rulebook. The cache lives in the
    user's own cache folder: a store sent by someone else is never trusted."""
    cache = _verdict_file()
    try:
        verdicts = orjson.loads(cache.read_bytes())
        if not isinstance(verdicts, list):
            verdicts = []
    except (OSError, ValueError):
        verdicts = []
    key = _verdict_key(path, digest)
    if key in verdicts:
        return
    verdicts = [v for v in verdicts if isinstance(v, str)][-(_VERDICTS_KEPT - 1) :] + [key]
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(cache, orjson.dumps(verdicts), backup=False)
    except OSError:
        pass  # a cache: without it the next load checks again


def current_fingerprint(path: Path) -> Fingerprint | None:
    try:
        raw, info = read_store_bytes(path)
    except StoreError:
        return None
    return Fingerprint.of_bytes(raw, info)


def changed_since(path: Path, fingerprint: Fingerprint | None) -> bool:
    """Whether the file's content differs from what `fingerprint` recorded.

    Content, not timestamps: a `touch` is no conflict, and two saves within
    one clock tick of the same size are still told apart.
    """
    if fingerprint is None:
        return False
    now = current_fingerprint(path)
    return now is not None and now.digest != fingerprint.digest


def save_store(
    data: StoreData,
    path: str | Path | None = None,
    *,
    check_conflict: bool = True,
    check: bool = True,
    known_valid: bool = False,
) -> None:
    """Write the whole store atomically under a lock.

    With `check_conflict`, refuse (StoreConflict) when the file changed on disk
    since it was read: never silently overwrite another analyst's save. With
    `check`, the whole store is held to the rulebook first; the write path
    (`transaction`) checks only what a change touched, passes False, and
    `known_valid` (the rest was valid when loaded), so the next load of these
    bytes need not check them again.
    """
    from filelock import Timeout

    target = Path(path) if path else data.path
    if target is None:
        raise ValueError("save_store needs a path")
    target = target.absolute()
    if check:
        check_structure(data)
    lock = locked(target)
    try:
        with lock:
            if check_conflict and target == data.path and changed_since(target, data.fingerprint):
                raise StoreConflict(target, "the file was changed by someone else since it was read")
            payload = encode_store(data)
            atomic_write(target, payload)
            remove_crash_leftovers(target)
            data.path = target
            data.fingerprint = Fingerprint.of_bytes(payload, target.stat())
            if (check or known_valid) and len(payload) >= _VERDICT_MIN_BYTES:
                _remember_checked(target, data.fingerprint.digest)
    except Timeout:
        raise StoreError(target, f"another process holds the lock {lock.lock_file}") from None


def remove_crash_leftovers(path: Path) -> int:
    """Delete the temp files that saves of this store killed mid-write left behind.

    Called under the store's lock, after a save: every writer takes that lock,
    so no temp file of this store can belong to a save still in progress.
    """
    real = Path(os.path.realpath(path))
    removed = 0
    try:
        entries = list(os.scandir(real.parent))
    except OSError:
        return 0
    prefix = f".{real.name}."
    for entry in entries:
        middle = entry.name[len(prefix) : -len(".tmp")]
        # A dot in the middle: the temp file of another store whose name begins
        # with this one's ("khorasan.json.old"), guarded by its own lock.
        if entry.name.startswith(prefix) and entry.name.endswith(".tmp") and middle and "." not in middle:
            try:
                if entry.is_file(follow_symlinks=False):
                    os.unlink(entry.path)
                    removed += 1
            except OSError:
                pass
    return removed


def refuse_to_overwrite(target: str | Path, store_path: str | Path | None) -> str | None:
    """Why a command writing `target` (export -o, generate -o) must not: it is
    the open store or its backup, whatever the path or symlink used to name it."""
    if store_path is None:
        return None
    real_target = os.path.realpath(target)
    real_store = os.path.realpath(store_path)
    if real_target == real_store:
        return f"{target} is the open store; write the export somewhere else"
    if real_target == real_store + ".bak":
        return f"{target} is the open store's backup; write the export somewhere else"
    return None


_LOCKS: dict[str, Any] = {}


def locked(path: str | Path):
    """The store's write lock, for read-modify-write cycles across processes.

    Named after the file's real path, so that writers reaching one store
    through different paths or symlinks share one lock. One lock object per
    file and process: filelock's locks are re-entrant per object, so a save
    inside a caller's `with locked(path):` does not deadlock.
    """
    from filelock import FileLock

    key = os.path.realpath(path) + ".lock"
    if key not in _LOCKS:
        _LOCKS[key] = FileLock(key, timeout=LOCK_TIMEOUT_S)
    return _LOCKS[key]


def bundled_store_path() -> Path:
    """The store that ships with Khorasan: `data/` in a checkout, inside the package in a wheel."""
    package = Path(__file__).resolve().parent
    checkout = package.parent / "data" / "khorasan.json"
    if checkout.exists():
        return checkout
    return package / "_bundled_data" / "khorasan.json"


def user_store_path() -> Path:
    """Where the user's own copy of the bundled store lives once they edit it."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("khorasan", appauthor=False)) / "khorasan.json"


def default_store_path() -> Path:
    """The store to open when none is named: $KHORASAN_DB, else the user's
    copy of the bundled store once an edit has made one, else the bundled one."""
    env = os.environ.get("KHORASAN_DB")
    if env:
        return Path(env)
    copy = user_store_path()
    if copy.is_file():
        return copy
    return bundled_store_path()


def is_bundled(path: str | Path) -> bool:
    return os.path.realpath(path) == os.path.realpath(bundled_store_path())


def copy_store(source: Path, target: Path) -> list[Path]:
    """Copy a store and its document texts into `target`'s folder (the bundled
    store is read-only: a reinstall would drop edits made inside the package).
    Returns the files it created, so that a copy made for an edit that then
    fails can be taken back. Call it under `locked(target)`."""
    source, target = Path(source), Path(target)
    data = load_store(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    created = copy_documents(data, target.parent).copied
    atomic_write(target, source.read_bytes(), backup=False)
    created.append(target)
    return created


@dataclass
class CopiedDocuments:
    """What `copy_documents` did, document by document (ids)."""

    copied: list[Path] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)  # the same text was in the folder
    differ: list[str] = field(default_factory=list)  # another text of that name is there: left alone
    missing: list[str] = field(default_factory=list)  # no text file beside the original store
    refused: dict[str, str] = field(default_factory=dict)  # id -> why it was not read (a path out, not UTF-8...)


def copy_documents(data: StoreData, folder: Path, progress: Callable[[int], None] | None = None) -> CopiedDocuments:
    """Copy the text files of `data`'s documents from the store's folder into
    `folder` under the same relative paths, so a copy of the store elsewhere
    reads the same texts. Never writes over a file, never reads outside the
    store's folder (the documents' own checks), never writes outside `folder`."""
    from .documents import DocumentRefused, read_document

    report = CopiedDocuments()
    folder = Path(folder)
    real_folder = os.path.realpath(folder)
    if real_folder == os.path.realpath(data.folder):
        return report
    for doc in data.sources.values():
        if progress is not None:
            progress(1)
        if not doc.path:
            continue
        if not os.path.lexists(data.folder / doc.path):
            report.missing.append(doc.id)
            continue
        try:
            text = read_document(data, doc)
        except DocumentRefused as exc:
            report.refused[doc.id] = str(exc)
            continue
        except OSError as exc:
            report.refused[doc.id] = f"document {doc.id}: {exc.strerror or exc}"
            continue
        payload = (text or "").encode("utf-8")
        destination = folder / doc.path
        destination.parent.mkdir(parents=True, exist_ok=True)
        if os.path.commonpath([real_folder, os.path.realpath(destination.parent)]) != real_folder:
            report.refused[doc.id] = f"document {doc.id}: {doc.path!r} would leave {folder} (a symlink there)"
            continue
        if os.path.lexists(destination):
            try:
                same = destination.is_file() and destination.read_bytes() == payload
            except OSError:
                same = False
            (report.already_there if same else report.differ).append(doc.id)
            continue
        atomic_write(destination, payload, backup=False, follow_symlinks=False)
        report.copied.append(destination)
    return report
