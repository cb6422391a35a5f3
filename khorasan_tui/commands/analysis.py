"""Analysis commands: timeline and contested."""

from __future__ import annotations

from ..analysis import contested as find_contested
from ..analysis import timeline as build_timeline
from ..console_output import Printer, print_json
from ..model import status_label
from ..serialize import finding_json, timeline_entry_json
from .context import EXIT_OK, Context, checked_date
from .lookup import when_words


def timeline(ctx: Context) -> int:
    as_of = checked_date(ctx.args.as_of, "--as-of")
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
        out.line(f"  {finding.explanation}")
        for tie_id in finding.tie_ids:
            tie = graph.ties[tie_id]
            claimant = graph.actors[tie.claimant].name if tie.claimant in graph.actors else tie.claimant
            wording = tie.wording_from(tie.source) + (f" ({tie.role})" if tie.role else "")
            when = when_words(tie.start, tie.end)
            out.line(
                f"  {graph.actors[tie.source].name} —{wording}→ {graph.actors[tie.target].name}"
                f"   [{status_label(tie.status, claimant)}]{' ' + when if when else ''}   {tie.id}"
            )
            for citation in tie.citations:
                out.line(f"      “{citation.quote}” ({citation.source})")
    return EXIT_OK

