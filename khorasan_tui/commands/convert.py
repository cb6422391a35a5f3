"""`khorasan convert IN OUT`: a store from JSON to SQLite or back, record for
record, so that JSON -> SQLite -> JSON gives back the bytes Khorasan wrote.

The documents' text files go with it: into OUT's folder under the same
relative paths, when that is another folder. Both directions write under a
temporary name and rename, so OUT is whole or untouched.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from ..model import plural
from .context import EXIT_OK, EXIT_USAGE, CliExit, Context

SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db")


def _target_format(args, source_is_sqlite: bool, output: Path) -> str:
    if args.to:
        return args.to
    suffix = output.suffix.lower()
    if suffix in SQLITE_SUFFIXES:
        return "sqlite"
    if suffix == ".json":
        return "json"
    return "json" if source_is_sqlite else "sqlite"


def _refusal(output: Path, source: Path, open_store: Path, force: bool) -> str | None:
    from ..store import refuse_to_overwrite

    if os.path.realpath(output) == os.path.realpath(source):
        return "it is the store being converted"
    for store in (source, open_store):
        if refuse_to_overwrite(output, store):
            return f"it is {store} or its backup"
    if output.is_dir():
        return "it is a directory"
    if os.path.lexists(output) and not force:
        return "it exists (--force replaces it)"
    return None


def run(ctx: Context) -> int:
    from .. import progress as progress_mod
    from ..sqlstore import is_sqlite
    from ..store import StoreError, load_store

    args = ctx.args
    source, output = Path(args.input), Path(args.output)
    source_is_sqlite = is_sqlite(source)
    to = _target_format(args, source_is_sqlite, output)
    if to == ("sqlite" if source_is_sqlite else "json"):
        raise CliExit(EXIT_USAGE, f"{source} is already a {to} store; name an output of the other kind (--to)")
    problem = _refusal(output, source, ctx.db_path, args.force)
    if problem:
        raise CliExit(EXIT_USAGE, f"cannot write {output}: {problem}")
    started = time.perf_counter()
    try:
        data = load_store(source)
    except StoreError as exc:
        raise CliExit(EXIT_USAGE, f"cannot open store: {exc}") from None
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliExit(EXIT_USAGE, f"cannot create the folder {output.parent}: {exc.strerror or exc}") from None
    counts = {table: len(getattr(data, table)) for table in ("actors", "ties", "sources")}
    records = sum(counts.values())
    try:
        with progress_mod.for_work(records) as bar:
            try:
                if to == "sqlite":
                    _to_sqlite(data, output, bar)
                else:
                    _to_json(data, output, bar)
            except OSError as exc:
                raise CliExit(EXIT_USAGE, f"cannot write {output}: {exc.strerror or exc}") from None
            except (sqlite3.Error, ValueError) as exc:  # a full disk; two records sharing an id
                raise CliExit(EXIT_USAGE, f"cannot write {output}: {exc}") from None
            documents = _copy_documents(data, output, bar)
    finally:
        if source_is_sqlite:
            data.backend.close()  # its write-ahead log goes with the last connection
    summary = _summary(source, output, to, counts, documents, time.perf_counter() - started)
    if args.json:
        from ..console_output import print_json

        print_json(summary)
    _report(summary)
    return EXIT_OK


def _to_sqlite(data, output: Path, bar) -> None:
    from ..sqlstore import write_sqlite

    bar.phase("records", len(data.actors) + len(data.ties) + len(data.sources))
    write_sqlite(data, output, progress=bar.advance, phase=bar.phase)


def _to_json(data, output: Path, bar) -> None:
    from ..sqlstore import iter_json_chunks
    from ..store import atomic_write

    bar.phase("records", len(data.actors) + len(data.ties) + len(data.sources))
    backend = data.backend
    # One read transaction: a save by someone else meanwhile is not half in the copy.
    backend.execute("BEGIN")
    try:
        atomic_write(output, iter_json_chunks(data, progress=bar.advance), backup=False)
    finally:
        backend.execute("ROLLBACK")


def _copy_documents(data, output: Path, bar):
    from ..store import copy_documents

    bar.phase("documents", len(data.sources))
    try:
        return copy_documents(data, output.parent, progress=bar.advance)
    except OSError as exc:
        raise CliExit(EXIT_USAGE, f"cannot copy the documents into {output.parent}: {exc.strerror or exc}") from None


def _summary(source: Path, output: Path, to: str, counts: dict[str, int], documents, seconds: float) -> dict[str, Any]:
    same_folder = os.path.realpath(output.parent) == os.path.realpath(source.absolute().parent)
    return {
        "from": str(source),
        "to": str(output),
        "format": to,
        "actors": counts["actors"],
        "ties": counts["ties"],
        "documents": counts["sources"],
        "document_texts": {
            "folder": str(output.parent),
            "same_folder": same_folder,
            "copied": len(documents.copied),
            "already_there": len(documents.already_there),
            "differ": documents.differ,
            "missing": documents.missing,
            "refused": documents.refused,
        },
        "bytes": output.stat().st_size,
        "seconds": round(seconds, 2),
    }


def _report(summary: dict[str, Any]) -> None:
    from ..model import strip_control

    texts = summary["document_texts"]
    lines = [
        f"wrote {summary['to']} ({summary['format']}): {plural(summary['actors'], 'actor')}, "
        f"{plural(summary['ties'], 'tie')}, {plural(summary['documents'], 'document')} "
        f"({summary['bytes']:,} bytes, {summary['seconds']:.1f} s)"
    ]
    if texts["same_folder"]:
        lines.append("document texts: the same folder, nothing to copy")
    else:
        lines.append(
            f"document texts: {texts['copied']} copied into {texts['folder']}, {texts['already_there']} already there"
        )
    if texts["differ"]:
        lines.append(
            f"warning: {plural(len(texts['differ']), 'document')} already had a different text file there, "
            f"left as it was: {', '.join(texts['differ'][:10])}"
        )
    if texts["missing"]:
        lines.append(
            f"warning: {plural(len(texts['missing']), 'document')} had no text file beside {summary['from']}: "
            f"{', '.join(texts['missing'][:10])}"
        )
    for why in list(texts["refused"].values())[:10]:
        lines.append(f"warning: not copied: {why}")
    # Ids and paths come from the store: no control character reaches the terminal.
    sys.stderr.write("".join(strip_control(line) + "\n" for line in lines))
