"""Shortest routes between two actors as hops, and as plain text with their
citations (what `khorasan path` prints and the path finder copies to the
clipboard). No textual here."""

from __future__ import annotations

from dataclasses import dataclass

from .graph import MAX_PATHS, Graph, Route
from .model import Tie, plural, strip_control


@dataclass(frozen=True, slots=True)
class Hop:
    tie: Tie
    from_id: str
    to_id: str

    @property
    def wording(self) -> str:
        """The tie in words as walked: 'led by' when walked from the group to its leader."""
        return self.tie.wording_from(self.from_id)


def route_step(route: Route, index: int) -> list[Hop]:
    """The ties of one step of a route, each read as walked."""
    from_id, to_id = route.actors[index], route.actors[index + 1]
    return [Hop(tie, from_id, to_id) for tie in route.hops[index]]


def routes_summary(routes: list[Route], shown: int | None = None) -> str:
    """'3 routes of 2 hops', '200 or more routes of 4 hops (the first 10 shown)'."""
    if not routes:
        return "no route"
    count = plural(len(routes), "route")
    if len(routes) >= MAX_PATHS:
        count = f"{MAX_PATHS} or more routes"
    text = f"{count} of {plural(len(routes[0].hops), 'hop')}"
    if shown is not None and shown < len(routes):
        text += f" (the first {shown} shown)"
    return text


def _plain(value: object) -> str:
    text = "" if value is None else str(value)
    return strip_control(" ".join(text.split()))


def actor_name(graph: Graph, actor_id: str) -> str:
    actor = graph.actors.get(actor_id)
    return _plain(actor.name) if actor else _plain(actor_id)


def route_names(graph: Graph, route: Route) -> str:
    return " → ".join(actor_name(graph, a) for a in route.actors)


def span_words(start: str | None, end: str | None) -> str:
    if start and end:
        return f"{start} to {end}"
    if start:
        return f"from {start}"
    if end:
        return f"until {end}"
    return ""


def hop_facts(graph: Graph, hop: Hop) -> str:
    """'type: leads · status: claimed by X · from 2019' (no quote); the type
    only when the wording does not already say it ('hostile to')."""
    tie = hop.tie
    facts = [] if hop.wording == tie.type.replace("_", " ") else [f"type: {tie.type}"]
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


def paths_text(
    graph: Graph,
    start: str,
    end: str,
    routes: list[Route],
    options: str = "",
    limit: int | None = None,
    all_quotes: bool = True,
) -> str:
    """Every route with its hops, each hop's ties with their quotes, and the
    documents cited at the end. `limit`: how many routes to write out;
    without `all_quotes`, each tie's first quote and how many more."""
    lines = [f"Shortest routes from {actor_name(graph, start)} ({start}) to {actor_name(graph, end)} ({end})"]
    if options:
        lines.append(f"Options: {options}")
    if not routes:
        lines.append("")
        lines.append("No chain of ties connects them with these options.")
        return "\n".join(lines) + "\n"
    shown = routes if limit is None else routes[:limit]
    lines.append(routes_summary(routes, len(shown)))
    documents: dict[str, int] = {}
    for number, route in enumerate(shown, 1):
        lines.append("")
        lines.append(f"Route {number} of {len(routes)}: {route_names(graph, route)}")
        for step in range(len(route.hops)):
            hops = route_step(route, step)
            lines.append(
                f"  {step + 1}. {actor_name(graph, hops[0].from_id)} → {actor_name(graph, hops[0].to_id)}"
                f" ({plural(len(hops), 'tie')})"
            )
            for hop in hops:
                lines.append(f"     - {hop.wording} · {hop_facts(graph, hop)}")
                citations = hop.tie.citations if all_quotes else hop.tie.citations[:1]
                if not citations:
                    lines.append("       (no citation)")
                for citation in citations:
                    ref = documents.setdefault(citation.source, len(documents) + 1)
                    lines.append(f"       “{_plain(citation.quote)}” [{ref}]")
                if len(citations) < len(hop.tie.citations):
                    lines.append(f"       (+{plural(len(hop.tie.citations) - len(citations), 'more quote')})")
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
