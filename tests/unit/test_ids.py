"""The UUID helpers agree with the uuid module, fast path or not."""

from __future__ import annotations

import re
import uuid

import pytest

from zaqar.common import ids
from zaqar.storage import base

UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                   r"[0-9a-f]{12}")
SAMPLE = "3381af92-2b9e-11e3-b191-71861300734c"


def test_new_uuid4s_are_distinct_canonical_uuid4s():
    made = ids.new_uuid4s(50)
    assert len(set(made)) == 50
    assert all(UUID4.fullmatch(i) for i in made)
    assert all(str(uuid.UUID(i)) == i for i in made)
    assert ids.new_uuid4s(0) == []
    assert UUID4.fullmatch(ids.new_uuid4())


@pytest.mark.parametrize("value", [
    SAMPLE,                                    # canonical: the fast path
    SAMPLE.upper(),                            # the rest as uuid.UUID
    SAMPLE.replace("-", ""),
    "{" + SAMPLE + "}",
    "urn:uuid:" + SAMPLE,
    "3381af92-2b9e11e3-b191-71861300734c",     # hyphens anywhere
])
def test_canonical_uuid_as_uuid_module(value):
    assert ids.canonical_uuid(value) == str(uuid.UUID(value))
    assert ids.is_uuid(value)
    assert base.is_claim_id(value)


@pytest.mark.parametrize("value", [
    "", "x", SAMPLE[:-1], SAMPLE + "0", SAMPLE + "\n", " " + SAMPLE,
    SAMPLE.replace("a", "g"), None, 7, b"3381af922b9e11e3b19171861300734c",
])
def test_not_uuids(value):
    with pytest.raises((ValueError, TypeError, AttributeError)):
        uuid.UUID(value)
    assert not ids.is_uuid(value)
    assert not base.is_claim_id(value)
    with pytest.raises((ValueError, TypeError, AttributeError)):
        ids.canonical_uuid(value)
