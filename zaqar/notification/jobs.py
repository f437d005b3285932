"""Pending deliveries, kept as messages of an internal queue.

Each delivery (one notification or confirmation for one subscriber) is a
message of queue ``QUEUE`` in project ``PROJECT``, in the same data store
as the user's queues, so it is exactly as durable as they are and needs
nothing beyond the storage contract. ``PROJECT`` starts with a control
character, which no HTTP header (hence no client) can carry, so no client
can read or change these messages.

A server process takes jobs with an ordinary claim: a job is performed by
one process at a time, and if that process dies the claim expires and the
job is taken again (at-least-once). A retry is a new message delayed by
the retry interval; the old one is deleted only after the new one is
stored.
"""

from __future__ import annotations

import dataclasses
import logging
import typing

from zaqar.storage import errors as storage_errors

LOG = logging.getLogger(__name__)

PROJECT = "\x1fzaqar"
QUEUE = "notification-deliveries"
# How long a job waits for a server to run it (beyond any retry delay).
JOB_TTL = 14 * 24 * 3600
# Jobs stored by one storage call.
_BATCH = 200


@dataclasses.dataclass(frozen=True)
class ClaimedJob:
    message_id: str
    claim_id: str
    job: dict


class JobQueue:
    """The internal queue of one data store (unpipelined driver)."""

    def __init__(self, storage: typing.Any, claim_ttl: int):
        self._messages = storage.message_controller
        self._claims = storage.claim_controller
        self._claim_terms = {"ttl": claim_ttl, "grace": claim_ttl}

    def record(self, jobs: list[dict], delay: int = 0) -> None:
        """Store jobs; raises the storage's errors (nothing is sent for
        a job that was not stored)."""
        for start in range(0, len(jobs), _BATCH):
            batch = [{"body": job, "ttl": JOB_TTL + delay, "delay": delay}
                     for job in jobs[start:start + _BATCH]]
            self._messages.post(QUEUE, batch, PROJECT, None)

    def pending(self) -> bool:
        """Whether a job is ready to be taken (a cheap read before the
        claim, which writes)."""
        return bool(self._messages.list(QUEUE, PROJECT, limit=1, echo=True))

    def claim(self, limit: int) -> list[ClaimedJob]:
        claim_id, messages = self._claims.create(
            QUEUE, self._claim_terms, PROJECT, limit=limit)
        return [ClaimedJob(message["id"], claim_id, message["body"])
                for message in messages]

    def finish(self, claimed: ClaimedJob) -> None:
        """Remove a job that was performed (or given up)."""
        try:
            self._messages.delete(QUEUE, claimed.message_id, PROJECT,
                                  claim=claimed.claim_id)
        except storage_errors.MessageNotClaimed:
            # Our claim lapsed and nobody took the job since: still ours.
            self._messages.delete(QUEUE, claimed.message_id, PROJECT)
        except (storage_errors.MessageIsClaimedBy,
                storage_errors.ClaimDoesNotExist):
            # Our claim lapsed and another process took the job: it will
            # perform it again (a duplicate, never a loss).
            LOG.warning("delivery job %s was taken over by another "
                        "process before it finished here",
                        claimed.message_id)

    def reschedule(self, claimed: ClaimedJob, job: dict,
                   delay: int) -> None:
        """Replace a job by ``job`` (its next attempt) due in ``delay``
        seconds."""
        self.record([job], delay=delay)
        self.finish(claimed)
