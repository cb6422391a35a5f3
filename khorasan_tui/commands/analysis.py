"""Analysis commands: timeline and contested."""

from __future__ import annotations

from typing import Any

from ..analysis import Finding, TimelineEntry
from ..analysis import contested as find_contested
from ..analysis import timeline as build_timeline
from ..cli import EXIT_OK, EXIT_USAGE, CliExit, Context
from ..console_output import Printer, print_json, status_label
from ..graph import Graph
from ..model import is_partial_date
from ..serialize import actor_ref, tie_json


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
        "group": ref(finding.group) if finding.group else None,
        "ties": [tie_json(graph, graph.ties[t]) for t in finding.tie_ids],
    }


def timeline(ctx: Context) -> int:
    as_of = ctx.args.as_of
    if as_of is not None and not is_partial_date(as_of):
        raise CliExit(EXIT_USAGE, f"--as-of {as_of!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    graph = ctx.load()
    actor = ctx.resolve(graph, ctx.args.name) if ctx.args.name else None
    entries = build_timeline(graph, actor.id if actor else None, as_of)
    if ctx.args.json:
        print_json([timeline_entry_json(graph, e) for e in entries])
        return EXIT_OK
    out = Printer()
    scope = actor.name if actor else "everything"
    when = f" as of {as_of}" if as_of else ""
    if not entries:
        out.line(f"Timeline of {scope}{when}: no dated events or ties.")
        return EXIT_OK
    rows = [[e.date, e.title, ", ".join(e.documents)] for e in entries]
    out.table(f"Timeline of {scope}{when}: {len(entries)} entries", ["date", "what", "document"], rows)
    return EXIT_OK


def contested(ctx: Context) -> int:
    graph = ctx.load()
    actor = ctx.resolve(graph, ctx.args.name) if ctx.args.name else None
    findings = find_contested(graph, actor.id if actor else None)
    if ctx.args.json:
        print_json([finding_json(graph, f) for f in findings])
        return EXIT_OK
    out = Printer()
    scope = f" involving {actor.name}" if actor else ""
    if not findings:
        out.line(f"No contested claims{scope}.")
        return EXIT_OK
    out.line(f"{len(findings)} contested claim(s){scope}", style="bold")
    for finding in findings:
        a, b = graph.actors[finding.a], graph.actors[finding.b]
        out.blank()
        out.line(f"{a.name} ({a.id}) ↔ {b.name} ({b.id}): {finding.reason}", style="bold")
        for tie_id in finding.tie_ids:
            tie = graph.ties[tie_id]
            claimant = graph.actors[tie.claimant].name if tie.claimant in graph.actors else tie.claimant
            wording = tie.wording_from(tie.source) + (f" ({tie.role})" if tie.role else "")
            when = _when(tie.start, tie.end)
            out.line(
                f"  {graph.actors[tie.source].name} —{wording}→ {graph.actors[tie.target].name}"
                f"   [{status_label(tie.status, claimant)}]{when}   {tie.id}"
            )
            for citation in tie.citations:
                out.line(f"      “{citation.quote}” ({citation.source})")
    return EXIT_OK


def _when(start: str | None, end: str | None) -> str:
    if start and end:
        return f" {start} – {end}"
    if start:
        return f" from {start}"
    if end:
        return f" until {end}"
    return ""
