"""What every `khorasan` subcommand handler shares: exit codes, the error that
ends a command with a message, and the `Context` a handler receives.

Below `cli` (which parses arguments and dispatches) so that the command
modules never import the dispatcher, and with it, the app.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_USAGE = 2
EXIT_AMBIGUOUS = 3


class CliExit(Exception):
    def __init__(self, code: int, message: str = "") -> None:
        self.code = code
        self.message = message
        super().__init__(message)


@dataclass
class Context:
    args: argparse.Namespace

    @property
    def store_named(self) -> bool:
        """Whether the user named the store (--db or $KHORASAN_DB) rather than taking the default."""
        import os

        return bool(self.args.db or os.environ.get("KHORASAN_DB"))

    @property
    def db_path(self) -> Path:
        from ..store import default_store_path

        return Path(self.args.db) if self.args.db else default_store_path()

    def load(self):
        """The store and its graph, or a clean exit naming the problem."""
        from ..graph import Graph
        from ..store import StoreError, load_store

        try:
            data = load_store(self.db_path)
        except StoreError as exc:
            raise CliExit(EXIT_USAGE, f"cannot open store: {exc}") from None
        return Graph(data)

    def resolve(self, graph, name: str):
        from ..graph import Ambiguous, NotFound
        from ..serialize import actor_ref

        try:
            return graph.resolve(name)
        except Ambiguous as exc:
            refs = [actor_ref(graph, a.id) for a in exc.candidates]
            if getattr(self.args, "json", False):
                from ..console_output import print_json

                print_json({"ambiguous": True, "query": name, "candidates": refs})
                raise CliExit(EXIT_AMBIGUOUS) from None
            listing = "; ".join(f"{r['name']} ({r['id']}, {r['kind']})" for r in refs)
            raise CliExit(EXIT_AMBIGUOUS, f"{name!r} is ambiguous: {listing}") from None
        except NotFound as exc:
            close = ", ".join(f"{a.name} ({a.id})" for a in exc.candidates)
            hint = f"; closest: {close}" if close else ""
            raise CliExit(EXIT_NOT_FOUND, f"no actor matches {name!r}{hint}") from None


def _csv_list(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for value in values or []:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return out


def checked_choices(values: list[str] | None, allowed, what: str) -> list[str]:
    items = _csv_list(values)
    bad = [v for v in items if v not in allowed]
    if bad:
        raise CliExit(EXIT_USAGE, f"unknown {what} {', '.join(bad)}; choose from {', '.join(allowed)}")
    return items


def checked_date(value: str | None, flag: str) -> str | None:
    """A partial ISO date from the command line, or a usage error naming the flag."""
    from ..model import is_partial_date

    if value is not None and not is_partial_date(value):
        raise CliExit(EXIT_USAGE, f"{flag} {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    return value
