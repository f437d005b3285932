"""tools/wire_compare.py, which replays random request sequences on two
servers (upstream and ours, by hand): pointed twice at the same server
it must find no difference, on every store, and a server that answers
otherwise must show."""

from __future__ import annotations

import importlib.util
import pathlib

import pytest

from tests.functional.conftest import store_options
from tests.functional.server import Server

TOOL = pathlib.Path(__file__).parents[2] / "tools" / "wire_compare.py"


@pytest.fixture(scope="module")
def wire_compare():
    spec = importlib.util.spec_from_file_location("wire_compare", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("seed", [1, 2])
def test_a_server_agrees_with_itself(wire_compare, server, capsys, seed):
    assert wire_compare.main([server.url, server.url, "--seed", str(seed),
                              "--count", "150"]) == 0
    out = capsys.readouterr().out
    assert out.endswith(f"seed {seed}: 0 of 150 answers differ\n"), out


def test_a_different_answer_shows(wire_compare, server, tmp_path, capsys):
    """Against a server that pages differently (max_messages_per_page 5),
    the listings with a limit above 5 differ."""
    options = store_options("sqlite")
    options["transport"] = {"max_messages_per_page": 5}
    other = Server(tmp_path, options).start()
    try:
        wire_compare.main([server.url, other.url, "--count", "300"])
    finally:
        other.stop()
    out = capsys.readouterr().out
    assert "Limit must be at least 1 and may not be greater than 5." in out
    assert "0 of 300" not in out, out
