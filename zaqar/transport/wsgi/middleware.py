"""Checks every routed request passes before its responder runs.

The order is the upstream one, and clients can observe it (the first
failing check answers): unknown route (falcon's 404) -> pre-signed URL
(404) -> form-encoded body -> Accept -> Client-ID -> project -> queue/topic
name -> method (falcon's 405) -> policy. The context the responders use
is built here.
"""

from __future__ import annotations

import dataclasses
import re
import typing

import falcon

from zaqar.common import errors, ids, urls
from zaqar.context import RequestContext
from zaqar.transport import validation
from zaqar.transport.wsgi import framing

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
REQUEST_ID = "x-openstack-request-id"
FORM = "application/x-www-form-urlencoded"


@dataclasses.dataclass(frozen=True)
class HeaderRules:
    """What a resource requires of the identifying headers.

    ``client_id``/``project``: "required", "optional" (validated when
    present) or "ignored". ``client_id_label`` is how the missing-header
    error spells the header (v2 "Client-Id", v1.1 "Client-ID").
    ``tenant_headers``: whether X-Tenant-ID and X-Tenant stand in for a
    missing X-Project-ID (v2 only; v1 and v1.1 read X-Project-ID alone).
    """

    client_id: str = "required"
    project: str = "required"
    client_id_label: str = "Client-Id"
    tenant_headers: bool = True


V2 = HeaderRules()
ANONYMOUS = HeaderRules(client_id="ignored", project="ignored")


class RequestChecks:
    def __init__(self, conf: typing.Any, policy: typing.Any):
        self._policy = policy
        self._secret_key = conf.signed_url.secret_key
        self._validate = validation.Validator(conf)
        transport = conf.transport
        self._uuid_client_ids = transport.client_id_uuid_safe == "strict"
        self._client_id_lengths = (transport.min_length_client_id,
                                   transport.max_length_client_id)

    def process_request(self, req: falcon.Request,
                        resp: falcon.Response) -> None:
        resp.set_header(REQUEST_ID, "req-" + ids.new_uuid4())

    def process_resource(self, req: falcon.Request, resp: falcon.Response,
                         resource: typing.Any, params: dict) -> None:
        if resource is None:
            return
        try:
            req.context.zaqar = self._check(req, resource, params)
        except (errors.APIError, falcon.HTTPError):
            if req.method != "OPTIONS":
                raise
            # A preflight that fails the checks gets a bare 200 (see
            # framing.py, which strips the headers).
            req.env[framing.BARE_ANSWER] = True
            resp.status = falcon.HTTP_200
            resp.data = b""
            resp.complete = True

    def _check(self, req: falcon.Request, resource: typing.Any,
               params: dict) -> RequestContext:
        # Everything but the versions document (which, like keystone,
        # ignores signatures) is verified when it carries a signature.
        if req.get_header("URL-Signature") is not None and req.path != "/":
            self._signed(req)
        if req.content_length and (req.content_type or "").startswith(FORM):
            raise errors.APIError(
                "Endpoint does not accept `application/x-www-form-urlencoded`"
                " content; currently supported media type is "
                "`application/json`; specify proper client-side media type "
                'with the "Content-Type" header.',
                title="Invalid Content-Type")
        if not req.client_accepts_json:
            raise falcon.HTTPNotAcceptable()

        rules: HeaderRules = getattr(resource, "header_rules", V2)
        client_id = self._client_id(req, rules)
        project = self._project(req, rules)
        roles = tuple(role.strip() for role in (
            req.get_header("X-Roles") or req.get_header("X-Role") or ""
        ).split(",") if role.strip())
        ctx = RequestContext(project_id=project, client_id=client_id,
                             roles=roles,
                             auth_token=req.get_header("X-Auth-Token"))

        if "queue_name" in params:
            self._identification(params["queue_name"], project, "Queue",
                                 "queue")
        if "topic_name" in params:
            self._identification(params["topic_name"], project, "Topic",
                                 "topic")

        method = req.method.lower()
        if method == "options" or not hasattr(resource, "on_" + method):
            return ctx  # falcon answers OPTIONS and 405 itself
        rule = getattr(resource, "policies", {}).get(req.method)
        if rule is not None and self._policy is not None:
            self._policy.enforce(rule, ctx)
        return ctx

    def _signed(self, req: falcon.Request) -> None:
        """A pre-signed request must match its signature, for the
        project it names in X-Project-ID (README "Signed URLs")."""
        project = req.get_header("X-Project-ID")
        if project is None or not urls.verify(
                self._secret_key, req.get_header("URL-Signature"),
                req.get_header("URL-Expires"), req.get_header("URL-Methods"),
                req.get_header("URL-Paths"), project, req.method, req.path):
            raise falcon.HTTPNotFound()

    def _client_id(self, req: falcon.Request,
                   rules: HeaderRules) -> str | None:
        if rules.client_id == "ignored":
            return None
        value = req.get_header("Client-ID")
        if value is None:
            if rules.client_id == "required":
                raise errors.APIError(
                    f'The "{rules.client_id_label}" header is required.',
                    title="Missing header value")
            return None
        if self._uuid_client_ids:
            try:
                return ids.canonical_uuid(value)
            except ValueError:
                raise errors.APIError("Malformed hexadecimal UUID.",
                                      title="Wrong UUID value") from None
        low, high = self._client_id_lengths
        if not low <= len(value) <= high:
            raise falcon.HTTPBadRequest(
                title=f"Length of client id must be at least {low} and no "
                      f"greater than {high}.")
        return value

    @staticmethod
    def _project(req: falcon.Request, rules: HeaderRules) -> str | None:
        if rules.project == "ignored":
            return None
        value = req.get_header("X-Project-ID")
        for fallback in ("X-Tenant-ID", "X-Tenant"):
            if value is None and rules.tenant_headers:
                value = req.get_header(fallback)
        if value is None:
            if rules.project == "required":
                raise errors.APIError("The header X-PROJECT-ID was missing",
                                      title="Project-Id Missing")
            return None
        if value == "":
            raise errors.APIError(
                "X-PROJECT-ID cannot be an empty string. Specify the right "
                "header X-PROJECT-ID and retry.",
                title="Empty project header not allowed")
        if _CONTROL.search(value):
            # Storage namespaces no client may reach (topics, notification
            # jobs) use project ids with control characters.
            raise errors.APIError(
                "X-PROJECT-ID cannot contain control characters.",
                title="Invalid project header")
        return value

    def _identification(self, name: str, project: str | None, kind: str,
                        noun: str) -> None:
        try:
            self._validate.queue_identification(name, project, kind)
        except errors.ValidationFailed:
            raise errors.APIError(
                f"The format of the submitted {noun} name or project id is "
                "not valid.", title=f"Invalid {noun} identification") from None
