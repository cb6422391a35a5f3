"""Every command over every store and CSV file of the hostile corpus
(tests/hostile_corpus.py): a store is untrusted input.

For each run: the exit code is one the README documents, no traceback, done
before a per-run alarm (a FIFO or /dev/zero would hang or fill memory), no
control or invisible character on stdout or stderr, not one byte of the store
changed when the command failed, no file opened outside the store's folder,
the output folder and Python's own files, and nothing executed.

The commands run in-process through `khorasan_tui.cli.main(argv)`, which keeps
the ~4,000 runs of the corpus to seconds; an audit hook (installed once per
process, active only inside a run) sees every `open`.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import sys
import threading
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from khorasan_tui import cli

from . import hostile_corpus
from .hostile_corpus import LOADS, REFUSED, VALIDATE_ONLY, StoreCase
from .store_writer import DOC_ID

PACKAGE = Path(cli.__file__).resolve().parent
DATA = PACKAGE.parent / "data"
RUN_SECONDS = 10  # far above any run's real time; a hang or a read of /dev/zero never ends
# C0 but newline and tab, DEL, C1, and the invisible format characters that
# reorder or hide text (bidi embeddings, overrides and isolates, zero-width, BOM).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
DOCUMENTED_EXITS = {0, 1, 2, 3}


# -- the watch: an audit hook that records what a run opens or executes ------------------------

_EXECUTING = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "webbrowser.open")


class _Watch:
    def __init__(self) -> None:
        self.allowed: tuple[str, ...] | None = None  # None: not inside a run
        self.outside: list[str] = []
        self.executed: list[str] = []

    def hook(self, event: str, args: tuple) -> None:
        if self.allowed is None:
            return
        if event == "open":
            target = args[0]
            if isinstance(target, int):
                return  # an already-open descriptor
            try:
                path = os.fsdecode(os.fspath(target))
                flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
                if flags & getattr(os, "O_NOFOLLOW", 0):
                    # A symlink there is refused by the open, not followed.
                    path = os.path.join(
                        os.path.realpath(os.path.dirname(os.path.abspath(path))), os.path.basename(path)
                    )
                else:
                    path = os.path.realpath(path)
            except (TypeError, ValueError):
                self.outside.append(repr(target))
                return
            if not any(path == root or path.startswith(root + os.sep) for root in self.allowed):
                self.outside.append(path)
        elif event.startswith(_EXECUTING):
            self.executed.append(f"{event} {args!r:.200}")


_WATCH = _Watch()
_HOOKED = False


def _python_roots() -> list[str]:
    from platformdirs import user_cache_dir

    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, str(PACKAGE), os.devnull}
    # Khorasan's own cache: which store contents it has already checked (store._remember_checked).
    roots.add(user_cache_dir("khorasan", appauthor=False))
    roots.update(p for p in sys.path if p and ("site-packages" in p or "dist-packages" in p))
    return [os.path.realpath(r) for r in roots]


@pytest.fixture(scope="session")
def watch() -> _Watch:
    global _HOOKED
    if not _HOOKED:  # audit hooks cannot be removed: one per process, idle outside runs
        sys.addaudithook(_WATCH.hook)
        _HOOKED = True
    return _WATCH


# -- one run -------------------------------------------------------------------------------------


class _Hung(BaseException):
    """Raised by the alarm: BaseException, so no `except Exception` in the product swallows it."""


def _alarm(signum, frame):
    raise _Hung()


@dataclass
class Run:
    argv: list[str]
    code: int | None = None
    out: str = ""
    err: str = ""
    crash: str = ""  # a traceback that escaped main()
    opened_outside: list[str] = field(default_factory=list)
    executed: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return f"khorasan {' '.join(a[:60] for a in self.argv)} -> {self.code}\nstderr: {self.err[:500]}\n{self.crash}"


def run_cli(watch: _Watch, argv: list[str], allowed: list[Path]) -> Run:
    assert threading.current_thread() is threading.main_thread(), "the alarm needs the main thread"
    result = Run(argv)
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", errors="strict", write_through=True)
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", errors="strict", write_through=True)
    roots = {os.path.realpath(p) for p in allowed} | set(_python_roots())
    saved = sys.stdout, sys.stderr, sys.stdin
    previous = signal.signal(signal.SIGALRM, _alarm)
    watch.outside, watch.executed = [], []
    sys.stdout, sys.stderr, sys.stdin = out, err, io.StringIO("")
    watch.allowed = tuple(sorted(roots))
    signal.setitimer(signal.ITIMER_REAL, RUN_SECONDS)
    try:
        result.code = cli.main(argv)
    except _Hung:
        result.crash = f"still running after {RUN_SECONDS} s"
    except BaseException:  # noqa: BLE001 - anything escaping main is the finding
        result.crash = traceback.format_exc()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        watch.allowed = None
        signal.signal(signal.SIGALRM, previous)
        sys.stdout, sys.stderr, sys.stdin = saved
    result.opened_outside, result.executed = watch.outside, watch.executed
    result.out = out_bytes.getvalue().decode("utf-8", "replace")
    result.err = err_bytes.getvalue().decode("utf-8", "replace")
    return result


def check_run(run: Run) -> None:
    """What every run of every command must do, whatever the input."""
    assert not run.crash, run.describe()
    assert run.code in DOCUMENTED_EXITS, run.describe()
    assert "Traceback" not in run.err, run.describe()
    assert not run.opened_outside, f"opened outside the store's folder: {run.opened_outside}\n{run.describe()}"
    assert not run.executed, f"executed: {run.executed}\n{run.describe()}"
    for stream, text in (("stdout", run.out), ("stderr", run.err)):
        bad = CONTROL.search(text)
        assert bad is None, (
            f"{stream} holds U+{ord(bad.group()):04X}: {text[max(0, bad.start() - 60) : bad.end() + 20]!r}"
        )


# -- the corpus ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> tuple[dict[str, StoreCase], list[Path]]:
    root = tmp_path_factory.mktemp("hostile")
    stores, csvs = hostile_corpus.generate(root)
    return {case.name: case for case in stores}, csvs


STORE_CASES = hostile_corpus.store_case_names()
EXPORT_FORMATS = ["json", "csv", "graphml", "gexf", "dot"]


def read_commands(out: Path) -> list[list[str]]:
    commands = [
        ["show", "iskp"],
        ["show", "ISKP", "--json"],
        ["ties", "iskp"],
        ["ties", "iskp", "--json"],
        ["ties", "iskp", "--source", DOC_ID],
        ["path", "taliban", "shahab-al-muhajir"],
        ["path", "taliban", "shahab-al-muhajir", "--json"],
        ["search", "isk"],
        ["search", "isk", "--json"],
        ["stats"],
        ["stats", "--json"],
        ["validate"],
        ["validate", "--json"],
        ["timeline"],
        ["timeline", "iskp", "--json"],
        ["contested"],
        ["contested", "--json"],
    ]
    for fmt in EXPORT_FORMATS:
        commands.append(["export", "--format", fmt])
        commands.append(["export", "--format", fmt, "-o", str(out / f"graph.{fmt}")])
    return commands


WRITE_COMMANDS = [
    ["add-actor", "Hostile Corpus Group", "--kind", "group", "--alias", "HCG"],
    ["add-alias", "iskp", "Daesh-K"],
    [
        "add-tie",
        "taliban",
        "cooperates_with",
        "haqqani-network",
        "--source",
        DOC_ID,
        "--quote",
        "The Taliban fight ISKP",
    ],
    # The issue's example: a quote from /etc/passwd must never be looked for there.
    ["add-tie", "taliban", "supports", "iskp", "--source", DOC_ID, "--quote", "root:x:0:0"],
    ["rm", "taliban--hostile_to--iskp", "--yes"],
    ["merge", "haqqani-network", "taliban", "--yes"],
    ["undo", "--dry-run"],
    ["undo"],
]


WRITES = {argv[0] for argv in WRITE_COMMANDS}


def _store_bytes(path: Path) -> bytes | None:
    """The store file's bytes, without ever opening a FIFO or a device."""
    import stat

    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > 100_000_000:  # a FIFO, or a sparse giant
        return f"{info.st_mode}:{info.st_ino}:{info.st_size}:{info.st_mtime_ns}".encode()
    try:
        return path.read_bytes()
    except OSError:
        return None


def _expected_codes(case: StoreCase, argv: list[str]) -> set[int]:
    if not argv or argv[0].startswith("-"):
        return {2}  # the app on a store it cannot open
    if argv[0] == "undo" and case.expect != LOADS:
        return {1, 2}  # the journal is read first: nothing to undo is as good a refusal
    if case.expect == REFUSED:
        return {2}
    if case.expect == VALIDATE_ONLY:
        return {1} if argv[0] == "validate" else {2}
    if argv[0] == "validate":
        return {0, 1}  # a loadable store may still hold quotes not in their documents
    if argv[0] in ("path",):
        return {0, 1}
    if argv[0] in WRITES:
        return {0, 1, 2}  # an edit the rulebook refuses is a usage error
    return {0}


@pytest.mark.parametrize("name", STORE_CASES)
def test_every_command_is_safe_on_a_hostile_store(name, corpus, watch, tmp_path):
    case = corpus[0][name]
    if case.skip:
        pytest.skip(case.skip)
    db = case.path
    allowed = [db.parent, tmp_path]
    if db.is_symlink() and os.path.isfile(db):
        allowed.append(Path(os.path.realpath(db)).parent)  # the file the user named, wherever it lives
    # With no command the app starts; a store it cannot use is refused before the screen switches.
    app = [[], ["--read-only"]] if case.expect != LOADS else []
    for argv in read_commands(tmp_path) + WRITE_COMMANDS + app:
        before = _store_bytes(db)
        run = run_cli(watch, [*argv, "--db", str(db)], allowed)
        check_run(run)
        assert run.code in _expected_codes(case, argv), f"{case.name} ({case.expect}): {run.describe()}"
        if run.code != 0 or not argv or argv[0] not in WRITES or "--dry-run" in argv:
            assert _store_bytes(db) == before, f"{case.name}: the store changed: {run.describe()}"


def test_the_corpus_is_as_big_as_the_issue_asks(corpus):
    stores, csvs = corpus
    assert len(stores) >= 60 and len(csvs) >= 20
    assert list(stores) == STORE_CASES


def test_unknown_fields_and_tables_survive_every_edit(watch, tmp_path):
    import json

    # Its own store: the corpus's copy is edited by the test above.
    folder = tmp_path / "store"
    db = hostile_corpus.write_case(folder, hostile_corpus._extra_fields)
    for argv in WRITE_COMMANDS[:3] + WRITE_COMMANDS[4:6]:
        run = run_cli(watch, [*argv, "--db", str(db)], [folder, tmp_path])
        check_run(run)
        assert run.code == 0, run.describe()
    doc = json.loads(db.read_bytes())
    assert doc["extra_table"] == {"1": {"anything": [1, 2, {"x": None}]}}
    assert next(iter(doc["meta"].values()))["future_setting"] == {"nested": [True, None, 1.5]}
    iskp = next(r for r in doc["actors"].values() if r["id"] == "iskp")
    assert iskp["x_extension"] == {"score": 3, "tags": ["a", "b"]}
    assert "Daesh-K" in iskp["aliases"]
    assert any(c.get("x_page") == 12 for t in doc["ties"].values() for c in t["citations"])


@pytest.mark.parametrize(
    "name, refusal",
    [
        ("source-path-etc-passwd", "is not inside the store's folder"),
        ("source-path-traversal", "leaves the store's folder"),
        ("source-path-symlink-outside", "leads outside the store's folder"),
        ("source-path-fifo", "is not a regular file"),
        ("source-path-symlink-dev-zero", "leads outside the store's folder"),
        ("source-path-huge-sparse", "is larger than"),
        ("source-path-directory", "is not a regular file"),
        ("source-path-not-utf8", "is not UTF-8 text"),
        ("store-is-fifo", "is not a regular file"),
        ("store-symlink-dev-zero", "is not a regular file"),
        ("store-is-directory", "is a directory"),
    ],
)
def test_validate_names_why_a_file_was_not_read(name, refusal, corpus, watch, tmp_path):
    case = corpus[0][name]
    run = run_cli(watch, ["validate", "--db", str(case.path)], [case.path.parent, tmp_path])
    check_run(run)
    assert run.code in (1, 2)
    assert refusal in run.out, run.describe()


# -- CSV imports into a copy of the bundled store ---------------------------------------------------

CSV_NAMES = list(hostile_corpus.csv_cases())


@pytest.mark.parametrize("name", CSV_NAMES, ids=[ascii(n) for n in CSV_NAMES])
def test_importing_a_hostile_csv_is_safe(name, corpus, watch, tmp_path):
    csv_path = next(p for p in corpus[1] if p.name == name)
    folder = tmp_path / "store"
    shutil.copytree(DATA / "sources", folder / "sources")
    db = folder / "khorasan.json"
    shutil.copyfile(DATA / "khorasan.json", db)
    allowed = [folder, tmp_path, csv_path.parent]
    base = ["import", "csv", str(csv_path), "--source-title", "Hostile CSV", "--db", str(db)]
    for extra in (["--dry-run"], ["--dry-run", "--json"], []):
        before = db.read_bytes()
        run = run_cli(watch, base + extra, allowed)
        check_run(run)
        if run.code != 0 or extra:
            assert db.read_bytes() == before, f"{name}: the store changed: {run.describe()}"
    # Whatever was imported must itself be safe to read back and export.
    for argv in (["validate"], ["stats"], ["export", "--format", "csv"], ["export", "--format", "dot"]):
        run = run_cli(watch, [*argv, "--db", str(db)], allowed)
        check_run(run)
        assert run.code in (0, 1), run.describe()


SOURCE_PATH_CASES = [entry[0] for entry in hostile_corpus._SOURCE_PATHS if entry[1] != "sources/missing.txt"]


@pytest.mark.parametrize("name", SOURCE_PATH_CASES)
def test_the_document_reader_refuses_every_hostile_path_without_opening_it(name, corpus, watch):
    """What the app's document screen and `validate` read a document with, on the
    store as `validate` opens it (unchecked, so the path gets that far)."""
    from khorasan_tui.documents import DocumentRefused, read_document
    from khorasan_tui.store import load_store

    case = corpus[0][name]
    data = load_store(case.path, check=False)
    source = data.sources[DOC_ID]
    roots = tuple(sorted({os.path.realpath(case.path.parent), *_python_roots()}))
    watch.outside = []
    watch.allowed = roots
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, RUN_SECONDS)
    try:
        with pytest.raises(DocumentRefused) as refused:
            read_document(data, source)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        watch.allowed = None
    assert not watch.outside, watch.outside
    assert str(refused.value).startswith(f"document {DOC_ID}: ")


def _move_document(doc: dict) -> None:
    source = next(iter(doc["sources"].values()))
    source["path"] = f"docs/{DOC_ID}.txt"


@pytest.mark.parametrize(
    "layout",
    ["sources-folder-symlinked-outside", "dangling-symlink-at-the-new-document", "symlink-to-a-file-outside-there"],
)
def test_an_import_never_writes_through_a_symlink_out_of_the_store_folder(layout, watch, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = tmp_path / "store"
    if layout == "sources-folder-symlinked-outside":
        db = hostile_corpus.write_case(folder, _move_document)
        (folder / "docs").mkdir()
        shutil.move(folder / "sources" / f"{DOC_ID}.txt", folder / "docs" / f"{DOC_ID}.txt")
        (folder / "sources").rmdir()
        os.symlink(outside, folder / "sources")
    else:
        db = hostile_corpus.write_case(folder, lambda doc: None)
        os.symlink(outside / "planted.csv", folder / "sources" / "planted.csv")
        if layout == "symlink-to-a-file-outside-there":
            (outside / "planted.csv").write_text("a private file\n", encoding="utf-8")
    secret = sorted(p.name for p in outside.iterdir())
    table = tmp_path / "input.csv"
    table.write_text(
        "source,target,type,status,quote\nNangarhar Shura,Taliban,allied_with,reported,q\n", encoding="utf-8"
    )
    before = db.read_bytes()
    argv = ["import", "csv", str(table), "--source-title", "T", "--source-id", "planted", "--db", str(db)]
    run = run_cli(watch, argv, [folder, table])
    check_run(run)
    assert sorted(p.name for p in outside.iterdir()) == secret, "nothing may be written outside the store's folder"
    if layout == "sources-folder-symlinked-outside":
        assert run.code == 2 and "leads outside the store's folder" in run.err, run.describe()
        assert db.read_bytes() == before
    else:  # a symlink someone left where the new document goes is never followed nor replaced
        assert run.code == 2 and "already" in run.err, run.describe()
        assert db.read_bytes() == before
        assert (folder / "sources" / "planted.csv").is_symlink()
