"""`?`: every key binding, read from the bindings themselves so it cannot drift."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.keys import format_key, key_to_character
from textual.screen import ModalScreen
from textual.widgets import Static


def binding_sections(current: object | None = None) -> list[tuple[str, list[Binding]]]:
    """(where, bindings) for every screen and widget class with keys: the screen
    `current` first, then the keys that work everywhere, then the rest."""
    from .editing import ConfirmScreen, FormScreen
    from .explorer import DetailPane, ExplorerScreen, SearchBox
    from .filters import FilterScreen, TickList
    from .registry import APP_SECTION
    from .rowlist import RowList
    from .sources import DocumentScreen, SourcesScreen

    sections: list[tuple[str, type]] = [
        *APP_SECTION,
        ("Explorer", ExplorerScreen),
        ("Lists (actors, ties, citations, document lines)", RowList),
        ("Detail pane", DetailPane),
        ("Search box", SearchBox),
        ("Sources", SourcesScreen),
        ("Document", DocumentScreen),
        ("Filters", FilterScreen),
        ("Filter lists", TickList),
        ("Forms (add, edit, new tie)", FormScreen),
        ("Confirmation", ConfirmScreen),
        ("Help", HelpScreen),
    ]
    for extra in _extra_screens():
        sections.append(extra)
    if current is not None:
        # The nearest class in the screen's ancestry that has a section of its own.
        mro = type(current).__mro__
        mine = [s for s in sections if s[1] in mro and s not in APP_SECTION]
        mine.sort(key=lambda s: mro.index(s[1]))
        if mine:
            sections.remove(mine[0])
            sections.insert(0, mine[0])
    out = []
    for title, cls in sections:
        bindings = own_bindings(cls)
        if bindings:
            out.append((title, bindings))
    return out


def binding_ids() -> set[str]:
    """Every binding id a config file may remap."""
    return {b.id for _, bindings in binding_sections() for b in bindings if b.id}


def own_bindings(cls: type) -> list[Binding]:
    """The bindings a class of ours declares or inherits from ours (as Textual
    merges them), nearest class first; one per key."""
    seen: set[str] = set()
    found: list[Binding] = []
    for klass in cls.__mro__:
        if not klass.__module__.startswith("khorasan_tui"):
            continue
        for binding in vars(klass).get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.key not in seen:
                seen.add(binding.key)
                found.append(binding)
    return found


def _extra_screens() -> list[tuple[str, type]]:
    """Screens added by later features register here without editing this file."""
    # The analysis screens load lazily (start-up cost); import them so they register.
    from . import (  # noqa: F401
        contested_screen,
        diagram_screen,
        merge,
        pathfinder,
        registry,
        timeline_screen,
    )

    return list(registry.HELP_SECTIONS)


def key_name(key: str) -> str:
    """'equals_sign' -> '=', 'plus' -> '+', 'left_square_bracket' -> '['; named
    keys (escape, enter, up, ctrl+r) keep their names."""
    modifiers, plus, last = key.rpartition("+")
    char = key_to_character(last) if not plus else None
    if not (char and char.isprintable() and not char.isspace()):
        shown = format_key(last)
        char = shown if len(shown) == 1 and shown.isascii() and shown.isprintable() and shown != " " else last
    return f"{modifiers}+{char}" if plus else char


def key_label(binding: Binding, keymap: dict[str, str] | None = None) -> str:
    """The keys that trigger a binding now (after the user's keymap), as typed."""
    keys = (keymap or {}).get(binding.id, binding.key) if binding.id else binding.key
    return " / ".join(key_name(key.strip()) for key in keys.split(","))


def help_rows(current: object | None = None, keymap: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(key, description) rows; a row with an empty key is a section title."""
    rows: list[tuple[str, str]] = []
    for title, bindings in binding_sections(current):
        rows.append(("", title))
        for binding in bindings:
            rows.append((key_label(binding, keymap), binding.description or binding.action))
    rows.append(("", "Also"))
    rows.append(("ctrl+p", "command palette: find actors by name or alias, run actions"))
    rows.append(("tab / shift+tab", "move between panes"))
    return rows


class HelpScreen(ModalScreen):
    BINDINGS = [
        Binding("escape,q,question_mark", "app.pop_screen", "Close", id="help.close"),
    ]

    def __init__(self, current: object | None = None) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        # Plain lines, not a table: a long section title must not squeeze the
        # descriptions out at 60 columns.
        rows = help_rows(self.current, self.app.keymap)
        width = min(max(len(key) for key, _ in rows if key) + 2, 18)
        text = Text()
        for key, description in rows:
            if not key:
                text.append(f"\n{description}\n", style="bold underline")
                continue
            text.append(key.ljust(width) if len(key) < width else key + " ", style="bold")
            text.append(description + "\n")
        with VerticalScroll(id="help-body"):
            yield Static(Text("Khorasan keys — escape closes", style="bold"), id="help-title")
            yield Static(text, id="help-table")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()
