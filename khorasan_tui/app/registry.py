"""Screens that later features add announce themselves here (help sections), and
the app class its keys ("Everywhere"): help.py reads them without importing
the screens that import it back."""

from __future__ import annotations

HELP_SECTIONS: list[tuple[str, type]] = []
APP_SECTION: list[tuple[str, type]] = []  # ("Everywhere", the app class) once app/main.py is imported


def register_help(title: str, cls: type) -> type:
    if all(existing is not cls for _, existing in HELP_SECTIONS):
        HELP_SECTIONS.append((title, cls))
    return cls


def register_app(cls: type) -> type:
    """The app's own keys work on every screen: help lists them first."""
    APP_SECTION[:] = [("Everywhere", cls)]
    return cls
