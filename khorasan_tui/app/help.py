"""`?`: every key binding, read from the bindings themselves so it cannot drift."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def binding_sections() -> list[tuple[str, list[Binding]]]:
    """(where, bindings) for every screen and widget class with keys."""
    from .explorer import ExplorerScreen, SearchBox
    from .main import KhorasanApp
    from .rowlist import RowList
    from .sources import DocumentScreen, SourcesScreen

    sections: list[tuple[str, type]] = [
        ("Everywhere", KhorasanApp),
        ("Explorer", ExplorerScreen),
        ("Lists (actors, ties, citations, document lines)", RowList),
        ("Search box", SearchBox),
        ("Sources", SourcesScreen),
        ("Document", DocumentScreen),
        ("Help", HelpScreen),
    ]
    for extra in _extra_screens():
        sections.append(extra)
    out = []
    for title, cls in sections:
        bindings = own_bindings(cls)
        if bindings:
            out.append((title, bindings))
    return out


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
        pathfinder,
        registry,
        timeline_screen,
    )

    return list(registry.HELP_SECTIONS)


def key_label(binding: Binding) -> str:
    keys = []
    for key in binding.key.split(","):
        key = key.strip()
        keys.append(
            {
                "left_square_bracket": "[",
                "right_square_bracket": "]",
                "question_mark": "?",
                "slash": "/",
                "less_than_sign": "<",
                "greater_than_sign": ">",
                "at": "@",
            }.get(key, key)
        )
    return " / ".join(keys)


def help_rows() -> list[tuple[str, str]]:
    """(key, description) rows; a row with an empty key is a section title."""
    rows: list[tuple[str, str]] = []
    for title, bindings in binding_sections():
        rows.append(("", title))
        for binding in bindings:
            rows.append((key_label(binding), binding.description or binding.action))
    rows.append(("", "Also"))
    rows.append(("ctrl+p", "command palette: find actors by name or alias, run actions"))
    rows.append(("tab / shift+tab", "move between panes"))
    return rows


class HelpScreen(ModalScreen):
    BINDINGS = [
        Binding("escape,q,question_mark", "app.pop_screen", "Close"),
    ]

    def compose(self) -> ComposeResult:
        # Plain lines, not a table: a long section title must not squeeze the
        # descriptions out at 60 columns.
        rows = help_rows()
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
