"""``include_usage`` goes into the app's own request bytes: one insertion, nothing re-encoded."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from routing_otel._wire.usage import with_include_usage

_MISSING = object()
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


@given(
    fields=st.dictionaries(
        st.text(max_size=8).filter(lambda k: k not in {"stream", "stream_options"}), _VALUES
    ),
    options=st.sampled_from([_MISSING, None, {}, {"other": 1}]),
    indent=st.sampled_from([None, 0, 2]),
    ensure_ascii=st.booleans(),
    lead=st.sampled_from(["", " \n", "\ufeff"]),
)
def test_the_app_body_plus_one_insertion_parses_to_the_request_with_usage(
    fields: dict[str, Any], options: object, indent: int | None, ensure_ascii: bool, lead: str
) -> None:
    """Any body, spelled any way: the result parses as the app's payload with the option."""
    payload: dict[str, Any] = {**fields, "stream": True}
    if options is not _MISSING:
        payload["stream_options"] = options
    body = (lead + json.dumps(payload, indent=indent, ensure_ascii=ensure_ascii)).encode()
    result = with_include_usage(body, payload)
    assert result is not None
    kept = options if isinstance(options, dict) else {}
    expected = {**payload, "stream_options": {**kept, "include_usage": True}}
    assert json.loads(result.decode("utf-8-sig")) == expected
    if options is None:  # `null` replaced by the object
        assert len(result) - len(body) == len(b'{"include_usage":true}') - len(b"null")
    else:  # a pure insertion: the app's bytes are all there, in order
        rest = iter(result)
        assert all(byte in rest for byte in body)


def test_the_app_deciding_or_not_streaming_leaves_the_body_alone() -> None:
    """include_usage already set (either way), no stream, or an odd stream_options: None."""
    for payload in (
        {"stream": True, "stream_options": {"include_usage": False}},
        {"stream": True, "stream_options": {"include_usage": True}},
        {"stream": False},
        {"stream": True, "stream_options": "yes"},
    ):
        assert with_include_usage(json.dumps(payload).encode(), payload) is None
