"""The `khorasan` command: the app with no subcommand, quick lookups otherwise.

Start-up matters here (lookups over SSH), so this module imports neither
textual nor rich at the top; each command imports what it needs when it runs.

Exit codes: 0 success, 1 not found (or validation failed), 2 usage error or
unusable store, 3 ambiguous name.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable
from typing import NoReturn

from .commands.context import (  # noqa: F401  (re-exported: the names scripts and tests know)
    EXIT_AMBIGUOUS,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_USAGE,
    CliExit,
    Context,
    checked_choices,
    checked_date,
)
from .model import KINDS, SOURCE_GRADES, STATUSES, TIE_TYPES, strip_control
from .storedata import StoreError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        raise CliExit(EXIT_USAGE, f"{self.prog}: error: {message}")


# Each command lives in its own module; cli only knows the name of the handler.
COMMANDS: dict[str, str] = {
    "show": "khorasan_tui.commands.lookup:show",
    "ties": "khorasan_tui.commands.lookup:ties",
    "path": "khorasan_tui.commands.lookup:path",
    "search": "khorasan_tui.commands.lookup:search",
    "stats": "khorasan_tui.commands.lookup:stats",
    "validate": "khorasan_tui.commands.lookup:validate",
    "timeline": "khorasan_tui.commands.analysis:timeline",
    "contested": "khorasan_tui.commands.analysis:contested",
    "export": "khorasan_tui.commands.export:run",
    "import": "khorasan_tui.commands.importer:run",
    "generate": "khorasan_tui.commands.generate:run",
    "convert": "khorasan_tui.commands.convert:run",
    "add-actor": "khorasan_tui.commands.edit:add_actor",
    "add-tie": "khorasan_tui.commands.edit:add_tie",
    "add-alias": "khorasan_tui.commands.edit:add_alias",
    "rm": "khorasan_tui.commands.edit:remove",
    "merge": "khorasan_tui.commands.edit:merge",
    "undo": "khorasan_tui.commands.edit:undo",
    "ingest": "khorasan_tui.commands.ingest:run",
    "serve": "khorasan_tui.commands.serve:run",
}


# Commands that write one change the user typed: they refuse a change that adds
# lint warnings unless --allow-warnings is given. Bulk imports save and list them.
WRITES = frozenset({"add-actor", "add-tie", "add-alias", "rm", "merge"})


class _Unused:
    """Stands in for the parser of a command this run does not use."""

    def add_argument(self, *args: object, **kwargs: object) -> None:
        pass


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole CLI, or with `only` just that command's parser: building all
    sixteen costs ~10 ms, a sixth of a quick lookup."""
    common = _Parser(add_help=False)
    # SUPPRESS: otherwise the subcommand's unset --db overwrites one given before
    # the subcommand, and `khorasan --db mine.json rm x` would edit the bundled store.
    common.add_argument(
        "--db", metavar="PATH", default=argparse.SUPPRESS, help="store file (default: the bundled store)"
    )
    as_json = _Parser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="print JSON")

    parser = _Parser(
        prog="khorasan",
        description="Explore the militant network around ISKP. With no command, start the app.",
        epilog="App settings (keys, theme): ~/.config/khorasan/config.toml on Linux, or $KHORASAN_CONFIG.",
    )
    parser.add_argument("--db", metavar="PATH", help="store file (default: the bundled store)")
    parser.add_argument("--read-only", action="store_true", help="open the app without editing")
    parser.add_argument("--version", action="store_true", help="print the version")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help_text: str, json_flag: bool = True) -> argparse.ArgumentParser:
        if only is not None and name != only:
            return _Unused()  # type: ignore[return-value]
        parents = [common, as_json] if json_flag else [common]
        parser = sub.add_parser(name, help=help_text, description=help_text, parents=parents)
        if name in WRITES:
            parser.add_argument(
                "--allow-warnings",
                action="store_true",
                help="save even if the change adds lint warnings (a past role with no end, a phrase as an alias, ...)",
            )
        return parser

    types = ", ".join(TIE_TYPES)
    statuses = ", ".join(STATUSES)

    p = command("show", "show one actor (by id, name or alias)")
    p.add_argument("name")

    p = command("ties", "list an actor's ties")
    p.add_argument("name")
    p.add_argument("--type", action="append", metavar="T", help=f"only these types ({types})")
    p.add_argument("--status", action="append", metavar="S", help=f"only these statuses ({statuses})")
    p.add_argument("--source", metavar="DOC", help="only ties cited from this document id")

    p = command("path", "every shortest route between two actors, parallel ties grouped under each hop")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--type", action="append", metavar="T", help="walk only these tie types")
    p.add_argument("--exclude-type", action="append", metavar="T", help="never walk these tie types")
    p.add_argument(
        "--status", action="append", metavar="S", help="walk only ties with these statuses (disputed only when named)"
    )
    p.add_argument("--max", type=int, metavar="N", help="longest chain to look for")
    p.add_argument("--limit", type=int, default=10, metavar="N", help="routes to show (default 10)")
    p.add_argument("--as-of", metavar="DATE", help="only ties active on this date")

    p = command("search", "rank actors whose name, alias or summary matches")
    p.add_argument("text")
    p.add_argument("--kind", choices=list(KINDS))
    p.add_argument("--limit", type=int, default=20)

    command("stats", "counts by kind, type, status and document")
    command("validate", "check the store: ids, vocabularies, dates, aliases, quotes")

    p = command("timeline", "events (with their ties) and dated ties in date order")
    p.add_argument("name", nargs="?")
    p.add_argument("--as-of", metavar="DATE", help="as things stood then: nothing dated later, no tie already over")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="only what happened from then (a year: all of it)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="only what happened until then, inclusive")

    p = command("contested", "pairs of actors whose ties disagree")
    p.add_argument("name", nargs="?")

    p = command("export", "write the graph as json, csv, graphml, gexf, dot, ftm or stix", json_flag=False)
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = (
        "json: {actors, ties, sources} as `show --json` and `ties --json` print them.\n"
        "graphml, gexf: one edge per tie (id = tie id, parallel ties kept); the graph is\n"
        "  directed and each edge has a boolean 'directed' attribute for undirected tie types.\n"
        "csv: with -o FILE, nodes go to FILE and edges to FILE with .edges before the\n"
        "  extension (graph.csv -> graph.edges.csv); without -o, stdout gets the nodes,\n"
        "  one blank line, then the edges. Columns follow Gephi's spreadsheet import.\n"
        "dot: for graphviz (dot -Tsvg); undirected ties have dir=none.\n"
        "gexf is dynamic: actors and ties carry spells from their dates for Gephi's timeline.\n"
        "ftm: FollowTheMoney entities, one JSON object a line (OpenSanctions, Aleph).\n"
        "stix: one STIX 2.1 bundle (OpenCTI, MISP); ids are stable across exports."
    )
    p.add_argument("--format", required=True, choices=["json", "csv", "graphml", "gexf", "dot", "ftm", "stix"])
    p.add_argument(
        "--no-formula-guard",
        action="store_true",
        help="csv: keep cells starting with = + - @ as they are (by default they get a leading ')",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="output file (default: stdout; csv: see below)")
    p.add_argument("--around", metavar="NAME", help="only this actor's neighbourhood")
    p.add_argument("--depth", type=int, default=1, help="hops from --around (default 1)")

    p = command("import", "bring ties from another project's CSV or FollowTheMoney file")
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = (
        "fields: source, target, type, status, claimant, start, end, quote, summary, role,\n"
        "  source_kind, target_kind; a column named like a field needs no --map.\n"
        "Values no --value translates, names matching several actors and unreadable dates\n"
        "reject their row (reported with its line number); they are never guessed. A name\n"
        "close to an existing actor's becomes a new actor flagged as a possible duplicate.\n"
        "The file is kept as sources/<source-id>.csv next to the store and cited by every\n"
        "imported tie; a row without a quote cites its own text.\n"
        "example: --map source=group1_name --value type:riv=hostile_to --merge JeM2=jaish-e-mohammed\n"
        "ftm: Membership, Directorship, Employment, Family, Associate, Succession and UnknownLink\n"
        "  entities become ties between their Person, Organization, LegalEntity, Company,\n"
        "  PublicBody, Event or Address entities; every other schema is counted and left out."
    )
    p.add_argument("format", choices=["csv", "ftm"], help="csv, or ftm: FollowTheMoney JSON lines")
    p.add_argument("file")
    p.add_argument("--source-title", required=True, help="title of the new source document")
    p.add_argument("--source-id", help="id of the new source document (default: from the file name)")
    p.add_argument("--publisher")
    p.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN", help="which column fills a field")
    p.add_argument(
        "--value", action="append", default=[], metavar="FIELD:RAW=OURS", help="translate a code into our vocabulary"
    )
    p.add_argument("--merge", action="append", default=[], metavar="RAW=ID", help="treat a name as this actor")
    p.add_argument("--merge-suggested", action="store_true", help="accept every suggested duplicate as a merge")
    p.add_argument("--default-kind", default="group", choices=list(KINDS), help="kind of new actors (default group)")
    p.add_argument("--dry-run", action="store_true", help="report what would happen; write nothing")

    p = command("generate", "write a deterministic synthetic store", json_flag=False)
    p.add_argument("--actors", type=int, required=True)
    p.add_argument("--ties", type=int, required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("-o", "--output", required=True, metavar="FILE")

    p = command("convert", "copy a store from JSON to SQLite or back; its document texts go along")
    p.epilog = (
        "The direction follows IN (a SQLite file or JSON) and OUT's extension (.sqlite, .sqlite3, .db or .json),"
        " or --to. JSON -> SQLite -> JSON gives back the same bytes."
    )
    p.add_argument("input", metavar="IN", help="the store to read")
    p.add_argument("output", metavar="OUT", help="the new store; its folder gets the document texts")
    p.add_argument("--to", choices=["json", "sqlite"], help="the output's format (default: from OUT's extension)")
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")

    p = command("add-actor", "add an actor")
    p.add_argument("name")
    p.add_argument("--kind", required=True, choices=list(KINDS))
    p.add_argument("--alias", action="append", default=[])
    p.add_argument("--summary", default="")
    p.add_argument("--id", dest="actor_id")

    p = command("add-tie", "add a tie with its citation")
    p.add_argument("a")
    p.add_argument("type", choices=list(TIE_TYPES))
    p.add_argument("b")
    p.add_argument("--source", required=True, metavar="DOC")
    p.add_argument("--quote", required=True)
    p.add_argument("--status", default="reported", choices=list(STATUSES))
    p.add_argument("--claimant")
    p.add_argument("--role")
    p.add_argument("--start")
    p.add_argument("--end")
    p.add_argument("--summary", default="")

    p = command("add-alias", "add an alias to an actor")
    p.add_argument("name")
    p.add_argument("alias")

    p = command("rm", "remove a tie, or an actor with its ties (asks first; --yes when not on a terminal)")
    p.add_argument("id")
    p.add_argument("--yes", action="store_true", help="do not ask")
    p.add_argument("--dry-run", action="store_true", help="show what would go; change nothing")

    p = command("merge", "merge the second actor into the first (ties, names, citations; the old id keeps working)")
    p.add_argument("keep")
    p.add_argument("other")
    p.add_argument("--yes", action="store_true", help="do not ask")
    p.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")

    p = command("undo", "take back the last change the command line saved to this store")
    p.add_argument("--dry-run", action="store_true", help="say what would be undone; change nothing")

    p = command("ingest", "read a new document: the actors it names, new names, suggested ties")
    p.add_argument("file", metavar="FILE|-", help="the document's text (UTF-8); - reads standard input")
    p.add_argument("--title", required=True)
    p.add_argument("--url")
    p.add_argument("--publisher")
    p.add_argument(
        "--published", metavar="DATE", help="YYYY, YYYY-MM or YYYY-MM-DD; dates like 'on May 8' use its year"
    )
    p.add_argument("--grade", choices=list(SOURCE_GRADES), help="source reliability (Admiralty A-F)")
    p.add_argument("--dry-run", action="store_true", help="analyse only; store nothing")
    p.add_argument("--accept-known", action="store_true", help="cite the document on the existing ties it corroborates")

    p = command("serve", "the app in a web browser (needs khorasan-tui[serve])", json_flag=False)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--public-url", help="URL browsers use to reach it, behind a proxy or on another host")
    p.add_argument("--edit", action="store_true", help="allow editing (default: read-only)")
    return parser


def _handler(command: str) -> Callable[[Context], int]:
    module_name, func = COMMANDS[command].split(":")
    return getattr(importlib.import_module(module_name), func)


def run_app(ctx: Context) -> int:
    from .store import StoreError, load_store

    path = ctx.db_path
    # Fail before the screen switches, so the message lands in a normal terminal.
    if not path.exists():
        raise CliExit(EXIT_USAGE, f"cannot open store: {path}: no such file")
    if path.is_dir():
        raise CliExit(EXIT_USAGE, f"cannot open store: {path}: is a directory, not a store file")
    if not os.access(path, os.R_OK):
        raise CliExit(EXIT_USAGE, f"cannot open store: {path}: permission denied")
    data = None
    if path.stat().st_size < 5_000_000:
        # Small stores are checked up front (and handed over, not parsed twice);
        # large ones load in the app's worker behind a progress message.
        try:
            data = load_store(path)
        except StoreError as exc:
            raise CliExit(EXIT_USAGE, f"cannot open store: {exc}") from None
    # Without a terminal the app would wait for keys that never come, or draw into a file.
    # A driver named in TEXTUAL_DRIVER (textual-serve's web driver) needs none.
    if not os.environ.get("TEXTUAL_DRIVER") and not (sys.stdin.isatty() and sys.stdout.isatty()):
        missing = "stdin" if not sys.stdin.isatty() else "stdout"
        raise CliExit(
            EXIT_USAGE,
            f"khorasan: the app needs a terminal, and {missing} is not one; "
            "in scripts and pipes use a command such as `khorasan show NAME` (`khorasan --help` lists them)",
        )
    from .app.main import make_app
    from .store import is_bundled, user_store_path

    copy_to = user_store_path() if not ctx.store_named and is_bundled(path) else None
    app = make_app(path, data=data, read_only=ctx.args.read_only, copy_edits_to=copy_to)
    app.run()
    return int(app.return_code or 0)


def _command_in(argv: list[str]) -> str | None:
    for token in argv:
        if token in COMMANDS:
            return token
        if token in ("-h", "--help"):
            return None
    return None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser(only=_command_in(sys.argv[1:] if argv is None else argv))
    try:
        args = parser.parse_args(argv)
        if args.version:
            from . import __version__

            print(f"khorasan {__version__}")
            return EXIT_OK
        ctx = Context(args)
        if args.command is None:
            return run_app(ctx)
        return _handler(args.command)(ctx)
    except CliExit as exc:
        if exc.message:
            # Messages quote store names (ambiguity lists, closest matches): no ESC.
            sys.stderr.write(strip_control(exc.message).rstrip() + "\n")
        return exc.code
    except StoreError as exc:
        # A SQLite store is read as it is used: a record another program wrote
        # that no rule lets in is refused when it is met, as a JSON store's is at load.
        sys.stderr.write(strip_control(f"cannot use store: {exc}").rstrip() + "\n")
        return EXIT_USAGE
    except BrokenPipeError:
        # `khorasan ties x | head` closes the pipe early; that is not an error.
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
