"""Chains of ties between two actors as hops, and as plain text with their
citations (what the path finder copies to the clipboard). No textual here."""

from __future__ import annotations

from dataclasses import dataclass

from .graph import Graph
from .model import Tie, strip_control


@dataclass(frozen=True, slots=True)
class Hop:
    tie: Tie
    from_id: str
    to_id: str

    @property
    def wording(self) -> str:
        """The tie in words as walked: 'led by' when walked from the group to its leader."""
        return self.tie.wording_from(self.from_id)


def path_hops(start: str, path: list[Tie]) -> list[Hop]:
    hops = []
    current = start
    for tie in path:
        nxt = tie.other(current)
        hops.append(Hop(tie, current, nxt))
        current = nxt
    return hops


def _plain(value: object) -> str:
    text = "" if value is None else str(value)
    return strip_control(" ".join(text.split()))


def actor_name(graph: Graph, actor_id: str) -> str:
    actor = graph.actors.get(actor_id)
    return _plain(actor.name) if actor else _plain(actor_id)


def span_words(start: str | None, end: str | None) -> str:
    if start and end:
        return f"{start} to {end}"
    if start:
        return f"from {start}"
    if end:
        return f"until {end}"
    return ""


def hop_facts(graph: Graph, hop: Hop) -> str:
    """'type: supports · status: claimed by X · from 2019' (no quote)."""
    tie = hop.tie
    facts = [f"type: {tie.type}"]
    status = f"status: {tie.status}"
    if tie.claimant:
        status += f" by {actor_name(graph, tie.claimant)}"
    facts.append(status)
    if tie.role:
        facts.append(f"role: {_plain(tie.role)}")
    span = span_words(tie.start, tie.end)
    if span:
        facts.append(span)
    return " · ".join(facts)


def paths_text(graph: Graph, start: str, end: str, paths: list[list[Tie]], options: str = "") -> str:
    """Every chain as numbered hops, each with its quotes, and the documents cited at the end."""
    lines = [f"Shortest paths from {actor_name(graph, start)} ({start}) to {actor_name(graph, end)} ({end})"]
    if options:
        lines.append(f"Options: {options}")
    if not paths:
        lines.append("")
        lines.append("No chain of ties connects them with these options.")
        return "\n".join(lines) + "\n"
    hops_each = len(paths[0])
    lines.append(f"{len(paths)} path(s) of {hops_each} hop(s)")
    documents: dict[str, int] = {}
    for number, path in enumerate(paths, 1):
        lines.append("")
        lines.append(f"Path {number} of {len(paths)}")
        for step, hop in enumerate(path_hops(start, path), 1):
            lines.append(
                f"  {step}. {actor_name(graph, hop.from_id)} — {hop.wording} → {actor_name(graph, hop.to_id)}"
            )
            lines.append(f"     {hop_facts(graph, hop)}")
            if not hop.tie.citations:
                lines.append("     (no citation)")
            for citation in hop.tie.citations:
                ref = documents.setdefault(citation.source, len(documents) + 1)
                lines.append(f"     “{_plain(citation.quote)}” [{ref}]")
    lines.append("")
    lines.append("Documents")
    for doc_id, ref in documents.items():
        source = graph.data.sources.get(doc_id)
        if source is None:
            lines.append(f"  [{ref}] {_plain(doc_id)}")
            continue
        meta = [_plain(source.publisher)] if source.publisher else []
        if source.published:
            meta.append(f"published ~{source.published}")
        meta.append(f"id {_plain(source.id)}")
        lines.append(f"  [{ref}] {_plain(source.title)} ({', '.join(meta)})")
    return "\n".join(lines) + "\n"
