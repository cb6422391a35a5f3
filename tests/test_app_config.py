"""The app's settings file: every key can be remapped by its binding id, the
theme chosen is remembered, a broken file never stops the app."""

from __future__ import annotations

import importlib
import tomllib

import pytest
from textual.binding import Binding
from textual.widgets._toast import Toast

from khorasan_tui.app.config import load_settings, save_theme
from khorasan_tui.app.explorer import ExplorerScreen
from khorasan_tui.app.help import HelpScreen, help_rows
from khorasan_tui.app.main import make_app

from .apphelpers import BUNDLED, ready, until

# The app modules this branch owns; the analysis screens' owners give theirs ids.
OWN_MODULES = ["main", "explorer", "rowlist", "sources", "filters", "editing", "help", "diagram_screen"]


@pytest.mark.parametrize("module_name", OWN_MODULES)
def test_every_binding_has_an_id(module_name):
    module = importlib.import_module(f"khorasan_tui.app.{module_name}")
    for value in vars(module).values():
        if isinstance(value, type) and value.__module__ == module.__name__:
            for binding in vars(value).get("BINDINGS", ()):
                assert isinstance(binding, Binding) and binding.id, (value.__name__, binding)


async def test_keys_are_remapped_and_the_theme_comes_from_the_config_file(private_app_config):
    private_app_config.write_text(
        '# my settings\ntheme = "gruvbox"\n\n[keys]\n"explorer.search" = "ctrl+f"\n"app.help" = "h"\n',
        encoding="utf-8",
    )
    app = make_app(BUNDLED)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        assert app.theme == "gruvbox"
        await pilot.press("slash")
        assert app.focused.id == "actor-list", "the old key no longer searches"
        await pilot.press("ctrl+f")
        assert app.focused.id == "search"
        await pilot.press("escape", "h")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert ("ctrl+f", "Search") in help_rows(ExplorerScreen(), app.keymap)
        await pilot.press("escape")
        app.theme = "nord"
        await pilot.pause()
    saved = tomllib.loads(private_app_config.read_text(encoding="utf-8"))
    assert saved == {"theme": "nord", "keys": {"explorer.search": "ctrl+f", "app.help": "h"}}
    assert private_app_config.read_text(encoding="utf-8").startswith("# my settings\n")


async def test_a_broken_config_file_is_reported_and_the_defaults_used(private_app_config):
    private_app_config.write_text('theme = "nope"\n[keys]\n"no.such.key" = "z"\n"app.quit" = 3\n', encoding="utf-8")
    app = make_app(BUNDLED)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await ready(app, pilot)
        toasts = " ".join(toast.render().plain for toast in app.screen.query(Toast))
        assert "no.such.key" in toasts and "'nope'" in toasts and "keys.app.quit" in toasts
        assert app.theme != "nope"
    private_app_config.write_text("theme = [unclosed", encoding="utf-8")
    assert load_settings(private_app_config).problems


def test_theme_line_is_added_or_replaced_before_the_first_table(tmp_path):
    path = tmp_path / "sub" / "config.toml"
    save_theme(path, "nord")
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {"theme": "nord"}
    path.write_text('[keys]\n"app.quit" = "ctrl+q"\n', encoding="utf-8")
    save_theme(path, 'odd "name"')
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {"theme": 'odd "name"', "keys": {"app.quit": "ctrl+q"}}


def test_help_of_the_command_line_names_the_config_file(capsys):
    from khorasan_tui.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "config.toml" in out and "KHORASAN_CONFIG" in out
