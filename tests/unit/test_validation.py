import pytest

from zaqar.common import errors
from zaqar.transport import validation


@pytest.fixture
def validate(conf):
    return validation.Validator(conf)


@pytest.mark.parametrize("name", ["a", "A-b_c.d", "x" * 64, "0.1"])
def test_good_queue_names(validate, name):
    validate.queue_identification(name, "p")


@pytest.mark.parametrize("name, text", [
    ("x" * 65, "Queue names may not be more than 64 characters long."),
    ("bad$", "Queue names may only contain ASCII letters, digits, "
             "underscores, and dashes."),
    ("caf\u00e9", "Queue names may only contain ASCII letters, digits, "
                  "underscores, and dashes."),
])
def test_bad_queue_names(validate, name, text):
    with pytest.raises(errors.ValidationFailed) as exc:
        validate.queue_identification(name, "p")
    assert exc.value.description == text


def test_project_too_long(validate):
    with pytest.raises(errors.ValidationFailed) as exc:
        validate.queue_identification("q", "p" * 257)
    assert "Project ids" in exc.value.description
    validate.queue_identification("q", "p" * 256)


@pytest.mark.parametrize("limit", [0, 21, -1])
def test_listing_limits(validate, limit):
    with pytest.raises(errors.ValidationFailed) as exc:
        validate.queue_listing(limit)
    assert exc.value.description == \
        "Limit must be at least 1 and no greater than 20."
    with pytest.raises(errors.ValidationFailed) as exc:
        validate.message_listing(limit)
    assert exc.value.description == \
        "Limit must be at least 1 and may not be greater than 20."


@pytest.mark.parametrize("metadata, text", [
    ({"_max_messages_post_size": "x"},
     "_max_messages_post_size must be integer."),
    ({"_max_messages_post_size": 0},
     "_max_messages_post_size can not exceed 262144,  and must be at least "
     "greater than 0."),
    ({"_default_message_ttl": 59},
     "_default_message_ttl can not exceed 1209600 seconds, and must be at "
     "least 60 seconds long."),
    ({"_default_message_ttl": True},
     "_default_message_ttl can not exceed 1209600 seconds, and must be at "
     "least 60 seconds long."),
    ({"_default_message_delay": 901},
     "The TTL can not exceed 900 seconds, and must be at least 0 seconds "
     "long."),
    ({"_dead_letter_queue_messages_ttl": 10},
     "The TTL for a message may not exceed 1209600 seconds, and must be at "
     "least 60 seconds long."),
    ({"_max_claim_count": "x"}, "_max_claim_count must be integer."),
    ({"_enable_encrypt_messages": "yes"},
     "_enable_encrypt_messages must be boolean."),
    ({"_retry_policy": "x"}, "retry_policy must be a dict."),
    ({"_retry_policy": {"retry_backoff_function": "bogus"}},
     "invalid retry_backoff_function."),
    ({"_retry_policy": {"retry_backoff_function": 1}},
     "retry_backoff_function must be a string."),
    ({"_retry_policy": {"minimum_delay": "x"}},
     "Retry policy: minimum_delay must be a integer."),
    ({"_retry_policy": {"minimum_delay": 10, "maximum_delay": 5}},
     "minimum_delay must less than maximum_delay."),
    ({"_retry_policy": {"minimum_delay": 10, "maximum_delay": 15}},
     "invalid minimum_delay and maximum_delay."),
    ({"_retry_policy": {"ignore_subscription_override": "x"}},
     "ignore_subscription_override must be a boolean."),
])
def test_reserved_metadata_errors(validate, metadata, text):
    with pytest.raises(errors.ValidationFailed) as exc:
        validate.queue_metadata(metadata)
    assert exc.value.description == text


def test_falsy_reserved_values_pass(validate):
    validate.queue_metadata({"_default_message_delay": 0,
                             "_max_claim_count": 0,
                             "_enable_encrypt_messages": False,
                             "_dead_letter_queue": None})


def test_patch_result_errors_use_body_title(validate):
    with pytest.raises(errors.InvalidBody) as exc:
        validate.queue_metadata({"_default_message_ttl": 30},
                                error=errors.InvalidBody)
    assert exc.value.title == "Invalid request body"


def test_post_size(validate):
    validate.message_post_size(262144)
    with pytest.raises(errors.ValidationFailed) as exc:
        validate.message_post_size(262145)
    assert exc.value.description == \
        "Message collection size is too large. Max size 262144"
    with pytest.raises(errors.ValidationFailed) as exc:
        validate.message_post_size(128, queue_max=100)
    assert "The max size for current queue is 100" in exc.value.description


def test_deletion_rules(validate):
    with pytest.raises(errors.ValidationFailed, match="either"):
        validate.message_deletion(None, None, None)
    with pytest.raises(errors.ValidationFailed, match="together"):
        validate.message_deletion(["a"], 1, None)
    with pytest.raises(errors.ValidationFailed, match="Pop value"):
        validate.message_deletion(None, 21, None)
    with pytest.raises(errors.ValidationFailed, match="ids parameter"):
        validate.message_deletion(["a"] * 21, None, None)
    validate.message_deletion(["a"] * 20, None, None)


def test_subscription_rules(validate):
    with pytest.raises(errors.ValidationFailed, match="subscriber type"):
        validate.subscriber("ftp://x")
    validate.subscriber("mailto:a@example.com")
    with pytest.raises(errors.ValidationFailed, match="at least 60"):
        validate.subscription_ttl(0, 0)
    with pytest.raises(errors.ValidationFailed, match="9999-12-31"):
        validate.subscription_ttl(2 ** 62, 1.7e9)
    with pytest.raises(errors.ValidationFailed, match="must be a dict"):
        validate.subscription_options([])
