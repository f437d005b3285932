"""The REST versions are faces of one core: the ``duplicates`` tool finds
no run of near-identical lines shared by two version packages
(``v1_0``, ``v1_1``, ``v2_0``) of the WSGI transport."""

from __future__ import annotations

import pathlib
import re
import shutil
import subprocess

from tests import services

WSGI = pathlib.Path(__file__).resolve().parents[2] / "zaqar/transport/wsgi"
VERSIONS = {"v1_0", "v1_1", "v2_0"}
ROW = re.compile(r"^D\d+ (\S+?):\d+-\d+ ~ (\S+?):\d+-\d+")


def test_no_duplicates_between_version_packages():
    tool = shutil.which("duplicates")
    if tool is None:
        services.unavailable("the duplicates tool", "not on PATH")
    done = subprocess.run(
        [tool, "--repo", str(WSGI), "--most", "200", "--seconds", "120"],
        capture_output=True, text=True, timeout=300)
    lines = done.stdout.splitlines()
    assert lines, done.stderr
    assert not [line for line in lines if line.startswith("incomplete:")], \
        done.stdout
    shared = []
    for line in lines:
        match = ROW.match(line)
        if match:
            packages = {path.split("/")[0] for path in match.groups()}
            if len(packages) == 2 and packages <= VERSIONS:
                shared.append(line)
    assert not shared, "\n".join(shared)
