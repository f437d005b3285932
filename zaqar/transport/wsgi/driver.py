"""The WSGI transport: the Falcon app and the gunicorn server around it."""

from __future__ import annotations

import multiprocessing
import typing

import falcon
from gunicorn.app import base as gunicorn_base

from zaqar.transport import auth
from zaqar.transport.wsgi import errors, framing, middleware, versions
from zaqar.transport.wsgi import v1_0, v1_1, v2_0


def make_app(bootstrap: typing.Any) -> typing.Callable:
    """The complete WSGI application of one worker process (behind the
    authentication strategy, if any)."""
    return auth.protect(framing.Framing(make_falcon_app(bootstrap)),
                        bootstrap.conf)


def make_falcon_app(bootstrap: typing.Any) -> falcon.App:
    """The routes, the request checks and the error serialisation."""
    conf = bootstrap.conf
    app = falcon.App(middleware=[
        middleware.RequestChecks(conf, auth.Policy(conf))])
    app.req_options.keep_blank_qs_values = False
    app.req_options.strip_url_path_trailing_slash = False
    errors.install(app)

    deprecated = list(conf.enable_deprecated_api_versions)
    app.add_route("/", versions.Resource(["2"] + deprecated))
    faces = [v2_0.routes]
    if "1.1" in deprecated:
        faces.append(v1_1.routes)
    if "1" in deprecated:
        faces.append(v1_0.routes)
    for routes in faces:
        for template, resource in routes(bootstrap.api):
            app.add_route(template, resource)
    return app


class _Gunicorn(gunicorn_base.BaseApplication):
    def __init__(self, options: dict, load: typing.Callable):
        self._options = options
        self._load = load
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> typing.Callable:
        # Runs in each worker after the fork, so every worker opens its
        # own storage connections.
        return self._load()


class Driver:
    """``zaqar.transport`` plugin ``wsgi``."""

    def __init__(self, conf: typing.Any, bootstrap: typing.Any):
        auth.strategy(conf)  # an unknown one stops the server here
        self._conf = conf
        self._bootstrap = bootstrap

    def app(self) -> typing.Callable:
        return make_app(self._bootstrap)

    def gunicorn_options(self) -> dict:
        opts = self._conf["drivers:transport:wsgi"]
        workers = opts.workers or multiprocessing.cpu_count()
        return {
            "bind": f"{opts.bind}:{opts.port}",
            "workers": workers,
            "threads": opts.threads,
            "worker_class": "gthread" if opts.threads > 1 else "sync",
            "timeout": opts.timeout,
            "keepalive": opts.keepalive,
            "accesslog": None,
            "control_socket_disable": True,
            "proc_name": "zaqar-server",
        }

    def listen(self) -> None:
        _Gunicorn(self.gunicorn_options(), self.app).run()
