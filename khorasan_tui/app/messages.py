"""What screens and widgets tell the app, which owns the view state (the current
actor, the filters, the "as of" date) and the store: they post these up and the
app changes its reactive attributes, whose watchers redraw what depends on them."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class ActorOpened(Message):
    """Move to an actor; `from_list` when browsing the actor list (it replaces the last crumb)."""

    actor_id: str
    from_list: bool = False


@dataclass
class AsOfChanged(Message):
    """Hide ties not yet begun or already ended on `as_of`; None shows every tie."""

    as_of: str | None


@dataclass
class FiltersChanged(Message):
    """The actor list's kind and the ties' types and statuses (None: all)."""

    kind: str | None
    types: frozenset[str] | None
    statuses: frozenset[str] | None


@dataclass
class StoreChanged(Message):
    """An edit, undo, redo or reload (an edit.Change); posted from whichever thread saved."""

    change: object
