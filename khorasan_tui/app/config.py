"""The user's settings for the app: key remaps and the chosen theme, in a TOML file.

    theme = "gruvbox"            # written by the app when the theme changes

    [keys]                       # binding id = keys, comma-separated (see `?`)
    "app.quit" = "q,ctrl+q"
    "explorer.search" = "slash,ctrl+f"

The file lives in the user's config folder (platformdirs), or wherever the
KHORASAN_CONFIG environment variable points. No textual here: the CLI's help
names the file without starting the app.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

CONFIG_ENV = "KHORASAN_CONFIG"
_THEME_LINE = re.compile(r"^\s*theme\s*=.*$")
_TABLE_LINE = re.compile(r"^\s*\[")


def config_path() -> Path:
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("khorasan")) / "config.toml"


@dataclass
class Settings:
    keys: dict[str, str] = field(default_factory=dict)
    theme: str | None = None
    problems: list[str] = field(default_factory=list)


def load_settings(path: Path) -> Settings:
    """What the file asks for; anything unusable is reported in `problems`, never raised."""
    settings = Settings()
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError:
        return settings
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        settings.problems.append(f"{path}: {exc}; using the defaults")
        return settings
    theme = raw.get("theme")
    if isinstance(theme, str) and theme.strip():
        settings.theme = theme.strip()
    elif theme is not None:
        settings.problems.append(f"{path}: theme must be a name in quotes")
    keys = raw.get("keys", {})
    if not isinstance(keys, dict):
        settings.problems.append(f'{path}: [keys] must be a table of binding id = "keys"')
        return settings
    for binding_id, value in keys.items():
        if isinstance(value, str) and value.strip():
            settings.keys[binding_id] = value.replace(" ", "")
        else:
            settings.problems.append(f'{path}: keys.{binding_id} must be keys in quotes, e.g. "q,ctrl+q"')
    return settings


def save_theme(path: Path, theme: str) -> None:
    """Set the file's `theme = ...` line, keeping every other line as the user wrote it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    line = f"theme = {json.dumps(theme, ensure_ascii=False)}"
    first_table = next((i for i, text in enumerate(lines) if _TABLE_LINE.match(text)), len(lines))
    for i, text in enumerate(lines[:first_table]):
        if _THEME_LINE.match(text):
            lines[i] = line
            break
    else:
        lines.insert(first_table, line)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(temporary, path)
