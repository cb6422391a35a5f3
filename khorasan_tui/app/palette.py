"""Command palette provider: find an actor by name or alias and jump to it."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from ..model import KIND_GLYPHS, plural
from .messages import ActorOpened
from .render import safe, safe_markup


class ActorCommands(Provider):
    async def discover(self) -> Hits:
        app = self.app
        graph = app.graph
        if graph is None:
            return
        for actor_id, degree in graph.most_connected(15):
            actor = graph.actors[actor_id]
            yield DiscoveryHit(
                Text(f"{KIND_GLYPHS.get(actor.kind, '?')} {safe(actor.name)}"),
                partial(app.post_message, ActorOpened(actor_id)),
                help=safe_markup(f"Open actor · {actor.kind} · {plural(degree, 'tie')}"),
            )

    async def search(self, query: str) -> Hits:
        app = self.app
        graph = app.graph
        if graph is None or not query.strip():
            return
        for hit in graph.search(query, limit=20):
            actor = graph.actors[hit.actor_id]
            label = Text(f"{KIND_GLYPHS.get(actor.kind, '?')} ")
            if hit.matched not in (actor.name, "summary"):
                label.append(safe(hit.matched), style="italic")
                label.append(" → ")
            label.append(safe(actor.name), style="bold")
            yield Hit(
                max(hit.score, 1.0) / 100.0,
                label,
                partial(app.post_message, ActorOpened(hit.actor_id)),
                text=safe(actor.name),
                help=safe_markup(f"Open actor · {actor.kind} · {plural(graph.degree(actor.id), 'tie')}"),
            )
