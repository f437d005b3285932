"""A bare Falcon app that answers 204 to every request.

Served under the same gunicorn settings as the Zaqar servers, it shows the
most requests per second this machine's HTTP stack gives (``bare.sh``).
"""

import falcon


def _no_content(req: falcon.Request, resp: falcon.Response, **_) -> None:
    resp.status = falcon.HTTP_204


app = falcon.App()
app.add_sink(_no_content, prefix="/")
