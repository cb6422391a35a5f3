"""Arbitrary names the rulebook accepts reach the app's panes and its toasts as
text: exactly as typed, never parsed as markup, never acted on."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khorasan_tui import rules
from khorasan_tui.app.main import make_app
from khorasan_tui.model import Actor, Citation, Source, Tie
from khorasan_tui.storedata import StoreData

from .apphelpers import ready, screen_text

# Markup-like, bracketed and non-Latin text, as a hostile or merely unusual store holds.
PIECES = st.sampled_from(["[", "]", "[/]", "[b]", "[@click=app.quit]", "\\", "=", "@", "Ж", "خراسان", "x", " "])
NAMES = st.lists(PIECES, min_size=2, max_size=6).map("".join).filter(lambda n: rules.check_name(n) is None)


def store(names: list[str]) -> StoreData:
    data = StoreData()
    data.sources["d"] = Source("d", "Doc")
    data.actors["hub"] = Actor("hub", "Hub", "group")
    for n, name in enumerate(names):
        actor_id = f"n{n}"
        data.actors[actor_id] = Actor(actor_id, name.strip(), "group")
        tie_id = f"{actor_id}--hostile_to--hub"
        data.ties[tie_id] = Tie(tie_id, "hostile_to", actor_id, "hub", citations=[Citation("d", "q")])
    return data


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(NAMES, min_size=1, max_size=4, unique_by=lambda n: rules.normalize_key(n)))
def test_names_show_literally_in_panes_and_toasts(names):
    data = store(names)
    if rules.errors(rules.store_problems(data.actors, data.ties, data.sources)):
        return  # two names that fold together: the rulebook refuses that store at load

    async def run() -> None:
        app = make_app(data=data, start_actor="hub")
        async with app.run_test(size=(160, 50)) as pilot:
            await ready(app, pilot)
            for actor_id, actor in data.actors.items():
                if actor_id == "hub":
                    continue
                app.open_actor(actor_id)
                await pilot.pause()
                assert app.is_running, "a name never runs an action"
                shown = screen_text(app)
                assert actor.name[:20] in shown, (actor.name, shown[:400])
                app.notify(f"Opened {actor.name}")
                await pilot.pause()
                toast = list(app._notifications)[-1]
                assert toast.message == f"Opened {actor.name}" and toast.markup is False

    asyncio.run(run())
