import pytest

from zaqar.api import jsonpatch
from zaqar.common import errors


def _error(document):
    with pytest.raises(errors.APIError) as exc:
        jsonpatch.parse(document)
    return exc.value.description


@pytest.mark.parametrize("document, text", [
    ({"op": "add"}, "Request body must be a JSON array of operation objects."),
    ([1], "Operations must be JSON objects."),
    ([{"path": "/metadata/a"}],
     "Unable to find `op` in JSON Schema change. It must be one of the "
     "following: add, remove, replace."),
    ([{"op": "move", "path": "/metadata/a"}],
     "Invalid operation: `move`. It must be one of the following: add, "
     "remove, replace."),
    ([{"op": "add"}], "Unable to find 'path' in JSON Schema change"),
    ([{"op": "add", "path": "metadata/x", "value": 1}],
     'Pointer `metadata/x` does not start with "/".'),
    ([{"op": "add", "path": "/metadata//x", "value": 1}],
     'Pointer `/metadata//x` contains adjacent "/".'),
    ([{"op": "add", "path": "/metadata/x/", "value": 1}],
     'Pointer `/metadata/x/` end with "/".'),
    ([{"op": "add", "path": "/metadata/~2", "value": 1}],
     'Pointer `/metadata/~2` contains "~" not part of a recognized escape '
     "sequence."),
    ([{"op": "add", "path": "/metadata/a/b", "value": 1}],
     "Invalid JSON pointer for this resource: '/metadata/a/b, e.g "
     "/metadata/key'"),
    ([{"op": "add", "path": "/metadata", "value": 1}],
     "Invalid JSON pointer for this resource: '/metadata, e.g "
     "/metadata/key'"),
    ([{"op": "add", "path": "/metadata/a"}],
     'Operation "add" requires a member named "value".'),
    ([{"op": "add", "path": "/other/a", "value": 1}],
     "The root of path must be metadata, e.g /metadata/key."),
])
def test_parse_errors(document, text):
    assert _error(document) == text


def test_escapes_and_case():
    ops = jsonpatch.parse([{"op": "add", "path": "/MetaData/a~1b~0c",
                            "value": 1}])
    assert ops == [("add", "a/b~c", 1)]


def test_apply():
    ops = jsonpatch.parse([
        {"op": "add", "path": "/metadata/a", "value": 1},
        {"op": "remove", "path": "/metadata/n"},
        {"op": "replace", "path": "/metadata/d", "value": "new"},
        {"op": "replace", "path": "/metadata/_r", "value": 5},
        {"op": "remove", "path": "/metadata/_s"}])
    result = jsonpatch.apply({"n": 1, "d": "old"}, ops, {"_r", "_s"})
    assert result == {"d": "new", "a": 1, "_r": 5}


@pytest.mark.parametrize("op, text", [
    ("replace", "Can't replace non-existent object x."),
    ("remove", "Can't remove non-existent object x.")])
def test_apply_conflicts(op, text):
    operation = {"op": op, "path": "/metadata/x", "value": 1}
    with pytest.raises(errors.Conflict) as exc:
        jsonpatch.apply({}, jsonpatch.parse([operation]), set())
    assert exc.value.description == text
