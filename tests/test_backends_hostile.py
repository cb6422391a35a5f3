"""The contract both backends keep, part 6: hostile input.

Every store of the hostile corpus (tests/hostile_corpus.py) that loads is also
converted to SQLite beside it, and every command runs on both: the same exit
code, the same output, the same store after, and the corpus's safety checks
(no traceback, no control character printed, no file opened outside the
store's folder). Then SQLite's own hostile files: a database that is not a
store, a truncated or garbled one, and records written straight into the file
that the rulebook refuses.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from khorasan_tui.documents import DocumentRefused, read_document
from khorasan_tui.sqlstore import write_sqlite
from khorasan_tui.store import StoreError, encode_store, load_store

from . import hostile_corpus
from . import test_hostile_corpus as corpus_runs
from .backends import normalise, store_bytes, to_sqlite
from .hostile_corpus import LOADS, VALIDATE_ONLY
from .store_writer import DOC_ID, make_store

# The corpus's audit hook, shared (one per process).
watch = corpus_runs.watch


def _expectations() -> dict[str, str]:
    """What the JSON store does with each corpus case, by name, without writing it."""
    hc = hostile_corpus
    expect = {"valid": LOADS, "store-symlink-to-store": LOADS}
    expect.update({name: e for name, _, e in hc._raw_cases(hc._encode(hc.base_doc()))})
    expect.update({name: hc._wrong_type_expectation(name) for name, *_ in hc._WRONG_TYPES})
    expect.update({entry[0]: entry[-1] for entry in hc._HOSTILE_TEXT})
    expect.update({name: e for name, _, e in hc._MUTATIONS})
    expect.update({name: e for name, _, e in hc._SOURCE_PATHS})
    expect.update({name: LOADS for name, _, _ in hc._SIDE_FILES})
    return expect


EXPECT = _expectations()
LOADING = [name for name, e in EXPECT.items() if e == LOADS]
CHECKED_ONLY_BY_VALIDATE = [name for name, e in EXPECT.items() if e == VALIDATE_ONLY]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, tuple[hostile_corpus.StoreCase, Path]]:
    """Each corpus case that loads (or that `validate` reads) with the path of
    its SQLite twin beside it, sharing its documents and its side files. A case
    that loads is converted by its test (an earlier test may have edited it)."""
    root = tmp_path_factory.mktemp("hostile-backends")
    cases = {case.name: case for case in hostile_corpus.generate_stores(root)}
    side_files = {name: (file_name, what) for name, file_name, what in hostile_corpus._SIDE_FILES}
    converted = {}
    for name in LOADING + CHECKED_ONLY_BY_VALIDATE:
        case = cases[name]
        if case.skip:
            continue
        target = case.path.with_name("khorasan.sqlite")
        if name in CHECKED_ONLY_BY_VALIDATE:
            write_sqlite(load_store(case.path, check=False), target)
        if name in side_files:
            file_name, what = side_files[name]
            hostile_corpus._side_file(
                target.with_name(file_name.replace("khorasan.json", target.name)), what, root / "outside"
            )
        converted[name] = (case, target)
    return converted


def _allowed(case: hostile_corpus.StoreCase, tmp_path: Path) -> list[Path]:
    allowed = [case.path.parent, tmp_path]
    if case.path.is_symlink() and os.path.isfile(case.path):
        allowed.append(Path(os.path.realpath(case.path)).parent)
    return allowed


def _as_json(path: Path) -> bytes:
    """Either store as the JSON file it would be (the corpus writes its JSON with `json.dumps`)."""
    if path.suffix == ".sqlite":
        return store_bytes(path)
    return encode_store(load_store(path))


@pytest.mark.parametrize("name", LOADING)
def test_every_command_does_the_same_on_a_hostile_store_in_both_backends(name, corpus, watch, tmp_path):
    case, sql_path = corpus[name]
    # Converted now: the store a symlink case points to was edited by an earlier case.
    write_sqlite(load_store(case.path), sql_path)
    stores = (case.path, sql_path)
    allowed = _allowed(case, tmp_path)
    assert _as_json(sql_path) == _as_json(case.path), "converted record for record"
    held = _as_json(case.path)
    for argv in corpus_runs.read_commands(tmp_path) + corpus_runs.WRITE_COMMANDS:
        runs = []
        for db in stores:
            run = corpus_runs.run_cli(watch, [*argv, "--db", str(db)], allowed)
            corpus_runs.check_run(run)
            assert run.code in corpus_runs._expected_codes(case, argv), f"{db.name}: {run.describe()}"
            runs.append((run.code, normalise(run.out, db), normalise(run.err, db)))
        assert runs[1] == runs[0], f"{name}: khorasan {' '.join(argv)}"
        after = _as_json(case.path)
        assert _as_json(sql_path) == after, f"{name}: the stores differ after {argv}"
        if runs[0][0] != 0 or argv[0] not in corpus_runs.WRITES or "--dry-run" in argv:
            assert after == held, f"{name}: the store changed: khorasan {' '.join(argv)}"
        held = after


@pytest.mark.parametrize("name", CHECKED_ONLY_BY_VALIDATE)
def test_validate_lists_the_same_problems_in_both_backends(name, corpus, watch, tmp_path):
    """A store the JSON backend refuses at load, converted unchecked: `validate`
    reports the same problems on both, naming each record and field."""
    case, sql_path = corpus[name]
    for argv in (["validate"], ["validate", "--json"]):
        runs = []
        for db in (case.path, sql_path):
            run = corpus_runs.run_cli(watch, [*argv, "--db", str(db)], _allowed(case, tmp_path))
            corpus_runs.check_run(run)
            runs.append((run.code, normalise(run.out, db), normalise(run.err, db)))
        assert runs[0][0] == 1, runs[0]
        assert runs[1] == runs[0]


def test_markup_in_names_is_printed_as_text_on_sqlite(corpus, watch, tmp_path):
    for name, text in (
        ("name-markup-click", "[@click=app.quit]quit[/]"),
        ("name-markup-rich", "[bold red]x[/] [link=file:///etc/passwd]y[/link]"),
    ):
        case, sql_path = corpus[name]
        write_sqlite(load_store(case.path), sql_path)
        for argv in (["show", "iskp"], ["search", "iskp"], ["export", "--format", "csv"]):
            run = corpus_runs.run_cli(watch, [*argv, "--db", str(sql_path)], _allowed(case, tmp_path))
            corpus_runs.check_run(run)
            assert run.code == 0 and text in run.out, run.describe()


@pytest.mark.parametrize("name", [n for n in CHECKED_ONLY_BY_VALIDATE if n.startswith("source-path")])
def test_a_document_path_leading_outside_is_never_read_on_sqlite(name, corpus, watch, tmp_path):
    case, sql_path = corpus[name]
    roots = tuple(sorted({os.path.realpath(case.path.parent), *corpus_runs._python_roots()}))
    watch.outside, watch.allowed = [], roots
    try:
        # Refused when the record is read (as the JSON store refuses it at load),
        # or else by the document reader: never opened either way.
        with pytest.raises((StoreError, DocumentRefused)) as refused:
            data = load_store(sql_path)
            try:
                read_document(data, data.sources[DOC_ID])
            finally:
                data.backend.close()
    finally:
        watch.allowed = None
    assert not watch.outside, watch.outside
    assert DOC_ID in str(refused.value)
    # A new quote from such a document is refused, never looked for there.
    before = store_bytes(sql_path)
    argv = ["add-tie", "taliban", "supports", "iskp", "--source", DOC_ID, "--quote", "root:x:0:0"]
    run = corpus_runs.run_cli(watch, [*argv, "--db", str(sql_path)], _allowed(case, tmp_path))
    corpus_runs.check_run(run)
    assert run.code == 2 and DOC_ID in run.err, run.describe()
    assert store_bytes(sql_path) == before


# -- SQLite files that are not usable stores -------------------------------------------------------


def _valid_sqlite(folder: Path) -> Path:
    json_path = make_store(folder)
    sql_path = to_sqlite(json_path)
    json_path.unlink()
    return sql_path


def _sql(*statements: str):
    def change(path: Path) -> None:
        conn = sqlite3.connect(path)
        for statement in statements:
            conn.execute(statement)
        conn.commit()
        conn.close()

    return change


def _replace(payload):
    return lambda path: path.write_bytes(payload(path.read_bytes()))


def _foreign(path: Path) -> None:
    path.unlink()
    _sql("CREATE TABLE songs (title TEXT, artist TEXT)", "INSERT INTO songs VALUES ('a', 'b')")(path)


UNUSABLE = {
    "another-programs-database": (_foreign, "not a Khorasan store"),
    "no-tables": (lambda p: (p.unlink(), _sql("CREATE TABLE t (x)", "DROP TABLE t")(p)), "not a Khorasan store"),
    "a-table-missing": (_sql("DROP TABLE cites"), "no cites table"),
    "a-column-missing": (
        _sql("DROP TABLE names", "CREATE TABLE names (key TEXT)"),
        "table names",
    ),
    "truncated-to-half": (_replace(lambda raw: raw[: len(raw) // 2]), "not a usable SQLite database"),
    "truncated-to-the-header": (_replace(lambda raw: raw[:100]), "not a usable SQLite database"),
    "header-then-garbage": (
        _replace(lambda raw: raw[:16] + bytes(range(256)) * 64),
        "not a usable SQLite database",
    ),
    "meta-missing": (_sql("DELETE FROM meta"), "missing the 'meta' record"),
    "meta-not-json": (_sql("UPDATE meta SET value = '{not json' WHERE key = 'meta'"), "'meta' record is not JSON"),
    "meta-a-number": (_sql("UPDATE meta SET value = 5 WHERE key = 'meta'"), "'meta' record"),
    "schema-version-99": (
        _sql("UPDATE meta SET value = json_set(value, '$.schema_version', 99) WHERE key = 'meta'"),
        "schema version 99 is not supported",
    ),
    "extra-table-not-json": (
        _sql("INSERT INTO extra_tables (name, position, body) VALUES ('x', 0, '[[')"),
        "is not JSON",
    ),
}


@pytest.mark.parametrize("name", list(UNUSABLE))
def test_an_unusable_sqlite_file_is_refused_cleanly_and_left_as_it_was(name, watch, tmp_path):
    spoil, message = UNUSABLE[name]
    path = _valid_sqlite(tmp_path / "store")
    spoil(path)
    before = path.read_bytes()
    for argv in corpus_runs.read_commands(tmp_path) + corpus_runs.WRITE_COMMANDS:
        run = corpus_runs.run_cli(watch, [*argv, "--db", str(path)], [path.parent, tmp_path])
        corpus_runs.check_run(run)
        assert run.code in ({1, 2} if argv[0] == "undo" else {2}), run.describe()
        if argv[0] != "undo":
            assert message in run.out + run.err, run.describe()
        assert path.read_bytes() == before, f"{name}: the file changed: {run.describe()}"
    assert not path.with_name(path.name + "-wal").exists()


# -- records written straight into a SQLite file -------------------------------------------------

# Each as the JSON store has it in the hostile corpus (refused at load, exit 2),
# here written into the SQLite file's bodies, where no load-time check sees it.
BROKEN_RULES = {
    "name-escape-sequences": "UPDATE actors SET body = json_set(body, '$.name', 'IS' || char(27) || '[2JKP')"
    " WHERE id = 'iskp'",
    "name-bidi-override": "UPDATE actors SET body = json_set(body, '$.name', 'ISKP' || char(8238) || 'gnp.exe')"
    " WHERE id = 'iskp'",
    "tie-type-unknown": "UPDATE ties SET type = 'loves', body = json_set(body, '$.type', 'loves')",
    "tie-target-missing-actor": "UPDATE ties SET target = 'nobody', body = json_set(body, '$.target', 'nobody')",
    "self-tie": "UPDATE ties SET target = source, body = json_set(body, '$.target', json_extract(body, '$.source'))",
    "source-path-etc-passwd": "UPDATE sources SET body = json_set(body, '$.path', '/etc/passwd')",
}
MALFORMED = {
    "body-not-json": "UPDATE actors SET body = '{not json' WHERE id = 'iskp'",
    "body-a-list": "UPDATE actors SET body = '[]' WHERE id = 'iskp'",
    "name-missing": "UPDATE actors SET body = json_remove(body, '$.name') WHERE id = 'iskp'",
    "name-a-number": "UPDATE actors SET body = json_set(body, '$.name', 42) WHERE id = 'iskp'",
}
READS = ["show", "ties", "path", "search", "stats", "timeline", "contested", "export"]


def _broken(tmp_path: Path, statement: str) -> Path:
    path = _valid_sqlite(tmp_path / "store")
    _sql(statement)(path)
    return path


@pytest.mark.parametrize("name", list(BROKEN_RULES))
def test_a_sqlite_store_breaking_the_rulebook_is_still_safe_to_use(name, watch, tmp_path):
    """No traceback, nothing printed that a terminal obeys, no file read outside, nothing saved that breaks a rule."""
    path = _broken(tmp_path, BROKEN_RULES[name])
    for argv in corpus_runs.read_commands(tmp_path) + corpus_runs.WRITE_COMMANDS:
        before = store_bytes(path)
        run = corpus_runs.run_cli(watch, [*argv, "--db", str(path)], [path.parent, tmp_path])
        corpus_runs.check_run(run)
        if argv[0] == "validate":
            assert run.code == 1, run.describe()
        if run.code != 0:
            assert store_bytes(path) == before


# A SQLite store is read as it is used, not whole at open: a record no rule lets
# in is refused when a command meets it (exit 2, naming the record, as the JSON
# loader names it), while a command that never reads it answers. So every
# command that reads the broken record refuses, and none prints it.
MEETS = {
    "name-escape-sequences": ["show", "iskp"],
    "name-bidi-override": ["show", "iskp"],
    "tie-type-unknown": ["ties", "iskp"],
    # Every tie or the document is broken; in this small store only an export meets them all.
    "tie-target-missing-actor": ["export"],
    "self-tie": ["export"],
    "source-path-etc-passwd": ["export"],
    "body-not-json": ["show", "iskp"],
    "body-a-list": ["show", "iskp"],
    "name-missing": ["show", "iskp"],
    "name-a-number": ["show", "iskp"],
}


def _reads_refuse_when_they_meet_it(name: str, path: Path, watch, tmp_path: Path) -> None:
    for argv in corpus_runs.read_commands(tmp_path):
        run = corpus_runs.run_cli(watch, [*argv, "--db", str(path)], [path.parent, tmp_path])
        corpus_runs.check_run(run)
        if argv[0] == "validate":
            assert run.code in (1, 2), run.describe()
        elif argv[0] == "export" or argv[: len(MEETS[name])] == MEETS[name]:
            # An export reads every record; the command named in MEETS reads the broken one.
            assert run.code == 2, run.describe()
            assert "khorasan validate" in run.err or "not" in run.err, run.describe()
        else:
            assert run.code in (0, 1, 2), run.describe()


@pytest.mark.parametrize("name", list(BROKEN_RULES))
def test_a_sqlite_store_breaking_the_rulebook_is_refused_where_it_is_read(name, watch, tmp_path):
    _reads_refuse_when_they_meet_it(name, _broken(tmp_path, BROKEN_RULES[name]), watch, tmp_path)


@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_sqlite_store_with_a_malformed_record_is_refused_cleanly(name, watch, tmp_path):
    path = _broken(tmp_path, MALFORMED[name])
    _reads_refuse_when_they_meet_it(name, path, watch, tmp_path)
    for argv in corpus_runs.WRITE_COMMANDS:
        run = corpus_runs.run_cli(watch, [*argv, "--db", str(path)], [path.parent, tmp_path])
        corpus_runs.check_run(run)


def test_every_corpus_store_that_loads_has_a_sqlite_twin(corpus):
    assert set(LOADING) <= set(corpus)
    assert {"valid", "name-markup-click", "extra-unknown-fields", "journal-fifo", "store-symlink-to-store"} <= set(
        LOADING
    )
    assert len(LOADING) >= 25 and len(CHECKED_ONLY_BY_VALIDATE) >= 25
