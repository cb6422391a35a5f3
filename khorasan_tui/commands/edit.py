"""Edits from the command line: add-actor, add-tie, add-alias, rm, merge, undo.

Each command loads, changes and saves the store through the one write path
(`transaction`, via `edit.Editor`): the same rules and the same lock as the
app's forms. Every saved change is remembered in a journal beside the store,
so `khorasan undo` can take it back. Destructive commands say what goes
first: on a terminal they ask; elsewhere they need --yes; --dry-run only shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ..console_output import Printer, print_json
from ..edit import AmbiguousActor, EditConflict, EditError, Editor, UnknownItem, is_writable
from ..model import TIE_TYPES, Tie, kind_label, strip_control
from ..serialize import actor_json, actor_ref, tie_json
from ..store import StoreError, check_store_file, locked
from ..transaction import WarningsAdded, read_journal, remember, write_journal
from .context import EXIT_AMBIGUOUS, EXIT_NOT_FOUND, EXIT_OK, EXIT_USAGE, CliExit, Context

T = TypeVar("T")


def _edit(ctx: Context, verb: str, change: Callable[[Editor], T], *, journal: bool = True) -> tuple[Editor, T]:
    """Run one change on the store under its lock, or exit with a clear message."""
    from filelock import Timeout

    from ..store import is_bundled, user_store_path

    path = ctx.db_path
    try:
        # Before the lock: a lock file is made beside the real file, and a
        # symlink to /dev/zero must not get one in /dev.
        check_store_file(path)
    except StoreError as exc:
        raise CliExit(EXIT_USAGE, f"cannot open store: {exc}") from None
    if ctx.args.read_only:
        raise CliExit(EXIT_USAGE, f"cannot {verb}: --read-only was given")
    copy_to = None
    if not ctx.store_named and is_bundled(path):
        copy_to = user_store_path()
        try:
            copy_to.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CliExit(EXIT_USAGE, f"cannot {verb}: cannot create {copy_to.parent}: {exc.strerror or exc}") from None
    if not is_writable(copy_to or path):
        raise CliExit(EXIT_USAGE, f"cannot {verb}: {copy_to or path} or its folder is not writable")
    # The lock of the file that will be written (the bundled store's folder
    # may not even be writable).
    lock = locked(copy_to or path)
    try:
        with lock:
            try:
                editor = Editor.open(path, read_only=False, copy_edits_to=copy_to)
            except StoreError as exc:
                raise CliExit(EXIT_USAGE, f"cannot open store: {exc}") from None
            editor.subscribe(lambda change: _say_moved(change))
            editor.allow_warnings = bool(getattr(ctx.args, "allow_warnings", False))
            try:
                result = change(editor)
                if journal and editor.last_command is not None:
                    _remember(editor.path, editor.last_command)
                return editor, result
            except UnknownItem as exc:
                raise CliExit(EXIT_NOT_FOUND, f"cannot {verb}: {exc}") from None
            except AmbiguousActor as exc:
                raise CliExit(EXIT_AMBIGUOUS, f"cannot {verb}: {exc}") from None
            except WarningsAdded as exc:
                raise CliExit(
                    EXIT_USAGE, f"cannot {verb}: {exc}\n(fix it, or give --allow-warnings to save anyway)"
                ) from None
            except EditError as exc:
                raise CliExit(EXIT_USAGE, f"cannot {verb}: {exc}") from None
    except Timeout:
        raise CliExit(EXIT_USAGE, f"cannot {verb}: another program is editing {path} (lock {lock.lock_file})") from None
    except OSError as exc:
        raise CliExit(EXIT_USAGE, f"cannot {verb}: cannot lock {path}: {exc.strerror or exc}") from None


def _say_moved(change) -> None:
    if change.action == "moved":
        import sys

        sys.stderr.write(f"note: {change.description} (--db or KHORASAN_DB choose another)\n")


def _remember(path, command) -> None:
    """Journal a saved change for `undo`. The change is saved whatever happens
    here, so a journal that cannot be written is a warning, not a failure."""
    import sys

    try:
        remember(path, command)
    except OSError as exc:
        sys.stderr.write(
            strip_control(f"warning: saved, but `khorasan undo` cannot take it back: {exc.strerror or exc}") + "\n"
        )


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
        lambda ed: ed.add_actor(args.name, args.kind, aliases=args.alias, summary=args.summary, actor_id=args.actor_id),
    )
    lines = [f"Added {kind_label(actor.kind)} {actor.name} (id {actor.id})."]
    if actor.aliases:
        lines.append("Also: " + "; ".join(actor.aliases))
    near = editor.graph.near_names(actor.name, exclude=actor.id)
    for other, score in near:
        lines.append(
            f"note: {other.name} ({other.id}) has a close name ({score:.0f}%); if they are one actor: "
            f"khorasan merge {other.id} {actor.id}"
        )
    payload = {
        "action": "add-actor",
        "store": str(editor.path),
        "actor": actor_json(editor.graph, actor),
        "possible_duplicates": [{"id": o.id, "name": o.name, "score": score} for o, score in near],
    }
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


def _confirm(ctx: Context, question: str, verb: str) -> None:
    """Ask on a terminal; elsewhere demand --yes. Raises CliExit when not confirmed."""
    import sys

    if ctx.args.yes:
        return
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise CliExit(
            EXIT_USAGE, f"{question}\nnot confirmed: give --yes to {verb}, or --dry-run to see what would change"
        )
    sys.stdout.write(f"{strip_control(question)} [y/N] ")
    sys.stdout.flush()
    answer = sys.stdin.readline().strip().casefold()
    if answer not in ("y", "yes"):
        raise CliExit(EXIT_USAGE, "nothing changed")


def _not_found(graph, item_id: str) -> CliExit:
    hint = ""
    try:
        candidate = graph.resolve(item_id)
        hint = f"; did you mean {candidate.name} (id {candidate.id})?"
    except LookupError as exc:
        close = getattr(exc, "candidates", [])[:5]
        if close:
            hint = "; closest: " + ", ".join(f"{a.name} ({a.id})" for a in close)
    return CliExit(EXIT_NOT_FOUND, f"no actor or tie has id {item_id!r}{hint}")


def remove(ctx: Context) -> int:
    """Remove a tie, or an actor with its ties, by exact id (never by a guessed name)."""
    item_id = ctx.args.id
    graph = ctx.load()
    if item_id in graph.ties:
        tie = tie_json(graph, graph.ties[item_id])
        wording = TIE_TYPES[tie["type"]].forward
        what = f"tie {item_id}: {tie['source']['name']} {wording} {tie['target']['name']}"
        payload: dict[str, Any] = {"action": "rm", "removed": "tie", "tie": tie}
        lines = [f"Removed {what}."]
    elif item_id in graph.actors:
        impact = Editor(graph.data, graph).deletion_impact(item_id)
        actor = impact.actor
        what = f"{kind_label(actor.kind)} {impact.describe()} (id {item_id})"
        payload = {
            "action": "rm",
            "removed": "actor",
            "actor": actor_ref(graph, item_id),
            "ties": [tie_json(graph, t) for t in impact.ties],
            "claimed_ties": [tie_json(graph, t) for t in impact.claims],
            "cleared_duplicate_of": [a.id for a in impact.duplicates],
        }
        lines = [f"Removed {what}."]
        if impact.duplicates:
            lines.append("Cleared possible-duplicate marks on: " + ", ".join(a.id for a in impact.duplicates))
    else:
        raise _not_found(graph, item_id)
    if ctx.args.dry_run:
        payload["dry_run"] = True
        return _report(ctx, {**payload, "store": str(ctx.db_path)}, [f"Would remove {what}.", "Nothing was changed."])
    _confirm(ctx, f"Remove {what}?", "remove it")

    def change(editor: Editor):
        if "tie" in payload:
            if item_id not in editor.data.ties:
                raise _not_found(editor.graph, item_id)
            return editor.delete_tie(item_id)
        if item_id not in editor.data.actors:
            raise _not_found(editor.graph, item_id)
        return editor.delete_actor(item_id, confirmed=impact)

    editor, _ = _edit(ctx, "remove", change)
    lines.append("Undo with: khorasan undo")
    return _report(ctx, {**payload, "store": str(editor.path)}, lines)


def merge(ctx: Context) -> int:
    """Merge OTHER into KEEP: its ties, names and citations move; its id keeps resolving."""
    graph = ctx.load()
    keep = ctx.resolve(graph, ctx.args.keep)
    other = ctx.resolve(graph, ctx.args.other)
    try:
        impact = Editor(graph.data, graph).merge_impact(keep.id, other.id)
    except EditError as exc:
        raise CliExit(EXIT_USAGE, f"cannot merge: {exc}") from None
    text = impact.describe()
    payload: dict[str, Any] = {
        "action": "merge",
        "keep": actor_ref(graph, keep.id),
        "other": actor_ref(graph, other.id),
        "repointed": [t.id for t in impact.repointed],
        "joined_existing": [t.id for t in impact.folded],
        "dropped": [t.id for t in impact.dropped],
        "claims": [t.id for t in impact.claims],
    }
    if ctx.args.dry_run:
        return _report(
            ctx, {**payload, "dry_run": True, "store": str(ctx.db_path)}, [f"Would {text}.", "Nothing was changed."]
        )
    _confirm(ctx, f"{text[:1].upper()}{text[1:]}?", "merge them")
    editor, _ = _edit(ctx, "merge", lambda ed: ed.merge_actors(keep.id, other.id, confirmed=impact))
    lines = [f"{text[:1].upper()}{text[1:]}.", f"{other.id!r} now opens {keep.name}. Undo with: khorasan undo"]
    return _report(ctx, {**payload, "store": str(editor.path)}, lines)


def undo(ctx: Context) -> int:
    """Take back the last change the CLI saved to this store (journal beside it)."""
    from ..changes import command_from_json

    path = ctx.db_path
    try:
        check_store_file(path)  # the journal is found beside the real file: never beside /dev/zero
    except StoreError as exc:
        raise CliExit(EXIT_USAGE, f"cannot open store: {exc}") from None

    def last_change(entries: list[dict]):
        if not entries:
            raise CliExit(EXIT_NOT_FOUND, f"nothing to undo: no change made with the CLI is remembered for {path}")
        return command_from_json(entries[-1])

    if ctx.args.dry_run:
        command = last_change(read_journal(path))
        lines = [f"Would undo: {command.description}.", "Nothing was changed."]
        return _report(ctx, {"action": "undo", "dry_run": True, "undone": command.description}, lines)

    def change(editor: Editor) -> str:
        # Under the store's lock (re-entrant): the journal's last entry is the one undone and dropped.
        entries = read_journal(path)
        command = last_change(entries)
        try:
            editor.undo_command(command)
        except EditConflict as exc:
            # It can never apply again; dropping it lets the next undo reach older changes,
            # as the editor does within a session.
            write_journal(path, entries[:-1])
            raise EditConflict(f"{exc}; it is forgotten, so the next undo takes back the change before it") from None
        write_journal(path, entries[:-1])
        return command.description

    editor, description = _edit(ctx, "undo", change, journal=False)
    return _report(
        ctx,
        {"action": "undo", "store": str(editor.path), "undone": description},
        [f"Undone: {description}."],
    )
