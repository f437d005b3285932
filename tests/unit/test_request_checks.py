"""Request checks that a real HTTP server never lets through (gunicorn
refuses control characters in headers), tested on the WSGI app itself."""

import falcon.testing
import pytest

from zaqar import bootstrap
from zaqar.transport.wsgi import driver


@pytest.fixture
def app(conf, tmp_path):
    conf.set_override("state_path", str(tmp_path))
    return falcon.testing.TestClient(driver.make_app(bootstrap.Bootstrap(conf)))


@pytest.mark.parametrize("project", ["p\x1fzaqar", "a\tb", "\x7fp"])
def test_project_with_control_characters(app, project):
    result = app.simulate_get("/v2/queues", headers={
        "Client-ID": "3381af92-2b9e-11e3-b191-71861300734c",
        "X-Project-ID": project})
    assert result.status_code == 400
    assert result.json == {
        "title": "Invalid project header",
        "description": "X-PROJECT-ID cannot contain control characters."}
