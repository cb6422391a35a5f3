"""Printing for the one-shot commands: rich tables on a terminal, plain text in a
pipe or under NO_COLOR, JSON with --json. Never imports textual.

Every string from the store goes through `plain()` into a `rich.text.Text`, so a
name like "[bold]x" prints literally and an ESC in a quote never reaches the
terminal.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any, Iterable

import orjson

from .model import CONTROL_CHARACTERS, strip_control


def plain(value: Any) -> str:
    return strip_control("" if value is None else str(value))


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:  # a tag character: JSON escapes it as a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def json_text(data: Any) -> bytes:
    """`data` as indented JSON whose bytes hold no character a terminal obeys.

    orjson escapes C0 controls but writes C1 controls and bidi or zero-width
    characters (an unknown field of a store may hold them) as they are; the
    escape is the same JSON string, so parsers read back exactly the data.
    """
    raw = orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"
    if raw.isascii():
        return raw
    return escape_json_controls(raw.decode("utf-8")).encode("utf-8")


def escape_json_controls(text: str) -> str:
    """JSON text with every character a terminal obeys written as its escape.
    Outside strings JSON holds none of them, so this never changes the data."""
    return CONTROL_CHARACTERS.sub(_json_escape, text)


def print_json(data: Any) -> None:
    sys.stdout.buffer.write(json_text(data))
    sys.stdout.flush()


def Printer(stream=None) -> RichPrinter | PlainPrinter:
    """Rich tables on a terminal; plain text, without importing rich, in a pipe.

    Importing rich's console and table machinery costs ~60 ms, more than the
    whole lookup: scripts and pipes should not pay for colours they never see.
    """
    stream = stream or sys.stdout
    if stream.isatty():
        return RichPrinter(stream)
    return PlainPrinter(stream)


class PlainPrinter:
    """Plain lines and ' | '-separated tables: greppable, no escapes, no wrapping."""


    def __init__(self, stream) -> None:
        self.stream = stream

    def line(self, *parts: Any, style: str = "") -> None:
        self.stream.write("".join(plain(p) for p in parts).replace("\n", " ") + "\n")

    def blank(self) -> None:
        self.stream.write("\n")

    def table(self, title: str, columns: Iterable[str], rows: Iterable[Iterable[Any]]) -> None:
        header = [plain(c) for c in columns]
        body = [[plain(cell).replace("\n", " ") for cell in row] for row in rows]
        # Align on what fits; a very long cell (a quote) just runs on.
        widths = [min(max([len(header[i])] + [len(r[i]) for r in body if i < len(r)]), 48) for i in range(len(header))]

        def fmt(cells: list[str]) -> str:
            padded = [cell.ljust(widths[i]) if i < len(cells) - 1 else cell for i, cell in enumerate(cells)]
            return " | ".join(padded).rstrip()

        if title:
            self.stream.write(plain(title) + "\n")
        self.stream.write(fmt(header) + "\n")
        self.stream.write("-+-".join("-" * w for w in widths) + "\n")
        for row in body:
            self.stream.write(fmt(row) + "\n")
        self.stream.write("\n")


class RichPrinter:
    """A rich console on a terminal (`Printer` sends everything else to PlainPrinter)."""


    def __init__(self, stream) -> None:
        from rich.console import Console

        no_color = bool(os.environ.get("NO_COLOR"))
        self.console = Console(
            file=stream,
            no_color=no_color,
            highlight=False,
            emoji=False,
            markup=False,
            force_terminal=True,
            color_system=None if no_color else "auto",
        )

    def text(self, *parts: Any, style: str = "") -> Any:
        from rich.text import Text

        return Text("".join(plain(p) for p in parts), style=style)

    def line(self, *parts: Any, style: str = "") -> None:
        self.console.print(self.text(*parts, style=style))

    def blank(self) -> None:
        self.console.print()

    def table(self, title: str, columns: Iterable[str], rows: Iterable[Iterable[Any]]) -> None:
        from rich import box
        from rich.table import Table

        table = Table(
            title=self.text(title) if title else None,
            box=box.SIMPLE_HEAD,
            title_justify="left",
            show_edge=False,
            pad_edge=False,
        )
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*(self.text(cell) for cell in row))
        self.console.print(table)

