"""Every Lua file shipped is a script the drivers run, and every script
they run has its file: a file left behind is dead code, and a missing one
would only fail when first used."""

from __future__ import annotations

import pathlib

from zaqar.storage.redis import control, scripts

DIR = pathlib.Path(scripts.__file__).with_name("scripts")


def test_data_scripts_match_their_files():
    files = {path.stem for path in DIR.glob("*.lua")} - {"common"}
    assert files == set(scripts.NAMES)
    for name in scripts.NAMES:
        assert scripts.source(name).startswith(
            (DIR / "common.lua").read_text(encoding="utf-8"))


def test_control_scripts_match_their_files():
    files = {path.stem for path in (DIR / "control").glob("*.lua")}
    assert files == set(control._SCRIPTS)
