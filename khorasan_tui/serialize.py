"""The JSON shapes the CLI prints and `export --format json` writes.

One place defines them so `show`, `ties`, `path`, `timeline`, `contested` and
`export` agree field for field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .graph import MAX_PATHS, Graph, Route
from .model import Actor, Source, Tie

if TYPE_CHECKING:  # lookups that print no tie as JSON never load the analysis module
    from .analysis import Finding, TimelineEntry


def actor_ref(graph: Graph, actor_id: str) -> dict[str, Any]:
    actor = graph.actors.get(actor_id)
    if actor is None:
        return {"id": actor_id, "name": actor_id, "kind": None}
    return {"id": actor.id, "name": actor.name, "kind": actor.kind}


def actor_json(graph: Graph, actor: Actor, with_counts: bool = True) -> dict[str, Any]:
    data = actor.to_dict()
    for key in ("born", "founded", "died", "ended"):
        data.setdefault(key, None)
    if with_counts:
        data["degree"] = graph.degree(actor.id)
        data["tie_counts"] = graph.type_counts(actor.id)
        data["documents"] = graph.documents_of(actor.id)
    return data


def tie_json(graph: Graph, tie: Tie) -> dict[str, Any]:
    from .analysis import corroboration

    claimant = graph.actors.get(tie.claimant) if tie.claimant else None
    return {
        "id": tie.id,
        "type": tie.type,
        "directed": tie.directed,
        "source": actor_ref(graph, tie.source),
        "target": actor_ref(graph, tie.target),
        "status": tie.status,
        "claimant": tie.claimant,
        "claimant_name": claimant.name if claimant else None,
        "role": tie.role,
        "start": tie.start,
        "end": tie.end,
        "summary": tie.summary,
        # The curator's note: where a date comes from general knowledge, not the quote.
        "note": tie.note,
        "citations": [c.to_dict() for c in tie.citations],
        # Documents that say the same (type, ends, a status that does not contest it), its own included.
        "agreeing_documents": corroboration(graph, tie),
    }


def source_json(source: Source) -> dict[str, Any]:
    return source.to_dict()


def path_json(graph: Graph, start: Actor, end: Actor, routes: list[Route], limit: int | None = None) -> dict[str, Any]:
    """routes → hops → ties; `routes_found` counts them all (at most MAX_PATHS, then
    `complete` is false), `routes` holds the first `limit`."""
    shown = routes if limit is None else routes[:limit]
    return {
        "from": actor_ref(graph, start.id),
        "to": actor_ref(graph, end.id),
        "length": len(routes[0].hops) if routes else None,
        "routes_found": len(routes),
        "complete": len(routes) < MAX_PATHS,
        "routes": [
            {
                "actors": [actor_ref(graph, a) for a in route.actors],
                "hops": [
                    {
                        "from": actor_ref(graph, route.actors[i]),
                        "to": actor_ref(graph, route.actors[i + 1]),
                        "ties": [
                            {**tie_json(graph, tie), "wording": tie.wording_from(route.actors[i])} for tie in ties
                        ],
                    }
                    for i, ties in enumerate(route.hops)
                ],
            }
            for route in shown
        ],
    }


def timeline_entry_json(graph: Graph, entry: TimelineEntry) -> dict[str, Any]:
    return {
        "date": entry.date,
        "kind": entry.kind,
        "id": entry.id,
        "title": entry.title,
        "actors": [actor_ref(graph, a) for a in entry.actor_ids],
        "citations": [c.to_dict() for c in entry.citations],
        "end": entry.end,
        "status": entry.status,
        "ties": [tie_json(graph, t) for t in entry.ties],
    }


def finding_json(graph: Graph, finding: Finding) -> dict[str, Any]:
    def ref(actor_id: str) -> dict[str, Any]:
        full = actor_ref(graph, actor_id)
        return {"id": full["id"], "name": full["name"]}

    return {
        "a": ref(finding.a),
        "b": ref(finding.b),
        "rule": finding.rule,
        "reason": finding.reason,
        "explanation": finding.explanation,
        "group": ref(finding.group) if finding.group else None,
        "sides": [{"title": s.title, "documents": s.documents, "ties": s.tie_ids} for s in finding.sides],
        "ties": [tie_json(graph, graph.ties[t]) for t in finding.tie_ids],
    }
