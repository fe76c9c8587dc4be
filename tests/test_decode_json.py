"""mas.wire.decode reads each `data:` payload with orjson, yet gives exactly what `json.loads` gives.

orjson refuses some JSON Python accepts and reads integers past 64 bits as floats; those cases
must come out as `json.loads` reads them (checked against it, value and type), and what neither
accepts must stay "not JSON".
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mas.wire.decode import _parse_json, iter_events
from mas.wire.events import ToolOutput


def reference(data: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None


def same(a: Any, b: Any) -> bool:
    """Equal in value and in type all the way down (1 and 1.0 differ; NaN equals NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


@pytest.mark.parametrize(
    "data",
    [
        '{"type": "response.output_text.delta", "delta": "hi", "sequence_number": 3}',
        "NaN",
        '{"score": NaN, "high": Infinity, "low": -Infinity}',
        '{"x": [1E400, -1e400]}',
        "12345678901234567890123",
        '{"n": -92233720368547758090}',
        '{"deep": {"list": [18446744073709551616, -9223372036854775809]}}',
        '{"edge": 18446744073709551615, "low": -9223372036854775808}',
        '{"f": 1e19, "g": -9.3e18, "h": 0.1, "i": -0.0}',
        '"\\ud800"',
        '{"a": 1, "a": 2}',
        ' {"a": 1} ',
        "\ufeff{}",
        '{"a": 1} trailing',
        "[1,]",
        "",
        "null",
        '"plain"',
    ],
)
def test_every_payload_reads_as_json_loads_reads_it(data: str) -> None:
    assert same(_parse_json(data), reference(data))


def test_nesting_too_deep_for_json_is_not_json() -> None:
    data = "[" * 100_000 + "]" * 100_000
    assert _parse_json(data) is None and reference(data) is None


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_value_round_trips_as_json_loads_gives_it(value: Any) -> None:
    data = json.dumps(value)  # Python's own output: NaN, Infinity and big integers included
    assert same(_parse_json(data), reference(data))


def test_a_big_integer_in_a_tool_output_stays_exact() -> None:
    output = {"rows": [[123456789012345678901234567890, 1e19]]}
    event = {"type": "response.output_item.done",
             "item": {"type": "function_call_output", "call_id": "c1", "output": output}}  # fmt: skip
    body = f"data: {json.dumps(event)}\n\ndata: [DONE]\n\n".encode()
    [shown] = [e.output for e in iter_events([body]) if isinstance(e, ToolOutput)]
    assert "123456789012345678901234567890" in shown and same(json.loads(shown), output)
