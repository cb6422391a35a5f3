"""Browser-style history of visited actors (no textual here: plain logic)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class History:
    entries: list[str] = field(default_factory=list)
    index: int = -1

    @property
    def current(self) -> str | None:
        return self.entries[self.index] if 0 <= self.index < len(self.entries) else None

    def visit(self, actor_id: str, replace: bool = False) -> None:
        """A new jump truncates forward history; `replace` swaps the current crumb."""
        if self.current == actor_id:
            return
        if replace and self.index >= 0:
            del self.entries[self.index + 1 :]
            if self.index > 0 and self.entries[self.index - 1] == actor_id:
                # browsing back onto the previous crumb: step back, never "A › A"
                del self.entries[self.index]
                self.index -= 1
            else:
                self.entries[self.index] = actor_id
            return
        del self.entries[self.index + 1 :]
        self.entries.append(actor_id)
        self.index = len(self.entries) - 1

    def back(self) -> str | None:
        if self.index > 0:
            self.index -= 1
            return self.current
        return None

    def forward(self) -> str | None:
        if self.index < len(self.entries) - 1:
            self.index += 1
            return self.current
        return None

    @property
    def can_back(self) -> bool:
        return self.index > 0

    @property
    def can_forward(self) -> bool:
        return self.index < len(self.entries) - 1

    def forget(self, actor_id: str) -> None:
        """Drop a deleted actor from the trail, keeping the position sensible."""
        kept: list[str] = []
        new_index = -1
        for i, entry in enumerate(self.entries):
            if entry == actor_id:
                continue
            if kept and kept[-1] == entry:
                continue
            kept.append(entry)
            if i <= self.index:
                new_index = len(kept) - 1
        self.entries = kept
        self.index = new_index if kept else -1
