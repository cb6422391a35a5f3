"""Read-only lookups: show, ties, path, search, stats, validate."""

from __future__ import annotations

from collections import Counter

from ..console_output import Printer, print_json
from ..graph import Graph, TieFilter
from ..model import STATUSES, TIE_TYPES, Tie, kind_label, plural, status_label
from ..serialize import actor_json, actor_ref, path_json, tie_json
from .context import (
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_USAGE,
    CliExit,
    Context,
    checked_choices,
    checked_date,
)


def when_words(start: str | None, end: str | None) -> str:
    if start and end:
        return f"{start} – {end}"
    if start:
        return f"from {start}"
    if end:
        return f"until {end}"
    return ""


def tie_row(graph: Graph, tie: Tie, from_actor: str) -> list[str]:
    other = graph.actors[tie.other(from_actor)]
    claimant = graph.actors.get(tie.claimant).name if tie.claimant in graph.actors else None
    wording = tie.wording_from(from_actor)
    if tie.role:
        wording += f" ({tie.role})"
    first = tie.citations[0] if tie.citations else None
    quote = f"“{first.quote}” [{first.source}]" if first else ""
    return [
        wording,
        f"{other.name} ({other.id})",
        status_label(tie.status, claimant),
        when_words(tie.start, tie.end),
        quote,
    ]


def show(ctx: Context) -> int:
    graph = ctx.load()
    actor = ctx.resolve(graph, ctx.args.name)
    if ctx.args.json:
        print_json(actor_json(graph, actor))
        return EXIT_OK
    out = Printer()
    out.line(actor.name, style="bold")
    out.line(f"{kind_label(actor.kind)} · id {actor.id} · {plural(graph.degree(actor.id), 'tie')}")
    if actor.aliases:
        out.line("Also: ", "; ".join(actor.aliases))
    dates = [f"{k} {getattr(actor, k)}" for k in ("born", "founded", "died", "ended") if getattr(actor, k)]
    if dates:
        out.line(" · ".join(dates))
    if actor.summary:
        out.blank()
        out.line(actor.summary)
    counts = graph.type_counts(actor.id)
    if counts:
        out.blank()
        out.line("Ties: ", ", ".join(f"{t} {n}" for t, n in counts.items()))
    out.line("Documents: ", ", ".join(graph.documents_of(actor.id)) or "none")
    if actor.citations:
        out.blank()
        out.table("Citations", ["document", "quote"], [[c.source, c.quote] for c in actor.citations])
    return EXIT_OK


def _filter(ctx: Context, as_of: str | None = None) -> TieFilter:
    args = ctx.args
    types = checked_choices(getattr(args, "type", None), TIE_TYPES, "tie type")
    exclude = checked_choices(getattr(args, "exclude_type", None), TIE_TYPES, "tie type")
    statuses = checked_choices(getattr(args, "status", None), STATUSES, "status")
    return TieFilter.of(types, statuses, getattr(args, "source", None), checked_date(as_of, "--as-of"), exclude)


def ties(ctx: Context) -> int:
    graph = ctx.load()
    tie_filter = _filter(ctx)
    if tie_filter.document and tie_filter.document not in graph.data.sources:
        raise CliExit(EXIT_NOT_FOUND, f"no document {tie_filter.document!r}; known: {', '.join(graph.data.sources)}")
    actor = ctx.resolve(graph, ctx.args.name)
    found = sorted(graph.ties_of(actor.id, tie_filter), key=lambda t: (t.type, t.other(actor.id), t.id))
    if ctx.args.json:
        print_json([tie_json(graph, t) for t in found])
        return EXIT_OK
    out = Printer()
    rows = [tie_row(graph, t, actor.id) for t in found]
    out.table(
        f"{actor.name}: {plural(len(found), 'tie')}", ["tie", "other actor", "status", "when", "first quote"], rows
    )
    return EXIT_OK


def path(ctx: Context) -> int:
    args = ctx.args
    if args.max is not None and args.max < 1:
        raise CliExit(EXIT_USAGE, "--max must be at least 1")
    if args.limit < 1:
        raise CliExit(EXIT_USAGE, "--limit must be at least 1")
    graph = ctx.load()
    tie_filter = _filter(ctx, args.as_of)
    start = ctx.resolve(graph, args.a)
    end = ctx.resolve(graph, args.b)
    if start.id == end.id:
        raise CliExit(EXIT_USAGE, f"both ends are {start.name} ({start.id}): a path needs two different actors")
    routes = graph.shortest_routes(start.id, end.id, tie_filter, max_length=args.max)
    if args.json:
        print_json(path_json(graph, start, end, routes, args.limit))
        return EXIT_OK if routes else EXIT_NOT_FOUND
    out = Printer()
    if not routes:
        within = f" within {plural(args.max, 'tie')}" if args.max else ""
        out.line(f"No chain of ties connects {start.name} and {end.name}{within}.")
        return EXIT_NOT_FOUND
    from ..pathtext import paths_text  # only `path` needs it: other lookups start without it

    lines = paths_text(graph, start.id, end.id, routes, limit=args.limit, all_quotes=False).splitlines()
    out.line(lines[0], style="bold")
    for line in lines[1:]:
        if line:
            out.line(line, style="bold" if line.startswith("Route ") else "")
        else:
            out.blank()
    return EXIT_OK


def search(ctx: Context) -> int:
    graph = ctx.load()
    hits = graph.search(ctx.args.text, kind=ctx.args.kind, limit=max(ctx.args.limit, 1))
    if ctx.args.json:
        print_json(
            [
                {
                    **actor_ref(graph, h.actor_id),
                    "score": h.score,
                    "matched": h.matched,
                    "degree": graph.degree(h.actor_id),
                }
                for h in hits
            ]
        )
        return EXIT_OK if hits else EXIT_NOT_FOUND
    out = Printer()
    if not hits:
        out.line(f"No actor matches {ctx.args.text!r}.")
        return EXIT_NOT_FOUND
    rows = []
    for h in hits:
        actor = graph.actors[h.actor_id]
        matched = "" if h.matched == actor.name else h.matched
        rows.append(
            [f"{h.score:.0f}", actor.name, kind_label(actor.kind), actor.id, matched, str(graph.degree(actor.id))]
        )
    out.table(
        f"{plural(len(hits), 'match', 'matches')} for {ctx.args.text!r}",
        ["score", "name", "kind", "id", "matched", "ties"],
        rows,
    )
    return EXIT_OK


def stats_data(graph: Graph) -> dict:
    kinds = Counter(a.kind for a in graph.actors.values())
    types = Counter(t.type for t in graph.ties.values())
    statuses = Counter(t.status for t in graph.ties.values())
    documents = {
        doc: {
            "title": graph.data.sources[doc].title if doc in graph.data.sources else doc,
            "ties": len(graph.by_document.get(doc, [])),
        }
        for doc in graph.data.sources
    }
    return {
        "store": graph.data.name,
        "path": str(graph.data.path) if graph.data.path else None,
        "actors": len(graph.actors),
        "ties": len(graph.ties),
        "sources": len(graph.data.sources),
        "by_kind": dict(kinds.most_common()),
        "by_type": dict(types.most_common()),
        "by_status": dict(statuses.most_common()),
        "by_document": documents,
        "most_connected": [{**actor_ref(graph, a), "degree": d} for a, d in graph.most_connected(10)],
    }


def stats(ctx: Context) -> int:
    graph = ctx.load()
    data = stats_data(graph)
    if ctx.args.json:
        print_json(data)
        return EXIT_OK
    out = Printer()
    counts = f"{plural(data['actors'], 'actor')}, {plural(data['ties'], 'tie')}, {plural(data['sources'], 'document')}"
    out.line(f"{data['store']}: {counts}", style="bold")
    out.line(f"file: {data['path']}")
    out.table("By kind", ["kind", "actors"], [[kind_label(k), str(n)] for k, n in data["by_kind"].items()])
    out.table("By tie type", ["type", "ties"], [[k, str(n)] for k, n in data["by_type"].items()])
    out.table("By status", ["status", "ties"], [[status_label(k), str(n)] for k, n in data["by_status"].items()])
    out.table(
        "By document",
        ["document", "title", "ties"],
        [[k, v["title"], str(v["ties"])] for k, v in data["by_document"].items()],
    )
    out.table(
        "Most connected",
        ["actor", "id", "ties"],
        [[m["name"], m["id"], str(m["degree"])] for m in data["most_connected"]],
    )
    return EXIT_OK


def validate(ctx: Context) -> int:
    from ..store import StoreError, load_store
    from ..validate import is_valid, summary_counts
    from ..validate import validate as run_checks

    path = ctx.db_path
    try:
        # Unchecked: a store that breaks the rulebook still opens here, so that
        # every problem is listed rather than only the first.
        data = load_store(path, check=False)
    except StoreError as exc:
        if ctx.args.json:
            print_json({"valid": False, "path": str(path), "errors": [str(exc)], "warnings": []})
        else:
            Printer().line(f"✗ {exc}")
        # Like every other command: a store that cannot be opened is a usage error.
        return EXIT_USAGE
    problems = run_checks(data)
    counts = summary_counts(data)
    errors = [str(p) for p in problems if p.level == "error"]
    warnings = [str(p) for p in problems if p.level != "error"]
    ok = is_valid(problems)
    if ctx.args.json:
        print_json({"valid": ok, "path": str(path), **counts, "errors": errors, "warnings": warnings})
    else:
        out = Printer()
        for line in errors + warnings:
            out.line(line)
        verdict = "✓ valid" if ok else f"✗ {plural(len(errors), 'error')}"
        out.line(
            f"{verdict}: {path}: {plural(counts['actors'], 'actor')}, {plural(counts['ties'], 'tie')}, "
            f"{plural(counts['sources'], 'document')}, {plural(counts['quotes'], 'quote')} checked, "
            f"{plural(len(warnings), 'warning')}"
        )
    return EXIT_OK if ok else EXIT_NOT_FOUND
