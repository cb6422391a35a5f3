"""What the analysis screens (path finder, diagram, timeline, contested claims)
share: escape closes, and they redraw when the app's "as of" date moves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.screen import Screen

from .messages import ActorOpened, AsOfChanged

if TYPE_CHECKING:
    from .main import KhorasanApp


def as_of_note(as_of: str | None) -> Text:
    """The line every analysis screen shows, so the date filter is never invisible."""
    text = Text()
    if as_of:
        text.append(f"as of {as_of}", style="bold reverse")
        text.append("  hides ties not begun or already over · < > year · @ date · x clear", style="dim")
    else:
        text.append("as of: now (every tie)", style="bold")
        text.append("  < > step by year · @ type a date", style="dim")
    return text


class AnalysisScreen(Screen):
    """Escape closes; `as_of_changed` redraws when `<`, `>` or `@` move the date."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="analysis.close"),
        Binding("x", "clear_as_of", "Clear as-of", show=False, id="analysis.clear-as-of"),
    ]

    @property
    def khorasan(self) -> KhorasanApp:
        return self.app  # type: ignore[return-value]

    def on_mount(self) -> None:
        self.watch(self.app, "as_of", self.as_of_changed, init=False)

    def action_close(self) -> None:
        if self.app.screen is self:
            self.app.pop_screen()

    def as_of_changed(self) -> None:
        """Redraw after the app's "as of" date changed."""

    def action_clear_as_of(self) -> None:
        if self.khorasan.as_of is None:
            self.notify("No as-of date is set.")
        self.app.post_message(AsOfChanged(None))

    def open_actor_and_close(self, actor_id: str) -> None:
        # To the app itself: this screen is gone before its own queue would be read.
        self.app.post_message(ActorOpened(actor_id))
        self.action_close()


def open_analysis(app: KhorasanApp, screen: AnalysisScreen) -> None:
    """Push an analysis screen; from another one, replace it so escape goes home."""
    if isinstance(app.screen, AnalysisScreen):
        app.switch_screen(screen)
    else:
        app.push_screen(screen)
