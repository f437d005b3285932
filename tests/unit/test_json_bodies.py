"""Request documents as every transport parses them
(``zaqar.transport.utils.loads``)."""

import pytest

from zaqar.common import errors
from zaqar.transport import utils

UNPARSABLE = "Request body could not be parsed."
TOO_DEEP = "JSON is nested too deeply (more than 64 levels)."


def nested(depth: int) -> bytes:
    """``depth`` levels of containers, alternating arrays and objects."""
    text = "1"
    for level in range(depth):
        text = f"[{text}]" if level % 2 else f'{{"k": {text}}}'
    return text.encode()


@pytest.mark.parametrize("data, expected", [
    (b'{"a": [1, 2.5, "x", null, true]}', {"a": [1, 2.5, "x", None, True]}),
    (b"[]", []),
    ('{"é": "日本"}'.encode(), {"é": "日本"}),
    ('{"é": 1}', {"é": 1}),  # text is accepted as is
    (b'{"s": "\\ud83d\\ude00"}', {"s": "\U0001F600"}),  # a proper pair
    (b'{"n": 9223372036854775807}', {"n": 2 ** 63 - 1}),
    (b'{"n": -9223372036854775808}', {"n": -2 ** 63}),
    (b'{"f": 1.7976931348623157e308}', {"f": 1.7976931348623157e308}),
    # 19 digits in range are accepted, in numbers and in strings.
    (b'{"n": 1000000000000000000, "s": "12345678901234567890"}',
     {"n": 10 ** 18, "s": "12345678901234567890"}),
    # Brackets inside strings only make the depth check run.
    (b'{"s": "' + b"[" * 70 + b'"}', {"s": "[" * 70}),
])
def test_documents(data, expected):
    assert utils.loads(data) == expected


@pytest.mark.parametrize("data, description", [
    (b"", UNPARSABLE), (b"{", UNPARSABLE), (b'"x"', UNPARSABLE),
    (b"1", UNPARSABLE), (b"null", UNPARSABLE),
    (b'{"a": NaN}', UNPARSABLE), (b'{"a": -Infinity}', UNPARSABLE),
    (b'{"a": 1e400}', UNPARSABLE), (b'{"a": -1e400}', UNPARSABLE),
    (b'{"a": "\\udc00"}', UNPARSABLE), (b'{"\\ud800": 1}', UNPARSABLE),
    (b'{"a": "\\uDBFF"}', UNPARSABLE), (b'["\\\\", "\\udfff"]', UNPARSABLE),
    ('{"a": "\ud800"}', UNPARSABLE),  # text holding a lone surrogate
    (b'{"a": "\xe9"}', UNPARSABLE),  # latin-1, not UTF-8
    (b"\xef\xbb\xbf{}", UNPARSABLE),  # UTF-8 byte-order mark
    ("{}".encode("utf-16"), UNPARSABLE),
    (b'{"n": 9223372036854775808}',
     "JSON contains integer that is too large."),
    (b'{"n": [-9223372036854775809]}',
     "JSON contains integer that is too large."),
    (nested(65), TOO_DEEP),
    (b"[" * 100000 + b"]" * 100000, TOO_DEEP),
])
def test_refused_documents(data, description):
    with pytest.raises(errors.InvalidBody) as exc:
        utils.loads(data)
    assert exc.value.description == description


def test_nesting_limit_is_inclusive():
    assert utils.loads(nested(64))
    assert utils.loads(b'{"a": ' + nested(63) + b', "b": ' + nested(63)
                       + b"}")
    with pytest.raises(errors.InvalidBody):
        utils.loads(b'{"a": 1, "b": [' + nested(63) + b"]}")
