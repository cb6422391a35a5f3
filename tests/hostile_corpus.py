"""A corpus of malformed and hostile stores and CSV files.

A store is untrusted input: whatever one holds, no command may read a file
outside its folder, run anything, hang, exhaust memory, crash with a
traceback or print a control character. `tests/test_hostile_corpus.py` runs
every command over what this writes. Run it by hand to look at the files:

    python tests/hostile_corpus.py OUT_FOLDER

Each store is a folder `OUT_FOLDER/stores/<case>/` with `khorasan.json` (or a
FIFO, a symlink, a directory in its place) and, where the case needs it,
`sources/`. The CSV files go to `OUT_FOLDER/csv/`.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__:
    from .store_writer import DOC_ID, DOC_TEXT, small_store_data
else:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.store_writer import DOC_ID, DOC_TEXT, small_store_data

STORE = "khorasan.json"
LOADS = "loads"  # every command can open it
REFUSED = "refused"  # every command that opens it exits 2 naming the problem
VALIDATE_ONLY = "validate-only"  # refused at load; `validate` opens it and lists the problems


@dataclass(frozen=True)
class StoreCase:
    name: str
    expect: str
    path: Path  # what --db names
    skip: str = ""  # why this case cannot be exercised here ("" when it can)


def base_doc() -> dict[str, Any]:
    """The small valid store of the edit tests, as the JSON document it saves."""
    from khorasan_tui.store import encode_store

    return json.loads(encode_store(small_store_data()))


def _first(doc: dict[str, Any], table: str) -> dict[str, Any]:
    return next(iter(doc[table].values()))


def _actor(doc: dict[str, Any], actor_id: str = "iskp") -> dict[str, Any]:
    return next(r for r in doc["actors"].values() if r["id"] == actor_id)


def _tie(doc: dict[str, Any]) -> dict[str, Any]:
    return _first(doc, "ties")


def _source(doc: dict[str, Any]) -> dict[str, Any]:
    return _first(doc, "sources")


def _set(getter: Callable[[dict], dict], key: str, value: Any) -> Callable[[dict], None]:
    def change(doc: dict) -> None:
        getter(doc)[key] = value

    return change


# Wrong JSON types for every field of every table.
_WRONG_TYPES: list[tuple[str, Callable[[dict], dict], str, Any]] = [
    ("actor-id-int", _actor, "id", 7),
    ("actor-name-int", _actor, "name", 42),
    ("actor-name-list", _actor, "name", ["a", "b"]),
    ("actor-name-object", _actor, "name", {"text": "x"}),
    ("actor-kind-null", _actor, "kind", None),
    ("actor-kind-unknown", _actor, "kind", "dragon"),
    ("actor-aliases-string", _actor, "aliases", "ISKP"),
    ("actor-aliases-ints", _actor, "aliases", [1, 2]),
    ("actor-summary-object", _actor, "summary", {"a": 1}),
    ("actor-founded-int", _actor, "founded", 2015),
    ("actor-founded-bad-date", _actor, "founded", "2015-13-45"),
    ("actor-citations-object", _actor, "citations", {"source": DOC_ID, "quote": "x"}),
    ("actor-citation-string", _actor, "citations", ["a quote"]),
    ("actor-citation-source-int", _actor, "citations", [{"source": 1, "quote": "x"}]),
    (
        "actor-citation-credibility-text",
        _actor,
        "citations",
        [{"source": DOC_ID, "quote": "ISKP", "credibility": "high"}],
    ),
    ("actor-merged-ids-string", _actor, "merged_ids", "old"),
    ("actor-duplicate-of-itself", _actor, "possible_duplicate_of", "iskp"),
    ("actor-duplicate-of-int", _actor, "possible_duplicate_of", 3),
    ("tie-id-int", _tie, "id", 5),
    ("tie-type-unknown", _tie, "type", "loves"),
    ("tie-type-list", _tie, "type", ["leads"]),
    ("tie-source-int", _tie, "source", 1),
    ("tie-target-null", _tie, "target", None),
    ("tie-target-missing-actor", _tie, "target", "nobody"),
    ("tie-status-list", _tie, "status", ["reported"]),
    ("tie-claimant-int", _tie, "claimant", 9),
    ("tie-claimant-missing-actor", _tie, "claimant", "nobody"),
    ("tie-start-int", _tie, "start", 2020),
    ("tie-start-after-end", _tie, "end", "2001"),
    ("tie-role-object", _tie, "role", {"x": 1}),
    ("tie-citations-empty", _tie, "citations", []),
    ("tie-citations-string", _tie, "citations", "quote"),
    ("tie-citation-unknown-document", _tie, "citations", [{"source": "nowhere", "quote": "x"}]),
    ("tie-citation-quote-null", _tie, "citations", [{"source": DOC_ID, "quote": None}]),
    ("source-title-int", _source, "title", 3),
    ("source-title-empty", _source, "title", ""),
    ("source-path-int", _source, "path", 1),
    ("source-path-list", _source, "path", ["sources"]),
    ("source-grade-int", _source, "grade", 5),
    ("source-published-bool", _source, "published", True),
    ("meta-name-int", lambda d: _first(d, "meta"), "name", 12),
    ("meta-name-object", lambda d: _first(d, "meta"), "name", {"a": 1}),
    ("meta-schema-string", lambda d: _first(d, "meta"), "schema_version", "1"),
    ("meta-schema-future", lambda d: _first(d, "meta"), "schema_version", 99),
]

# Hostile strings in names and ids: markup stays literal; control and
# invisible characters and oversized strings are refused at load.
_ESC = "\x1b[2J\x1b]0;pwned\x07"
_HOSTILE_TEXT: list[tuple[str, Callable[[dict], dict], str, Any, str]] = [
    ("name-markup-click", _actor, "name", "[@click=app.quit]quit[/]", LOADS),
    ("name-markup-rich", _actor, "name", "[bold red]x[/] [link=file:///etc/passwd]y[/link]", LOADS),
    ("name-escape-sequences", _actor, "name", f"ISKP{_ESC}", VALIDATE_ONLY),
    ("name-c1-csi", _actor, "name", "ISKP\x9b31m", VALIDATE_ONLY),
    ("name-bidi-override", _actor, "name", "ISKP\u202egnp.exe", VALIDATE_ONLY),
    ("name-zero-width", _actor, "name", "IS\u200bKP", VALIDATE_ONLY),
    ("name-100k-characters", _actor, "name", "A" * 100_000, VALIDATE_ONLY),
    ("name-newline", _actor, "name", "ISKP\nfake: line", VALIDATE_ONLY),
    ("name-empty", _actor, "name", "", VALIDATE_ONLY),
    ("name-null", _actor, "name", None, REFUSED),
    ("name-blank", _actor, "name", "   ", VALIDATE_ONLY),
    ("name-punctuation-only", _actor, "name", "!!!", LOADS),
    ("alias-escape", _actor, "aliases", ["IS\x1b[31mK"], VALIDATE_ONLY),
    ("aliases-10k", _actor, "aliases", [f"alias {n}" for n in range(10_000)], VALIDATE_ONLY),
    ("summary-escape", _actor, "summary", f"text{_ESC}", VALIDATE_ONLY),
    ("actor-id-markup", _actor, "id", "[@click=app.quit]", VALIDATE_ONLY),
    ("actor-id-escape", _actor, "id", "iskp\x1b[31m", VALIDATE_ONLY),
    ("actor-id-bidi", _actor, "id", "iskp\u202e", VALIDATE_ONLY),
    ("actor-id-traversal", _actor, "id", "../../etc/passwd", VALIDATE_ONLY),
    ("actor-id-100k", _actor, "id", "a" * 100_000, VALIDATE_ONLY),
    ("tie-id-traversal", _tie, "id", "../../../tmp/x", VALIDATE_ONLY),
    ("tie-id-escape", _tie, "id", "t\x1b]0;x\x07", VALIDATE_ONLY),
    ("tie-quote-escape", _tie, "citations", [{"source": DOC_ID, "quote": f"head {_ESC}"}], VALIDATE_ONLY),
    ("tie-role-bidi", _tie, "role", "head\u2067", VALIDATE_ONLY),
    ("source-id-traversal", _source, "id", "../../etc/passwd", VALIDATE_ONLY),
    ("source-title-escape", _source, "title", f"report{_ESC}", VALIDATE_ONLY),
    ("source-title-markup", _source, "title", "[@click=app.quit]report[/]", LOADS),
    ("meta-name-escape", lambda d: _first(d, "meta"), "name", f"store{_ESC}\u202e\u200b\x85", LOADS),
]


def _self_tie(doc: dict) -> None:
    _tie(doc)["target"] = _tie(doc)["source"]


def _extra_fields(doc: dict) -> None:
    doc["extra_table"] = {"1": {"anything": [1, 2, {"x": None}]}}
    _first(doc, "meta")["future_setting"] = {"nested": [True, None, 1.5]}
    _actor(doc)["x_extension"] = {"score": 3, "tags": ["a", "b"]}
    _tie(doc)["x_weight"] = 0.25
    _source(doc)["x_archive"] = "https://example.org/a"
    _tie(doc)["citations"][0]["x_page"] = 12


def _extra_field_with_controls(doc: dict) -> None:
    _actor(doc)["x_note"] = f"{_ESC}\u202e\u200b\x85 hidden"


def _deep_extra(depth: int) -> Callable[[dict], None]:
    def change(doc: dict) -> None:
        value: Any = "bottom"
        for _ in range(depth):
            value = [value]
        _actor(doc)["x_deep"] = value

    return change


def _lone_surrogate_extra(doc: dict) -> None:
    _actor(doc)["x_note"] = "\ud800"


def _many_citations(doc: dict) -> None:
    _actor(doc)["citations"] = [{"source": DOC_ID, "quote": "ISKP"}] * 5_000


_MUTATIONS: list[tuple[str, Callable[[dict], None], str]] = [
    ("self-tie", _self_tie, VALIDATE_ONLY),
    ("extra-unknown-fields", _extra_fields, LOADS),
    ("extra-field-with-controls", _extra_field_with_controls, LOADS),
    ("deep-nesting-50", _deep_extra(50), LOADS),
    ("deep-nesting-500", _deep_extra(500), REFUSED),  # orjson reads 1,024 levels but writes only 254
    ("lone-surrogate-in-extra-field", _lone_surrogate_extra, REFUSED),
    ("citations-5000", _many_citations, VALIDATE_ONLY),
]

# Document paths: none of them may ever be opened.
_SOURCE_PATHS: list[tuple[str, str, str]] = [
    ("source-path-etc-passwd", "/etc/passwd", VALIDATE_ONLY),
    ("source-path-traversal", "../../../../etc/passwd", VALIDATE_ONLY),
    ("source-path-backslash-traversal", "..\\..\\..\\etc\\passwd", VALIDATE_ONLY),
    ("source-path-home", "~/.bashrc", VALIDATE_ONLY),
    ("source-path-dev-zero", "/dev/zero", VALIDATE_ONLY),
    ("source-path-proc", "/proc/self/environ", VALIDATE_ONLY),
    ("source-path-fifo", "sources/fifo", LOADS),
    ("source-path-symlink-dev-zero", "sources/zero", VALIDATE_ONLY),
    ("source-path-symlink-outside", "sources/passwd", VALIDATE_ONLY),
    ("source-path-symlinked-folder", "escape/passwd", VALIDATE_ONLY),
    ("source-path-directory", "sources", LOADS),
    ("source-path-missing", "sources/missing.txt", LOADS),
    ("source-path-not-utf8", "sources/latin1.txt", LOADS),
    ("source-path-huge-sparse", "sources/huge.txt", LOADS),
]


def _raw_cases(valid: bytes) -> list[tuple[str, bytes, str]]:
    text = valid.decode("utf-8")
    first_key = text.index('"1": {', text.index('"actors"'))
    actor_block_end = text.index("\n    },", first_key) + len("\n    },")
    actor_block = text[first_key:actor_block_end]
    deep = '{"meta": {"1": {"schema_version": 1}}, "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    return [
        ("truncated", valid[: len(valid) // 2], REFUSED),
        ("truncated-one-byte", valid[:-3], REFUSED),
        ("empty-file", b"", REFUSED),
        ("whitespace-only", b" \n\t\n", REFUSED),
        ("top-level-list", b"[]", REFUSED),
        ("top-level-string", b'"khorasan"', REFUSED),
        ("top-level-null", b"null", REFUSED),
        ("no-meta", b'{"actors": {}, "ties": {}, "sources": {}}', REFUSED),
        ("meta-empty", b'{"meta": {}, "actors": {}, "ties": {}, "sources": {}}', REFUSED),
        ("meta-record-list", b'{"meta": {"1": []}, "actors": {}, "ties": {}, "sources": {}}', REFUSED),
        ("tables-missing", b'{"meta": {"1": {"schema_version": 1}}}', REFUSED),
        (
            "actors-table-list",
            b'{"meta": {"1": {"schema_version": 1}}, "actors": [], "ties": {}, "sources": {}}',
            REFUSED,
        ),
        (
            "actor-record-string",
            b'{"meta": {"1": {"schema_version": 1}}, "actors": {"1": "iskp"}, "ties": {}, "sources": {}}',
            REFUSED,
        ),
        (
            "actor-without-id",
            b'{"meta": {"1": {"schema_version": 1}}, "actors": {"1": {"name": "x", "kind": "group"}}, "ties": {}, "sources": {}}',
            REFUSED,
        ),
        ("nan", text.replace('"founded": "2015-01"', '"founded": NaN').encode(), REFUSED),
        ("infinity-1e999", text.replace('"schema_version": 1', '"schema_version": 1e999').encode(), REFUSED),
        ("minus-infinity", text.replace('"founded": "2015-01"', '"founded": -Infinity').encode(), REFUSED),
        (
            "big-number-as-credibility",
            text.replace(
                '"quote": "Islamic State-Khorasan (ISKP) was founded in January 2015."',
                '"quote": "Islamic State-Khorasan (ISKP) was founded in January 2015.", "credibility": 1' + "0" * 5000,
                1,
            ).encode(),
            REFUSED,
        ),
        ("deep-nesting-100k", deep.encode(), REFUSED),
        (
            "duplicate-key-in-record",
            text.replace('"kind": "group"', '"kind": "group", "kind": "person"', 1).encode(),
            REFUSED,
        ),
        (
            "duplicate-table-key",
            text.replace(
                actor_block,
                actor_block
                + "\n    "
                + actor_block.replace('"iskp"', '"iskp-2"')
                .replace('"Islamic State-Khorasan"', '"Other"')
                .replace('"ISKP", "IS-K"', ""),
                1,
            ).encode(),
            REFUSED,
        ),
        (
            "colliding-table-keys-1-01",
            text.replace(
                actor_block,
                actor_block
                + "\n    "
                + actor_block.replace('"1": {', '"01": {', 1)
                .replace('"iskp"', '"iskp-2"')
                .replace('"Islamic State-Khorasan"', '"Other"')
                .replace('"ISKP",', "")
                .replace('"IS-K"', ""),
                1,
            ).encode(),
            REFUSED,
        ),
        ("table-key-not-a-number", text.replace('"1": {', '"one": {', 2).encode(), REFUSED),
        (
            "table-key-arabic-digit",
            text.replace(
                actor_block,
                actor_block
                + "\n    "
                + actor_block.replace('"1": {', '"\u0661": {', 1)
                .replace('"iskp"', '"iskp-2"')
                .replace('"Islamic State-Khorasan"', '"Other"')
                .replace('"ISKP",', "")
                .replace('"IS-K"', ""),
                1,
            ).encode(),
            REFUSED,
        ),
        ("not-utf8", valid.replace(b"Islamic State-Khorasan", b"Islamic State-Khor\xe1s\xe1n", 1), REFUSED),
        ("utf16-le-bom", b"\xff\xfe" + text.encode("utf-16-le"), REFUSED),
        ("utf16-be-bom", b"\xfe\xff" + text.encode("utf-16-be"), REFUSED),
        ("utf16-le-no-bom", text.encode("utf-16-le"), REFUSED),
        ("utf16-be-no-bom", text.encode("utf-16-be"), REFUSED),
        ("utf8-bom", b"\xef\xbb\xbf" + valid, REFUSED),
        (
            "lone-surrogate-name",
            text.replace('"Islamic State-Khorasan"', '"Islamic \\ud800State"', 1).encode(),
            REFUSED,
        ),
        ("lone-low-surrogate-alias", text.replace('"ISKP"', '"IS\\udc00KP"', 1).encode(), REFUSED),
        (
            "nul-escaped-in-name",
            text.replace('"Islamic State-Khorasan"', '"Islamic\\u0000State"', 1).encode(),
            VALIDATE_ONLY,
        ),
        ("raw-control-bytes", text.replace('"Islamic State-Khorasan"', '"Islamic\x1bState"', 1).encode(), REFUSED),
        ("binary-garbage", bytes(range(256)) * 64, REFUSED),
    ]


def _write_sources(folder: Path) -> None:
    (folder / "sources").mkdir(parents=True, exist_ok=True)
    (folder / "sources" / f"{DOC_ID}.txt").write_text(DOC_TEXT, encoding="utf-8")


def _write_store(folder: Path, payload: bytes) -> Path:
    _write_sources(folder)
    path = folder / STORE
    path.write_bytes(payload)
    return path


def _encode(doc: dict) -> bytes:
    # json, not orjson: a lone surrogate must be written as its escape.
    return json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _source_path_case(folder: Path, outside: Path, doc: dict, path_value: str) -> Path:
    _write_sources(folder)
    sources = folder / "sources"
    special = {
        "sources/fifo": lambda: os.mkfifo(sources / "fifo"),
        "sources/zero": lambda: os.symlink("/dev/zero", sources / "zero"),
        "sources/passwd": lambda: os.symlink(outside / "secret.txt", sources / "passwd"),
        "escape/passwd": lambda: os.symlink(outside, folder / "escape"),
        "sources/latin1.txt": lambda: (sources / "latin1.txt").write_bytes(DOC_TEXT.encode("utf-8") + b"\xe1\xff"),
        "sources/huge.txt": lambda: os.truncate(_touch(sources / "huge.txt"), 64_000_000),
    }
    if path_value in special:
        special[path_value]()
    _source(doc)["path"] = path_value
    return _write_store(folder, _encode(doc))


def write_case(folder: Path, change: Callable[[dict], None]) -> Path:
    """One store: the valid one with `change` made to its JSON document."""
    doc = base_doc()
    change(doc)
    return _write_store(folder, _encode(doc))


def _touch(path: Path) -> Path:
    path.touch()
    return path


# Cases where --db names something other than a JSON file.
SPECIAL_STORES = [
    "store-is-fifo",
    "store-symlink-dev-zero",
    "store-is-directory",
    "store-symlink-dangling",
    "store-symlink-loop",
    "store-symlink-to-store",
    "store-unreadable",
    "store-sparse-6gb",
    "store-sparse-9gb",
]

# Files a writer keeps beside the store: the undo journal, the lock, the backup.
# A folder from someone else may hold anything under those names.
_JOURNAL = f".{STORE}.journal"
_SIDE_FILES: list[tuple[str, str, str]] = [
    ("journal-fifo", _JOURNAL, "fifo"),
    ("journal-symlink-dev-zero", _JOURNAL, "dev-zero"),
    ("journal-symlink-outside", _JOURNAL, "outside"),
    ("journal-directory", _JOURNAL, "directory"),
    ("journal-huge-sparse", _JOURNAL, "huge"),
    ("journal-not-a-list", _JOURNAL, '{"changes": 1}'),
    ("journal-garbage-entries", _JOURNAL, '[{"description": 5}, [], null, {"changes": [{"table": "actors"}]}]'),
    (
        "journal-hostile-entry",
        _JOURNAL,
        (
            '[{"description": "x\\u001b[2J\\u202e", "changes": [{"table": "actors", '
            '"key": "../../etc/passwd", "before": null, "after": {"id": 1}}]}]'
        ),
    ),
    ("lock-symlink-outside", f"{STORE}.lock", "outside"),
    ("lock-fifo", f"{STORE}.lock", "fifo"),
    ("lock-directory", f"{STORE}.lock", "directory"),
    ("backup-symlink-outside", f"{STORE}.bak", "outside"),
]


def _side_file(path: Path, what: str, outside: Path) -> None:
    if what == "fifo":
        os.mkfifo(path)
    elif what == "dev-zero":
        os.symlink("/dev/zero", path)
    elif what == "outside":
        os.symlink(outside / "victim.txt", path)
    elif what == "directory":
        path.mkdir()
    elif what == "huge":
        os.truncate(_touch(path), 4_000_000_000)
    else:
        path.write_text(what, encoding="utf-8")


def store_case_names() -> list[str]:
    """The names `generate_stores` writes, in its order, without writing anything."""
    names = ["valid"] + [name for name, _, _ in _raw_cases(_encode(base_doc()))]
    for table in (_WRONG_TYPES, _HOSTILE_TEXT, _MUTATIONS, _SOURCE_PATHS):
        names += [entry[0] for entry in table]
    return names + SPECIAL_STORES + [name for name, _, _ in _SIDE_FILES]


def generate_stores(root: Path) -> list[StoreCase]:
    """Write every store case under `root`; returns them in a stable order."""
    root.mkdir(parents=True, exist_ok=True)
    outside = root / "outside"  # a folder no store may read from
    outside.mkdir(exist_ok=True)
    (outside / "secret.txt").write_text("root:x:0:0:root:/root:/bin/bash\n" + DOC_TEXT, encoding="utf-8")
    valid_doc = base_doc()
    valid = _encode(valid_doc)
    cases: list[StoreCase] = []

    def folder_for(name: str) -> Path:
        folder = root / name
        folder.mkdir()
        return folder

    cases.append(StoreCase("valid", LOADS, _write_store(folder_for("valid"), valid)))
    for name, payload, expect in _raw_cases(valid):
        cases.append(StoreCase(name, expect, _write_store(folder_for(name), payload)))
    for name, getter, key, value in _WRONG_TYPES:
        doc = copy.deepcopy(valid_doc)
        _set(getter, key, value)(doc)
        cases.append(StoreCase(name, _wrong_type_expectation(name), _write_store(folder_for(name), _encode(doc))))
    for name, getter, key, value, expect in _HOSTILE_TEXT:
        doc = copy.deepcopy(valid_doc)
        _set(getter, key, value)(doc)
        cases.append(StoreCase(name, expect, _write_store(folder_for(name), _encode(doc))))
    for name, change, expect in _MUTATIONS:
        doc = copy.deepcopy(valid_doc)
        change(doc)
        cases.append(StoreCase(name, expect, _write_store(folder_for(name), _encode(doc))))
    for name, path_value, expect in _SOURCE_PATHS:
        path = _source_path_case(folder_for(name), outside, copy.deepcopy(valid_doc), path_value)
        cases.append(StoreCase(name, expect, path))

    # What --db names is not a store file.
    folder = folder_for("store-is-fifo")
    _write_sources(folder)
    os.mkfifo(folder / STORE)
    cases.append(StoreCase("store-is-fifo", REFUSED, folder / STORE))
    folder = folder_for("store-symlink-dev-zero")
    _write_sources(folder)
    os.symlink("/dev/zero", folder / STORE)
    cases.append(StoreCase("store-symlink-dev-zero", REFUSED, folder / STORE))
    folder = folder_for("store-is-directory")
    _write_sources(folder)
    (folder / STORE).mkdir()
    cases.append(StoreCase("store-is-directory", REFUSED, folder / STORE))
    folder = folder_for("store-symlink-dangling")
    os.symlink(folder / "nowhere.json", folder / STORE)
    cases.append(StoreCase("store-symlink-dangling", REFUSED, folder / STORE))
    folder = folder_for("store-symlink-loop")
    os.symlink(folder / STORE, folder / STORE)
    cases.append(StoreCase("store-symlink-loop", REFUSED, folder / STORE))
    # A symlink to a good store in another folder: it opens, and its documents
    # are looked up beside the link (the folder the user named).
    folder = folder_for("store-symlink-to-store")
    _write_sources(folder)
    os.symlink(root / "valid" / STORE, folder / STORE)
    cases.append(StoreCase("store-symlink-to-store", LOADS, folder / STORE))
    folder = folder_for("store-unreadable")
    path = _write_store(folder, valid)
    path.chmod(0)
    skip = ""
    if os.access(path, os.R_OK):
        skip = "running as root (or with CAP_DAC_OVERRIDE): chmod 000 does not deny reads"
    cases.append(StoreCase("store-unreadable", REFUSED, path, skip))
    for name, size in (("store-sparse-6gb", 6_000_000_000), ("store-sparse-9gb", 9_000_000_000)):
        folder = folder_for(name)  # zeros that take no disk space: below and above the size limit
        _write_sources(folder)
        os.truncate(_touch(folder / STORE), size)
        cases.append(StoreCase(name, REFUSED, folder / STORE))
    (outside / "victim.txt").write_text("a file outside every store's folder\n", encoding="utf-8")
    for name, file_name, what in _SIDE_FILES:
        folder = folder_for(name)
        path = _write_store(folder, valid)
        _side_file(folder / file_name, what, outside)
        cases.append(StoreCase(name, LOADS, path))
    return cases


def _wrong_type_expectation(name: str) -> str:
    # A wrong JSON type makes the record unusable: refused at load, even by
    # validate. A right type with a wrong value breaks a rule: validate lists it.
    rule_breaks = {
        "actor-kind-unknown",
        "actor-founded-bad-date",
        "actor-citation-credibility-text",
        "actor-duplicate-of-itself",
        "tie-type-unknown",
        "tie-target-missing-actor",
        "tie-claimant-missing-actor",
        "tie-start-after-end",
        "tie-citations-empty",
        "tie-citation-unknown-document",
    }
    if name in rule_breaks:
        return VALIDATE_ONLY
    if name in ("source-title-empty", "meta-name-int", "meta-name-object"):
        return LOADS  # a document without a title shows its id; the store's name is only shown
    return REFUSED


# -- CSV files for `khorasan import csv` ------------------------------------------------------

_HEADER = "source,target,type,status,quote\n"


def _rows(*rows: str) -> str:
    return _HEADER + "".join(row + "\n" for row in rows)


def csv_cases() -> dict[str, bytes]:
    """File name -> bytes of each hostile CSV."""
    good = "Nangarhar Shura,Islamic State-Khorasan,allied_with,reported,they are allied"
    latin = _rows("Kh\xe1lid Group,Islamic State-Khorasan,allied_with,reported,q")
    return {
        "formulas.csv": _rows(
            "=cmd|' /C calc'!A0,Islamic State-Khorasan,allied_with,reported,=HYPERLINK(\"http://x\")",
            "+1+1,@SUM(A1),allied_with,reported,-2+3",
            "\t=1+1,\r=2,allied_with,reported,q",
        ).encode(),
        "unbalanced-quotes.csv": (
            _HEADER + '"Nangarhar Shura,Islamic State-Khorasan,allied_with,reported,"q\n' + good + "\n"
        ).encode(),
        "controls.csv": _rows(
            "Evil\x1b[2J\x07Group,Islamic State-Khorasan,allied_with,reported,q\x1b]0;x\x07",
            "Nul\x00Group,Islamic State-Khorasan,allied_with,reported,q",
            "C1\x9bGroup,Islamic State-Khorasan,allied_with,reported,q",
        ).encode(),
        "utf16-le-bom.csv": b"\xff\xfe" + _rows(good).encode("utf-16-le"),
        "utf16-be-bom.csv": b"\xfe\xff" + _rows(good).encode("utf-16-be"),
        "utf16-le-no-bom.csv": _rows(good).encode("utf-16-le"),
        "utf8-bom.csv": b"\xef\xbb\xbf" + _rows(good).encode(),
        "latin1.csv": latin.encode("latin-1"),
        "huge-field.csv": _rows(f"{'A' * 200_000},Islamic State-Khorasan,allied_with,reported,q").encode(),
        "huge-quote.csv": _rows(
            f'Nangarhar Shura,Islamic State-Khorasan,allied_with,reported,"{"q" * 2_000_000}"'
        ).encode(),
        "invisible.csv": _rows(
            "Nangar\u200bhar\u202e Shura,Islamic State-Khorasan,allied_with,reported,q",
            "\ufeffZero\u2060Width,I\u200dSKP,allied_with,reported,q",
        ).encode(),
        "markup.csv": _rows(
            "[@click=app.quit]x[/],[bold]ISKP[/],allied_with,reported,[link=file:///etc/passwd]q[/]"
        ).encode(),
        "crlf.csv": _rows(good).replace("\n", "\r\n").encode(),
        "cr-only.csv": _rows(good).replace("\n", "\r").encode(),
        "header-only.csv": _HEADER.encode(),
        "empty.csv": b"",
        "binary-garbage.csv": bytes(range(256)) * 200,
        "ten-thousand-columns.csv": (
            ",".join(f"c{n}" for n in range(10_000)) + "\n" + ",".join("x" for _ in range(10_000)) + "\n"
        ).encode(),
        "newline-in-name.csv": _rows('"Nangarhar\nShura",Islamic State-Khorasan,allied_with,reported,q').encode(),
        "self-tie.csv": _rows("Islamic State-Khorasan,ISKP,allied_with,reported,q").encode(),
        "traversal-names.csv": _rows("../../etc/passwd,/dev/zero,allied_with,reported,q").encode(),
        "long-name.csv": _rows(f"{'N' * 100_000},Islamic State-Khorasan,allied_with,reported,q").encode(),
        "semicolons.csv": _rows(good).replace(",", ";").encode(),
        "unknown-vocabulary.csv": _rows("Nangarhar Shura,Islamic State-Khorasan,loves,certain,q").encode(),
        "many-rows.csv": (
            _HEADER + "".join(f"Group {n},Islamic State-Khorasan,allied_with,reported,q{n}\n" for n in range(500))
        ).encode(),
        "evil\x1b[31mname\u202e.csv": _rows(good).encode(),
    }


def generate_csvs(root: Path) -> list[Path]:
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, payload in csv_cases().items():
        path = root / name
        path.write_bytes(payload)
        paths.append(path)
    return paths


def generate(root: Path) -> tuple[list[StoreCase], list[Path]]:
    return generate_stores(root / "stores"), generate_csvs(root / "csv")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/hostile_corpus.py OUT_FOLDER")
    out = Path(sys.argv[1])
    if out.exists():
        shutil.rmtree(out)
    stores, csvs = generate(out)
    print(f"{len(stores)} stores in {out / 'stores'}, {len(csvs)} CSV files in {out / 'csv'}")
