"""Untrusted strings in the app: toasts, titles, dialogs and option lists show
names and error texts as data, never as markup that acts or vanishes."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from textual.widgets import Input
from textual.widgets._toast import Toast

from khorasan_tui.app.editing import ActorFormScreen, ConfirmScreen, TieFormScreen
from khorasan_tui.app.explorer import ExplorerScreen
from khorasan_tui.app.main import make_app
from khorasan_tui.app.render import safe, safe_block

from .apphelpers import ready, screen_lines, screen_text, until

APP_DIR = Path(__file__).resolve().parent.parent / "khorasan_tui" / "app"
CLEANERS = {"safe", "safe_block", "safe_markup"}
TITLE_ATTRIBUTES = {"title", "sub_title", "border_title", "border_subtitle"}
# Widgets whose first argument, as a str, is parsed as markup.
MARKUP_WIDGETS = {"Static", "Label", "Button"}


def _called(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        func = node.func
        return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    return None


def _built_string(node: ast.AST) -> bool:
    """An expression that builds a str from parts (f-string, +, .format, str(), join)."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return True
    return _called(node) in {"format", "str", "join"}


def unsafe_sinks(source: str) -> list[str]:
    """Places where data could reach the screen as markup or with control
    characters: notify(markup=True); a title set to anything but a constant or a
    cleaned string (outside the app class, whose validators clean its own); a
    markup widget, or Static.update, given a built str without markup=False;
    Notification/Notify made by hand (bypassing KhorasanApp.notify)."""
    problems: list[str] = []

    def visit(node: ast.AST, in_app: bool) -> None:
        if isinstance(node, ast.ClassDef):
            in_app = node.name == "KhorasanApp"
        if isinstance(node, ast.Call):
            name = _called(node)
            keywords = {k.arg: k.value for k in node.keywords}
            markup_off = isinstance(keywords.get("markup"), ast.Constant) and keywords["markup"].value is False
            if name == "notify" and "markup" in keywords and not markup_off:
                problems.append(f"line {node.lineno}: notify(markup=...) asks for markup")
            if name in {"Notification", "Notify"}:
                problems.append(f"line {node.lineno}: {name} made by hand bypasses KhorasanApp.notify")
            if name in MARKUP_WIDGETS | {"update"} and node.args and _built_string(node.args[0]) and not markup_off:
                problems.append(f"line {node.lineno}: {name}() gets a built str, parsed as markup")
        if isinstance(node, ast.Assign) and not in_app:
            for target in node.targets:
                if isinstance(target, ast.Attribute) and target.attr in TITLE_ATTRIBUTES:
                    value = node.value
                    if not (isinstance(value, ast.Constant) or _called(value) in CLEANERS):
                        problems.append(f"line {node.lineno}: .{target.attr} = data not passed through safe()")
        for child in ast.iter_child_nodes(node):
            visit(child, in_app)

    visit(ast.parse(source), False)
    return problems


def test_no_data_reaches_a_toast_title_or_markup_widget_uncleaned():
    found = {
        path.name: problems
        for path in sorted(APP_DIR.glob("*.py"))
        if (problems := unsafe_sinks(path.read_text(encoding="utf-8")))
    }
    assert not found


@pytest.mark.parametrize(
    "source",
    [
        "self.notify(name, markup=True)",
        "self.title = actor.name",
        "screen.sub_title = f'{actor.name}'",
        "yield Static(f'{actor.name}')",
        "label.update('Added ' + name)",
        "app.post_message(Notify(Notification(name)))",
    ],
)
def test_the_scan_catches_each_kind_of_sink(source):
    assert unsafe_sinks(source)


def test_the_scan_accepts_cleaned_values():
    assert not unsafe_sinks(
        "self.title = safe(actor.name)\nself.notify(f'Added {name}')\nyield Static(f'{n}', markup=False)\n"
        "yield Static(Text(name))\nclass KhorasanApp:\n    def f(self):\n        self.sub_title = ' · '.join(parts)\n"
    )


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("a\u202eb\u2066c\u2069", "abc"),  # bidi overrides and isolates
        ("zero\u200bwidth\u200c\u200d\u2060\ufeff", "zerowidth"),
        ("esc\x1b[31mred\x07", "esc[31mred"),
        ("two\nlines\u2028here\ttab", "two lines here tab"),
    ],
)
def test_safe_strips_control_and_invisible_characters(raw, shown):
    assert safe(raw) == shown
    assert "\n" in safe_block("a\nb") and safe_block("a\x1b\nb") == "a\nb"


SHOT = "[@click=app.screenshot('pwned.svg','{dir}')]SHOTME[/]"
QUIT = "[@click=app.quit]QUITME[/]"


def toast_texts(app) -> str:
    return "\n".join(toast.render().plain for toast in app.screen.query(Toast))


def toast_cell(app, word: str) -> tuple[int, int]:
    """(x, y) of `word` where the newest toast draws it."""
    region = list(app.screen.query(Toast))[-1].region
    lines = screen_lines(app)
    for y in range(region.y, region.bottom):
        inside = lines[y][region.x : region.right]
        if word in inside:
            return region.x + inside.index(word), y
    raise AssertionError(f"{word!r} is not in the toast")


async def add_delete_undo(app, pilot, name: str) -> list[str]:
    """Add an actor named `name` through the form, delete it, undo: the toasts
    seen along the way (the screen's text after each step)."""
    seen = []
    await pilot.press("a")
    await until(pilot, lambda: isinstance(app.screen, ActorFormScreen))
    app.screen.query_one("#input-name", Input).value = name
    await pilot.pause()
    await pilot.press("ctrl+s")
    await until(pilot, lambda: isinstance(app.screen, ExplorerScreen) and app.current_actor.name == name)
    seen.append(toast_texts(app))
    app.screen.query_one("#actor-list").focus()
    await pilot.press("d")
    await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    seen.append(screen_text(app))
    await pilot.press("y")
    await until(pilot, lambda: isinstance(app.screen, ExplorerScreen) and app.current_actor.name != name)
    await pilot.press("u")
    await until(pilot, lambda: any(a.name == name for a in app.graph.actors.values()))
    await until(pilot, lambda: "Undone" in toast_texts(app))
    seen.append(toast_texts(app))
    return seen


@pytest.mark.parametrize("name", ["[/x] closing tag", "Tehrik [TTP] splinter", QUIT, SHOT])
async def test_hostile_names_in_toasts_and_dialogs_show_literally_and_never_act(bundled_store_copy, tmp_path, name):
    target = tmp_path / "shots"
    target.mkdir()
    name = name.format(dir=target)
    app = make_app(bundled_store_copy)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await ready(app, pilot)
        added, confirm, undone = await add_delete_undo(app, pilot, name)
        # a long name wraps in its toast: compare without the line breaks
        flat = "".join(name.split())
        assert "".join(f"Added {name}".split()) in "".join(added.split())
        assert flat in "".join(confirm.split())
        assert flat in "".join(undone.split()) and "Undone:" in undone
        # click where the name's last word is drawn in the undo toast
        word = name.split()[-1] if name.endswith(("tag", "splinter")) else name.split("]")[1][:6]
        x, y = toast_cell(app, word)
        await pilot.click(offset=(x + 1, y))
        await pilot.pause(0.3)
        assert app.is_running and app.return_code is None
        assert not list(target.iterdir()), "a click on a name must not write a file"


async def test_hostile_document_title_in_the_tie_form_shows_literally(bundled_store_copy):
    from khorasan_tui.store import load_store, save_store

    data = load_store(bundled_store_copy)
    source = next(iter(data.sources.values()))
    source.title = "[b]Bold[/b] [@click=app.quit]Doc[/]"
    save_store(data, bundled_store_copy, check_conflict=False)
    app = make_app(bundled_store_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, TieFormScreen))
        app.screen.query_one("#input-source").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert any("[b]Bold[/b] [@click=app.quit]Doc[/]" in line for line in screen_lines(app))


async def test_app_title_and_subtitle_drop_control_characters(bundled_store_copy):
    app = make_app(bundled_store_copy)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        app.title = "evil\x1b]0;pwned\x07\u202eeman"
        app.sub_title = "sub\x1b[2J"
        assert app.title == "evil]0;pwnedeman"
        assert "\x1b" not in app.sub_title
