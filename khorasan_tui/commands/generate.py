"""`khorasan generate`: a deterministic synthetic store for benchmarks and tests."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ..model import plural
from .context import EXIT_OK, EXIT_USAGE, CliExit, Context


def _is_generated(path: Path) -> bool:
    """Whether an existing file is a store this command wrote (safe to replace)."""
    import orjson

    from ..sqlstore import is_sqlite, open_sqlite
    from ..storedata import StoreError

    if is_sqlite(path):
        try:
            data = open_sqlite(path)
        except StoreError:
            return False
        data.backend.close()
        return "synthetic" in data.meta
    try:
        doc = orjson.loads(path.read_bytes())
        meta = next(iter(doc["meta"].values()))
        return isinstance(meta, dict) and "synthetic" in meta
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, AttributeError, StopIteration):
        return False


def run(ctx: Context) -> int:
    from ..store import default_store_path
    from ..synthetic import generate

    args = ctx.args
    if args.actors < 0 or args.ties < 0:
        raise CliExit(EXIT_USAGE, "--actors and --ties must be 0 or more")
    if args.ties and args.actors < 2:
        raise CliExit(EXIT_USAGE, "ties need at least two actors")
    output = Path(args.output)
    if output.is_dir():
        raise CliExit(EXIT_USAGE, f"cannot write {output}: it is a directory")
    from ..store import refuse_to_overwrite

    problem = refuse_to_overwrite(output, ctx.db_path)
    if problem:
        raise CliExit(EXIT_USAGE, f"cannot write {output}: {problem}")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliExit(EXIT_USAGE, f"cannot create the folder {output.parent}: {exc.strerror or exc}") from None
    # Never clobber curated knowledge with random data.
    if output.exists() and (output.resolve() == default_store_path().resolve() or not _is_generated(output)):
        raise CliExit(EXIT_USAGE, f"refusing to overwrite {output}: it is not a generated store")
    import sqlite3

    from ..progress import for_work

    started = time.perf_counter()
    try:
        with for_work(args.actors + args.ties) as bar:
            result = generate(output, args.actors, args.ties, args.seed, progress=bar)
    except OSError as exc:
        raise CliExit(EXIT_USAGE, f"cannot write {output}: {exc.strerror or exc}") from None
    except sqlite3.Error as exc:  # a full disk, say
        raise CliExit(EXIT_USAGE, f"cannot write {output}: {exc}") from None
    elapsed = time.perf_counter() - started
    sys.stderr.write(
        f"wrote {result.path}: {plural(result.actors, 'actor')}, {plural(result.ties, 'tie')}, "
        f"{plural(result.documents, 'document')} in {result.sources_folder.name}/ ({elapsed:.1f} s)\n"
    )
    return EXIT_OK
