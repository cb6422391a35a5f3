"""Deep checks of a loaded store: vocabularies, dates, ids, aliases and quotes.

`store.load_store` already refuses stores that cannot be used at all; this goes
further and checks the knowledge itself, above all that every quote occurs
verbatim in the document it cites.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from .model import (
    KINDS,
    STATUSES,
    TIE_TYPES,
    date_sort_key,
    is_partial_date,
    normalize_key,
)
from .store import StoreData


@dataclass(frozen=True, slots=True)
class Problem:
    level: str  # "error" or "warning"
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.where}: {self.message}"


def squash_whitespace(text: str) -> str:
    return " ".join(text.split())


class DocumentTexts:
    """Source texts read lazily, once each, with whitespace squashed."""

    def __init__(self, data: StoreData) -> None:
        self.data = data
        self._texts: dict[str, str | None] = {}

    def raw(self, source_id: str) -> str | None:
        source = self.data.sources.get(source_id)
        if source is None:
            return None
        path = self.data.source_text_path(source)
        if path is None:
            return None
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def squashed(self, source_id: str) -> str | None:
        if source_id not in self._texts:
            raw = self.raw(source_id)
            self._texts[source_id] = squash_whitespace(raw) if raw is not None else None
        return self._texts[source_id]

    def forget(self, source_id: str) -> None:
        """Drop a cached text whose file was just written or removed."""
        self._texts.pop(source_id, None)

    def contains(self, source_id: str, quote: str) -> bool:
        text = self.squashed(source_id)
        return text is not None and squash_whitespace(quote) in text


def validate(data: StoreData) -> list[Problem]:
    problems: list[Problem] = []
    texts = DocumentTexts(data)

    def error(where: str, message: str) -> None:
        problems.append(Problem("error", where, message))

    def warning(where: str, message: str) -> None:
        problems.append(Problem("warning", where, message))

    def check_date(where: str, field: str, value: str | None) -> None:
        if value is not None and not (isinstance(value, str) and is_partial_date(value)):
            error(where, f"{field} {value!r} is not a partial ISO date (YYYY, YYYY-MM or YYYY-MM-DD)")

    def check_citations(where: str, citations) -> None:
        for i, citation in enumerate(citations, 1):
            if citation.source not in data.sources:
                error(where, f"citation {i} cites unknown source {citation.source!r}")
                continue
            if not citation.quote.strip():
                error(where, f"citation {i} has an empty quote")
            elif texts.squashed(citation.source) is None:
                error(where, f"citation {i}: the text of {citation.source!r} cannot be read")
            elif not texts.contains(citation.source, citation.quote):
                error(where, f"citation {i}: quote not found verbatim in {citation.source}: {citation.quote[:80]!r}")

    for source in data.sources.values():
        where = f"source {source.id}"
        check_date(where, "published", source.published)
        path = data.source_text_path(source)
        if path is None:
            warning(where, "has no text file; its quotes cannot be checked")
        elif not path.is_file():
            error(where, f"text file {source.path!r} is missing")

    alias_owners: dict[str, set[str]] = defaultdict(set)
    for actor in data.actors.values():
        where = f"actor {actor.id}"
        if not actor.name.strip():
            error(where, "has an empty name")
        if actor.kind not in KINDS:
            error(where, f"unknown kind {actor.kind!r}")
        for field_name in ("born", "founded", "died", "ended"):
            check_date(where, field_name, getattr(actor, field_name))
        if (
            actor.start
            and actor.end
            and is_partial_date(actor.start)
            and is_partial_date(actor.end)
            and date_sort_key(actor.start) > date_sort_key(actor.end)
        ):
            error(where, f"starts ({actor.start}) after it ends ({actor.end})")
        for name in actor.names:
            key = normalize_key(name)
            if key:
                alias_owners[key].add(actor.id)
        if actor.possible_duplicate_of and actor.possible_duplicate_of not in data.actors:
            error(where, f"possible_duplicate_of names missing actor {actor.possible_duplicate_of!r}")
        check_citations(where, actor.citations)

    for key, owners in sorted(alias_owners.items()):
        if len(owners) > 1:
            error("aliases", f"{key!r} names several actors: {', '.join(sorted(owners))}")

    degree: Counter[str] = Counter()
    for tie in data.ties.values():
        where = f"tie {tie.id}"
        if tie.type not in TIE_TYPES:
            error(where, f"unknown type {tie.type!r}")
        if tie.status not in STATUSES:
            error(where, f"unknown status {tie.status!r}")
        for end in (tie.source, tie.target):
            if end not in data.actors:
                error(where, f"points to missing actor {end!r}")
        if tie.source == tie.target:
            error(where, "ties an actor to itself")
        if tie.claimant is not None and tie.claimant not in data.actors:
            error(where, f"claimant {tie.claimant!r} is not an actor id")
        if tie.status == "claimed" and not tie.claimant:
            warning(where, "is claimed but names no claimant")
        check_date(where, "start", tie.start)
        check_date(where, "end", tie.end)
        if tie.start and tie.end and is_partial_date(tie.start) and is_partial_date(tie.end):
            if date_sort_key(tie.start) > date_sort_key(tie.end):
                error(where, f"starts ({tie.start}) after it ends ({tie.end})")
        if not tie.citations:
            error(where, "has no citation")
        check_citations(where, tie.citations)
        degree[tie.source] += 1
        degree[tie.target] += 1

    for actor in data.actors.values():
        if not actor.citations and not degree[actor.id]:
            warning(f"actor {actor.id}", "has neither a citation nor a tie")
    return problems


def summary_counts(data: StoreData) -> dict[str, int]:
    quotes = sum(len(a.citations) for a in data.actors.values()) + sum(len(t.citations) for t in data.ties.values())
    return {
        "actors": len(data.actors),
        "ties": len(data.ties),
        "sources": len(data.sources),
        "quotes": quotes,
    }


def is_valid(problems: list[Problem]) -> bool:
    return not any(p.level == "error" for p in problems)

