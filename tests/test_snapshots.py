"""SVG snapshots of the main views (pytest-textual-snapshot).

Regenerate after an intended change: pytest tests/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest

from khorasan_tui.app.main import make_app

from .apphelpers import BUNDLED
from .views import ANALYSIS_VIEWS, VIEWS


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
@pytest.mark.parametrize("view", list(VIEWS))
def test_snapshot(snap_compare, view, size):
    assert snap_compare(make_app(BUNDLED), terminal_size=size, run_before=VIEWS[view])


@pytest.mark.parametrize("view", list(ANALYSIS_VIEWS))
def test_analysis_and_form_snapshot_80x24(snap_compare, view):
    # Nothing is saved: the tie form is only opened, never submitted.
    assert snap_compare(make_app(BUNDLED), terminal_size=(80, 24), run_before=ANALYSIS_VIEWS[view])
