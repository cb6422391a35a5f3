"""The Khorasan Textual app and its factory.

The first frame is drawn before the store is read: loading runs in a worker
thread, so a large store shows progress instead of a blank terminal.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Input, TextArea

from ..edit import EditError
from ..graph import Graph, TieFilter
from ..model import Actor, plural
from ..store import StoreData, StoreError, gc_paused, load_store
from ..storedata import freeze_for_good
from .explorer import ExplorerScreen
from .history import History
from .messages import ActorOpened, AsOfChanged, FiltersChanged, StoreChanged
from .palette import ActorCommands
from .registry import register_app
from .render import safe, safe_block, safe_markup

# Above this many ties the contested rules run in a worker after an edit.
THREADED_FINDINGS = 20_000
# Above this many ties an edit is saved in a worker (seconds to write), with "Saving…" shown meanwhile.
THREADED_SAVE = 20_000
# How often (seconds) the store file is checked for other writers' saves.
STORE_POLL = 2.0


def contested(graph: Graph) -> list:
    """analysis.contested, imported when first needed: start-up does not pay for it."""
    from ..analysis import contested as find_contested

    return find_contested(graph)


@register_app
class KhorasanApp(App[int]):
    CSS_PATH = "khorasan.tcss"
    TITLE = "Khorasan"
    COMMANDS = App.COMMANDS | {ActorCommands}
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("left_square_bracket,alt+left", "back", "Back", key_display="[", id="app.back"),
        Binding("right_square_bracket,alt+right", "forward", "Fwd", key_display="]", id="app.forward"),
        Binding("s", "sources", "Sources", id="app.sources"),
        Binding("ctrl+p", "command_palette", "Palette", show=False, id="app.command-palette"),
        # analysis views (pathfinder, diagram_screen, timeline_screen, contested_screen)
        Binding("p", "path_finder", "Paths", show=False, id="app.path-finder"),
        Binding("g", "diagram", "Diagram", show=False, id="app.diagram"),
        Binding("t", "timeline", "Timeline", show=False, id="app.timeline"),
        Binding("c", "contested", "Contested", show=False, id="app.contested"),
        Binding("D", "documents", "Documents", show=False, id="app.documents"),
        Binding(
            "less_than_sign",
            "as_of_step(-1)",
            "As of: a year earlier",
            key_display="<",
            show=False,
            id="app.as-of-step-back",
        ),
        Binding(
            "greater_than_sign",
            "as_of_step(1)",
            "As of: a year later",
            key_display=">",
            show=False,
            id="app.as-of-step-on",
        ),
        Binding(
            "at", "as_of_input", "As of: type a date (empty clears)", key_display="@", show=False, id="app.as-of-input"
        ),
        # editing (hidden in read-only mode, see check_action)
        Binding("a", "add_actor", "Add actor", show=False, id="app.add-actor"),
        Binding("e", "edit_actor", "Edit actor", show=False, id="app.edit-actor"),
        Binding("n", "new_tie", "New tie", show=False, id="app.new-tie"),
        Binding("d", "delete", "Delete tie/actor", show=False, id="app.delete"),
        Binding("M", "merge", "Merge another actor into this one", show=False, id="app.merge"),
        Binding("u", "undo", "Undo", show=False, id="app.undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="app.redo"),
    ]

    # The view state: screens post messages (app/messages.py), the app sets these,
    # and their watchers redraw what depends on them.
    current: var[str | None] = var(None, init=False)
    kind_filter: var[str | None] = var(None, init=False)
    tie_types: var[frozenset[str] | None] = var(None, init=False)
    tie_statuses: var[frozenset[str] | None] = var(None, init=False)
    as_of: var[str | None] = var(None, init=False)
    saving: var[bool] = var(False, init=False)  # an edit is being written in a worker

    # Textual sets the theme while the app is built: not the user's choice, nothing to save.
    _settings_applied = False

    EDIT_ACTIONS = frozenset({"add_actor", "edit_actor", "new_tie", "delete", "merge", "undo", "redo"})

    def __init__(
        self,
        path: Path | None = None,
        data: StoreData | None = None,
        read_only: bool = False,
        start_actor: str | None = "iskp",
        copy_edits_to: Path | None = None,
    ) -> None:
        super().__init__()
        self.store_path = Path(path) if path else None
        # Set when the store is the bundled one, which is never edited in place.
        self.copy_edits_to = copy_edits_to
        self._preloaded = data
        self.read_only = read_only
        self.start_actor = start_actor
        self.graph: Graph | None = None
        self.history = History()
        # Contested findings are computed once per store version (load, edit) and
        # shared: the relationship pane's ⚡ and the contested screen read them.
        self.contested_findings: list = []
        self.contested_ids: set[str] = set()
        # True from a big store's first paint until its findings are worked out.
        self.findings_pending = False
        self.loaded = asyncio.Event()
        self.load_error: str | None = None
        self.editor = None  # an edit.Editor once the store has loaded
        self._year_span: tuple[int, int] | None = None
        # (actors, ties, documents) for the header; a SQLite store's are counted by a worker.
        self._sizes: tuple[int, int, int] | None = None
        self._sizes_version = 0
        self.read_only_reason = "opened with --read-only" if read_only else ""
        self._pending_changes: list = []
        self._saved_theme: str | None = None
        self._unreadable_stat: tuple[int, int] | None = None  # the store's (size, mtime) when it failed to load
        self._loading_timer = None
        self._last_from_list = False

    # -- start-up ------------------------------------------------------------------
    async def on_mount(self) -> None:
        self._apply_settings()
        self._explorer = ExplorerScreen()
        # Wait for the explorer's panes: a small store can load before they exist.
        await self.push_screen(self._explorer)
        if self._preloaded is not None:
            # After the first frame, so start-up shows the screen before filling it.
            self.call_after_refresh(self._store_ready, self._preloaded)
        else:
            self._show_loading()
            self._load_store()

    # -- the user's settings (app/config.py) -----------------------------------------
    def _apply_settings(self) -> None:
        """Key remaps and the theme from the config file; problems become a toast, never a crash."""
        from .config import config_path, load_settings
        from .help import binding_ids

        self.config_path = config_path()
        settings = load_settings(self.config_path)
        problems = list(settings.problems)
        if settings.keys:
            known = binding_ids()
            unknown = sorted(set(settings.keys) - known)
            if unknown:
                problems.append(f"{self.config_path}: no key has the id {', '.join(unknown)} (? lists the ids)")
            self.set_keymap({k: v for k, v in settings.keys.items() if k in known})
        if settings.theme:
            if settings.theme in self.available_themes:
                self._saved_theme = settings.theme
                self.theme = settings.theme
            else:
                problems.append(f"{self.config_path}: no theme is called {settings.theme!r}")
        for problem in problems:
            self.notify(problem, title="Settings", severity="warning", timeout=10)
        self._settings_applied = True

    def watch_theme(self, theme: str) -> None:
        """A theme chosen in the palette is remembered for the next start."""
        from .config import save_theme

        if not self._settings_applied or theme == self._saved_theme:
            return
        try:
            save_theme(self.config_path, theme)
        except OSError as exc:
            self.notify(f"{self.config_path}: {exc.strerror or exc}", title="Theme not saved", severity="warning")
            return
        self._saved_theme = theme

    @property
    def keymap(self) -> dict[str, str]:
        """Binding id -> keys, as the config file remapped them."""
        return dict(self._keymap)

    def _show_loading(self) -> None:
        """Progress while a big store loads: the UI is live, the lists show a spinner."""
        import time

        started = time.monotonic()
        try:
            size = self.store_path.stat().st_size / 1_000_000
        except OSError:
            size = 0.0
        name = self.store_path.name if self.store_path else "store"

        spinner = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"

        def tick() -> None:
            if self.graph is None and self.load_error is None:
                elapsed = time.monotonic() - started
                message = f"loading {name} ({size:,.1f} MB) · {elapsed:.1f} s"
                self.sub_title = message
                frame = spinner[int(elapsed * 4) % len(spinner)]
                self.explorer.show_loading(
                    f"{frame} {message[0].upper()}{message[1:]}\nKeys work meanwhile: ? help, q quit."
                )

        tick()
        self._loading_timer = self.set_interval(0.25, tick)

    @work(thread=True, exclusive=True, group="load")
    def _load_store(self) -> None:

        try:
            with gc_paused():
                data = load_store(self.store_path)
                graph = Graph(data)
        except StoreError as exc:
            self.call_from_thread(self._load_failed, str(exc))
            return
        except Exception as exc:  # a bug, not bad input: still never leave the UI waiting
            self.call_from_thread(self._load_failed, f"{self.store_path}: unexpected error: {exc!r}")
            return
        # Freezing what was built keeps later collections from walking the whole store.
        freeze_for_good()
        self.call_from_thread(self._store_ready, data, graph)

    def _load_failed(self, message: str) -> None:
        self.load_error = message
        self.loaded.set()
        self.exit(return_code=2, message=f"cannot open store: {message}")

    def _store_ready(self, data: StoreData, graph: Graph | None = None) -> None:
        self.graph = graph or Graph(data)
        if self._loading_timer is not None:
            self._loading_timer.stop()
        # The contested rules walk every tie: milliseconds on a small store, so
        # its first paint has the ⚡ marks; seconds on a big one (and queries on a
        # SQLite store), so they follow that paint from a worker.
        threaded = self.graph.lazy or len(self.graph.ties) > THREADED_FINDINGS
        if not threaded:
            self._set_findings(contested(self.graph))
        self._show_file(data)
        self._start_editor(data)
        self._update_subtitle()
        start = self.start_actor if self.start_actor in self.graph.actors else self._most_connected()
        if start:
            self.open_actor(start)  # fills the detail and relationship panes
        else:
            self.explorer.show_current()
        self.explorer.run_search("")
        if threaded:
            self.findings_pending = True
            self.call_after_refresh(self._findings_in_thread)
        self.loaded.set()

    def _show_file(self, data: StoreData) -> None:
        """Which file is open, in the header: its folder and name tell the bundled
        store (…/data/khorasan.json) from the user's copy (…/khorasan/khorasan.json);
        `khorasan stats` prints the whole path."""
        where = "…/" + "/".join(data.path.parts[-2:]) if data.path else data.name
        self.title = f"Khorasan · {where}"

    def _most_connected(self) -> str | None:
        return self.graph.most_connected(1)[0][0] if self.graph.actors else None

    def _start_editor(self, data: StoreData) -> None:
        # Imported here, after the first frame: start-up pays only for what it draws.
        from ..edit import Editor, is_writable

        writable_path = self.copy_edits_to or data.path
        if self.copy_edits_to is not None:
            try:
                self.copy_edits_to.parent.mkdir(parents=True, exist_ok=True)
            except OSError:
                pass  # is_writable says so just below
        if not self.read_only and writable_path is not None and not is_writable(writable_path):
            self.read_only = True
            self.read_only_reason = f"{writable_path} or its folder is not writable"
        self.editor = Editor(
            data,
            self.graph,
            read_only=self.read_only,
            read_only_reason=self.read_only_reason,
            copy_edits_to=self.copy_edits_to,
        )
        # post_message is thread-safe: a save in a worker reports back the same way.
        self.editor.subscribe(lambda change: self.post_message(StoreChanged(change)))
        if data.path is not None:
            self.set_interval(STORE_POLL, self._watch_store)
        if self.read_only:
            self.notify(f"Read-only: {self.read_only_reason}. Editing keys are off.", title="Read-only", timeout=6)
        self.refresh_bindings()

    @on(StoreChanged)
    def _store_changed(self, message: StoreChanged) -> None:
        """After an edit, undo, redo or reload. One repaint for the changes that
        arrived together (a reload just before an undo applies), after the commit."""
        self._pending_changes.append(message.change)
        if len(self._pending_changes) == 1:
            self.call_later(self._repaint_after_changes)

    def _repaint_after_changes(self) -> None:
        changes, self._pending_changes = self._pending_changes, []
        self._year_span = None
        self._sizes, self._sizes_version = None, self._sizes_version + 1
        self._recompute_findings()
        self._update_subtitle()
        for gone in {entry for entry in self.history.entries if entry not in self.graph.actors}:
            self.history.forget(gone)  # deleted, or merged into another actor
        current = self.current
        if current is not None and current not in self.graph.actors:
            current = self.history.current
        if current is None and self.graph.actors:
            current = self._most_connected()
            self.history.visit(current)
        # Quietly: refresh_all below redraws the panes once.
        self.set_reactive(KhorasanApp.current, current)
        self.explorer.refresh_all()
        for change in changes:
            if change.action == "moved":
                self._show_file(self.graph.data)
                self.notify(change.description, title="Your own copy")
            if change.action == "reload":
                self.notify(
                    f"{change.description}. You are where you were: same actor, filters and date.",
                    title="Store changed by another program",
                    severity="warning",
                )

    # -- other writers ---------------------------------------------------------------
    def _watch_store(self) -> None:
        """Every STORE_POLL seconds: a stat of the store (no read) against what we
        last read or wrote; a difference reloads it in a worker."""
        data = self.graph.data if self.graph is not None else None
        if data is None or self.editor is None or self.saving:
            return
        backend = getattr(data, "backend", None)
        if backend is not None:
            # SQLite: PRAGMA data_version moves when another connection commits.
            # Nothing is reloaded; what was read is forgotten and the panes redrawn.
            if backend.changed_by_others():
                backend.mark_seen()
                data.forget()
                self.editor.reload(data)
            return
        if data.path is None or data.fingerprint is None:
            return
        if any(w.group == "reload" and not w.is_finished for w in self.workers):
            return
        try:
            stat = data.path.stat()
        except OSError:
            return  # being replaced right now; the next tick sees the new file
        seen = (stat.st_size, stat.st_mtime_ns)
        if seen != (data.fingerprint.size, data.fingerprint.mtime_ns) and seen != self._unreadable_stat:
            self._reload_in_thread(data.path, data.fingerprint, seen)

    @work(thread=True, exclusive=True, group="reload")
    def _reload_in_thread(self, path: Path, seen, stat: tuple[int, int]) -> None:
        try:
            with gc_paused():
                fresh = load_store(path)
        except StoreError:
            # Broken for now: keep what we have, and read it again only once it changes.
            self._unreadable_stat = stat
            return
        self.call_from_thread(self._adopt_reloaded, fresh, seen)

    def _adopt_reloaded(self, fresh: StoreData, seen) -> None:
        data = self.graph.data
        if data.fingerprint != seen:
            return  # we saved (or reloaded) meanwhile: the next tick compares again
        if fresh.fingerprint is not None and fresh.fingerprint.digest == seen.digest:
            data.fingerprint = fresh.fingerprint  # touched, not changed
            return
        self.editor.reload(fresh)

    def _set_findings(self, findings: list) -> None:
        self.contested_findings = findings
        self.contested_ids = {tie_id for finding in findings for tie_id in finding.tie_ids}

    def _tie_count(self) -> int:
        """How many ties; on a SQLite store as last counted (unknown counts as many)."""
        if self.graph.lazy:
            return self._sizes[1] if self._sizes else THREADED_SAVE + 1
        return len(self.graph.ties)

    @work(thread=True, exclusive=True, group="count")
    def _count_in_thread(self, version: int) -> None:
        # A count of millions of ties reads a whole index (~100 ms): on a connection of its own.
        from ..sqlstore import open_sqlite

        data = open_sqlite(self.graph.data.path)
        try:
            sizes = (len(data.actors), len(data.ties), len(data.sources))
        finally:
            data.backend.close()
        self.call_from_thread(self._counted, version, sizes)

    def _counted(self, version: int, sizes: tuple[int, int, int]) -> None:
        if version == self._sizes_version:
            self._sizes = sizes
            self._update_subtitle()

    def _recompute_findings(self) -> None:
        if self._tie_count() <= THREADED_FINDINGS:
            self._set_findings(contested(self.graph))
        else:
            self.findings_pending = True
            self._findings_in_thread()

    @work(thread=True, exclusive=True, group="contested")
    def _findings_in_thread(self) -> None:
        graph = self.graph
        if graph.lazy:
            # A SQLite store: a connection and record caches of this worker's own, so the
            # screen's reads never share them, and what it read goes when it is done.
            from ..sqlstore import open_sqlite

            graph = Graph(open_sqlite(graph.data.path))
        try:
            findings = contested(graph)
        except RuntimeError:
            # another edit changed the indexes mid-walk; that edit schedules a fresh run
            return
        finally:
            if graph is not self.graph:
                graph.data.backend.close()
        self.call_from_thread(self._findings_ready, findings)
        try:
            # What the graph left for first use: here rather than at the first search or documents view.
            self.graph.build_deferred()
        except RuntimeError:
            pass  # an edit meanwhile: its own run builds them again

    def _findings_ready(self, findings: list) -> None:
        self._set_findings(findings)
        self.findings_pending = False
        self.explorer.show_current()
        for screen in self.screen_stack:
            refill = getattr(screen, "findings_changed", None)
            if refill is not None:
                refill()  # the contested screen, opened while they were being worked out

    def _update_subtitle(self) -> None:
        if self.graph is None:
            return
        data = self.graph.data
        if not self.graph.lazy:
            self._sizes = (len(data.actors), len(data.ties), len(data.sources))
        elif self._sizes is None:
            self._count_in_thread(self._sizes_version)
        if self._sizes is None:
            parts = ["counting…"]
        else:
            actors, ties, documents = self._sizes
            parts = [plural(actors, "actor"), plural(ties, "tie"), plural(documents, "document")]
        if self.read_only:
            parts.insert(0, "read-only")  # first: a narrow header cuts from the end
        if self.saving:
            parts.append("Saving…")
        if self.as_of:
            parts.append(f"as of {self.as_of}")
        self.sub_title = " · ".join(parts)

    # -- untrusted text ------------------------------------------------------------
    def _handle_exception(self, error: Exception) -> None:
        # A SQLite store is read as it is used: a record another program wrote
        # that no rule lets in is refused when a pane first reads it. That is
        # bad input, not a bug: leave cleanly, naming the record, as the CLI does
        # (exit 2), rather than with a traceback. (Textual's hook for unhandled
        # errors; textual is pinned exactly, so its name is stable.)
        # A worker's error arrives wrapped (WorkerFailed.error).
        cause = error if isinstance(error, StoreError) else getattr(error, "error", None)
        if isinstance(cause, StoreError):
            from rich.text import Text

            self._return_code = 2
            self.exit(return_code=2, message=Text(f"cannot use store: {safe(str(cause))}"))
            return
        super()._handle_exception(error)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast, from any screen or widget (their `notify` ends here), shows its
        text as data: names, quotes and error texts are never parsed as markup, so
        "[@click=app.quit]" is shown, not obeyed, and "[TTP]" is not swallowed.
        `markup` is ignored on purpose: Textual's widgets pass True by default."""
        super().notify(safe_block(message), title=safe(title), severity=severity, timeout=timeout, markup=False)

    def validate_title(self, title: str) -> str:
        return safe(title)

    def validate_sub_title(self, sub_title: str) -> str:
        return safe(sub_title)

    async def action_quit(self) -> None:
        """q never throws away a form with unsaved input (it may reach here from a
        select or a button in the form), nor quits while an input has the focus."""
        if isinstance(self.focused, (Input, TextArea)):
            return
        from .editing import FormScreen

        if any(isinstance(screen, FormScreen) and screen.has_unsaved_input for screen in self.screen_stack):
            self.bell()
            self.notify("Unsaved changes: ctrl+s saves, escape discards.", title="Not quitting", severity="warning")
            return
        self.exit()

    def action_help_quit(self) -> None:
        # Textual's own hint uses markup, which notify above would show raw.
        self.notify("Press q to quit the app (not while typing).", title="Do you want to quit?")

    def copy_text(self, text: str, what: str) -> None:
        """Copy plain text (OSC 52: works over SSH, with no clipboard program) and say so."""
        self.copy_to_clipboard(text)
        lines = len(text.splitlines())
        self.notify(f"Copied {what} ({lines} line{'s' if lines != 1 else ''}).", title="Copied")

    # -- state ---------------------------------------------------------------------
    @property
    def explorer(self) -> ExplorerScreen:
        return self._explorer

    @property
    def current_actor(self) -> Actor | None:
        if self.graph is None or self.current is None:
            return None
        return self.graph.actors.get(self.current)

    @property
    def tie_filter(self) -> TieFilter:
        return TieFilter.of(types=self.tie_types, statuses=self.tie_statuses, as_of=self.as_of)

    def filter_summary(self) -> str:
        types = ", ".join(sorted(self.tie_types)) if self.tie_types else "all types"
        statuses = ", ".join(sorted(self.tie_statuses)) if self.tie_statuses else "all statuses"
        summary = f"{types} · {statuses}"
        if self.as_of:
            summary += f" · as of {self.as_of}"
        return summary + " (f)"

    def open_actor(self, actor_id: str, from_list: bool = False) -> None:
        """Move to an actor; list browsing replaces the last crumb, jumps add one."""
        if self.graph is None or actor_id not in self.graph.actors:
            return
        replace = from_list and self._last_from_list
        self._last_from_list = from_list
        self.history.visit(actor_id, replace=replace)
        self.current = actor_id

    def action_back(self) -> None:
        self._step_history(self.history.back())

    def action_forward(self) -> None:
        self._step_history(self.history.forward())

    def _step_history(self, actor_id: str | None) -> None:
        if actor_id is None:
            self.bell()
            return
        self._last_from_list = False
        self.current = actor_id

    def set_filters(self, kind: str | None, types: Iterable[str] | None, statuses: Iterable[str] | None) -> None:
        self.kind_filter = kind
        self.tie_types = frozenset(types) if types else None
        self.tie_statuses = frozenset(statuses) if statuses else None

    # -- messages from screens and widgets, and what the view state's watchers redraw --
    @on(ActorOpened)
    def _actor_opened(self, message: ActorOpened) -> None:
        self.open_actor(message.actor_id, from_list=message.from_list)

    @on(FiltersChanged)
    def _filters_changed(self, message: FiltersChanged) -> None:
        self.set_filters(message.kind, message.types, message.statuses)

    @on(AsOfChanged)
    def _as_of_changed(self, message: AsOfChanged) -> None:
        self.set_as_of(message.as_of)

    def watch_current(self) -> None:
        self.explorer.show_current()

    def watch_kind_filter(self) -> None:
        self.explorer.rerun_search()
        self.explorer.follow_list_cursor()

    def watch_tie_types(self) -> None:
        self.explorer.show_current()

    def watch_tie_statuses(self) -> None:
        self.explorer.show_current()

    def watch_as_of(self) -> None:
        # Analysis screens watch this attribute themselves (AnalysisScreen.on_mount).
        self._update_subtitle()
        self.explorer.show_current()  # the actor list does not depend on the date

    def watch_saving(self) -> None:
        self._update_subtitle()
        self.refresh_bindings()

    # -- screens -------------------------------------------------------------------
    def action_help(self) -> None:
        from . import documents, review  # noqa: F401  (they register their help sections)
        from .help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_sources(self) -> None:
        from .sources import SourcesScreen

        if self.graph is None or self.current is None:
            return
        tie_id = self.explorer.current_tie_id() if self.screen is self.explorer else None
        self.push_screen(SourcesScreen(self.current, tie_id))

    # -- editing -------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.EDIT_ACTIONS:
            # Hidden everywhere in read-only mode and while a save is being written; only on the explorer otherwise.
            if self.read_only or self.editor is None or self.saving:
                return False
            return self.screen is self.explorer
        return True

    def action_add_actor(self) -> None:
        from .editing import ActorFormScreen

        form = ActorFormScreen(self.editor)
        self.push_screen(form, lambda saved: saved and self.open_actor(form.result_actor))

    def action_edit_actor(self) -> None:
        from .editing import ActorFormScreen

        if self.current is not None:
            self.push_screen(ActorFormScreen(self.editor, self.current))

    def action_new_tie(self) -> None:
        from .editing import TieFormScreen

        if self.current is not None:
            self.push_screen(TieFormScreen(self.editor, self.current))

    def action_delete(self) -> None:
        from .editing import ConfirmScreen

        if self.current is None or self.editor is None:
            return
        tie_id = self.explorer.current_tie_id()
        if tie_id is not None and tie_id in self.graph.ties:
            tie = self.graph.ties[tie_id]
            a, b = self.graph.actors[tie.source].name, self.graph.actors[tie.target].name
            question = f"Delete the tie: {a} {tie.wording_from(tie.source)} {b}?"
            detail = f"{tie.status}, {plural(len(tie.citations), 'citation')}. u undoes it."

            def delete_tie(yes: bool | None) -> None:
                if yes:
                    self._run_edit(lambda: self.editor.delete_tie(tie_id), "Tie deleted")

            self.push_screen(ConfirmScreen(question, detail), delete_tie)
            return
        impact = self.editor.deletion_impact(self.current)
        question = f"Delete {impact.describe()}?"
        detail = f"{plural(len(impact.all_ties), 'tie')} go with it. u undoes it."

        def delete_actor(yes: bool | None) -> None:
            if yes:
                self._run_edit(lambda: self.editor.delete_actor(impact.actor.id, confirmed=impact), "Actor deleted")

        self.push_screen(ConfirmScreen(question, detail), delete_actor)

    def action_merge(self) -> None:
        """M: pick a duplicate, read what merging it into the current actor does, confirm."""
        from .editing import ConfirmScreen
        from .merge import MergePickerScreen

        if self.current is None or self.editor is None or len(self.graph.actors) < 2:
            return
        keep_id = self.current

        def picked(other_id: str | None) -> None:
            if other_id is None or keep_id not in self.graph.actors or other_id not in self.graph.actors:
                return
            try:
                impact = self.editor.merge_impact(keep_id, other_id)
            except EditError as exc:
                self.notify(str(exc), title="Cannot merge", severity="error", timeout=8)
                return
            question = f"Merge {impact.other.name} into {impact.keep.name}?"
            detail = (
                f"{impact.describe()}. Its names become aliases of {impact.keep.name}, and the id "
                f"{impact.other.id} keeps leading to it. u undoes it."
            )

            def merge(yes: bool | None) -> None:
                if yes:
                    self._run_edit(
                        lambda: self.editor.merge_actors(keep_id, other_id, confirmed=impact),
                        f"Merged {impact.other.name} into {impact.keep.name}",
                    )

            self.push_screen(ConfirmScreen(question, detail, yes="Merge (y)", no="Keep apart (n)"), merge)

        self.push_screen(MergePickerScreen(self.graph, keep_id), picked)

    def run_edit(self, operation: Callable[[], object], done: Callable[[object, EditError | None], None]) -> bool:
        """The one way the app's screens save: run `operation` (an Editor call) at
        once on a small store, or in a worker on a big one (writing takes seconds)
        with "Saving…" shown and the editing keys off; then `done(result, error)`
        on the UI thread. True while it runs in the worker."""
        if self.saving:
            self.bell()
            return False
        if self._tie_count() > THREADED_SAVE:
            self.saving = True
            self._edit_in_thread(operation, done)
            return True
        done(*self._apply_edit(operation))
        return False

    @staticmethod
    def _apply_edit(operation: Callable[[], object]) -> tuple[object, EditError | None]:
        try:
            return operation(), None
        except EditError as exc:
            return None, exc

    @work(thread=True, exclusive=True, group="save")
    def _edit_in_thread(
        self, operation: Callable[[], object], done: Callable[[object, EditError | None], None]
    ) -> None:
        result, error = self._apply_edit(operation)
        self.call_from_thread(self._edit_finished, done, result, error)

    def _edit_finished(
        self, done: Callable[[object, EditError | None], None], result: object, error: EditError | None
    ) -> None:
        self.saving = False
        done(result, error)

    def _run_edit(self, operation: Callable[[], object], message: str) -> None:
        def said(_result: object, error: EditError | None) -> None:
            if error is not None:
                self.notify(str(error), title="Not saved", severity="error", timeout=8)
            else:
                self.notify(message)

        self.run_edit(operation, said)

    def action_undo(self) -> None:
        if self.editor is None or not self.editor.can_undo:
            self.notify("Nothing to undo.", severity="warning")
            return
        self._run_edit(self.editor.undo, f"Undone: {self.editor.undo_description}")

    def action_redo(self) -> None:
        if self.editor is None or not self.editor.can_redo:
            self.notify("Nothing to redo.", severity="warning")
            return
        self._run_edit(self.editor.redo, f"Redone: {self.editor.redo_description}")

    # -- analysis views and the "as of" date ----------------------------------------
    def set_as_of(self, value: str | None) -> None:
        """Hide ties not yet begun or already ended on `value` (None: show all) everywhere."""
        self.as_of = value or None

    def action_as_of_step(self, step: int) -> None:
        from ..analysis import step_as_of, year_span

        if self.graph is None:
            return
        if self._year_span is None:
            if self.graph.lazy:
                self._year_span_in_thread(step)  # a scan of every date column: not on this thread
                return
            self._year_span = year_span(self.graph)  # walks every tie: once per store version
        value = step_as_of(self.as_of, step, self._year_span)
        if value == self.as_of:
            self.bell()
            return
        self.set_as_of(value)

    @work(thread=True, exclusive=True, group="years")
    def _year_span_in_thread(self, step: int) -> None:
        from ..analysis import year_span

        span = year_span(self.graph)
        self.call_from_thread(self._year_span_ready, span, step)

    def _year_span_ready(self, span: tuple[int, int] | None, step: int) -> None:
        self._year_span = span
        if span is None:
            self.bell()  # nothing is dated
        else:
            self.action_as_of_step(step)

    def action_as_of_input(self) -> None:
        from .timeline_screen import AsOfDialog

        if self.graph is not None and not isinstance(self.screen, AsOfDialog):
            self.push_screen(AsOfDialog())

    def action_path_finder(self) -> None:
        from . import pathfinder

        pathfinder.open_path_finder(self)

    def action_diagram(self) -> None:
        from . import diagram_screen

        diagram_screen.open_diagram(self)

    def action_timeline(self) -> None:
        from . import timeline_screen

        timeline_screen.open_timeline(self)

    def action_contested(self) -> None:
        from . import contested_screen

        contested_screen.open_contested(self)

    def action_documents(self) -> None:
        from .documents import DocumentsScreen

        if self.graph is not None and not isinstance(self.screen, DocumentsScreen):
            self.push_screen(DocumentsScreen())

    def action_add_document(self) -> None:
        from .review import open_add_document

        if self.editor is not None and not self.read_only:
            open_add_document(self)

    def key_hint(self, action: str) -> str:
        """' (p)': the key bound to `action` now (keymap applied), for palette entries."""
        from .help import key_label

        for cls in (type(self), ExplorerScreen):
            for binding in cls.BINDINGS:
                if binding.action == action:
                    return f" ({key_label(binding, self.keymap)})"
        return ""

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        explorer = self.explorer
        commands = [
            ("Help", "Every key binding", "help", self.action_help),
            ("Back", "Previous actor in history", "back", self.action_back),
            ("Forward", "Next actor in history", "forward", self.action_forward),
            ("Sources", "Citations of the current actor or tie", "sources", self.action_sources),
            ("Filters", "Filter actors by kind and ties by type and status", "filters", explorer.action_filters),
            ("Clear filters", "Show every kind, type and status", "clear_filters", explorer.action_clear_filters),
            ("Search", "Focus the actor search box", "search", explorer.action_search),
            ("Copy tie", "The highlighted tie with its quotes and documents", "copy", explorer.action_copy),
            ("Path finder", "Every shortest chain of ties between two actors", "path_finder", self.action_path_finder),
            ("Neighbourhood diagram", "The current actor and its neighbours drawn", "diagram", self.action_diagram),
            ("Timeline", "Events and dated ties in date order", "timeline", self.action_timeline),
            ("Contested claims", "Ties that disagree, both sides with quotes", "contested", self.action_contested),
            ("Documents", "Every document: read, search, review its ties", "documents", self.action_documents),
            ("As of date…", "Show ties as they stood on a date", "as_of_input", self.action_as_of_input),
            (
                "As of: a year earlier",
                "Step the as-of date back",
                "as_of_step(-1)",
                partial(self.action_as_of_step, -1),
            ),
            ("As of: a year later", "Step the as-of date on", "as_of_step(1)", partial(self.action_as_of_step, 1)),
            ("Clear as-of date", "Show every tie whatever its dates", "", partial(self.set_as_of, None)),
        ]
        if not self.read_only and self.editor is not None:
            commands += [
                ("Add actor", "A new actor", "add_actor", self.action_add_actor),
                (
                    "Edit actor",
                    "Name, kind, aliases, summary, dates of the current actor",
                    "edit_actor",
                    self.action_edit_actor,
                ),
                ("New tie", "A tie from the current actor, with its citation", "new_tie", self.action_new_tie),
                ("Delete", "The highlighted tie, or the current actor with its ties", "delete", self.action_delete),
                ("Merge actors", "Merge a duplicate into the current actor", "merge", self.action_merge),
                (
                    "Add a document",
                    "New reporting: its text, then review its ties",
                    "add_document",
                    self.action_add_document,
                ),
                ("Undo", "Undo the last edit", "undo", self.action_undo),
                ("Redo", "Redo the last undone edit", "redo", self.action_redo),
            ]
        for title, help_text, action, callback in commands:
            yield SystemCommand(title, safe_markup(help_text + self.key_hint(action)), callback)


def make_app(
    path: str | Path | None = None,
    *,
    data: StoreData | None = None,
    read_only: bool = False,
    start_actor: str | None = "iskp",
    copy_edits_to: Path | None = None,
) -> KhorasanApp:
    """Build the app without running it (tests, screenshots, the CLI)."""
    if path is None and data is None:
        from ..store import default_store_path

        path = default_store_path()
    return KhorasanApp(
        Path(path) if path else None,
        data=data,
        read_only=read_only,
        start_actor=start_actor,
        copy_edits_to=copy_edits_to,
    )
