"""Claim operations, shared by every API version and transport."""

from __future__ import annotations

import typing

from zaqar.common import errors
from zaqar.context import RequestContext
from zaqar.storage import base as storage_base
from zaqar.storage import errors as storage_errors
from zaqar.transport.validation import int_field


class Claims:
    def __init__(self, storage: typing.Any, validate: typing.Any,
                 conf: typing.Any):
        self._claims = storage.claim_controller
        self._validate = validate
        self._default_ttl = conf.transport.default_claim_ttl
        self._default_grace = conf.transport.default_claim_grace

    def _terms(self, document: typing.Any) -> dict:
        """``{"ttl", "grace"}`` from an optional body; other keys (such as
        the ``limit`` openstacksdk sends) are ignored."""
        if document is None:
            document = {}
        if not isinstance(document, dict):
            raise errors.InvalidBody("Document type not supported.")
        for field in ("ttl", "grace"):
            int_field(document, field)
        return {"ttl": document.get("ttl", self._default_ttl),
                "grace": document.get("grace", self._default_grace)}

    def create(self, ctx: RequestContext, queue: str, limit: int | None,
               document: typing.Any = None
               ) -> tuple[str | None, list[storage_base.Message]]:
        terms = self._terms(document)
        self._validate.claim_ttl(terms["ttl"])
        self._validate.claim_limit(limit)
        self._validate.claim_grace(terms["grace"])
        return self._claims.create(queue, terms, ctx.project_id,
                                   limit=limit or 10)

    def get(self, ctx: RequestContext, queue: str, claim_id: str
            ) -> tuple[dict, list[storage_base.Message]]:
        try:
            if not storage_base.is_claim_id(claim_id):
                raise storage_errors.ClaimDoesNotExist(claim_id, queue,
                                                       ctx.project_id)
            return self._claims.get(queue, claim_id, ctx.project_id)
        except storage_errors.DoesNotExist as exc:
            raise errors.NotFound(str(exc)) from None

    def update(self, ctx: RequestContext, queue: str, claim_id: str,
               document: typing.Any) -> None:
        terms = self._terms(document)
        self._validate.claim_ttl(terms["ttl"])
        try:
            if not storage_base.is_claim_id(claim_id):
                raise storage_errors.ClaimDoesNotExist(claim_id, queue,
                                                       ctx.project_id)
            self._claims.update(queue, claim_id, terms, ctx.project_id)
        except storage_errors.DoesNotExist as exc:
            raise errors.NotFound(str(exc)) from None

    def delete(self, ctx: RequestContext, queue: str, claim_id: str) -> None:
        if storage_base.is_claim_id(claim_id):
            self._claims.delete(queue, claim_id, ctx.project_id)
