"""Operators may serve ``zaqar.transport.wsgi.app:app`` with gunicorn
themselves; the module finds its configuration through
``ZAQAR_CONFIG_FILE`` or oslo.config's default search (here
``~/.zaqar/zaqar.conf``)."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import uuid

import pytest
import requests

from tests.functional.server import Server

HEADERS = {"Client-ID": str(uuid.uuid4()), "X-Project-ID": "gunicorn-app"}


class GunicornApp(Server):
    """The WSGI module under plain gunicorn, configured through ``env``."""

    def __init__(self, workdir: pathlib.Path, env: dict[str, str]):
        super().__init__(workdir)
        self.env = env

    def start(self, timeout: float = 30) -> "GunicornApp":
        self.write_config()
        if "ZAQAR_CONFIG_FILE" not in self.env:
            home = pathlib.Path(self.env["HOME"]) / ".zaqar"
            home.mkdir(parents=True, exist_ok=True)
            self.config_file.rename(home / "zaqar.conf")
        gunicorn = pathlib.Path(sys.executable).with_name("gunicorn")
        log = open(self.log_file, "ab")
        self.process = subprocess.Popen(
            [str(gunicorn), "--bind", f"127.0.0.1:{self.port}",
             "--workers", "1", "--threads", "2",
             "zaqar.transport.wsgi.app:app"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            cwd=self.workdir, env={**os.environ, **self.env})
        self.wait_ready(timeout)
        return self


@pytest.mark.parametrize("where", ["environment", "home"])
def test_gunicorn_serves_the_wsgi_module(tmp_path, where):
    env = ({"ZAQAR_CONFIG_FILE": str(tmp_path / "zaqar.conf")}
           if where == "environment" else {"HOME": str(tmp_path / "home")})
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    app = GunicornApp(tmp_path, env).start()
    try:
        session = requests.Session()
        assert session.put(app.url + "/v2/queues/g", json={},
                           headers=HEADERS).status_code == 201
        posted = session.post(app.url + "/v2/queues/g/messages",
                              json={"messages": [{"body": "hi"}]},
                              headers=HEADERS)
        assert posted.status_code == 201, posted.text
        listed = session.get(app.url + "/v2/queues/g/messages?echo=true",
                             headers=HEADERS)
        assert [m["body"] for m in listed.json()["messages"]] == ["hi"]
    finally:
        app.stop()
    # The configuration was read: the data is in its state_path.
    assert (tmp_path / "zaqar.sqlite").is_file(), app.log()
