"""diagram: the neighbourhood drawing as plain cells, without Textual."""

from __future__ import annotations

from rich.cells import cell_len

from khorasan_tui.diagram import clean, fit, layout, move_focus, neighbour_groups
from khorasan_tui.graph import Graph
from khorasan_tui.model import Actor, Citation, Tie
from khorasan_tui.storedata import StoreData


def hub(spokes: int) -> Graph:
    data = StoreData()
    data.actors["hub"] = Actor("hub", "Hub Group", "group")
    for n in range(spokes):
        actor_id = f"m{n}"
        data.actors[actor_id] = Actor(actor_id, f"Member {n}", "person")
        tie_id = f"{actor_id}--member_of--hub"
        data.ties[tie_id] = Tie(tie_id, "member_of", actor_id, "hub", citations=[Citation("d", "q")])
    data.actors["foe"] = Actor("foe", "[bold]Foe[/bold]\x1b[31m", "group")
    data.ties["hub--hostile_to--foe"] = Tie(
        "hub--hostile_to--foe", "hostile_to", "hub", "foe", citations=[Citation("d", "q")]
    )
    return Graph(data)


def test_neighbours_are_grouped_by_type_and_direction_biggest_first():
    groups = neighbour_groups(hub(5), "hub")
    assert [len(g.members) for g in groups] == [5, 1]
    assert {m.actor_id for m in groups[0].members} == {f"m{n}" for n in range(5)}


def test_a_big_group_is_capped_with_the_rest_counted():
    groups = neighbour_groups(hub(40), "hub", cap=6)
    members = groups[0]
    assert members.total == 40 and members.shown <= 6 and members.hidden == 40 - members.shown


def test_the_drawing_fits_its_width_and_shows_names_as_text():
    diagram = layout(hub(5), "hub", width=78)
    assert all(cell_len(line) <= 78 for line in diagram.lines())
    text = "\n".join(diagram.lines())
    assert "Hub Group" in text and "Member 0" in text
    assert "[bold]Foe[/bold][" in text and "\x1b" not in text, "markup is text (cut to its box), escapes are gone"
    assert {n.actor_id for n in diagram.nodes if n.actor_id} >= {"hub", "foe", "m0"}


def test_focus_moves_between_nodes_and_stays_when_there_is_nowhere_to_go():
    diagram = layout(hub(3), "hub", width=78)
    start = next(i for i, n in enumerate(diagram.nodes) if n.actor_id == "hub")
    moved = {move_focus(diagram, start, d) for d in ("left", "right", "up", "down")}
    assert moved - {start}, "some direction leads away from the centre"
    assert move_focus(diagram, 999, "down") == 0


def test_clean_and_fit_keep_one_line_in_its_cells():
    assert clean("a\nb\tc\x1b[2J") == "a b c[2J"
    assert fit("Islamic State-Khorasan", 10) == "Islamic S…"
    assert fit("短い名前です", 5) == "短い…" and fit("x", 0) == ""
