"""Screens that later features add announce themselves here (help sections)."""

from __future__ import annotations

HELP_SECTIONS: list[tuple[str, type]] = []


def register_help(title: str, cls: type) -> type:
    if all(existing is not cls for _, existing in HELP_SECTIONS):
        HELP_SECTIONS.append((title, cls))
    return cls
