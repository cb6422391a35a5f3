"""The data a store holds, in memory: plain records and the file's fingerprint.

Below `store` (which reads and writes files) so that indexes, rules and checks
can work on a store's contents without importing the persistence layer.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    # hashlib would first load OpenSSL (7 ms of every CLI start-up) only to
    # hand back this same class.
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - interpreters without the C module
    from hashlib import blake2b

from .model import SCHEMA_VERSION, Actor, Source, Tie, strip_control

TABLES = ("actors", "ties", "sources")
META_TABLE = "meta"


class StoreError(Exception):
    """A store that cannot be used. The message names the file and the problem."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


def freeze_for_good() -> None:
    """Move every object built so far out of the collector's sight (the app,
    once its store is loaded: later collections never walk it). Objects
    without cycles are still freed as ever, by reference counting."""
    gc.freeze()


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
    # Tables another tool added to the file, kept as they are and written back.
    extra_tables: dict[str, Any] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    @property
    def name(self) -> str:
        """The store's name for display: no rule checks the meta table, so
        whatever a terminal would obey in it is dropped here, its one way out."""
        return strip_control(str(self.meta.get("name") or (self.path.stem if self.path else "store")))

    # -- questions the write path asks; a SQLite store answers them from its indexes --------
    def ties_touching(self, actor_ids: Iterable[str]) -> list[Tie]:
        """The ties with either end among `actor_ids`."""
        ids = set(actor_ids)
        return [t for t in self.ties.values() if t.source in ids or t.target in ids]

    def referrers(self, removed: set[str]) -> tuple[list[Tie], list[Actor]]:
        """The ties and actors that name any of `removed` (ends, claimant, possible duplicate)."""
        ties = [t for t in self.ties.values() if t.source in removed or t.target in removed or t.claimant in removed]
        actors = [a for a in self.actors.values() if a.possible_duplicate_of in removed]
        return ties, actors

    def records_citing(self, source_id: str, limit: int = 5) -> list[str]:
        """Ids of up to `limit` ties and actors that cite a document."""
        citing = [t.id for t in self.ties.values() if any(c.source == source_id for c in t.citations)]
        citing += [a.id for a in self.actors.values() if any(c.source == source_id for c in a.citations)]
        return citing[:limit]

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
        for name, table in self.extra_tables.items():
            tables.setdefault(name, table)
        return tables
