"""Edits from the command line: add-actor, add-tie, add-alias, rm.

Each command loads, changes and saves the store while holding its lock, so two
scripts editing one store never interleave; the checks are `edit.Editor`'s,
the same as the app's forms.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from ..cli import EXIT_AMBIGUOUS, EXIT_NOT_FOUND, EXIT_OK, EXIT_USAGE, CliExit, Context
from ..console_output import Printer, print_json
from ..edit import AmbiguousActor, EditError, Editor, UnknownItem, is_writable
from ..model import TIE_TYPES, Tie, kind_label
from ..serialize import actor_json, actor_ref, tie_json
from ..store import StoreError, load_store, locked

T = TypeVar("T")


def _edit(ctx: Context, verb: str, change: Callable[[Editor], T]) -> tuple[Editor, T]:
    """Run one change on the store under its lock, or exit with a clear message."""
    from filelock import Timeout

    path = ctx.db_path
    if not path.exists() or path.is_dir():
        try:
            load_store(path)  # names the problem the way every command does
        except StoreError as exc:
            raise CliExit(EXIT_USAGE, f"cannot open store: {exc}") from None
    if ctx.args.read_only:
        raise CliExit(EXIT_USAGE, f"cannot {verb}: --read-only was given")
    if not is_writable(path):
        raise CliExit(EXIT_USAGE, f"cannot {verb}: {path} or its folder is not writable")
    lock = locked(path)
    try:
        with lock:
            try:
                editor = Editor.open(path)
            except StoreError as exc:
                raise CliExit(EXIT_USAGE, f"cannot open store: {exc}") from None
            try:
                return editor, change(editor)
            except UnknownItem as exc:
                raise CliExit(EXIT_NOT_FOUND, f"cannot {verb}: {exc}") from None
            except AmbiguousActor as exc:
                raise CliExit(EXIT_AMBIGUOUS, f"cannot {verb}: {exc}") from None
            except EditError as exc:
                raise CliExit(EXIT_USAGE, f"cannot {verb}: {exc}") from None
    except Timeout:
        raise CliExit(EXIT_USAGE, f"cannot {verb}: another program is editing {path} (lock {lock.lock_file})") from None
    except OSError as exc:
        raise CliExit(EXIT_USAGE, f"cannot {verb}: cannot lock {path}: {exc.strerror or exc}") from None


def _report(ctx: Context, payload: dict[str, Any], lines: list[str]) -> int:
    if ctx.args.json:
        print_json(payload)
    else:
        out = Printer()
        for line in lines:
            out.line(line)
    return EXIT_OK


def add_actor(ctx: Context) -> int:
    args = ctx.args
    editor, actor = _edit(
        ctx,
        "add actor",
        lambda ed: ed.add_actor(
            args.name, args.kind, aliases=args.alias, summary=args.summary, actor_id=args.actor_id
        ),
    )
    lines = [f"Added {kind_label(actor.kind)} {actor.name} (id {actor.id})."]
    if actor.aliases:
        lines.append("Also: " + "; ".join(actor.aliases))
    payload = {"action": "add-actor", "store": str(editor.path), "actor": actor_json(editor.graph, actor)}
    return _report(ctx, payload, lines)


def add_tie(ctx: Context) -> int:
    args = ctx.args

    def change(editor: Editor) -> Tie:
        a = ctx.resolve(editor.graph, args.a)
        b = ctx.resolve(editor.graph, args.b)
        claimant = ctx.resolve(editor.graph, args.claimant).id if args.claimant else None
        return editor.add_tie(
            a.id,
            args.type,
            b.id,
            quote=args.quote,
            source_id=args.source,
            status=args.status,
            claimant=claimant,
            role=args.role,
            start=args.start,
            end=args.end,
            summary=args.summary,
        )

    editor, tie = _edit(ctx, "add tie", change)
    graph = editor.graph
    source, target = graph.actors[tie.source], graph.actors[tie.target]
    wording = TIE_TYPES[tie.type].forward
    lines = [f"Added tie {tie.id}: {source.name} {wording} {target.name} ({tie.status}), citing {args.source}."]
    return _report(ctx, {"action": "add-tie", "store": str(editor.path), "tie": tie_json(graph, tie)}, lines)


def add_alias(ctx: Context) -> int:
    args = ctx.args

    def change(editor: Editor):
        actor = ctx.resolve(editor.graph, args.name)
        return editor.add_alias(actor.id, args.alias)

    editor, actor = _edit(ctx, "add alias", change)
    lines = [f"{actor.name} ({actor.id}) is now also called {args.alias.strip()}.", "Also: " + "; ".join(actor.aliases)]
    payload = {
        "action": "add-alias",
        "store": str(editor.path),
        "alias": args.alias.strip(),
        "actor": actor_json(editor.graph, actor, with_counts=False),
    }
    return _report(ctx, payload, lines)


def remove(ctx: Context) -> int:
    """Remove a tie, or an actor with its ties, by exact id (never by a guessed name)."""
    item_id = ctx.args.id
    described: dict[str, Any] = {}

    def change(editor: Editor):
        graph = editor.graph
        if item_id in editor.data.ties:
            described["tie"] = tie_json(graph, editor.data.ties[item_id])
            return editor.delete_tie(item_id)
        if item_id in editor.data.actors:
            impact = editor.deletion_impact(item_id)
            described["actor"] = actor_ref(graph, item_id)
            described["ties"] = [tie_json(graph, t) for t in impact.ties]
            return editor.delete_actor(item_id, confirmed=impact)
        hint = ""
        try:
            candidate = graph.resolve(item_id)
            hint = f"; did you mean {candidate.name} (id {candidate.id})?"
        except LookupError as exc:
            close = getattr(exc, "candidates", [])[:5]
            if close:
                hint = "; closest: " + ", ".join(f"{a.name} ({a.id})" for a in close)
        raise CliExit(EXIT_NOT_FOUND, f"no actor or tie has id {item_id!r}{hint}")

    editor, removed = _edit(ctx, "remove", change)
    store = str(editor.path)
    if "tie" in described:
        tie = described["tie"]
        wording = TIE_TYPES[tie["type"]].forward
        lines = [f"Removed tie {item_id}: {tie['source']['name']} {wording} {tie['target']['name']}."]
        return _report(ctx, {"action": "rm", "store": store, "removed": "tie", "tie": tie}, lines)
    impact = removed
    plural = "tie" if impact.tie_count == 1 else "ties"
    actor = impact.actor
    lines = [f"Removed {kind_label(actor.kind)} {actor.name} (id {item_id}) and its {impact.tie_count} {plural}."]
    if impact.claims:
        claims = ", ".join(t.id for t in impact.claims)
        lines.append(f"Cleared it as claimant of {len(impact.claims)} other tie(s): {claims}")
    if impact.duplicates:
        lines.append("Cleared possible-duplicate marks on: " + ", ".join(a.id for a in impact.duplicates))
    payload = {
        "action": "rm",
        "store": store,
        "removed": "actor",
        "actor": described["actor"],
        "ties": described["ties"],
        "cleared_claimant": [t.id for t in impact.claims],
        "cleared_duplicate_of": [a.id for a in impact.duplicates],
    }
    return _report(ctx, payload, lines)
