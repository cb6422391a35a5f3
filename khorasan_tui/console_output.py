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
from collections.abc import Iterable
from typing import Any

from .model import CONTROL_CHARACTERS, strip_control

# Ids and document ids ('haqqani-network', '000_f7d597f755b0e798'): words that
# must never be cut at the width of a column.
_ID_TOKEN = re.compile(r"[^\s,]*[A-Za-z0-9][-_][A-Za-z0-9][^\s,]*")
MIN_COLUMN = 6  # the narrowest a column of text is worth wrapping into


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
    import orjson  # only JSON output pays for it (it imports uuid, platform and more)

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


def column_widths(columns: list[str], body: list[list[str]], total: int) -> list[int] | None:
    """Widths for a table `total` cells wide with one space between columns, or
    None if that is too narrow. Each column gets its widest cell if all fit;
    otherwise the widest columns give up room first, but none becomes narrower
    than its header, its longest id, or MIN_COLUMN (or its longest word, if shorter)."""
    from rich.cells import cell_len

    count = len(columns)
    cells = [[row[i] if i < len(row) else "" for row in body] for i in range(count)]
    natural = [max([cell_len(columns[i]), *(cell_len(c) for c in cells[i])]) for i in range(count)]
    floor = []
    for i in range(count):
        ids = max((cell_len(t) for c in cells[i] for t in _ID_TOKEN.findall(c)), default=0)
        words = max((cell_len(w) for c in cells[i] for w in c.split()), default=0)
        floor.append(min(natural[i], max(ids, cell_len(columns[i]), min(words, MIN_COLUMN))))
    room = total - (count - 1)
    if sum(floor) > room:
        return None
    widths = list(natural)
    excess = sum(widths) - room
    while excess > 0:
        widest = max((i for i in range(count) if widths[i] > floor[i]), key=lambda i: widths[i] - floor[i] // 2)
        widths[widest] -= 1
        excess -= 1
    return widths


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
        """A table as wide as the terminal. Ids are never broken: each column is
        at least as wide as the longest id in it, and when the columns cannot all
        be that wide, each row is printed as a block of 'column: value' lines."""
        from rich import box
        from rich.table import Table

        columns = [plain(c) for c in columns]
        body = [[plain(cell) for cell in row] for row in rows]
        widths = column_widths(columns, body, self.console.width)
        if widths is None:
            self._records(title, columns, body)
            return
        table = Table(
            title=self.text(title) if title else None,
            box=box.SIMPLE_HEAD,
            title_justify="left",
            show_edge=False,
            pad_edge=False,
            padding=0,  # the box's own blank divider is the one space between columns
        )
        for column, width in zip(columns, widths):
            table.add_column(column, overflow="fold", width=width)
        for row in body:
            table.add_row(*(self.text(cell) for cell in row))
        self.console.print(table)

    def _records(self, title: str, columns: list[str], body: list[list[str]]) -> None:
        if title:
            self.console.print(self.text(title, style="bold"))
        for row in body:
            self.console.print()
            self.console.print(self.text(row[0], style="bold"))
            for column, cell in zip(columns[1:], row[1:]):
                if cell:
                    self.console.print(self.text(f"  {column}: {cell}"))
        self.console.print()
