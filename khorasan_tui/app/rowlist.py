"""A virtual list on Textual's line API.

OptionList measures every option up front (seconds at 100k rows); ListView
builds a widget per row. RowList only renders the lines on screen, asking a
callback for each visible row, so a list of any length costs the same to show
and to refill. Rows with key None are headers: shown, never selected.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

RowRenderer = Callable[[int, int], Text]  # (row index, width) -> one line of text
CURSOR_MARK = "▶ "
NO_MARK = "  "


class RowList(ScrollView, can_focus=True):
    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False, id="list.cursor-up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="list.cursor-down"),
        Binding("pageup", "page_up", "Page up", show=False, id="list.page-up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="list.page-down"),
        Binding("home", "first", "First", show=False, id="list.first"),
        Binding("end", "last", "Last", show=False, id="list.last"),
        Binding("enter", "select", "Open", show=True, id="list.select"),
    ]

    COMPONENT_CLASSES = {"rowlist--cursor", "rowlist--header", "rowlist--empty"}

    DEFAULT_CSS = """
    RowList { overflow-x: hidden; overflow-y: auto; }
    RowList > .rowlist--cursor { text-style: reverse bold; }
    RowList:blur > .rowlist--cursor { text-style: bold; }
    RowList > .rowlist--header { text-style: bold; }
    RowList > .rowlist--empty { text-style: italic; }
    """

    cursor: reactive[int] = reactive(-1, always_update=True, init=False)

    @dataclass
    class Highlighted(Message):
        row_list: RowList
        index: int
        key: str

        @property
        def control(self) -> RowList:
            return self.row_list

    @dataclass
    class Selected(Message):
        row_list: RowList
        index: int
        key: str

        @property
        def control(self) -> RowList:
            return self.row_list

    def __init__(self, empty_text: str = "Nothing to show", highlight_cursor_row: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        # A document view marks its cursor with the gutter glyph only, so the
        # row's own highlighting (the quote) stays exact.
        self.highlight_cursor_row = highlight_cursor_row
        self._keys: Sequence[str | None] = ()
        self._render_row: RowRenderer = lambda index, width: Text("")
        self._cache: dict[tuple[int, int], Text] = {}
        self._silent = False
        self.empty_text = empty_text

    # -- data --------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self._keys)

    @property
    def keys(self) -> Sequence[str | None]:
        return self._keys

    def set_rows(
        self, keys: Sequence[str | None], render: RowRenderer, keep_key: str | None = None, announce: bool = True
    ) -> None:
        """Replace every row; O(1) apart from finding `keep_key`'s new place.

        `keys` is a list, or a lazy sequence (a SQLite store's ranked actors)
        that reads its keys as they are shown and answers `index` itself."""
        self._keys = keys
        self._render_row = render
        self._cache.clear()
        self.virtual_size = Size(self.size.width, max(len(keys), 1))
        target = -1
        # A list's index scans in place (copying 100k keys first cost ~10 ms per refill);
        # past 200k keys it is not worth it. A lazy sequence asks its store instead.
        cheap = not isinstance(keys, (list, tuple)) or len(keys) < 200_000
        if keep_key is not None and cheap:
            try:
                target = keys.index(keep_key)
            except ValueError:
                target = -1
        if target < 0:
            target = self._next_selectable(0, 1)
        self.scroll_to(y=0, animate=False, immediate=True)
        # With announce=False a refill is not the user moving: no Highlighted
        # message, so a list refreshed after an edit cannot navigate on its own.
        self._silent = not announce
        try:
            self.cursor = target
        finally:
            self._silent = False
        self.refresh()

    @property
    def cursor_key(self) -> str | None:
        if 0 <= self.cursor < len(self._keys):
            return self._keys[self.cursor]
        return None

    # -- cursor ------------------------------------------------------------------
    def _next_selectable(self, start: int, step: int) -> int:
        index = start
        while 0 <= index < len(self._keys):
            if self._keys[index] is not None:
                return index
            index += step
        return -1

    def validate_cursor(self, value: int) -> int:
        if not self._keys:
            return -1
        return max(-1, min(value, len(self._keys) - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        if new >= 0:
            self._scroll_cursor_into_view(new)
            key = self._keys[new]
            if key is not None and not self._silent:
                self.post_message(self.Highlighted(self, new, key))
        self.refresh()

    def _scroll_cursor_into_view(self, index: int) -> None:
        height = max(self.scrollable_content_region.height, 1)
        top = round(self.scroll_y)
        if index < top:
            self.scroll_to(y=index, animate=False, immediate=True)
        elif index >= top + height:
            self.scroll_to(y=index - height + 1, animate=False, immediate=True)

    def _move(self, step: int, count: int = 1) -> None:
        if not self._keys:
            return
        index = self.cursor if self.cursor >= 0 else (0 if step > 0 else len(self._keys))
        target = index
        for _ in range(count):
            nxt = self._next_selectable(target + step, step)
            if nxt < 0:
                break
            target = nxt
        if target != self.cursor and target >= 0:
            self.cursor = target

    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_page_up(self) -> None:
        self._move(-1, max(self.scrollable_content_region.height - 1, 1))

    def action_page_down(self) -> None:
        self._move(1, max(self.scrollable_content_region.height - 1, 1))

    def action_first(self) -> None:
        first = self._next_selectable(0, 1)
        if first >= 0:
            self.cursor = first

    def action_last(self) -> None:
        last = self._next_selectable(len(self._keys) - 1, -1)
        if last >= 0:
            self.cursor = last

    def action_select(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.Selected(self, self.cursor, key))

    async def _on_click(self, event: events.Click) -> None:
        index = event.y + round(self.scroll_y)
        if 0 <= index < len(self._keys) and self._keys[index] is not None:
            if index == self.cursor and event.chain >= 2:
                self.action_select()
            self.cursor = index

    # -- rendering ---------------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        self._cache.clear()
        self.virtual_size = Size(event.size.width, max(len(self._keys), 1))
        if self.cursor >= 0:
            self._scroll_cursor_into_view(self.cursor)

    def _row_text(self, index: int, width: int) -> Text:
        key = (index, width)
        text = self._cache.get(key)
        if text is None:
            if len(self._cache) > 512:
                self._cache.clear()
            text = self._render_row(index, max(width - len(NO_MARK), 1))
            self._cache[key] = text
        return text

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        index = round(self.scroll_y) + y
        if not self._keys:
            if y == 0:
                style = base + self.get_component_rich_style("rowlist--empty")
                return Strip([Segment(NO_MARK + self.empty_text, style)]).crop_extend(0, width, base)
            return Strip.blank(width, base)
        if index >= len(self._keys):
            return Strip.blank(width, base)
        text = self._row_text(index, width)
        is_header = self._keys[index] is None
        is_cursor = index == self.cursor
        if is_cursor and not self.highlight_cursor_row:
            style = base
            mark = CURSOR_MARK if self.has_focus else "› "
        elif is_cursor:
            style = base + self.get_component_rich_style("rowlist--cursor")
            mark = CURSOR_MARK if self.has_focus else "› "
        elif is_header:
            style = base + self.get_component_rich_style("rowlist--header")
            mark = ""
        else:
            style = base
            mark = NO_MARK
        line = Text(mark, style=style, no_wrap=True, overflow="ellipsis", end="")
        line.append_text(text)
        if is_cursor and self.highlight_cursor_row:
            # the row's own colours would hide the cursor; keep only its text
            line = Text(line.plain, style=style, no_wrap=True, overflow="ellipsis", end="")
        line.truncate(width, overflow="ellipsis", pad=True)
        # Textual's colour filters (NO_COLOR, ANSI themes) need a style on every segment.
        segments = [
            seg if seg.style is not None else Segment(seg.text, style, seg.control)
            for seg in line.render(self.app.console)
        ]
        strip = Strip(segments).crop_extend(0, width, style)
        return strip

    # Cached rows never hold the cursor mark or focus styling (render_line adds
    # them), so focus changes only repaint.
    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
