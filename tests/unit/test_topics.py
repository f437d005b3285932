"""The topic storage namespace and the topic wording of shared texts."""

import pytest

from zaqar.common import errors
from zaqar.notification import jobs
from zaqar.storage import errors as storage_errors
from zaqar.storage import topics
from zaqar.transport.wsgi.v2_0 import topics as topic_resources


def test_namespace_appends_a_control_character():
    assert topics.namespace("demo") == "demo\x1f"
    assert topics.namespace(None) == "\x1f"
    assert topics.namespace("x" * 255) == "x" * 255 + "\x1f"


def test_longest_project_ids_are_hashed_to_fit():
    long_id = "p" * 256
    mapped = topics.namespace(long_id)
    assert mapped.startswith("\x1fsha256:") and len(mapped) <= 256
    assert mapped != topics.namespace("q" * 256)


def test_namespaces_never_meet_client_projects_or_each_other():
    mapped = {topics.namespace(p) for p in ("a", "a\x1f", "b", "p" * 256)}
    assert len(mapped) == 4
    # what clients can send has no control character; every mapped id and
    # the delivery queue's project have one
    for project in mapped | {jobs.PROJECT}:
        assert any(ord(ch) < 32 for ch in project)
    assert jobs.PROJECT not in mapped


def test_missing_topic_reads_as_a_topic_and_is_a_missing_queue():
    exc = topics.TopicDoesNotExist("t", "p")
    assert str(exc) == "Topic t does not exist for project p"
    assert isinstance(exc, storage_errors.QueueDoesNotExist)
    assert isinstance(exc, storage_errors.TopicDoesNotExist)
    message = topics.TopicMessageDoesNotExist("m", "t", "p")
    assert str(message) == "Message m does not exist in topic t for project p"
    assert isinstance(message, storage_errors.MessageDoesNotExist)


@pytest.mark.parametrize("text, wanted", [
    ("Queue could not be created.", "Topic could not be created."),
    ("Queues could not be listed.", "Topics could not be listed."),
    ("Queue stats could not be read.", "Topic stats could not be read."),
])
def test_unavailable_texts_say_topic(text, wanted):
    with pytest.raises(errors.Unavailable) as exc:
        with topic_resources.topic_texts():
            raise errors.Unavailable(text)
    assert exc.value.description == wanted + errors.RETRY_SUFFIX


def test_message_lookup_text_says_topic_and_names_are_kept():
    with pytest.raises(errors.NotFound) as exc:
        with topic_resources.topic_texts():
            raise errors.NotFound("No messages with IDs: ['1'] found in the "
                                  "queue Queue for project p.")
    assert exc.value.description == ("No messages with IDs: ['1'] found in "
                                     "the topic Queue for project p.")
